"""Queries on ``kinerja.unit``."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.kinerja_api.units.models import Unit


async def get(session: AsyncSession, unit_id: uuid.UUID) -> Unit | None:
    """One unit by id."""
    return await session.get(Unit, unit_id)


async def insert_unit(
    session: AsyncSession, *, code: str, name: str, parent_id: uuid.UUID | None
) -> Unit | None:
    """Insert a unit; None when the code is taken (no exception, so the transaction stays usable)."""
    stmt = (
        insert(Unit)
        .values(id=uuid.uuid4(), code=code, name=name, parent_id=parent_id)
        .on_conflict_do_nothing(index_elements=[Unit.code])
        .returning(Unit)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_page(
    session: AsyncSession, *, parent_id: uuid.UUID | None, after_code: str | None, limit: int
) -> list[Unit]:
    """Up to ``limit`` units ordered by code (unique, so the order is stable), after ``after_code``."""
    stmt = select(Unit).order_by(Unit.code).limit(limit)
    if parent_id is not None:
        stmt = stmt.where(Unit.parent_id == parent_id)
    if after_code is not None:
        stmt = stmt.where(Unit.code > after_code)
    return list((await session.scalars(stmt)).all())


async def ids_by_code(session: AsyncSession) -> dict[str, uuid.UUID]:
    """Every unit code with its id (the CSV import resolves ``unit_code`` with it)."""
    rows = await session.execute(select(Unit.code, Unit.id))
    return dict(rows.all())
