"""HTTP routes of the gateway's /reports (admin, integrator)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from gateway.reports import service
from gateway.reports.catalogue import CatalogueCache
from gateway.reports.schemas import Catalogue, UnitScorecard
from gateway.reports.specs import UNIT_SCORECARD
from gateway.state import gateway_state
from services.common.auth import Principal, Role, require_roles
from services.common.errors import problem_responses
from services.common.periods import KINERJA_PATTERN
from services.common.reports import ReportFormatDep, report_response
from services.common.request_id import HEADER, current_request_id
from services.common.routing import ServiceRouter

router = ServiceRouter(prefix="/reports", tags=["reports"])
ReaderDep = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.INTEGRATOR))]


def _catalogue(request: Request) -> CatalogueCache:
    state = gateway_state(request.app)
    if state.report_catalogue is None:
        state.report_catalogue = CatalogueCache(request.app.openapi)
    return state.report_catalogue


@router.get(
    "",
    summary="The report catalogue",
    operation_id="reports_catalogue",
    responses=problem_responses(401, 403),
)
async def catalogue(request: Request, _: ReaderDep) -> Catalogue:
    """Every report of kinerja, pelatihan, publik and the gateway: path (with its `/kinerja` etc. prefix),
    method, parameters, media types, roles, schema version, CSV rows and columns, and how `data_as_of` is
    measured. Built from the merged OpenAPI (operations carrying `x-report`), so it always matches the code;
    cached for a minute. Admins and integrators."""
    return await _catalogue(request).get(gateway_state(request.app).report_clients)


@router.get(
    "/unit-scorecard",
    summary="A unit's scorecard across the three services",
    operation_id="reports_unit_scorecard",
    response_model=UnitScorecard,
    responses={**UNIT_SCORECARD.responses(), **problem_responses(401, 403, 404, 406, 422, 503)},
    openapi_extra=UNIT_SCORECARD.openapi_extra(),
)
async def unit_scorecard(
    request: Request,
    _: ReaderDep,
    fmt: ReportFormatDep,
    unit_id: Annotated[uuid.UUID, Query(description="The unit (kinerja's id).")],
    period: Annotated[
        str,
        Query(
            pattern=KINERJA_PATTERN,
            description="`2026-Q1`, `2026-01` (a month of a monthly year) or `2026`.",
            examples=["2026-Q1"],
        ),
    ],
) -> Response:
    """kinerja's predikat distribution and compliance counts for the unit (and the units below it) and
    period, pelatihan's 20 JP compliance and publik's IKM for the unit and the period's year, fetched over
    HTTP with your token. A service that is down or slow leaves its part null and listed in `missing`
    (still 200); 503 when none answers. JSON or one CSV row. Admins and integrators."""
    headers = {"Authorization": request.headers.get("authorization", "")}
    if "accept-language" in request.headers:
        # The services write their problems in the caller's language; the scorecard passes them on.
        headers["Accept-Language"] = request.headers["accept-language"]
    rid = current_request_id()
    if rid:
        headers[HEADER] = rid
    report = await service.unit_scorecard(gateway_state(request.app).report_clients, unit_id, period, headers)
    return report_response(UNIT_SCORECARD, report, fmt, filename=f"unit-scorecard-{unit_id}-{period}")
