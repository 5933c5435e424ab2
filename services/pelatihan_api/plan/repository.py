"""The development plan's two reads, in SQL: the unit's people with their year's JP and latest needs, and the
sessions of the year that still have seats."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Latest needs per NIP: DISTINCT ON over ix_development_need_nip_occurred_at; the year's JP over the partial
# index ix_jp_entry_year_nip_live; the people over ix_roster_employee_unit_id_employment (index-only).
_PEOPLE = """
WITH people AS (
    SELECT nip, employment FROM pelatihan.roster_employee WHERE active AND unit_id = :unit_id
), jp AS (
    SELECT nip, SUM(jp)::int AS jp_total
    FROM pelatihan.jp_entry
    WHERE year = :year AND revoked_at IS NULL AND nip IN (SELECT nip FROM people)
    GROUP BY nip
), need AS (
    SELECT DISTINCT ON (nip) nip, period, behavior_gaps, behaviour_rating, result_below_expectation
    FROM pelatihan.development_need
    WHERE nip IN (SELECT nip FROM people)
    ORDER BY nip, occurred_at DESC
)
SELECT p.nip, p.employment, COALESCE(jp.jp_total, 0) AS jp_total,
       need.period, need.behavior_gaps, need.behaviour_rating, need.result_below_expectation
FROM people p
LEFT JOIN jp ON jp.nip = p.nip
LEFT JOIN need ON need.nip = p.nip
ORDER BY p.nip
"""

_SESSIONS = """
SELECT s.id AS session_id, p.title AS program_title, p.tags, p.jp, s.starts_on,
       s.capacity - s.seats_taken AS seats_left
FROM pelatihan.training_session s
JOIN pelatihan.program p ON p.id = s.program_id
WHERE s.starts_on BETWEEN :first AND :last
  AND s.seats_taken < s.capacity
  AND (s.eligible_unit_ids IS NULL OR CAST(:unit_id AS uuid) = ANY (s.eligible_unit_ids))
ORDER BY s.starts_on, s.id
LIMIT 200
"""

_ENROLLED = """
SELECT nip, session_id FROM pelatihan.enrolment
WHERE session_id = ANY (:sessions) AND status IN ('PENDING_APPROVAL', 'CONFIRMED', 'WAITLISTED', 'COMPLETED', 'FAILED')
  AND nip IN (SELECT nip FROM pelatihan.roster_employee WHERE unit_id = :unit_id)
"""


async def people(session: AsyncSession, unit_id: uuid.UUID, year: int) -> list[dict[str, Any]]:
    """The unit's active people, their JP in ``year`` and their latest evaluation's needs."""
    rows = await session.execute(text(_PEOPLE), {"unit_id": unit_id, "year": year})
    return [dict(r) for r in rows.mappings().all()]


async def open_sessions(
    session: AsyncSession, unit_id: uuid.UUID, first: date, last: date
) -> list[dict[str, Any]]:
    """Sessions starting from ``first`` to ``last`` with seats left and open to the unit (at most 200)."""
    rows = await session.execute(text(_SESSIONS), {"unit_id": str(unit_id), "first": first, "last": last})
    return [dict(r) for r in rows.mappings().all()]


async def enrolled(
    session: AsyncSession, unit_id: uuid.UUID, sessions: list[uuid.UUID]
) -> set[tuple[str, uuid.UUID]]:
    """(nip, session) pairs of the unit's people already holding a live enrolment in one of ``sessions``."""
    if not sessions:
        return set()
    rows = await session.execute(text(_ENROLLED), {"sessions": sessions, "unit_id": unit_id})
    return {(r.nip, r.session_id) for r in rows}
