"""HTTP routes of the credit points: one JF's angka kredit, and the per-unit report."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Query, Response

from services.common.auth import Principal, Scope, require_individual_reader
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from services.common.reports import Column, ReportFormatDep, ReportSpec, report_response
from services.common.routing import ServiceRouter
from services.kinerja_api.credit import service
from services.kinerja_api.credit.schemas import CreditPoints, CreditReport
from services.kinerja_api.deps import CallerDep

router = ServiceRouter(prefix="/v1", tags=["credit-points"])
NipPath = Annotated[str, Path(pattern=r"^[0-9]{18}$", description="18-digit NIP.")]
YearQuery = Annotated[int, Query(ge=2000, le=2100, description="The performance year.", examples=[2026])]
IndividualReaderDep = Annotated[Principal, Depends(require_individual_reader(Scope.KINERJA_INDIVIDUAL))]

CREDIT_POINTS = ReportSpec(
    name="kinerja.credit-points",
    schema_version=service.SCHEMA_VERSION,
    rows="items",
    roles=("admin", "integrator (kinerja:individual)"),
    data_as_of="Live: computed from the current state, so data_as_of equals generated_at.",
    columns=(
        Column("nip", "string", "The employee's NIP."),
        Column("name", "string", "The employee's name."),
        Column("unit_id", "string", "The unit of the annual result (else the current one)."),
        Column("year", "integer", "The performance year."),
        Column("status", "string", "`FINAL`, `NOT_FINAL` or `NO_RESULT`."),
        Column("predikat", "string", "The FINAL annual predikat, empty otherwise."),
        Column("months", "integer", "Months of the year in a functional level."),
        Column("credit_points", "number", "The angka kredit (three decimals), empty until FINAL."),
        Column(
            "lines", "array", "Per level: `{jenjang, months, coefficient, credit_points}`.", items="object"
        ),
    ),
    csv_example=(
        "nip,name,unit_id,year,status,predikat,months,credit_points,lines\r\n"
        "198001012005011001,Dewi Lestari,0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e,2026,FINAL,SANGAT_BAIK,12,18.750,"
        '"[{""jenjang"":""AHLI_PERTAMA"",""months"":12,""coefficient"":""12.5"",""credit_points"":""18.750""}]"\r\n'
    ),
)


@router.get(
    "/employees/{nip}/credit-points",
    summary="Credit points (angka kredit) of a JF for a year",
    operation_id="credit_points_employee",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def employee_credit_points(
    nip: NipPath, year: YearQuery, session: SessionDep, caller: CallerDep
) -> CreditPoints:
    """The angka kredit of a functional position for a year, from the FINAL annual predikat (PermenPANRB
    1/2023): coefficient of the level * percentage of the predikat (Sangat Baik 150 %, Baik 100 %, Butuh
    Perbaikan 75 %, Kurang 50 %, Sangat Kurang 25 %), prorated by the months of the year in each level (a month
    counts for the level held on its first day), rounded half-up to three decimals; figures are decimal
    strings. 409 naming what is missing before the annual result is FINAL or when no level was held. The
    employee, their supervisor, admins, and integrators with `kinerja:individual` (403 without it); anyone
    else 404."""
    return await service.credit_points(session, nip, year, caller)


@router.get(
    "/reports/credit-points",
    summary="Credit points per unit",
    operation_id="reports_credit_points",
    response_model=CreditReport,
    responses={**CREDIT_POINTS.responses(), **problem_responses(401, 403, 404, 406, 422)},
    openapi_extra=CREDIT_POINTS.openapi_extra(),
)
async def credit_points_report(
    session: SessionDep,
    _: IndividualReaderDep,
    year: YearQuery,
    fmt: ReportFormatDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit; omit for the whole province.")] = None,
    include_subunits: Annotated[bool, Query(description="Count the units below it too.")] = True,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Response:
    """The angka kredit of every employee who held a functional level during the year, in a unit (and the units
    below it) or the province, a keyset page in NIP order; rows whose annual result is not FINAL carry
    `status` and no figure. JSON, CSV (`Accept: text/csv`) or XLSX (`?format=xlsx`); the next cursor in
    `X-Next-Cursor`. Admins, and integrators granted `kinerja:individual` (403 otherwise)."""
    body = await service.report(
        session, year, unit_id, include_subunits=include_subunits, cursor=cursor, limit=limit
    )
    return report_response(
        CREDIT_POINTS,
        body,
        fmt,
        filename=f"credit-points-{year}",
        headers={"X-Next-Cursor": body.next_cursor} if body.next_cursor else None,
    )
