"""HTTP routes of /v1/reports (admin, integrator): JSON by default, CSV for ``Accept: text/csv``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from services.common import clock
from services.common.auth import Role, Scope
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.reports import ReportFormatDep, report_response
from services.common.routing import ServiceRouter
from services.pelatihan_api.deps import PlanReaderDep, ReportReaderDep
from services.pelatihan_api.ledger import service
from services.pelatihan_api.ledger.schemas import ComplianceReport
from services.pelatihan_api.plan import service as plan
from services.pelatihan_api.plan.schemas import DevelopmentPlan
from services.pelatihan_api.reports import specs

router = ServiceRouter(prefix="/v1/reports", tags=["reports"])
Year = Annotated[int | None, Query(ge=2000, le=2100, description="Calendar year; this year when omitted.")]


@router.get(
    "/jp-compliance",
    summary="20 JP compliance per unit",
    operation_id="reports_jp_compliance",
    response_model=ComplianceReport,
    responses={**specs.JP_COMPLIANCE.responses(), **problem_responses(401, 403, 406, 422)},
    openapi_extra=specs.JP_COMPLIANCE.openapi_extra(),
)
async def jp_compliance(
    session: SessionDep,
    reader: ReportReaderDep,
    fmt: ReportFormatDep,
    year: Year = None,
    unit_id: Annotated[
        uuid.UUID | None, Query(description="One unit; adds the list of PNS below 20 JP.")
    ] = None,
) -> Response:
    """For each unit: active PNS (from kinerja's roster events), how many reached 20 JP in the year and JP
    delivered; with `unit_id`, also who is below (admins, and integrators granted the scope
    `pelatihan:individual`; without it `below` is null and `individuals_withheld` true). As CSV
    (`Accept: text/csv`) one row per unit. The figures are live: `data_as_of` equals `generated_at`."""
    individuals = reader.reads_individuals(Scope.PELATIHAN_INDIVIDUAL)
    report = await service.compliance(session, year or clock.this_year(), unit_id, individuals=individuals)
    return report_response(specs.JP_COMPLIANCE, report, fmt, filename=f"jp-compliance-{report.year}")


@router.get(
    "/development-plan",
    summary="A unit's yearly development plan",
    operation_id="reports_development_plan",
    response_model=DevelopmentPlan,
    responses={**specs.DEVELOPMENT_PLAN.responses(), **problem_responses(401, 403, 406, 422)},
    openapi_extra=specs.DEVELOPMENT_PLAN.openapi_extra(),
)
async def development_plan(
    session: SessionDep,
    reader: PlanReaderDep,
    fmt: ReportFormatDep,
    unit_id: Annotated[uuid.UUID, Query(description="The unit (from kinerja's roster events).")],
    year: Year = None,
) -> Response:
    """Who in the unit still needs JP in the year (PNS below 20), the gaps of their latest finalised
    evaluation behind the recommendations (BerAKHLAK values, an overall behaviour rating or a result below
    expectation), and up to five sessions of the year with seats left that would cover them. Admins, training
    admins, and integrators; an integrator without the scope `pelatihan:individual` gets the counts only
    (`people` null, `individuals_withheld` true). JSON, CSV (`Accept: text/csv`) or XLSX (`?format=xlsx`),
    one row per person."""
    individuals = reader.has(Role.PELATIHAN_ADMIN) or reader.reads_individuals(Scope.PELATIHAN_INDIVIDUAL)
    report = await plan.development_plan(session, year or clock.this_year(), unit_id, individuals=individuals)
    return report_response(
        specs.DEVELOPMENT_PLAN, report, fmt, filename=f"development-plan-{report.year}-{str(unit_id)[:8]}"
    )
