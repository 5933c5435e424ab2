"""HTTP routes of publik's /v1/reports (admin, integrator): JSON by default, CSV for ``Accept: text/csv``.
Unlike the public reads these need a token and are never cached by the public-read cache."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response

from services.common import clock
from services.common.auth import Principal, Role, require_roles
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.reports import ReportFormatDep, report_response
from services.common.routing import ServiceRouter
from services.publik_api.reports import service, specs
from services.publik_api.reports.schemas import IkmReport

router = ServiceRouter(prefix="/v1/reports", tags=["reports"])
ReaderDep = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.INTEGRATOR))]


@router.get(
    "/ikm",
    summary="IKM per unit and year",
    operation_id="reports_ikm",
    response_model=IkmReport,
    responses={**specs.IKM.responses(), **problem_responses(401, 403, 404, 406, 422)},
    openapi_extra=specs.IKM.openapi_extra(),
)
async def ikm_report(
    session: SessionDep,
    _: ReaderDep,
    fmt: ReportFormatDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Defaults to the current year.")] = None,
    unit_id: Annotated[uuid.UUID | None, Query(description="One unit; omit for every unit.")] = None,
) -> Response:
    """The citizen satisfaction index (SKM/IKM, PermenPANRB 14/2017) of every active unit (or one) for a
    year: respondents, IKM, mutu, kinerja and each unsur's NRR, computed like `GET /v1/ikm`. Admins and
    integrators; one CSV row per unit for `Accept: text/csv`. `data_as_of` is the newest answer counted."""
    report = await service.ikm_report(session, year or clock.this_year(), unit_id)
    return report_response(specs.IKM, report, fmt, filename=f"ikm-{report.year}")
