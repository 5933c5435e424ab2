"""Rules of the unit tree. Units are only ever added under an existing unit, so the tree can get no cycle;
there is deliberately no re-parenting endpoint yet (an OPD restructuring follows a new Perda)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.i18n import msg
from services.common.pagination import decode_cursor, page_of
from services.kinerja_api.units import changes, repository
from services.kinerja_api.units.errors import ParentUnitNotFound, UnitCodeTaken, UnitNotFound
from services.kinerja_api.units.models import Unit
from services.kinerja_api.units.schemas import UnitCreate


async def create_unit(session: AsyncSession, data: UnitCreate, *, actor: str) -> Unit:
    """Create a unit; its parent must exist and its code must be new."""
    if data.parent_id is not None and await repository.get(session, data.parent_id) is None:
        raise ParentUnitNotFound(
            msg("parent unit {parent_id} does not exist", parent_id=data.parent_id),
            errors=[{"loc": ["body", "parent_id"], "msg": "no such unit"}],
        )
    unit = await repository.insert_unit(session, code=data.code, name=data.name, parent_id=data.parent_id)
    if unit is None:
        raise UnitCodeTaken(msg("a unit with code {code!r} already exists", code=data.code))
    await changes.unit_changed(session, actor=actor, unit=unit)
    return unit


async def get_unit(session: AsyncSession, unit_id: uuid.UUID) -> Unit:
    """One unit, or 404."""
    unit = await repository.get(session, unit_id)
    if unit is None:
        raise UnitNotFound(msg("no unit with id {unit_id}", unit_id=unit_id))
    return unit


async def list_units(
    session: AsyncSession, *, parent_id: uuid.UUID | None, cursor: str | None, limit: int
) -> tuple[list[Unit], str | None]:
    """A keyset page of units ordered by code."""
    after = decode_cursor(cursor, 1)
    rows = await repository.list_page(
        session, parent_id=parent_id, after_code=str(after[0]) if after else None, limit=limit + 1
    )
    return page_of(rows, limit, lambda u: [u.code])
