"""The overview's two statements: the latest published item of each figure kind per unit (DISTINCT ON over the
published items, a handful per unit and period), and per unit the count of published innovations and the
newest change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.publications.figures import NEWEST_PERIOD_FIRST, Published

_LATEST = f"""
SELECT DISTINCT ON (unit_id, kind) unit_id, kind, period, public_data, suppressed
FROM publik.item
WHERE published_at IS NOT NULL AND kind IN ('IKM', 'UNIT_PERFORMANCE', 'TRAINING_STATS')
ORDER BY unit_id, kind, {NEWEST_PERIOD_FIRST}
"""

_UNITS = """
SELECT u.id, u.code, u.name, u.parent_id,
       coalesce(s.innovations, 0), s.last_update
FROM publik.unit u
LEFT JOIN (
    SELECT unit_id, count(*) FILTER (WHERE kind = 'INOVASI') AS innovations, max(updated_at) AS last_update
    FROM publik.item
    WHERE published_at IS NOT NULL
    GROUP BY unit_id
) s ON s.unit_id = u.id
WHERE u.active OR s.unit_id IS NOT NULL
ORDER BY u.name, u.id
LIMIT :limit
"""


class UnitRow(NamedTuple):
    """A unit with its published-innovation count and newest published change."""

    id: uuid.UUID
    code: str | None
    name: str
    parent_id: uuid.UUID | None
    innovations: int
    last_update: datetime | None


async def units(session: AsyncSession, limit: int) -> list[UnitRow]:
    """Active units and any unit with published items, by name; at most ``limit``."""
    rows = (await session.execute(text(_UNITS), {"limit": limit})).all()
    return [UnitRow(r[0], r[1], r[2], r[3], int(r[4]), r[5]) for r in rows]


async def latest(session: AsyncSession) -> dict[tuple[uuid.UUID, str], Published]:
    """(unit, kind) -> the newest published IKM, UNIT_PERFORMANCE and TRAINING_STATS item."""
    rows = (await session.execute(text(_LATEST))).all()
    return {(r[0], r[1]): Published(r[2], r[3], list(r[4] or [])) for r in rows}
