"""Queries on the JP ledger, and the per-unit figures computed in SQL."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.pelatihan_api.models.ledger import JpEntry


async def entries(session: AsyncSession, nip: str, year: int) -> list[JpEntry]:
    """The employee's live entries for the year, oldest first."""
    stmt = (
        select(JpEntry)
        .where(JpEntry.nip == nip, JpEntry.year == year, JpEntry.revoked_at.is_(None))
        .order_by(JpEntry.completed_on, JpEntry.created_at, JpEntry.id)
    )
    return list((await session.scalars(stmt)).all())


async def entries_between(session: AsyncSession, nip: str, first: date, last: date) -> list[JpEntry]:
    """The employee's live entries dated from ``first`` to ``last`` (a PPPK's contract years)."""
    stmt = (
        select(JpEntry)
        .where(
            JpEntry.nip == nip,
            JpEntry.completed_on >= first,
            JpEntry.completed_on <= last,
            JpEntry.revoked_at.is_(None),
        )
        .order_by(JpEntry.completed_on, JpEntry.id)
    )
    return list((await session.scalars(stmt)).all())


# One pass over the roster's active PNS joined to that year's live JP per NIP. The partial index
# ix_jp_entry_year_nip_live covers the inner aggregate (year, nip INCLUDE jp).
_UNIT_FIGURES = """
WITH jp AS (
    SELECT nip, SUM(jp)::int AS jp_total
    FROM pelatihan.jp_entry
    WHERE year = :year AND revoked_at IS NULL
      {jp_filter}
    GROUP BY nip
)
SELECT r.unit_id,
       COUNT(*)                                                   AS pns_total,
       COUNT(*) FILTER (WHERE COALESCE(jp.jp_total, 0) >= :required) AS meeting,
       COALESCE(SUM(jp.jp_total), 0)::int                          AS jp_delivered
FROM pelatihan.roster_employee r
LEFT JOIN jp ON jp.nip = r.nip
WHERE r.active AND r.employment = 'PNS' AND r.unit_id IS NOT NULL
  {unit_filter}
GROUP BY r.unit_id
ORDER BY r.unit_id
"""

_BELOW = """
SELECT r.nip, COALESCE(SUM(e.jp), 0)::int AS jp_total
FROM pelatihan.roster_employee r
LEFT JOIN pelatihan.jp_entry e ON e.nip = r.nip AND e.year = :year AND e.revoked_at IS NULL
WHERE r.active AND r.employment = 'PNS' AND r.unit_id = :unit_id
GROUP BY r.nip
HAVING COALESCE(SUM(e.jp), 0) < :required
ORDER BY jp_total, r.nip
"""


async def unit_figures(
    session: AsyncSession, year: int, required: int, unit_id: uuid.UUID | None
) -> list[dict[str, Any]]:
    """Per unit: active PNS, how many meet ``required`` JP, and JP delivered to them in ``year``."""
    one_unit = unit_id is not None
    sql = _UNIT_FIGURES.format(
        unit_filter="AND r.unit_id = :unit_id" if one_unit else "",
        # For one unit, sum only its people's entries instead of the whole year's.
        jp_filter=(
            "AND nip IN (SELECT nip FROM pelatihan.roster_employee WHERE unit_id = :unit_id)"
            if one_unit
            else ""
        ),
    )
    params: dict[str, Any] = {"year": year, "required": required}
    if unit_id is not None:
        params["unit_id"] = unit_id
    rows = (await session.execute(text(sql), params)).mappings().all()
    return [dict(r) for r in rows]


# PPPK apart from PNS (issue 18): no 20 JP target, a 24 JP ceiling per contract year. A contract year is
# counted from contract_start's anniversaries (age() in whole years); one is "in" the calendar year when it
# overlaps it. The year's JP per PPPK come from the same partial index as the PNS figures.
_PPPK_FIGURES = """
WITH jp AS (
    SELECT nip, SUM(jp)::int AS jp_total
    FROM pelatihan.jp_entry
    WHERE year = :year AND revoked_at IS NULL
    GROUP BY nip
), per_contract_year AS (
    SELECT r.nip, r.contract_start,
           EXTRACT(YEAR FROM age(e.completed_on, r.contract_start))::int AS k,
           SUM(e.jp) AS jp
    FROM pelatihan.roster_employee r
    JOIN pelatihan.jp_entry e ON e.nip = r.nip AND e.revoked_at IS NULL
    WHERE r.active AND r.employment = 'PPPK' AND r.contract_start IS NOT NULL
      AND e.completed_on >= r.contract_start
      AND (r.contract_end IS NULL OR e.completed_on <= r.contract_end)
      {unit_filter}
    GROUP BY r.nip, r.contract_start, k
), above AS (
    SELECT DISTINCT nip FROM per_contract_year
    WHERE jp > :ceiling
      AND contract_start + make_interval(years => k) <= make_date(:year, 12, 31)
      AND contract_start + make_interval(years => k + 1) > make_date(:year, 1, 1)
)
SELECT r.unit_id,
       COUNT(*)                                          AS pppk_total,
       COALESCE(SUM(jp.jp_total), 0)::int                AS pppk_jp_delivered,
       COUNT(*) FILTER (WHERE r.nip IN (SELECT nip FROM above)) AS pppk_above
FROM pelatihan.roster_employee r
LEFT JOIN jp ON jp.nip = r.nip
WHERE r.active AND r.employment = 'PPPK' AND r.unit_id IS NOT NULL
  {unit_filter}
GROUP BY r.unit_id
ORDER BY r.unit_id
"""


async def pppk_figures(
    session: AsyncSession, year: int, ceiling: int, unit_id: uuid.UUID | None
) -> list[dict[str, Any]]:
    """Per unit: active PPPK, the JP credited to them in ``year``, and how many passed ``ceiling`` JP in a
    contract year overlapping ``year``."""
    sql = _PPPK_FIGURES.format(unit_filter="AND r.unit_id = :unit_id" if unit_id is not None else "")
    params: dict[str, Any] = {"year": year, "ceiling": ceiling}
    if unit_id is not None:
        params["unit_id"] = unit_id
    return [dict(r) for r in (await session.execute(text(sql), params)).mappings().all()]


async def below(session: AsyncSession, year: int, required: int, unit_id: uuid.UUID) -> list[dict[str, Any]]:
    """One unit's active PNS below ``required`` JP in ``year``, lowest first."""
    rows = await session.execute(text(_BELOW), {"year": year, "required": required, "unit_id": unit_id})
    return [dict(r) for r in rows.mappings().all()]


async def participants(session: AsyncSession, year: int, unit_id: uuid.UUID) -> int:
    """Distinct employees of the unit (any employment) credited with training in ``year``."""
    value = await session.scalar(
        text(
            "SELECT COUNT(DISTINCT e.nip) FROM pelatihan.jp_entry e "
            "JOIN pelatihan.roster_employee r ON r.nip = e.nip "
            "WHERE e.year = :year AND e.revoked_at IS NULL AND r.unit_id = :unit_id"
        ),
        {"year": year, "unit_id": unit_id},
    )
    return int(value or 0)


async def jp_delivered(session: AsyncSession, year: int, unit_id: uuid.UUID) -> int:
    """JP credited in ``year`` to the unit's employees (any employment)."""
    value = await session.scalar(
        text(
            "SELECT COALESCE(SUM(e.jp), 0) FROM pelatihan.jp_entry e "
            "JOIN pelatihan.roster_employee r ON r.nip = e.nip "
            "WHERE e.year = :year AND e.revoked_at IS NULL AND r.unit_id = :unit_id"
        ),
        {"year": year, "unit_id": unit_id},
    )
    return int(value or 0)
