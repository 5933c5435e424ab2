"""HTTP routes of the SKM survey: POST /v1/surveys/form-token and POST /v1/surveys (anyone, rate limited),
GET /v1/ikm (public, cached)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response, status

from services.common import clock
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.i18n import msg
from services.common.ratelimit import client_address_key
from services.common.routing import ServiceRouter
from services.publik_api.state import publik_state
from services.publik_api.surveys import service
from services.publik_api.surveys.schemas import (
    FormTokenCreate,
    FormTokenRead,
    IkmRead,
    InnovationIkm,
    SurveyAccepted,
    SurveyCreate,
)

router = ServiceRouter(tags=["surveys"])


async def _limit(request: Request, bucket: str, limit: int) -> None:
    settings = publik_state(request.app).settings
    limiter = publik_state(request.app).survey_limiter
    address = client_address_key(request.scope, settings.trusted_proxies)
    allowed, retry = await limiter.hit(f"{bucket}:{address}", limit, settings.survey_rate_window_s)
    if not allowed:
        raise service.TooManyRequests(msg("Too many surveys from this address; retry later."), retry)


async def survey_rate_limit(request: Request) -> None:
    """Per-address limit on survey submissions (429 + Retry-After), an IPv6 address counted as its /64;
    counted before the body is even looked at."""
    await _limit(request, "survey", publik_state(request.app).settings.survey_rate_limit)


async def token_rate_limit(request: Request) -> None:
    """Per-address limit on form tokens, so tokens cannot be stockpiled faster than forms are filled in."""
    await _limit(request, "form", publik_state(request.app).settings.survey_token_rate_limit)


@router.post(
    "/v1/surveys/form-token",
    status_code=status.HTTP_201_CREATED,
    summary="Open a survey form: a signed one-answer token",
    operation_id="surveys_form_token",
    responses=problem_responses(422, 429, 503),
    dependencies=[Depends(token_rate_limit)],
)
async def create_form_token(
    body: FormTokenCreate, request: Request, response: Response, session: SessionDep
) -> FormTokenRead:
    """A short-lived token (HMAC-signed by publik: unit, expiry, nonce) that one answer to this unit's survey
    must carry. Sent with `Cache-Control: no-store`, so no shared cache hands one citizen's token to another.
    Rate limited per address (an IPv6 /64)."""
    settings = publik_state(request.app).settings
    response.headers["Cache-Control"] = "no-store"
    return await service.form_token(
        session,
        body.unit_id,
        key=settings.survey_form_key.get_secret_value().encode(),
        ttl_s=settings.survey_form_ttl_s,
        kinerja=publik_state(request.app).kinerja,
    )


@router.post(
    "/v1/surveys",
    status_code=status.HTTP_201_CREATED,
    summary="Answer the satisfaction survey (SKM)",
    operation_id="surveys_create",
    responses=problem_responses(409, 413, 422, 429, 503),
    dependencies=[Depends(survey_rate_limit)],
)
async def create_survey(body: SurveyCreate, request: Request, session: SessionDep) -> SurveyAccepted:
    """Store nine answers (1-4) and an optional comment for a unit, with a form token from
    `POST /v1/surveys/form-token` for that unit: a forged, expired or other unit's token is a 422, a token
    already answered with a 409 (the database enforces one answer per token). The submitter's IP is never
    stored; it is rate limited per address (an IPv6 /64). A unit publik has not heard of is looked up in
    kinerja once; unknown units are refused (422). The IKM shown in reads follows within about a second
    (refreshed in batches); a survey never invalidates the other cached public reads."""
    settings = publik_state(request.app).settings
    accepted = await service.submit(
        session,
        body,
        key=settings.survey_form_key.get_secret_value().encode(),
        kinerja=publik_state(request.app).kinerja,
    )
    publik_state(request.app).ikm_refresher.note(accepted.unit_id, accepted.year)
    return accepted


@router.get(
    "/v1/ikm",
    summary="A unit's IKM",
    operation_id="ikm_get",
    responses=problem_responses(404, 422),
)
async def get_ikm(
    session: SessionDep,
    unit_id: Annotated[uuid.UUID, Query(description="The unit.")],
    request: Request,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Defaults to the current year.")] = None,
    period: Annotated[
        str | None,
        Query(
            pattern=r"^\d{4}(-S[12])?$",
            description="One of the province's SKM periods (instead of the year).",
        ),
    ] = None,
    service_id: Annotated[uuid.UUID | None, Query(description="Only the answers about this service.")] = None,
) -> IkmRead:
    """IKM = 25 x sum(NRR_i x 1/9), two decimals, with mutu A-D, the kinerja label, each unsur's NRR, the
    respondents, and the Krejcie-Morgan minimum sample when the unit's service population is set. With
    `period` (an SKM period of the province) or `service_id`, the figures follow the disclosure rules
    (`suppressed`); an ended period also gives the respondent profile."""
    settings = publik_state(request.app).settings
    return await service.ikm(
        session,
        unit_id,
        year or clock.this_year(),
        period=period,
        service_id=service_id,
        k=settings.min_group_size,
    )


@router.get(
    "/v1/innovations/{innovation_id}/ikm",
    summary="The IKM before and after an innovation's launch",
    operation_id="innovations_ikm",
    responses=problem_responses(404, 422),
)
async def get_innovation_ikm(
    innovation_id: uuid.UUID, request: Request, session: SessionDep
) -> InnovationIkm:
    """The IKM of the service the innovation changed, from the answers before its launch date and from those
    on or after it (WIB), each withheld when drawn from fewer than the minimum group size."""
    settings = publik_state(request.app).settings
    return await service.innovation_ikm(session, innovation_id, settings.min_group_size)
