"""Queries of the publication domain: items, versions, publications and the version counter."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.publications.models import PENDING, Item, ItemVersion, Publication, PublicationState


async def bump_version(session: AsyncSession) -> int:
    """Bump the publication version (what every replica's cache polls) and return it. The row lock it takes
    also serialises writers of snapshots until the transaction ends."""
    stmt = (
        insert(PublicationState)
        .values(id=1, version=1)
        .on_conflict_do_update(
            index_elements=[PublicationState.id],
            set_={"version": PublicationState.version + 1, "changed_at": func.now()},
        )
        .returning(PublicationState.version)
    )
    return int((await session.execute(stmt)).scalar_one())


async def current_version(session: AsyncSession) -> int:
    """The publication version as committed (0 when never bumped)."""
    value = await session.scalar(text("SELECT version FROM publik.publication_state WHERE id = 1"))
    return int(value or 0)


async def get_or_create_publication(session: AsyncSession, period: str) -> Publication:
    """The period's publication, created PENDING on first use (race-safe)."""
    await session.execute(
        insert(Publication)
        .values(id=uuid.uuid4(), period=period)
        .on_conflict_do_nothing(index_elements=["period"])
    )
    pub = await session.scalar(select(Publication).where(Publication.period == period).with_for_update())
    assert pub is not None
    return pub


async def lock_publication(session: AsyncSession, publication_id: uuid.UUID) -> Publication | None:
    """A publication, locked for the rest of the transaction."""
    return await session.scalar(select(Publication).where(Publication.id == publication_id).with_for_update())


async def find_item(
    session: AsyncSession, kind: str, unit_id: uuid.UUID, period: str, slug: str = ""
) -> Item | None:
    """The item for (kind, unit, period, slug), locked, or None."""
    return await session.scalar(
        select(Item)
        .where(Item.kind == kind, Item.unit_id == unit_id, Item.period == period, Item.slug == slug)
        .with_for_update()
    )


def keep_version(session: AsyncSession, item: Item) -> None:
    """Store the item's current state as an earlier version before it is replaced."""
    session.add(
        ItemVersion(
            item_id=item.id,
            version=item.version,
            data=item.data,
            public_data=item.public_data,
            suppressed=item.suppressed,
            policy_version=item.policy_version,
            updated_at=item.updated_at,
        )
    )


async def publish_pending_items(session: AsyncSession, publication_id: uuid.UUID, now: datetime) -> int:
    """Make every not-yet-public item of a publication public; returns how many."""
    result = await session.execute(
        update(Item)
        .where(Item.publication_id == publication_id, Item.published_at.is_(None))
        .values(published_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def list_publications(
    session: AsyncSession, *, status: str | None, after: str | None, limit: int
) -> list[dict[str, Any]]:
    """Publications ordered by period with their item counts (one aggregate query, no N+1)."""
    pending = func.count(Item.id).filter(Item.published_at.is_(None))
    stmt = (
        select(
            Publication.id,
            Publication.period,
            Publication.status,
            Publication.created_at,
            Publication.approved_at,
            Publication.approved_by,
            func.count(Item.id).label("items"),
            pending.label("pending_items"),
        )
        .outerjoin(Item, Item.publication_id == Publication.id)
        .group_by(Publication.id)
        .order_by(Publication.period)
        .limit(limit + 1)
    )
    if status is not None:
        stmt = stmt.where(Publication.status == status)
    if after is not None:
        stmt = stmt.where(Publication.period > after)
    return [dict(r._mapping) for r in (await session.execute(stmt)).all()]


async def publication_counts(session: AsyncSession, publication_id: uuid.UUID) -> tuple[int, int]:
    """(items, pending items) of one publication."""
    row = (
        await session.execute(
            select(func.count(Item.id), func.count(Item.id).filter(Item.published_at.is_(None))).where(
                Item.publication_id == publication_id
            )
        )
    ).one()
    return int(row[0]), int(row[1])


__all__ = ["PENDING"]
