"""Queries of the publication flow."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.kinerja_api.publication.models import PublicationState


async def lock_unit_period(session: AsyncSession, unit_id: uuid.UUID, period: str) -> None:
    """Serialise "is this unit complete now?" per (unit, period) until commit: without it, two evaluators
    finalising the last two evaluations at once would each still see the other's as DRAFT (READ
    COMMITTED) and neither would publish."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('kinerja.publication'), hashtext(:k))"),
        {"k": f"{unit_id}/{period}"},
    )


async def completeness(session: AsyncSession, unit_id: uuid.UUID, period: str) -> tuple[int, int, int]:
    """(active headcount, active employees without a FINAL evaluation, DRAFT evaluations) of a unit."""
    row = (
        await session.execute(
            text(
                """
                SELECT
                  (SELECT count(*) FROM kinerja.employee e WHERE e.unit_id = :u AND e.active),
                  (SELECT count(*) FROM kinerja.employee e WHERE e.unit_id = :u AND e.active
                     AND NOT EXISTS (SELECT 1 FROM kinerja.evaluation v
                                     WHERE v.nip = e.nip AND v.period = :p AND v.status = 'FINAL'
                                       AND v.kind = 'RESULT')),
                  (SELECT count(*) FROM kinerja.evaluation v
                     WHERE v.unit_id = :u AND v.period = :p AND v.status = 'DRAFT' AND v.kind = 'RESULT')
                """
            ),
            {"u": unit_id, "p": period},
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


async def get_state(session: AsyncSession, unit_id: uuid.UUID, period: str) -> PublicationState | None:
    """What was last published for the unit and period, locked."""
    stmt = (
        select(PublicationState)
        .where(PublicationState.unit_id == unit_id, PublicationState.period == period)
        .with_for_update()
    )
    return (await session.scalars(stmt)).one_or_none()


async def save_state(
    session: AsyncSession,
    current: PublicationState | None,
    *,
    unit_id: uuid.UUID,
    period: str,
    event_id: uuid.UUID,
    data: dict[str, Any],
    by: str,
) -> int:
    """Record a publication; returns its revision (1 for the first)."""
    if current is None:
        session.add(
            PublicationState(
                unit_id=unit_id,
                period=period,
                revision=1,
                last_event_id=event_id,
                last_data=data,
                published_by=by,
            )
        )
        await session.flush()
        return 1
    current.revision += 1
    current.last_event_id = event_id
    current.last_data = data
    current.published_by = by
    current.published_at = clock.now()
    await session.flush()
    return current.revision


# Who headed the unit on the period's last day (the assignment then, the rule of reports.heads_unit: a JPT, or a
# structural position answering to no one inside the unit), and that person's APPROVED SKP covering the day.
_HEAD_SKP = """
SELECT s.id FROM kinerja.employee_assignment a
JOIN kinerja.employee e ON e.nip = a.nip
JOIN kinerja.skp s ON s.nip = a.nip AND s.status = 'APPROVED' AND s.year = :year
     AND s.valid_from <= :day AND s.valid_to > :day
WHERE a.unit_id = :u AND a.valid_from <= :day AND (a.valid_to IS NULL OR a.valid_to > :day)
  AND (e.position_type = 'JPT' OR (e.position_type IN ('ADMINISTRATOR', 'PENGAWAS') AND NOT EXISTS (
      SELECT 1 FROM kinerja.employee_assignment b
      WHERE b.nip = a.supervisor_nip AND b.unit_id = a.unit_id
        AND b.valid_from <= :day AND (b.valid_to IS NULL OR b.valid_to > :day))))
ORDER BY e.position_type = 'JPT' DESC, s.approved_at DESC NULLS LAST, s.id
LIMIT 1
"""

_TARGETS = """
SELECT r.id, r.kind, r.text, i.id, i.text, i.target, z.period, z.realization
FROM kinerja.skp_result r
LEFT JOIN kinerja.skp_indicator i ON i.result_id = r.id
LEFT JOIN kinerja.realization z ON z.indicator_id = i.id AND z.period = ANY(CAST(:periods AS text[]))
WHERE r.skp_id = :skp
ORDER BY r.position, r.id, i.position, i.id, z.period
"""


async def head_skp(session: AsyncSession, unit_id: uuid.UUID, year: int, day: date) -> uuid.UUID | None:
    """The APPROVED SKP of the unit's head on ``day``, or None."""
    found = await session.scalar(text(_HEAD_SKP), {"u": unit_id, "year": year, "day": day})
    return found if isinstance(found, uuid.UUID) or found is None else uuid.UUID(str(found))


async def targets(session: AsyncSession, skp_id: uuid.UUID, periods: list[str]) -> list[dict[str, Any]]:
    """The SKP's results with their indicators and the realisations of ``periods`` (one statement)."""
    rows = (await session.execute(text(_TARGETS), {"skp": skp_id, "periods": periods})).all()
    results: dict[Any, dict[str, Any]] = {}
    indicators: dict[Any, dict[str, Any]] = {}
    for rid, kind, rtext, iid, itext, target, period, realization in rows:
        result = results.setdefault(rid, {"kind": kind, "text": rtext, "indicators": []})
        if iid is None:
            continue
        if iid not in indicators:
            indicators[iid] = {"text": itext, "target": target, "realizations": []}
            result["indicators"].append(indicators[iid])
        if period is not None:
            indicators[iid]["realizations"].append({"period": period, "realization": realization})
    return list(results.values())
