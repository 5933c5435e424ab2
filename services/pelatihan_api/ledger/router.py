"""HTTP routes of the JP ledger and the compliance report."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.common.auth import PrincipalDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.pelatihan_api.deps import KinerjaDep, ReportReaderDep
from services.pelatihan_api.ledger import service
from services.pelatihan_api.ledger.schemas import ComplianceReport, JpLedger

router = APIRouter(prefix="/v1", tags=["ledger"])
Year = Annotated[int | None, Query(ge=2000, le=2100, description="Calendar year; this year when omitted.")]


@router.get(
    "/employees/{nip}/jp",
    summary="An employee's JP for a year",
    operation_id="ledger_get",
    responses=problem_responses(401, 403, 422, 503),
)
async def get_ledger(
    nip: Annotated[str, Path(pattern=r"^[0-9]{18}$", examples=["198609262015051001"])],
    session: SessionDep,
    principal: PrincipalDep,
    kinerja: KinerjaDep,
    year: Year = None,
) -> JpLedger:
    """The JP credited in the year, each entry, the requirement (20 JP) and whether it is met (at exactly
    20 it is). For the employee, their direct supervisor, and admins."""
    return await service.ledger(session, kinerja, principal, nip, year or datetime.now(UTC).year)


@router.get(
    "/reports/jp-compliance",
    summary="20 JP compliance per unit",
    operation_id="reports_jp_compliance",
    responses=problem_responses(401, 403, 422),
)
async def jp_compliance(
    session: SessionDep,
    _: ReportReaderDep,
    year: Year = None,
    unit_id: Annotated[
        uuid.UUID | None, Query(description="One unit; adds the list of PNS below 20 JP.")
    ] = None,
) -> ComplianceReport:
    """For each unit: active PNS (from kinerja's roster events), how many reached 20 JP in the year and JP
    delivered; with `unit_id`, also who is below (admin, integrator)."""
    return await service.compliance(session, year or datetime.now(UTC).year, unit_id)
