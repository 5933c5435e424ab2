"""Publication rules: items wait for an admin's approval of their period; corrections keep the id and the
earlier version; every change to what is public bumps the publication version and writes a snapshot."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import record_change
from services.common.errors import NotFound
from services.publik_api.events import SINK
from services.publik_api.publications import repository
from services.publik_api.publications.models import APPROVED, PENDING, Item, Publication
from services.publik_api.snapshots.service import SnapshotSigner, write_snapshot


def now_utc() -> datetime:
    """The current time (UTC)."""
    return datetime.now(UTC)


async def upsert_item(
    session: AsyncSession,
    *,
    kind: str,
    unit_id: uuid.UUID,
    period: str,
    data: dict[str, Any],
    public_data: dict[str, Any],
    suppressed: list[str],
    policy_version: str,
    data_as_of: datetime | None,
    signer: SnapshotSigner | None,
    actor: str,
    slug: str = "",
    publish_now: bool = False,
) -> Item:
    """Store a figure set for (kind, unit, period). A new one waits for its period's approval (unless
    ``publish_now``); a changed one is a correction: same id, ``updated_at`` bumped, the earlier version kept,
    and when it was already public the correction is public at once (and snapshotted)."""
    now = now_utc()
    item = await repository.find_item(session, kind, unit_id, period, slug)
    if item is None:
        publication_id: uuid.UUID | None = None
        if not publish_now:
            pub = await repository.get_or_create_publication(session, period)
            publication_id = pub.id
            # New material in an approved period waits for a new approval.
            pub.status = PENDING
        item = Item(
            id=uuid.uuid4(),
            kind=kind,
            unit_id=unit_id,
            period=period,
            slug=slug,
            publication_id=publication_id,
            data=data,
            public_data=public_data,
            suppressed=suppressed,
            policy_version=policy_version,
            data_as_of=data_as_of,
            version=1,
            created_at=now,
            updated_at=now,
            published_at=now if publish_now else None,
        )
        session.add(item)
        await session.flush()
        if publish_now:
            await repository.bump_version(session)
            if signer is not None:
                await write_snapshot(session, signer, now)
        action = "item.publish" if publish_now else "item.receive"
        await _item_changed(session, item, action, actor, None)
        return item
    if item.data == data and item.public_data == public_data and item.policy_version == policy_version:
        return item  # the same figures again (a re-sent event): nothing changed
    before = item_state(item)
    repository.keep_version(session, item)
    item.data, item.public_data, item.suppressed = data, public_data, suppressed
    item.policy_version, item.data_as_of = policy_version, data_as_of
    item.version += 1
    item.updated_at = now
    await session.flush()
    if item.published_at is not None:
        await repository.bump_version(session)
        if signer is not None:
            await write_snapshot(session, signer, now)
    await _item_changed(session, item, "item.correct", actor, before)
    return item


def item_state(item: Item) -> dict[str, Any]:
    """An item as the audit log keeps it: what the public sees of it (or will, once approved)."""
    return {
        "kind": item.kind,
        "unit_id": str(item.unit_id),
        "period": item.period,
        "slug": item.slug,
        "version": item.version,
        "public_data": item.public_data,
        "suppressed": item.suppressed,
        "policy_version": item.policy_version,
        "published_at": item.published_at.isoformat() if item.published_at else None,
    }


async def _item_changed(
    session: AsyncSession, item: Item, action: str, actor: str, before: dict[str, Any] | None
) -> None:
    await record_change(
        session,
        SINK,
        actor=actor,
        action=action,
        entity="item",
        entity_id=str(item.id),
        before=before,
        after=item_state(item),
    )


async def approve(
    session: AsyncSession, publication_id: uuid.UUID, approver: str, signer: SnapshotSigner
) -> Publication:
    """Approve a period's publication: its pending items become public, and a snapshot is written."""
    pub = await repository.lock_publication(session, publication_id)
    if pub is None:
        raise NotFound(f"No publication {publication_id}")
    now = now_utc()
    before = {"status": pub.status, "approved_at": pub.approved_at, "approved_by": pub.approved_by}
    published = await repository.publish_pending_items(session, pub.id, now)
    first_approval = pub.status != APPROVED
    pub.status, pub.approved_at, pub.approved_by = APPROVED, now, approver
    await session.flush()
    await record_change(
        session,
        SINK,
        actor=approver,
        action="publication.approve",
        entity="publication",
        entity_id=str(pub.id),
        before=before,
        after={"status": pub.status, "approved_at": now, "approved_by": approver, "published": published},
    )
    if published or first_approval:
        await repository.bump_version(session)
        await write_snapshot(session, signer, now)
    return pub
