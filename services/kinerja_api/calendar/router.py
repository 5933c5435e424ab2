"""HTTP routes of /v1/calendar."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.kinerja_api.calendar import service
from services.kinerja_api.calendar.periods import PERIOD_PATTERN
from services.kinerja_api.calendar.schemas import (
    CalendarEntry,
    CalendarUpdate,
    CalendarYear,
    YearRules,
    YearRulesRead,
)
from services.kinerja_api.deps import CallerDep

router = ServiceRouter(prefix="/v1/calendar", tags=["calendar"])


# One path, one parameter name: GET reads a year (the annual period, `2026`), PUT sets one period of it
# (`2026-Q1`, `2026-01` (monthly year) or `2026`). Two names for the same path segment made it two "identical" paths for linters and
# routers alike; the URL a client sends is unchanged.
@router.get(
    "/{period}",
    summary="Deadlines of a year",
    operation_id="calendar_year",
    responses=problem_responses(401, 422),
)
async def get_year(
    period: Annotated[
        int, Path(description="The year: the annual period, listed with its four quarters.", examples=[2026])
    ],
    session: SessionDep,
    _: CallerDep,
) -> CalendarYear:
    """The deadlines of Q1..Q4 and the annual period. Defaults: SKP by 31 January; realisations on the last
    day of the period; a quarterly evaluation 15 days after the quarter; the annual one by 31 January of the
    next year. `finalisable_from` is the first day a result of the period may be finalised (the period's last
    day; the year's 31 December or the earlier day set in the year's rules). `source` says whether an admin
    changed the deadlines."""
    cadence, periods = await service.year(session, period)
    return CalendarYear(year=period, cadence=cadence, periods=periods)


@router.put(
    "/{period}",
    summary="Set a period's deadlines (admin)",
    operation_id="calendar_set",
    responses=problem_responses(401, 403, 413, 422),
)
async def set_period(
    period: Annotated[str, Path(pattern=PERIOD_PATTERN, examples=["2026-Q1"])],
    body: CalendarUpdate,
    session: SessionDep,
    actor: CallerDep,
    _: AdminDep,
) -> CalendarEntry:
    """An admin sets the SKP, realisation and evaluation deadlines of a period (audit-logged); tasks and
    the compliance report follow them."""
    return await service.set_period(session, actor, period, body)


@router.get(
    "/{period}/rules",
    summary="Rules of a year",
    operation_id="calendar_year_rules",
    responses=problem_responses(401, 422),
)
async def get_year_rules(
    period: Annotated[int, Path(description="The year.", examples=[2026])],
    session: SessionDep,
    _: CallerDep,
) -> YearRulesRead:
    """The days an employee has to object to a final result of this year (PP 30/2019 Pasal 59: 14 by
    default) and the first day its annual results may be finalised when earlier than 31 December
    (`annual_final_from`, null: 31 December); `source` says whether an admin changed them."""
    return await service.year_rules(session, period)


@router.put(
    "/{period}/rules",
    summary="Set the rules of a year (admin)",
    operation_id="calendar_set_year_rules",
    responses=problem_responses(401, 403, 413, 422),
)
async def set_year_rules(
    period: Annotated[int, Path(description="The year.", examples=[2026])],
    body: YearRules,
    session: SessionDep,
    actor: CallerDep,
    _: AdminDep,
) -> YearRulesRead:
    """An admin sets the rules of a year (audit-logged): a partial update, a field left out keeps its value.
    `objection_days`: the days to object to its results; `annual_final_from`: a day of that year from which
    its annual results may be finalised (null: back to 31 December; a day of another year: 422)."""
    return await service.set_year_rules(session, actor, period, body)
