"""Queries of the publication domain: items, versions, publications and the version counter."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.models.publications import PENDING, Item, ItemVersion, Publication, PublicationState
from services.publik_api.models.units import Unit


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
    """Store the item's current state as an earlier version before it is replaced (marked published when
    the item was public in that state)."""
    session.add(
        ItemVersion(
            item_id=item.id,
            version=item.version,
            data=item.data,
            public_data=item.public_data,
            suppressed=item.suppressed,
            policy_version=item.policy_version,
            updated_at=item.updated_at,
            published=item.published_at is not None,
        )
    )


async def items_to_publish(session: AsyncSession, publication_id: uuid.UUID) -> list[Item]:
    """A publication's items that are not public yet or carry a pending correction, locked, in a stable
    order (parents are not required first: each item is checked against what is public when its turn comes)."""
    return list(
        (
            await session.scalars(
                select(Item)
                .where(
                    Item.publication_id == publication_id,
                    or_(Item.published_at.is_(None), Item.pending_data.is_not(None)),
                )
                .order_by(Item.kind, Item.unit_id, Item.slug)
                .with_for_update()
            )
        ).all()
    )


async def published_versions(
    session: AsyncSession, kind: str, period: str, unit_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[int, dict[str, Any]]]]:
    """Every published version (number, public data; newest first) of the (kind, period) item of each unit:
    its current public state and each earlier version that was public."""
    if not unit_ids:
        return {}
    rows = (
        await session.execute(
            select(Item.id, Item.unit_id, Item.version, Item.public_data).where(
                Item.kind == kind,
                Item.period == period,
                Item.slug == "",
                Item.unit_id.in_(unit_ids),
                Item.published_at.is_not(None),
            )
        )
    ).all()
    found: dict[uuid.UUID, list[tuple[int, dict[str, Any]]]] = {}
    owner: dict[uuid.UUID, uuid.UUID] = {}
    for item_id, unit_id, version, public in rows:
        found[unit_id] = [(int(version), public)]
        owner[item_id] = unit_id
    if owner:
        older = (
            await session.execute(
                select(ItemVersion.item_id, ItemVersion.version, ItemVersion.public_data)
                .where(ItemVersion.item_id.in_(list(owner)), ItemVersion.published.is_(True))
                .order_by(ItemVersion.version.desc())
            )
        ).all()
        for item_id, version, public in older:
            found[owner[item_id]].append((int(version), public))
    return found


async def family(
    session: AsyncSession, unit_id: uuid.UUID
) -> tuple[uuid.UUID | None, list[uuid.UUID], list[uuid.UUID]]:
    """(parent, the parent's other sub-units, own sub-units) of a unit as publik knows them."""
    parent = await session.scalar(select(Unit.parent_id).where(Unit.id == unit_id))
    siblings: list[uuid.UUID] = []
    if parent is not None:
        siblings = list(
            (await session.scalars(select(Unit.id).where(Unit.parent_id == parent, Unit.id != unit_id))).all()
        )
    children = list((await session.scalars(select(Unit.id).where(Unit.parent_id == unit_id))).all())
    return parent, siblings, children


async def held_items(
    session: AsyncSession, publication_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Per publication, its items that wait with reasons (a correction that may not be published yet, or
    a figure set published in a reduced form), for the admin."""
    if not publication_ids:
        return {}
    rows = (
        await session.execute(
            select(
                Item.publication_id, Item.id, Item.kind, Item.unit_id, Item.pending_data, Item.hold_reasons
            )
            .where(
                Item.publication_id.in_(publication_ids),
                or_(Item.pending_data.is_not(None), func.jsonb_array_length(Item.hold_reasons) > 0),
            )
            .order_by(Item.kind, Item.unit_id)
        )
    ).all()
    held: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for pub_id, item_id, kind, unit_id, pending, reasons in rows:
        held.setdefault(pub_id, []).append(
            {
                "item_id": item_id,
                "kind": kind,
                "unit_id": unit_id,
                "waiting": pending is not None,
                "reasons": list(reasons or []),
            }
        )
    return held


async def list_publications(
    session: AsyncSession, *, status: str | None, after: str | None, limit: int
) -> list[dict[str, Any]]:
    """Publications ordered by period with their item counts (one aggregate query, no N+1)."""
    pending = func.count(Item.id).filter(or_(Item.published_at.is_(None), Item.pending_data.is_not(None)))
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
            select(
                func.count(Item.id),
                func.count(Item.id).filter(or_(Item.published_at.is_(None), Item.pending_data.is_not(None))),
            ).where(Item.publication_id == publication_id)
        )
    ).one()
    return int(row[0]), int(row[1])


__all__ = ["PENDING"]
