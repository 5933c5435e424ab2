"""The IKM report's aggregate: one statement, per-unsur sums per unit for a year, grouped in PostgreSQL
(``ix_survey_response_unit_year`` serves the filter)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_SQL = """
SELECT u.id, u.name, coalesce(s.n, 0), s.last, {sums}
FROM publik.unit u
LEFT JOIN (
    SELECT unit_id, count(*) AS n, max(submitted_at) AS last, {inner}
    FROM publik.survey_response
    WHERE year = :year {inner_filter}
    GROUP BY unit_id
) s ON s.unit_id = u.id
WHERE (u.active OR s.n IS NOT NULL) {unit_filter}
ORDER BY u.name, u.id
"""


class UnitSums(NamedTuple):
    """A unit's respondents, newest answer and per-unsur sums for the year."""

    unit_id: uuid.UUID
    unit_name: str
    respondents: int
    last: datetime | None
    sums: list[int]


async def unit_sums(session: AsyncSession, year: int, unit_id: uuid.UUID | None) -> list[UnitSums]:
    """Per unit (one, or every active unit and any unit with answers): the survey figures of ``year``."""
    sql = _SQL.format(
        sums=", ".join(f"coalesce(s.u{i}, 0)" for i in range(1, 10)),
        inner=", ".join(f"sum(u{i}) AS u{i}" for i in range(1, 10)),
        inner_filter="AND unit_id = :unit" if unit_id is not None else "",
        unit_filter="AND u.id = :unit" if unit_id is not None else "",
    )
    params: dict[str, Any] = {"year": year}
    if unit_id is not None:
        params["unit"] = unit_id
    rows = (await session.execute(text(sql), params)).all()
    return [UnitSums(r[0], r[1], int(r[2]), r[3], [int(v) for v in r[4:]]) for r in rows]
