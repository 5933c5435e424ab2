"""SKM rules: issue one-answer form tokens, accept nine answers for a known unit (asking kinerja once about a
new one) once per token, and compute the IKM for reads."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.errors import InvalidInput, NotFound, ProblemError
from services.common.i18n import msg
from services.publik_api.catalogue import service as catalogue
from services.publik_api.clients.kinerja import KinerjaClient
from services.publik_api.feed import repository as feed
from services.publik_api.periods import service as periods
from services.publik_api.publications.suppression import TableSpec, base_hidden
from services.publik_api.surveys import form_token as form_tokens
from services.publik_api.surveys import repository
from services.publik_api.surveys.ikm import compute_ikm, krejcie_morgan
from services.publik_api.surveys.schemas import (
    PROFILE_FIELDS,
    FormTokenRead,
    IkmRead,
    IkmSide,
    InnovationIkm,
    SurveyAccepted,
    SurveyCreate,
    UnsurRead,
)
from services.publik_api.unit_registry import repository as units
from services.publik_api.unit_registry.service import ensure_unit


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
            msg("The survey names an unknown unit."),
            errors=[{"loc": ["body", "unit_id"], "msg": "unknown unit"}],
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
            msg("The survey form token is not valid."),
            errors=[{"loc": ["body", "form_token"], "msg": str(exc)}],
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
        raise FormAlreadyUsed(msg("This survey form was already answered; open a new form to answer again."))
    return SurveyAccepted(id=response_id, unit_id=body.unit_id, year=year)


def _wib_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.WIB)


async def ikm(
    session: AsyncSession,
    unit_id: uuid.UUID,
    year: int,
    *,
    period: str | None = None,
    service_id: uuid.UUID | None = None,
    k: int,
) -> IkmRead:
    """A unit's IKM for a year, or for one of the province's SKM periods, over all its services or one; with
    the Krejcie-Morgan check where the service population is known.

    The narrower figures go through the disclosure rules (docs/publik.md "IKM per service and period"): an
    IKM drawn from 1..k-1 answers is withheld, and so is one whose complement within the unit's figure for
    the same dates (other services) or within the year (the other semester) holds 1..k-1 answers. The
    respondent profile is published only for a defined SKM period that has ended, for the whole unit, with
    primary and secondary suppression and homogeneous groups withheld."""
    unit = await units.get(session, unit_id)
    if unit is None:
        raise NotFound(msg("No unit {unit_id}", unit_id=unit_id))
    service_name = None
    if service_id is not None:
        svc = await catalogue.get(session, service_id)
        if svc.unit_id != unit_id:
            raise NotFound(
                msg("No service {service_id} in unit {unit_id}", service_id=service_id, unit_id=unit_id)
            )
        service_name = svc.name
    since = until = None
    the_period = None
    if period is not None:
        the_period = await periods.get(session, period)
        since, until = (
            _wib_midnight(the_period.starts_on),
            _wib_midnight(the_period.ends_on + timedelta(days=1)),
        )
        year = the_period.starts_on.year
        terms = repository.scope(unit_id, since=since, until=until, service_id=service_id)
    else:
        terms = repository.scope(unit_id, year=year, service_id=service_id)
    respondents, sums, as_of = await repository.sums_in(session, terms)
    result = compute_ikm(respondents, sums)
    suppressed: list[str] = []
    if service_id is not None or period is not None:
        containers = []
        if service_id is not None:
            containers.append(
                repository.scope(unit_id, year=None if period else year, since=since, until=until)
            )
        if the_period is not None and the_period.kind == "SEMESTER":
            containers.append(repository.scope(unit_id, year=year, service_id=service_id))
        rests = [(await repository.sums_in(session, c))[0] - respondents for c in containers]
        if 0 < respondents < k or any(0 < rest < k for rest in rests):
            suppressed.append("ikm")
    profile = None
    if the_period is not None and service_id is None and the_period.ends_on < clock.today():
        profile, hidden = await _profile(session, terms, respondents, k)
        suppressed.extend(hidden)
    population = unit.service_population
    min_sample = krejcie_morgan(population) if population else None
    shown = "ikm" not in suppressed
    return IkmRead(
        unit_id=unit.id,
        unit_name=unit.name,
        year=year,
        period=period,
        service_id=service_id,
        service_name=service_name,
        respondents=result.respondents,
        ikm=float(result.ikm) if result.ikm is not None and shown else None,
        mutu=result.mutu if shown else None,
        kinerja=result.kinerja if shown else None,
        per_unsur=[
            UnsurRead(unsur=u.unsur, name=u.name, nrr=float(u.nrr), ikm=float(u.ikm))
            for u in result.per_unsur
        ]
        if shown
        else [],
        service_population=population,
        min_sample=min_sample,
        sample_sufficient=None if min_sample is None else respondents >= min_sample,
        data_as_of=as_of,
        profile=profile,
        suppressed=suppressed,
    )


NOT_GIVEN = "TIDAK_DIISI"


async def _profile(
    session: AsyncSession, terms: list[Any], respondents: int, k: int
) -> tuple[dict[str, dict[str, int | None]], list[str]]:
    """The respondent profile as tables over the respondents (one per dimension, "not given" included so the
    cells partition the group), each under the within-table disclosure rules."""
    counts = await repository.profile_counts(session, terms, list(PROFILE_FIELDS))
    tables: dict[str, dict[str, int | None]] = {}
    hidden_names: list[str] = []
    for name, enum in PROFILE_FIELDS.items():
        labels = (*[m.value for m in enum], NOT_GIVEN)
        cells = tuple(counts[name].get(None if label == NOT_GIVEN else label, 0) for label in labels)
        spec = TableSpec(cells, respondents, True, True, labels)
        hidden = base_hidden(spec, k) if respondents else frozenset()
        tables[name] = {label: (None if i in hidden else cells[i]) for i, label in enumerate(labels)}
        hidden_names.extend(f"profile.{name}.{labels[i]}" for i in sorted(hidden))
    return tables, hidden_names


async def innovation_ikm(session: AsyncSession, item_id: uuid.UUID, k: int) -> InnovationIkm:
    """The IKM of the service an innovation changed, from the answers before its launch and from those on
    or after it (WIB dates); each side withheld below k answers."""
    row = await feed.published_item(session, item_id)
    if row is None or row["kind"] != "INOVASI":
        raise NotFound(msg("No innovation {item_id}", item_id=item_id))
    data = row["data"]
    if not data.get("service_id"):
        raise NotFound(msg("The innovation names no service; the admin can link it to one."))
    service_id = uuid.UUID(data["service_id"])
    launched = date.fromisoformat(data["launched_on"])
    edge = _wib_midnight(launched)
    sides = []
    for terms in (
        repository.scope(row["unit_id"], until=edge, service_id=service_id),
        repository.scope(row["unit_id"], since=edge, service_id=service_id),
    ):
        n, sums, _ = await repository.sums_in(session, terms)
        result = compute_ikm(n, sums)
        withheld = 0 < n < k
        sides.append(
            IkmSide(
                respondents=n,
                ikm=None if withheld or result.ikm is None else float(result.ikm),
                mutu=None if withheld else result.mutu,
                kinerja=None if withheld else result.kinerja,
                suppressed=withheld,
            )
        )
    return InnovationIkm(
        innovation_id=item_id,
        unit_id=row["unit_id"],
        title=data["title"],
        service_id=service_id,
        service_name=data.get("service_name"),
        launched_on=launched,
        before=sides[0],
        after=sides[1],
        change=None
        if sides[0].ikm is None or sides[1].ikm is None
        else round(sides[1].ikm - sides[0].ikm, 2),
    )
