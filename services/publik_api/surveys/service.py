"""SKM rules: accept nine answers for a known unit (asking kinerja once about a new one), damp repeats from
one device, keep the unit's live IKM item current, and compute the IKM for reads."""

from __future__ import annotations

import hashlib
import hmac
import math
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.errors import InvalidInput, NotFound, ProblemError
from services.common.i18n import msg
from services.publik_api.clients.kinerja import KinerjaClient
from services.publik_api.surveys import repository
from services.publik_api.surveys.ikm import compute_ikm, krejcie_morgan
from services.publik_api.surveys.models import SurveyResponse
from services.publik_api.surveys.schemas import IkmRead, SurveyCreate, UnsurRead
from services.publik_api.units import repository as units
from services.publik_api.units.service import ensure_unit


class TooManyRequests(ProblemError):
    """429 with Retry-After."""

    status, slug = 429, "too-many-requests"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_s))})


def device_hash(device_id: str | None, secret: str) -> str | None:
    """A keyed hash of the client's device id; the id itself is never stored."""
    if not device_id:
        return None
    return hmac.new(secret.encode(), device_id.encode(), hashlib.sha256).hexdigest()


async def submit(
    session: AsyncSession,
    body: SurveyCreate,
    *,
    device: str | None,
    device_window_s: int,
    kinerja: KinerjaClient | None,
    policy_version: str,
) -> SurveyResponse:
    """Store one response (no IP). The unit's IKM item is refreshed by the IkmRefresher, in batches."""
    unit = await ensure_unit(session, body.unit_id, kinerja)
    if unit is None:
        raise InvalidInput(
            msg("The survey names an unknown unit."),
            errors=[{"loc": ["body", "unit_id"], "msg": "unknown unit"}],
        )
    now = clock.now()
    if device is not None and device_window_s > 0:
        last = await repository.last_from_device(session, device, body.unit_id)
        if last is not None and (now - last).total_seconds() < device_window_s:
            wait = device_window_s - (now - last).total_seconds()
            raise TooManyRequests(
                msg("This device already answered for this unit recently."), math.ceil(wait)
            )
    response = SurveyResponse(
        id=uuid.uuid4(),
        unit_id=body.unit_id,
        year=clock.wib_date(now).year,
        **{f"u{i + 1}": a for i, a in enumerate(body.answers)},
        comment=body.comment,
        device_hash=device,
        submitted_at=now,
    )
    session.add(response)
    await session.flush()
    return response


async def ikm(session: AsyncSession, unit_id: uuid.UUID, year: int) -> IkmRead:
    """A unit's IKM for a year, with the Krejcie-Morgan check where the service population is known."""
    unit = await units.get(session, unit_id)
    if unit is None:
        raise NotFound(msg("No unit {unit_id}", unit_id=unit_id))
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
