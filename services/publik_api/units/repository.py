"""Queries of units."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.units.models import Unit


async def get(session: AsyncSession, unit_id: uuid.UUID) -> Unit | None:
    """One unit or None."""
    return await session.get(Unit, unit_id)


async def upsert(
    session: AsyncSession,
    unit_id: uuid.UUID,
    *,
    name: str,
    code: str | None = None,
    parent_id: uuid.UUID | None = None,
    active: bool = True,
    name_only: bool = False,
) -> None:
    """Create or update a unit. ``name_only`` (learning from a figure's ``unit_name``) never overwrites what
    a ``kinerja.unit`` event said, only fills in an unknown unit."""
    stmt = insert(Unit).values(id=unit_id, name=name, code=code, parent_id=parent_id, active=active)
    if name_only:
        stmt = stmt.on_conflict_do_nothing(index_elements=[Unit.id])
    else:
        stmt = stmt.on_conflict_do_update(
            index_elements=[Unit.id],
            set_={"name": name, "code": code, "parent_id": parent_id, "active": active},
        )
    await session.execute(stmt)


async def names(session: AsyncSession, unit_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Unit names by id, in one query."""
    rows = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))
    return {r[0]: r[1] for r in rows}
