"""HTTP routes of /v1/units: a unit's public scorecard (cached) and its SKM service population (admin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.common import clock
from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.publik_api.state import publik_state
from services.publik_api.surveys.schemas import ServicePopulation
from services.publik_api.units import scorecard, service
from services.publik_api.units.schemas import Scorecard, UnitRead

router = APIRouter(prefix="/v1/units", tags=["units"])


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
