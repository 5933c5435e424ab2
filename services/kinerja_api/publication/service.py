"""Publication through the transactional outbox: nothing is sent inside the request.

- ``kinerja.development_needs`` -> pelatihan on every finalisation, and again when an accepted objection sets
  new ratings (pelatihan is internal; it may see a NIP).
- ``kinerja.organisation_performance`` -> publik with every unit aggregate: the unit's targets (the approved
  SKP of whoever headed it at the period's end) and their realisation up to the period, by unit only.
- ``kinerja.unit_performance`` -> publik when the last evaluation of a unit for a period becomes FINAL (every
  active employee of the unit has a FINAL evaluation and no part is still DRAFT), or when an admin publishes
  explicitly. The aggregate carries counts only, never a NIP, name or individual rating (UU 14/2008 Pasal
  17(h), docs/events.md). A re-finalisation after a reopen, or an accepted objection, sends a corrected
  aggregate; publik keeps the latest per (unit, period).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common import periods as grammar
from services.common.changes import Event, Recorded, record_change
from services.common.changes.catalogue.kinerja import (
    Compliance,
    DevelopmentNeeds,
    OrganisationPerformance,
    OrgResult,
    PredikatCounts,
    UnitPerformance,
)
from services.kinerja_api.calendar.periods import Period, parse_period, realization_periods
from services.kinerja_api.events import SINK
from services.kinerja_api.publication import repository
from services.kinerja_api.reports import repository as reports
from services.kinerja_api.tables.evaluation_enums import Berakhlak, Predikat, Rating
from services.kinerja_api.tables.evaluations import Evaluation

# Names the rules the figures follow (publik keeps at most 32 characters).
POLICY_VERSION = "PermenPANRB-6/2022+SE-3/2023"
UNIT_PERFORMANCE = UnitPerformance.event_type
DEVELOPMENT_NEEDS = DevelopmentNeeds.event_type


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def behavior_gaps(notes: dict[str, Any]) -> list[str]:
    """BerAKHLAK values whose note carries level DI_BAWAH_EKSPEKTASI, in the values' order."""
    return [
        value.value
        for value in Berakhlak
        if isinstance(notes.get(value.value), dict)
        and notes[value.value].get("level") == Rating.DI_BAWAH_EKSPEKTASI
    ]


def development_needs(evaluation: Evaluation) -> DevelopmentNeeds:
    """What the finalised evaluation revealed, for pelatihan (its recommendations use it)."""
    return DevelopmentNeeds(
        nip=evaluation.nip,
        evaluation_id=str(evaluation.id),
        period=evaluation.period,
        behavior_gaps=behavior_gaps(evaluation.behavior_notes),
        result_below_expectation=evaluation.result_rating == Rating.DI_BAWAH_EKSPEKTASI,
        behaviour_rating=evaluation.behavior_rating,
    )


@dataclass(frozen=True, slots=True)
class Published:
    """An aggregate put in the outbox."""

    event_id: uuid.UUID
    revision: int
    data: dict[str, Any]


async def unit_aggregate(
    session: AsyncSession, unit_id: uuid.UUID, period: Period, unit_name: str
) -> UnitPerformance:
    """The public aggregate of one unit for one period: counts only."""
    counts = await reports.predikat_counts(session, period.code, unit_id)
    summary = await reports.compliance_summary(
        session, period.year, period.code, realization_periods(period), [unit_id]
    )
    return UnitPerformance(
        unit_id=str(unit_id),
        unit_name=unit_name,
        period=period.code,
        headcount=summary.headcount,
        evaluated=summary.evaluated,
        counts=PredikatCounts(**{p.value: counts.get(p.value, 0) for p in Predikat}),
        compliance=Compliance(
            skp_approved=summary.skp_approved,
            realization_reported=summary.realization_reported,
            evaluated=summary.evaluated,
        ),
        policy_version=POLICY_VERSION,
        data_as_of=_iso(clock.now()),
    )


def _periods_to(period: Period) -> list[str]:
    """The realisation periods reported up to ``period``: the year's quarters (or months) so far, or the
    year itself and all of them."""
    if period.index is None:
        return realization_periods(period)
    return [
        p.code
        for p in grammar.within(period.year, period.kind)
        if p.index is not None and p.index <= period.index
    ]


async def organisation_targets(
    session: AsyncSession, unit_id: uuid.UUID, period: Period, unit_name: str
) -> OrganisationPerformance | None:
    """The unit's targets and realisations for publik, or None when nobody headed the unit with an APPROVED
    SKP on the period's last day. Texts and targets only: nothing that names or rates the head."""
    skp_id = await repository.head_skp(session, unit_id, period.year, period.end)
    if skp_id is None:
        return None
    results = await repository.targets(session, skp_id, _periods_to(period))
    return OrganisationPerformance(
        unit_id=str(unit_id),
        unit_name=unit_name,
        period=period.code,
        results=[OrgResult.model_validate(r) for r in results],
        data_as_of=_iso(clock.now()),
    )


async def _remember(
    session: AsyncSession, aggregate: UnitPerformance, recorded: Recorded, *, by: str
) -> Published:
    unit_id, data = uuid.UUID(aggregate.unit_id), aggregate.payload()
    event_id = recorded.event_id(aggregate, "publik")
    state = await repository.get_state(session, unit_id, aggregate.period)
    revision = await repository.save_state(
        session, state, unit_id=unit_id, period=aggregate.period, event_id=event_id, data=data, by=by
    )
    return Published(event_id, revision, data)


async def publish_unit(
    session: AsyncSession, unit_id: uuid.UUID, period: Period, *, by: str
) -> Published | None:
    """An admin puts the unit's current aggregate in the outbox for publik (audited as
    ``unit_performance.publish``); None when the unit does not exist."""
    name = await reports.unit_name(session, unit_id)
    if name is None:
        return None
    aggregate = await unit_aggregate(session, unit_id, period, name)
    targets = await organisation_targets(session, unit_id, period, name)
    previous = await repository.get_state(session, unit_id, period.code)
    recorded = await record_change(
        session,
        SINK,
        actor=by,
        action="unit_performance.publish",
        entity="unit_performance",
        entity_id=f"{unit_id}/{period.code}",
        before=previous.last_data if previous is not None else None,
        after=aggregate.payload(),
        events=[aggregate] if targets is None else [aggregate, targets],
    )
    return await _remember(session, aggregate, recorded, by=by)


@dataclass(frozen=True, slots=True)
class AfterFinalize:
    """The events a finalisation sends besides its own, and how to remember the aggregate once recorded."""

    events: list[Event]
    aggregate: UnitPerformance | None

    async def remember(self, session: AsyncSession, recorded: Recorded, *, by: str) -> Published | None:
        """Keep the published aggregate's revision (after ``record_change`` gave it its outbox id)."""
        if self.aggregate is None:
            return None
        return await _remember(session, self.aggregate, recorded, by=by)


async def after_finalize(session: AsyncSession, evaluation: Evaluation) -> AfterFinalize:
    """Development needs for this evaluation, and the unit aggregate when it was the unit's last one."""
    needs = development_needs(evaluation)
    await repository.lock_unit_period(session, evaluation.unit_id, evaluation.period)
    headcount, missing, drafts = await repository.completeness(session, evaluation.unit_id, evaluation.period)
    if headcount == 0 or missing or drafts:
        return AfterFinalize([needs], None)
    name = await reports.unit_name(session, evaluation.unit_id)
    if name is None:  # pragma: no cover - the evaluation's unit exists (foreign key)
        return AfterFinalize([needs], None)
    period = parse_period(evaluation.period)
    aggregate = await unit_aggregate(session, evaluation.unit_id, period, name)
    targets = await organisation_targets(session, evaluation.unit_id, period, name)
    events: list[Event] = [needs, aggregate] if targets is None else [needs, aggregate, targets]
    return AfterFinalize(events, aggregate)
