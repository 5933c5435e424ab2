"""Queries of units."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.models.units import Unit
from services.publik_api.publications.figures import NEWEST_PERIOD_FIRST, Published


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


# The unit's newest ``:n`` published items of each figure kind (``ix_item_unit_period`` finds the unit's rows).
_HISTORY = f"""
SELECT kind, period, public_data, suppressed FROM (
    SELECT kind, period, public_data, suppressed,
           row_number() OVER (PARTITION BY kind ORDER BY {NEWEST_PERIOD_FIRST}) AS rank
    FROM publik.item
    WHERE unit_id = :unit AND published_at IS NOT NULL
      AND kind IN ('IKM', 'UNIT_PERFORMANCE', 'TRAINING_STATS')
) newest
WHERE rank <= :n
ORDER BY kind, rank DESC
"""


async def history(session: AsyncSession, unit_id: uuid.UUID, n: int) -> dict[str, list[Published]]:
    """kind -> the unit's newest ``n`` published items of that kind, oldest first."""
    rows = (await session.execute(text(_HISTORY), {"unit": unit_id, "n": n})).all()
    out: dict[str, list[Published]] = {"IKM": [], "UNIT_PERFORMANCE": [], "TRAINING_STATS": []}
    for r in rows:
        out[r[0]].append(Published(r[1], r[2], list(r[3] or [])))
    return out
