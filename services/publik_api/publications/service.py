"""Publication rules: items wait for an admin's approval of their period; corrections keep the id and the
earlier version, and a correction of public figures waits for the next approval, which publishes it only in
a form the disclosure rules allow (suppression.py; docs/publik.md); every change to what is public bumps
the publication version and writes a snapshot."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.changes import record_change
from services.common.errors import NotFound
from services.common.i18n import msg
from services.publik_api.events import SINK
from services.publik_api.models.publications import APPROVED, PENDING, Item, Publication
from services.publik_api.publications import repository, suppression
from services.publik_api.snapshots.service import SnapshotSigner, write_snapshot

# Kinds whose corrections of a public item wait for the period's next approval: the figure tables, and the
# unit's targets (capaian kinerja organisasi), which the admin approves per period like the figures.
HELD_CORRECTIONS = (*suppression.TABLE_KINDS, "CAPAIAN_KINERJA")


def now_utc() -> datetime:
    """The current time (UTC)."""
    return clock.now()


async def context_for(session: AsyncSession, item: Item) -> suppression.Context:
    """What is public around an item: its published versions and its unit family's (same kind, period)."""
    parent, siblings, children = await repository.family(session, item.unit_id)
    units = [item.unit_id, *siblings, *children] + ([parent] if parent is not None else [])
    versions = await repository.published_versions(session, item.kind, item.period, units)
    return suppression.Context(
        earlier=versions.get(item.unit_id, []),
        parent=[public for _, public in versions.get(parent, [])] if parent is not None else [],
        siblings=[[public for _, public in versions[u]] for u in siblings if u in versions],
        children=[[public for _, public in versions[u]] for u in children if u in versions],
    )


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
    min_group_size: int | None = None,
) -> Item:
    """Store a figure set for (kind, unit, period). A new one waits for its period's approval (unless
    ``publish_now``). A changed one is a correction: of an item not yet public it replaces the figures
    (the earlier version kept); of a public item it waits as ``pending_data`` for the period's next
    approval, which publishes it only in a form the disclosure rules allow (:func:`approve`).

    ``public_data`` is the form the figures take on their own; for figure tables it is re-decided at
    approval against everything public then. With ``min_group_size`` the admin's preview (``hold_reasons``)
    is computed now against what is public."""
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
            hold_reasons=[],
        )
        session.add(item)
        await session.flush()
        if publish_now:
            await repository.bump_version(session)
            if signer is not None:
                await write_snapshot(session, signer, now)
        elif min_group_size is not None:
            await _preview(session, item, data, min_group_size)
        await _item_changed(session, item, "item.publish" if publish_now else "item.receive", actor, None)
        return item
    before = item_state(item)
    if item.published_at is not None and kind in HELD_CORRECTIONS:
        if (item.pending_data or item.data) == data:
            return item  # the same figures again (a re-sent event): nothing changed
        if item.data == data:
            # Back to what is public: nothing waits any more.
            item.pending_data = item.pending_policy_version = item.pending_data_as_of = None
            item.hold_reasons = []
            await session.flush()
            await _item_changed(session, item, "item.correction_withdrawn", actor, before)
            return item
        item.pending_data, item.pending_policy_version, item.pending_data_as_of = (
            data,
            policy_version,
            data_as_of,
        )
        if item.publication_id is not None:
            owner = await repository.lock_publication(session, item.publication_id)
            if owner is not None:
                owner.status = PENDING
        await session.flush()
        if min_group_size is not None:
            await _preview(session, item, data, min_group_size)
        await _item_changed(session, item, "item.correction_received", actor, before)
        return item
    # For figure tables ``public_data`` is re-decided in context, so the received figures alone decide.
    same_form = kind in suppression.TABLE_KINDS or item.public_data == public_data
    if item.data == data and same_form and item.policy_version == policy_version:
        return item  # the same figures again (a re-sent event): nothing changed
    repository.keep_version(session, item)
    item.data, item.public_data, item.suppressed = data, public_data, suppressed
    item.policy_version, item.data_as_of = policy_version, data_as_of
    item.version += 1
    item.updated_at = now
    await session.flush()
    if item.published_at is None and min_group_size is not None:
        await _preview(session, item, data, min_group_size)
    if item.published_at is not None:
        await repository.bump_version(session)
        if signer is not None:
            await write_snapshot(session, signer, now)
    await _item_changed(session, item, "item.correct", actor, before)
    return item


def item_state(item: Item) -> dict[str, Any]:
    """An item as the audit log keeps it: what the public sees of it, and a correction waiting for approval."""
    return {
        "kind": item.kind,
        "unit_id": str(item.unit_id),
        "period": item.period,
        "slug": item.slug,
        "version": item.version,
        "public_data": item.public_data,
        "suppressed": item.suppressed,
        "pending_data": item.pending_data,
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


async def _preview(session: AsyncSession, item: Item, data: dict[str, Any], k: int) -> None:
    """What approving now would do with the figures, for the admin (nothing public changes)."""
    if item.kind not in suppression.TABLE_KINDS:
        return
    correction = item.published_at is not None
    decision = suppression.decide(item.kind, data, k, await context_for(session, item), correction=correction)
    if not correction:
        item.public_data, item.suppressed = decision.public, decision.suppressed
    item.hold_reasons = _reasons(decision, correction)


def _reasons(decision: suppression.Decision, correction: bool) -> list[str]:
    if not decision.reasons:
        return []
    if correction:
        head = "correction waits: publishing it would give a person away"
    else:
        head = "figures are withheld next to what is already public"
    return [head, *decision.reasons]


async def _publish_item(session: AsyncSession, item: Item, k: int, now: datetime) -> bool:
    """Publish an item's figures (first publication or pending correction) in the form the disclosure rules
    allow; False when a correction has to wait (its reasons are kept for the admin)."""
    if item.kind not in suppression.TABLE_KINDS:
        if item.published_at is None:
            item.published_at = now
            return True
        if item.pending_data is None:
            return False
        # A held correction of a document without counts of people: published as received.
        _apply_pending(session, item, item.pending_data, [], now)
        await session.flush()
        return True
    ctx = await context_for(session, item)
    if item.published_at is None:
        decision = suppression.decide(item.kind, item.data, k, ctx, correction=False)
        item.public_data, item.suppressed = decision.public, decision.suppressed
        item.hold_reasons = _reasons(decision, False)
        item.published_at = now
        await session.flush()
        return True
    assert item.pending_data is not None
    decision = suppression.decide(item.kind, item.pending_data, k, ctx, correction=True)
    item.hold_reasons = _reasons(decision, True)
    if not decision.publishable:
        return False
    _apply_pending(session, item, decision.public, decision.suppressed, now)
    await session.flush()
    return True


def _apply_pending(
    session: AsyncSession, item: Item, public: dict[str, Any], suppressed: list[str], now: datetime
) -> None:
    """Publish an item's held correction in the given public form (the earlier version kept)."""
    assert item.pending_data is not None
    repository.keep_version(session, item)
    item.data, item.public_data, item.suppressed = item.pending_data, public, suppressed
    item.policy_version = item.pending_policy_version or item.policy_version
    item.data_as_of = item.pending_data_as_of
    item.pending_data = item.pending_policy_version = item.pending_data_as_of = None
    item.version += 1
    item.updated_at = now


async def approve(
    session: AsyncSession,
    publication_id: uuid.UUID,
    approver: str,
    signer: SnapshotSigner,
    *,
    min_group_size: int,
) -> Publication:
    """Approve a period's publication: its pending items and corrections become public in the form the
    disclosure rules allow, and a snapshot is written. A correction that may not be published waits (the
    publication stays PENDING and lists it with the reasons)."""
    pub = await repository.lock_publication(session, publication_id)
    if pub is None:
        raise NotFound(msg("No publication {publication_id}", publication_id=publication_id))
    now = now_utc()
    before = {"status": pub.status, "approved_at": pub.approved_at, "approved_by": pub.approved_by}
    published = waiting = 0
    for item in await repository.items_to_publish(session, pub.id):
        if await _publish_item(session, item, min_group_size, now):
            published += 1
        else:
            waiting += 1
    first_approval = pub.approved_at is None
    pub.status = PENDING if waiting else APPROVED
    pub.approved_at, pub.approved_by = now, approver
    await session.flush()
    await record_change(
        session,
        SINK,
        actor=approver,
        action="publication.approve",
        entity="publication",
        entity_id=str(pub.id),
        before=before,
        after={
            "status": pub.status,
            "approved_at": now,
            "approved_by": approver,
            "published": published,
            "waiting": waiting,
        },
    )
    if published or first_approval:
        await repository.bump_version(session)
        await write_snapshot(session, signer, now)
    return pub
