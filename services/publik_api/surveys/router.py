"""HTTP routes of the SKM survey: POST /v1/surveys (anyone, rate limited), GET /v1/ikm (public, cached)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, status

from services.common import clock
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.i18n import msg
from services.publik_api.state import publik_state
from services.publik_api.surveys import service
from services.publik_api.surveys.limits import client_ip
from services.publik_api.surveys.schemas import IkmRead, SurveyAccepted, SurveyCreate

router = APIRouter(tags=["surveys"])


async def survey_rate_limit(request: Request) -> None:
    """Per-IP limit on survey submissions (429 + Retry-After); counted before the body is even looked at."""
    settings = publik_state(request.app).settings
    limiter = publik_state(request.app).survey_limiter
    ip = client_ip(request, settings.trusted_proxies)
    allowed, retry = await limiter.hit(
        f"survey:{ip}", settings.survey_rate_limit, settings.survey_rate_window_s
    )
    if not allowed:
        raise service.TooManyRequests(msg("Too many surveys from this address; retry later."), retry)


@router.post(
    "/v1/surveys",
    status_code=status.HTTP_201_CREATED,
    summary="Answer the satisfaction survey (SKM)",
    operation_id="surveys_create",
    responses=problem_responses(413, 422, 429, 503),
    dependencies=[Depends(survey_rate_limit)],
)
async def create_survey(
    body: SurveyCreate,
    request: Request,
    session: SessionDep,
    x_device_id: Annotated[
        str | None,
        Header(
            min_length=8,
            max_length=128,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="A random id the widget keeps for the page session; repeats for one unit are damped.",
        ),
    ] = None,
) -> SurveyAccepted:
    """Store nine answers (1-4) and an optional comment for a unit. The submitter's IP is never stored; it is
    rate limited per IP, and one device answers a unit once per window. A unit publik has not heard of is
    looked up in kinerja once; unknown units are refused (422). The IKM shown in reads follows within about
    a second (refreshed in batches)."""
    settings = publik_state(request.app).settings
    device = service.device_hash(x_device_id, settings.survey_device_secret.get_secret_value())
    row = await service.submit(
        session,
        body,
        device=device,
        device_window_s=settings.survey_device_window_s,
        kinerja=publik_state(request.app).kinerja,
        policy_version=settings.policy_version,
    )
    publik_state(request.app).ikm_refresher.note(row.unit_id, row.year)
    return SurveyAccepted(id=row.id, unit_id=row.unit_id, year=row.year)


@router.get(
    "/v1/ikm",
    summary="A unit's IKM",
    operation_id="ikm_get",
    responses=problem_responses(404, 422),
)
async def get_ikm(
    session: SessionDep,
    unit_id: Annotated[uuid.UUID, Query(description="The unit.")],
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Defaults to the current year.")] = None,
) -> IkmRead:
    """IKM = 25 x sum(NRR_i x 1/9), two decimals, with mutu A-D, the kinerja label, each unsur's NRR, the
    respondents, and the Krejcie-Morgan minimum sample when the unit's service population is set."""
    return await service.ikm(session, unit_id, year or clock.this_year())
