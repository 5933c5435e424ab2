"""SKM rules: issue one-answer form tokens, accept nine answers for a known unit (asking kinerja once about a
new one) once per token, and compute the IKM for reads."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.errors import InvalidInput, NotFound, ProblemError
from services.publik_api.catalogue import service as catalogue
from services.publik_api.clients.kinerja import KinerjaClient
from services.publik_api.surveys import form_token as form_tokens
from services.publik_api.surveys import repository
from services.publik_api.surveys.ikm import compute_ikm, krejcie_morgan
from services.publik_api.surveys.schemas import (
    FormTokenRead,
    IkmRead,
    SurveyAccepted,
    SurveyCreate,
    UnsurRead,
)
from services.publik_api.units import repository as units
from services.publik_api.units.service import ensure_unit


class TooManyRequests(ProblemError):
    """429 with Retry-After."""

    status, slug = 429, "too-many-requests"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_s))})


class FormAlreadyUsed(ProblemError):
    """409: the form token already brought an answer."""

    status, slug = 409, "form-already-used"


async def form_token(
    session: AsyncSession, unit_id: uuid.UUID, *, key: bytes, ttl_s: int, kinerja: KinerjaClient | None
) -> FormTokenRead:
    """A signed token for one answer about a known unit (nothing is stored until the answer arrives)."""
    await _known_unit(session, unit_id, kinerja)
    token, expires_at = form_tokens.issue(key, unit_id, clock.now(), ttl_s)
    return FormTokenRead(token=token, unit_id=unit_id, expires_at=expires_at)


async def _known_unit(session: AsyncSession, unit_id: uuid.UUID, kinerja: KinerjaClient | None) -> None:
    unit = await ensure_unit(session, unit_id, kinerja)
    if unit is None:
        raise InvalidInput(
            "The survey names an unknown unit.", errors=[{"loc": ["body", "unit_id"], "msg": "unknown unit"}]
        )


async def submit(
    session: AsyncSession, body: SurveyCreate, *, key: bytes, kinerja: KinerjaClient | None
) -> SurveyAccepted:
    """Store one response (no IP) if its form token is genuine, unexpired, for this unit and unused. The
    unit's IKM item is refreshed by the IkmRefresher, in batches."""
    now = clock.now()
    try:
        token = form_tokens.verify(key, body.form_token, body.unit_id, now)
    except form_tokens.FormTokenError as exc:
        raise InvalidInput(
            "The survey form token is not valid.", errors=[{"loc": ["body", "form_token"], "msg": str(exc)}]
        ) from exc
    await _known_unit(session, body.unit_id, kinerja)
    if body.service_id is not None:
        await catalogue.of_unit_or_422(session, body.unit_id, body.service_id)
    year = clock.wib_date(now).year
    response_id = await repository.insert_response(
        session,
        id=uuid.uuid4(),
        unit_id=body.unit_id,
        year=year,
        **{f"u{i + 1}": a for i, a in enumerate(body.answers)},
        comment=body.comment,
        service_id=body.service_id,
        age_group=body.age_group,
        sex=body.sex,
        education=body.education,
        occupation=body.occupation,
        form_nonce=token.nonce,
        submitted_at=now,
    )
    if response_id is None:
        raise FormAlreadyUsed("This survey form was already answered; open a new form to answer again.")
    return SurveyAccepted(id=response_id, unit_id=body.unit_id, year=year)


async def ikm(session: AsyncSession, unit_id: uuid.UUID, year: int) -> IkmRead:
    """A unit's IKM for a year, with the Krejcie-Morgan check where the service population is known."""
    unit = await units.get(session, unit_id)
    if unit is None:
        raise NotFound(f"No unit {unit_id}")
    respondents, sums, as_of = await repository.sums(session, unit_id, year)
    result = compute_ikm(respondents, sums)
    population = unit.service_population
    min_sample = krejcie_morgan(population) if population else None
    return IkmRead(
        unit_id=unit.id,
        unit_name=unit.name,
        year=year,
        respondents=result.respondents,
        ikm=float(result.ikm) if result.ikm is not None else None,
        mutu=result.mutu,
        kinerja=result.kinerja,
        per_unsur=[
            UnsurRead(unsur=u.unsur, name=u.name, nrr=float(u.nrr), ikm=float(u.ikm))
            for u in result.per_unsur
        ],
        service_population=population,
        min_sample=min_sample,
        sample_sufficient=None if min_sample is None else respondents >= min_sample,
        data_as_of=as_of,
    )
