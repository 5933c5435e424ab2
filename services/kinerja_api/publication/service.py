"""Publication through the transactional outbox: nothing is sent inside the request.

- ``kinerja.development_needs`` -> pelatihan on every finalisation (pelatihan is internal; it may see a NIP).
- ``kinerja.unit_performance`` -> publik when the last evaluation of a unit for a period becomes FINAL (every
  active employee of the unit has a FINAL evaluation and no part is still DRAFT), or when an admin publishes
  explicitly. The aggregate carries counts only, never a NIP, name or individual rating (UU 14/2008 Pasal
  17(h), docs/events.md). A re-finalisation after a reopen sends a corrected aggregate; publik keeps the
  latest per (unit, period).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.outbox import enqueue
from services.common.request_id import current_request_id
from services.kinerja_api.calendar.periods import Period, parse_period
from services.kinerja_api.evaluations.enums import Berakhlak, Predikat, Rating
from services.kinerja_api.evaluations.models import Evaluation
from services.kinerja_api.events import OutboxEvent
from services.kinerja_api.publication import repository
from services.kinerja_api.reports import repository as reports

# Names the rules the figures follow (publik keeps at most 32 characters).
POLICY_VERSION = "PermenPANRB-6/2022+SE-3/2023"
UNIT_PERFORMANCE = "kinerja.unit_performance"
DEVELOPMENT_NEEDS = "kinerja.development_needs"


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def realization_periods(period: Period) -> list[str]:
    """Which realisation periods count for a period: the quarter itself, or the year and its quarters."""
    if period.quarter is None:
        return [period.code] + [f"{period.year}-Q{q}" for q in range(1, 5)]
    return [period.code]


def behavior_gaps(notes: dict[str, Any]) -> list[str]:
    """BerAKHLAK values whose note carries level DI_BAWAH_EKSPEKTASI, in the values' order."""
    return [
        value.value
        for value in Berakhlak
        if isinstance(notes.get(value.value), dict)
        and notes[value.value].get("level") == Rating.DI_BAWAH_EKSPEKTASI
    ]


def enqueue_development_needs(session: AsyncSession, evaluation: Evaluation) -> None:
    """Tell pelatihan what the finalised evaluation revealed (its recommendations use it)."""
    enqueue(
        session,
        OutboxEvent,
        destination="pelatihan",
        event_type=DEVELOPMENT_NEEDS,
        payload={
            "nip": evaluation.nip,
            "evaluation_id": str(evaluation.id),
            "period": evaluation.period,
            "behavior_gaps": behavior_gaps(evaluation.behavior_notes),
            "result_below_expectation": evaluation.result_rating == Rating.DI_BAWAH_EKSPEKTASI,
        },
        request_id=current_request_id(),
    )


@dataclass(frozen=True, slots=True)
class Published:
    """An aggregate put in the outbox."""

    event_id: uuid.UUID
    revision: int
    data: dict[str, Any]


async def unit_aggregate(
    session: AsyncSession, unit_id: uuid.UUID, period: Period, unit_name: str
) -> dict[str, Any]:
    """The public aggregate of one unit for one period: counts only."""
    counts = await reports.predikat_counts(session, period.code, [unit_id])
    summary = await reports.compliance_summary(
        session, period.year, period.code, realization_periods(period), [unit_id]
    )
    return {
        "unit_id": str(unit_id),
        "unit_name": unit_name,
        "period": period.code,
        "headcount": summary.headcount,
        "evaluated": summary.evaluated,
        "counts": {p.value: counts.get(p.value, 0) for p in Predikat},
        "compliance": {
            "skp_approved": summary.skp_approved,
            "realization_reported": summary.realization_reported,
            "evaluated": summary.evaluated,
        },
        "policy_version": POLICY_VERSION,
        "data_as_of": _iso(clock.now()),
    }


async def publish_unit(
    session: AsyncSession, unit_id: uuid.UUID, period: Period, *, by: str
) -> Published | None:
    """Put the unit's current aggregate in the outbox for publik; None when the unit does not exist."""
    name = await reports.unit_name(session, unit_id)
    if name is None:
        return None
    data = await unit_aggregate(session, unit_id, period, name)
    row = enqueue(
        session,
        OutboxEvent,
        destination="publik",
        event_type=UNIT_PERFORMANCE,
        payload=data,
        request_id=current_request_id(),
    )
    state = await repository.get_state(session, unit_id, period.code)
    revision = await repository.save_state(
        session, state, unit_id=unit_id, period=period.code, event_id=row.id, data=data, by=by
    )
    return Published(row.id, revision, data)


async def after_finalize(session: AsyncSession, evaluation: Evaluation, *, by: str) -> Published | None:
    """Development needs for this evaluation, and the unit aggregate when it was the unit's last one."""
    enqueue_development_needs(session, evaluation)
    await repository.lock_unit_period(session, evaluation.unit_id, evaluation.period)
    headcount, missing, drafts = await repository.completeness(session, evaluation.unit_id, evaluation.period)
    if headcount == 0 or missing or drafts:
        return None
    return await publish_unit(session, evaluation.unit_id, parse_period(evaluation.period), by=by)
