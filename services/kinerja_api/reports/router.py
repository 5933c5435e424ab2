"""HTTP routes of /v1/reports."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Query, Response

from services.common.auth import AdminDep, Principal, Scope, require_individual_reader
from services.common.db import ReadConnectionDep, SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from services.common.reports import ReportFormatDep, report_response
from services.common.routing import ServiceRouter
from services.kinerja_api.calendar.periods import PERIOD_PATTERN, PERIODIC_PATTERN
from services.kinerja_api.clock import today
from services.kinerja_api.deps import CallerDep
from services.kinerja_api.reports import service, specs
from services.kinerja_api.reports.schemas import (
    ComplianceReport,
    OrgPredikatRead,
    OrgPredikatSet,
    PredikatDistribution,
    SiasnKinerjaReport,
)

router = ServiceRouter(prefix="/v1/reports", tags=["reports"])
SiasnReaderDep = Annotated[Principal, Depends(require_individual_reader(Scope.KINERJA_INDIVIDUAL))]
PeriodQuery = Annotated[
    str,
    Query(
        pattern=PERIOD_PATTERN,
        description="`2026-Q1`, `2026-01` (a month of a monthly year) or `2026`.",
        examples=["2026-Q1"],
    ),
]
UnitQuery = Annotated[uuid.UUID | None, Query(description="A unit; omit for the whole province.")]
SubunitsQuery = Annotated[bool, Query(description="Count the units below it too (default true).")]


@router.get(
    "/predikat-distribution",
    summary="Predikat distribution with the curve check",
    operation_id="reports_predikat_distribution",
    response_model=PredikatDistribution,
    responses={**specs.PREDIKAT_DISTRIBUTION.responses(), **problem_responses(401, 403, 404, 406, 422)},
    openapi_extra=specs.PREDIKAT_DISTRIBUTION.openapi_extra(),
)
async def predikat_distribution(
    session: ReadConnectionDep,
    actor: CallerDep,
    period: PeriodQuery,
    fmt: ReportFormatDep,
    unit_id: UnitQuery = None,
    include_subunits: SubunitsQuery = True,
) -> Response:
    """FINAL evaluations of a period per predikat (one evaluation per evaluator's part), for a unit (and the
    units below it) or the province, checked against the distribution pattern of SE MenPANRB 3/2023 that the
    unit's organisation predikat implies; each violation is explained. Admins and integrators, and the head
    (the JPT) of the unit. JSON by default, one CSV row for `Accept: text/csv`; `data_as_of` is the newest
    `updated_at` of the evaluations counted."""
    report = await service.predikat_distribution(
        session, actor, period, unit_id, include_subunits=include_subunits
    )
    return report_response(
        specs.PREDIKAT_DISTRIBUTION, report, fmt, filename=f"predikat-distribution-{report.period}"
    )


@router.put(
    "/org-predikat/{unit_id}/{period}",
    summary="Set a unit's organisation predikat (admin)",
    operation_id="reports_set_org_predikat",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def set_org_predikat(
    unit_id: uuid.UUID,
    period: Annotated[str, Path(pattern=PERIOD_PATTERN, examples=["2026-Q1"])],
    body: OrgPredikatSet,
    session: SessionDep,
    actor: CallerDep,
    _: AdminDep,
) -> OrgPredikatRead:
    """Record the capaian kinerja organisasi (ISTIMEWA, BAIK, BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG) that the
    leader one level up set for the unit; it selects the curve the distribution report checks."""
    return await service.set_org_predikat(session, actor, unit_id, period, body.org_predikat)


@router.get(
    "/compliance",
    summary="Who has not done what",
    operation_id="reports_compliance",
    response_model=ComplianceReport,
    responses={**specs.COMPLIANCE.responses(), **problem_responses(401, 403, 404, 406, 422)},
    openapi_extra=specs.COMPLIANCE.openapi_extra(),
)
async def compliance(
    session: SessionDep,
    actor: CallerDep,
    period: PeriodQuery,
    fmt: ReportFormatDep,
    unit_id: UnitQuery = None,
    include_subunits: SubunitsQuery = True,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Response:
    """For the active employees of a unit (or the province): how many have an approved SKP for the year, a
    realisation for the period and a FINAL evaluation, with the calendar's deadlines and whether they have
    passed; then a keyset page (NIP order) of the employees missing at least one step. Admins and
    integrators, and the head of the unit for their own unit (and the units below it); 403 otherwise. An
    integrator without the scope `kinerja:individual` gets the counts with no employee rows (`items` empty,
    `individuals_withheld` true). As CSV (`Accept: text/csv`) one row per employee of the page; the next
    cursor is in `X-Next-Cursor`."""
    report = await service.compliance(
        session,
        actor,
        period,
        unit_id,
        include_subunits=include_subunits,
        today=today(),
        cursor=cursor,
        limit=limit,
    )
    return report_response(
        specs.COMPLIANCE,
        report,
        fmt,
        filename=f"compliance-{report.period}",
        headers={"X-Next-Cursor": report.next_cursor} if report.next_cursor else None,
    )


@router.get(
    "/siasn-kinerja",
    summary="SIASN kinerjaperiodik export",
    operation_id="reports_siasn_kinerja",
    response_model=SiasnKinerjaReport,
    responses={**specs.SIASN_KINERJA.responses(), **problem_responses(401, 403, 406, 422)},
    openapi_extra=specs.SIASN_KINERJA.openapi_extra(),
)
async def siasn_kinerja(
    session: SessionDep,
    _: SiasnReaderDep,
    fmt: ReportFormatDep,
    period: Annotated[
        str,
        Query(
            pattern=PERIODIC_PATTERN,
            examples=["2026-Q1"],
            description="A quarter `YYYY-Qn` (periodikId 2) or a month `YYYY-MM` (periodikId 1).",
        ),
    ],
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Response:
    """A quarter's or a month's FINAL evaluations in the shape of SIASN `kinerjaperiodik/save` (periodikId
    2 = triwulan, 1 = bulanan; hasil/perilaku 1-3, kuadran 1-5, penilai fields as of finalisation, pnsDinilaiId =
    the SIASN person id), a keyset page at a time, for
    integrators pushing to BKN (admins, and integrators granted the scope `kinerja:individual`; 403 otherwise).
    As CSV one row per record; the next cursor is in `X-Next-Cursor`."""
    report = await service.siasn_report(session, period, cursor=cursor, limit=limit)
    return report_response(
        specs.SIASN_KINERJA,
        report,
        fmt,
        filename=f"siasn-kinerja-{period}",
        headers={"X-Next-Cursor": report.next_cursor} if report.next_cursor else None,
    )
