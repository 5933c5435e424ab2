"""HTTP routes of the follow-up flags: one employee's, and the per-unit report. Admin only (the flags
speak of individual ratings; integrators and supervisors read the evaluations themselves)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Query, Response

from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from services.common.reports import Column, ReportFormatDep, ReportSpec, report_response
from services.common.routing import ServiceRouter
from services.kinerja_api.followup import service
from services.kinerja_api.followup.schemas import FollowUp, FollowUpReport

router = ServiceRouter(prefix="/v1", tags=["follow-up"])
NipPath = Annotated[str, Path(pattern=r"^[0-9]{18}$", description="18-digit NIP (or NI PPPK).")]
YearQuery = Annotated[int, Query(ge=2000, le=2100, description="The performance year.", examples=[2026])]

FOLLOW_UP = ReportSpec(
    name="kinerja.follow-up",
    schema_version=service.SCHEMA_VERSION,
    rows="items",
    roles=("admin",),
    data_as_of="Live: computed from the current state, so data_as_of equals generated_at.",
    columns=(
        Column("nip", "string", "The employee's NIP."),
        Column("name", "string", "The employee's name."),
        Column("unit_id", "string", "The employee's unit."),
        Column("year", "integer", "The performance year."),
        Column("employment", "string", "`PNS` or `PPPK`."),
        Column("predikat", "string", "The FINAL annual predikat of the year, empty when none."),
        Column("previous_predikat", "string", "The FINAL annual predikat of the year before."),
        Column("reward_candidate", "boolean", "Sangat Baik this year and the year before."),
        Column("development_plan_required", "boolean", "Butuh Perbaikan or lower this year."),
        Column("contract_start", "date", "PPPK only."),
        Column("contract_end", "date", "PPPK only."),
        Column("contract_years", "array", "PPPK only: `{year, predikat}` per contract year.", items="object"),
    ),
    csv_example=(
        "nip,name,unit_id,year,employment,predikat,previous_predikat,reward_candidate,"
        "development_plan_required,contract_start,contract_end,contract_years\r\n"
        "199001012015031001,Siti Rahmawati,0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e,2026,PNS,SANGAT_BAIK,"
        "SANGAT_BAIK,true,false,,,[]\r\n"
    ),
)


@router.get(
    "/employees/{nip}/follow-up",
    summary="Follow-up flags of one employee's annual result (admin)",
    operation_id="followup_employee",
    responses=problem_responses(401, 403, 404, 422),
)
async def employee_follow_up(nip: NipPath, year: YearQuery, session: SessionDep, _: AdminDep) -> FollowUp:
    """For the BKD: whether the employee is a reward candidate (Sangat Baik this year and the year before),
    needs a development plan (Butuh Perbaikan or lower), and for a PPPK the FINAL annual predikat of every
    calendar year the contract overlaps, as the performance input to its renewal. Admins only."""
    return await service.of_employee(session, nip, year)


@router.get(
    "/reports/follow-up",
    summary="Follow-up flags per unit (admin)",
    operation_id="reports_follow_up",
    response_model=FollowUpReport,
    responses={**FOLLOW_UP.responses(), **problem_responses(401, 403, 404, 406, 422)},
    openapi_extra=FOLLOW_UP.openapi_extra(),
)
async def follow_up_report(
    session: SessionDep,
    _: AdminDep,
    year: YearQuery,
    fmt: ReportFormatDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit; omit for the whole province.")] = None,
    include_subunits: Annotated[bool, Query(description="Count the units below it too.")] = True,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Response:
    """The follow-up flags of the active employees of a unit (and the units below it) or the province, a keyset
    page in NIP order; JSON, CSV (`Accept: text/csv`) or XLSX (`?format=xlsx`), the next cursor in
    `X-Next-Cursor`. Admins only."""
    body = await service.report(
        session, year, unit_id, include_subunits=include_subunits, cursor=cursor, limit=limit
    )
    return report_response(
        FOLLOW_UP,
        body,
        fmt,
        filename=f"follow-up-{year}",
        headers={"X-Next-Cursor": body.next_cursor} if body.next_cursor else None,
    )
