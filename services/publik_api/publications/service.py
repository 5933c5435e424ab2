"""Publication rules: items wait for an admin's approval of their period; corrections keep the id and the
earlier version; every change to what is public bumps the publication version and writes a snapshot."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.errors import NotFound
from services.publik_api.publications import repository
from services.publik_api.publications.models import APPROVED, PENDING, Item, Publication
from services.publik_api.snapshots.service import SnapshotSigner, write_snapshot


def now_utc() -> datetime:
    """The current time (UTC)."""
    return clock.now()


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
        return item
    if item.data == data and item.public_data == public_data and item.policy_version == policy_version:
        return item  # the same figures again (a re-sent event): nothing changed
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
    return item


async def approve(
    session: AsyncSession, publication_id: uuid.UUID, approver: str, signer: SnapshotSigner
) -> Publication:
    """Approve a period's publication: its pending items become public, and a snapshot is written."""
    pub = await repository.lock_publication(session, publication_id)
    if pub is None:
        raise NotFound(f"No publication {publication_id}")
    now = now_utc()
    published = await repository.publish_pending_items(session, pub.id, now)
    first_approval = pub.status != APPROVED
    pub.status, pub.approved_at, pub.approved_by = APPROVED, now, approver
    await session.flush()
    if published or first_approval:
        await repository.bump_version(session)
        await write_snapshot(session, signer, now)
    return pub
