"""HTTP routes of /v1/units: a unit's public scorecard (cached) and its SKM service population (admin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from services.common import clock
from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.publik_api.state import publik_state
from services.publik_api.surveys.schemas import ServicePopulation
from services.publik_api.unit_registry import service
from services.publik_api.units import scorecard, trends
from services.publik_api.units.schemas import Scorecard, TrendFigure, Trends, UnitRead

router = ServiceRouter(prefix="/v1/units", tags=["units"])


@router.get(
    "/{unit_id}/scorecard",
    summary="A unit's scorecard",
    operation_id="units_scorecard",
    responses=problem_responses(404, 422),
)
async def get_scorecard(
    unit_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Defaults to the current year.")] = None,
) -> Scorecard:
    """Performance distribution per period, training statistics, IKM and innovations of one unit, with
    "data as of" and the publication policy version. Only published figures; suppression applied."""
    settings = publik_state(request.app).settings
    return await scorecard.build(
        session,
        unit_id,
        year or clock.this_year(),
        min_group_size=settings.min_group_size,
        policy_version=settings.policy_version,
    )


@router.put(
    "/{unit_id}/service-population",
    summary="Set a unit's service population",
    operation_id="units_set_service_population",
    responses=problem_responses(401, 403, 404, 422),
)
async def set_service_population(
    unit_id: uuid.UUID, body: ServicePopulation, session: SessionDep, admin: AdminDep
) -> UnitRead:
    """How many people the unit serves a year; the IKM then shows the Krejcie-Morgan minimum sample and
    flags results drawn from fewer respondents."""
    return UnitRead.model_validate(
        await service.set_service_population(session, unit_id, body.population, actor=admin.subject)
    )


PeriodsQuery = Annotated[
    int,
    Query(ge=2, le=trends.MAX_PERIODS, description="How many of the newest periods of each figure."),
]


@router.get(
    "/{unit_id}/trends",
    summary="A unit's trends",
    operation_id="units_trends",
    responses=problem_responses(404, 422),
)
async def get_trends(
    unit_id: uuid.UUID, request: Request, session: SessionDep, periods: PeriodsQuery = trends.DEFAULT_PERIODS
) -> Trends:
    """Every scorecard figure over the unit's newest published periods, oldest first: the IKM per year, the
    predikat spread per evaluation period and the 20 JP compliance per year, exactly as published
    (suppressed cells null), with each chart's text alternative. Cached like the feed."""
    settings = publik_state(request.app).settings
    return await trends.trends(
        session,
        unit_id,
        periods,
        min_group_size=settings.min_group_size,
        policy_version=settings.policy_version,
    )


@router.get(
    "/{unit_id}/trends/{figure}.svg",
    summary="A unit's trend chart",
    operation_id="units_trend_chart",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "An SVG chart"},
        **problem_responses(404, 422),
    },
)
async def get_trend_chart(
    unit_id: uuid.UUID,
    figure: TrendFigure,
    request: Request,
    session: SessionDep,
    periods: PeriodsQuery = trends.DEFAULT_PERIODS,
) -> Response:
    """One trend as a small SVG chart (`ikm`, `predikat` or `jp`) with its text alternative as `<title>` and
    `<desc>`; the card shows the same figures as a data table. Cached like the feed."""
    settings = publik_state(request.app).settings
    found = await trends.trends(
        session,
        unit_id,
        periods,
        min_group_size=settings.min_group_size,
        policy_version=settings.policy_version,
    )
    return Response(trends.CHARTS[figure](found), media_type="image/svg+xml")
