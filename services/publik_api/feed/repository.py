"""Queries of the public feed: published items, newest first, keyset-paged (Core, no identity-map churn)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.models.publications import Item
from services.publik_api.models.units import Unit

COLUMNS = (
    Item.id,
    Item.kind,
    Item.unit_id,
    func.coalesce(Unit.name, "").label("unit_name"),
    Item.period,
    Item.published_at,
    Item.updated_at,
    Item.version,
    Item.public_data.label("data"),
    Item.suppressed,
    Item.policy_version,
    Item.data_as_of,
)


async def published(
    session: AsyncSession,
    *,
    unit_id: uuid.UUID | None = None,
    kind: str | None = None,
    period: str | None = None,
    year: int | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Up to ``limit`` published items matching the filters, ordered (published_at, id) descending."""
    stmt = (
        select(*COLUMNS)
        .outerjoin(Unit, Unit.id == Item.unit_id)
        .where(Item.published_at.is_not(None))
        .order_by(Item.published_at.desc(), Item.id.desc())
        .limit(limit)
    )
    if unit_id is not None:
        stmt = stmt.where(Item.unit_id == unit_id)
    if kind is not None:
        stmt = stmt.where(Item.kind == kind)
    if period is not None:
        stmt = stmt.where(Item.period == period)
    if year is not None:
        stmt = stmt.where(Item.period.like(f"{year}%"))
    if after is not None:
        stmt = stmt.where(tuple_(Item.published_at, Item.id) < tuple_(after[0], after[1]))
    return [dict(r._mapping) for r in (await session.execute(stmt)).all()]


async def last_change(session: AsyncSession) -> datetime | None:
    """When anything published last changed (the feeds' `updated`)."""
    return await session.scalar(select(func.max(Item.updated_at)).where(Item.published_at.is_not(None)))


async def published_item(session: AsyncSession, item_id: uuid.UUID) -> dict[str, Any] | None:
    """One published item by id, or None."""
    row = (
        await session.execute(
            select(*COLUMNS)
            .outerjoin(Unit, Unit.id == Item.unit_id)
            .where(Item.id == item_id, Item.published_at.is_not(None))
        )
    ).first()
    return dict(row._mapping) if row else None
