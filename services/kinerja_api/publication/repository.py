"""Queries of the publication flow."""

from __future__ import annotations

import uuid
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
