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


# One pass over the roster's active PNS and PPPK, each joined to their year's total (jp_total, kept by triggers
# on jp_entry, one row per NIP and year): the report reads one row per employee, not the year's ledger. A
# PPPK's ceiling is per contract year, counted from contract_start's anniversaries (age() in whole years); one
# is "in" the calendar year when it overlaps it (issue 18). Such a contract year lies within the two years
# around :year, so only those entries are read, each PPPK's over ix_jp_entry_nip_completed_on_live.
_UNIT_FIGURES = """
WITH per_contract_year AS (
    SELECT r.unit_id, r.nip, r.contract_start,
           EXTRACT(YEAR FROM age(e.completed_on, r.contract_start))::int AS k,
           SUM(e.jp) AS jp
    FROM pelatihan.roster_employee r
    JOIN pelatihan.jp_entry e ON e.nip = r.nip AND e.revoked_at IS NULL
    WHERE r.active AND r.employment = 'PPPK' AND r.contract_start IS NOT NULL AND r.unit_id IS NOT NULL
      AND e.completed_on >= r.contract_start
      AND (r.contract_end IS NULL OR e.completed_on <= r.contract_end)
      AND e.completed_on BETWEEN make_date(CAST(:year AS int) - 2, 1, 1) AND make_date(CAST(:year AS int) + 2, 12, 31)
      {unit_filter}
    GROUP BY r.unit_id, r.nip, r.contract_start, k
), above AS (
    SELECT unit_id, COUNT(DISTINCT nip) AS pppk_above
    FROM per_contract_year
    WHERE jp > :ceiling
      AND contract_start + make_interval(years => k) <= make_date(CAST(:year AS int), 12, 31)
      AND contract_start + make_interval(years => k + 1) > make_date(CAST(:year AS int), 1, 1)
    GROUP BY unit_id
), figures AS (
    SELECT r.unit_id,
           COUNT(*) FILTER (WHERE r.employment = 'PNS')                                         AS pns_total,
           COUNT(*) FILTER (WHERE r.employment = 'PNS' AND COALESCE(t.jp_total, 0) >= :required) AS meeting,
           COALESCE(SUM(t.jp_total) FILTER (WHERE r.employment = 'PNS'), 0)::int                 AS jp_delivered,
           COUNT(*) FILTER (WHERE r.employment = 'PPPK')                                        AS pppk_total,
           COALESCE(SUM(t.jp_total) FILTER (WHERE r.employment = 'PPPK'), 0)::int                AS pppk_jp_delivered
    FROM pelatihan.roster_employee r
    LEFT JOIN pelatihan.jp_total t ON t.year = :year AND t.nip = r.nip
    WHERE r.active AND r.employment IN ('PNS', 'PPPK') AND r.unit_id IS NOT NULL
      {unit_filter}
    GROUP BY r.unit_id
)
SELECT f.*, COALESCE(a.pppk_above, 0) AS pppk_above
FROM figures f
LEFT JOIN above a ON a.unit_id = f.unit_id
ORDER BY f.unit_id
"""

_BELOW = """
SELECT r.nip, COALESCE(t.jp_total, 0)::int AS jp_total
FROM pelatihan.roster_employee r
LEFT JOIN pelatihan.jp_total t ON t.year = :year AND t.nip = r.nip
WHERE r.active AND r.employment = 'PNS' AND r.unit_id = :unit_id
  AND COALESCE(t.jp_total, 0) < :required
ORDER BY jp_total, r.nip
"""


# The province's (or one unit's) figures from what the triggers keep (migration pelatihan_0013): each unit's
# are the sum of its jp_unit_delta rows (year 0 the headcounts, :year the rest; a few rows per key once
# compacted), index-only: nothing here grows with the employees. The triggers apply 20 JP and 24 JP
# (PNS_REQUIRED_IN_DB, PPPK_CEILING_IN_DB); for other rules the figures come from the roster (_UNIT_FIGURES).
PNS_REQUIRED_IN_DB = 20
PPPK_CEILING_IN_DB = 24
_KEPT_FIGURES = """
SELECT unit_id,
       COALESCE(SUM(headcount) FILTER (WHERE employment = 'PNS'), 0)::bigint  AS pns_total,
       COALESCE(SUM(meeting) FILTER (WHERE employment = 'PNS'), 0)::bigint    AS meeting,
       COALESCE(SUM(jp) FILTER (WHERE employment = 'PNS'), 0)::int            AS jp_delivered,
       COALESCE(SUM(headcount) FILTER (WHERE employment = 'PPPK'), 0)::bigint AS pppk_total,
       COALESCE(SUM(jp) FILTER (WHERE employment = 'PPPK'), 0)::int           AS pppk_jp_delivered,
       COALESCE(SUM(above) FILTER (WHERE employment = 'PPPK'), 0)::bigint     AS pppk_above
FROM pelatihan.jp_unit_delta
WHERE year IN (0, :year) {unit_filter}
GROUP BY unit_id
HAVING SUM(headcount) > 0
ORDER BY unit_id
"""


async def unit_figures(
    session: AsyncSession, year: int, required: int, ceiling: int, unit_id: uuid.UUID | None
) -> list[dict[str, Any]]:
    """Per unit with active PNS or PPPK: active PNS, how many meet ``required`` JP, JP delivered to them in
    ``year``; active PPPK, the JP credited to them in ``year``, and how many passed ``ceiling`` JP in a contract
    year overlapping ``year``."""
    if (required, ceiling) == (PNS_REQUIRED_IN_DB, PPPK_CEILING_IN_DB):
        kept = _KEPT_FIGURES.format(unit_filter="AND unit_id = :unit_id" if unit_id is not None else "")
        kept_params: dict[str, Any] = {"year": year}
        if unit_id is not None:
            kept_params["unit_id"] = unit_id
        rows = await session.execute(text(kept), kept_params)
        return [dict(r) for r in rows.mappings().all()]
    sql = _UNIT_FIGURES.format(unit_filter="AND r.unit_id = :unit_id" if unit_id is not None else "")
    params: dict[str, Any] = {"year": year, "required": required, "ceiling": ceiling}
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


# One compaction at a time (other replicas skip their turn; the truncation triggers wait for this lock too);
# rows appended meanwhile are not in the DELETE's snapshot and stay as they are, and readers see the rows
# before or after, whose sums are the same.
_COMPACT = """
WITH gone AS (
    DELETE FROM pelatihan.jp_unit_delta
    WHERE (year, unit_id, employment) IN (
        SELECT year, unit_id, employment FROM pelatihan.jp_unit_delta
        GROUP BY year, unit_id, employment HAVING COUNT(*) > 1
    )
    RETURNING year, unit_id, employment, headcount, meeting, jp, above
), folded AS (
    INSERT INTO pelatihan.jp_unit_delta (year, unit_id, employment, headcount, meeting, jp, above)
    SELECT year, unit_id, employment, SUM(headcount), SUM(meeting), SUM(jp), SUM(above)
    FROM gone
    GROUP BY year, unit_id, employment
    HAVING SUM(headcount) <> 0 OR SUM(meeting) <> 0 OR SUM(jp) <> 0 OR SUM(above) <> 0
)
SELECT COUNT(*) FROM gone
"""


async def compact_unit_deltas(session: AsyncSession) -> int | None:
    """Fold each (year, unit, employment)'s ``jp_unit_delta`` rows into one (none when they sum to zero);
    the number of rows folded, or None when another compaction holds the lock."""
    if not await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(hashtext('pelatihan.jp_unit_delta:compact'))")
    ):
        return None
    return int(await session.scalar(text(_COMPACT)) or 0)
