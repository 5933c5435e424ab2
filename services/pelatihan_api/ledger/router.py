"""HTTP routes of the JP ledger (the compliance report lives in reports/)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from services.common import clock
from services.common.auth import PrincipalDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.pelatihan_api.deps import KinerjaDep
from services.pelatihan_api.ledger import service
from services.pelatihan_api.ledger.schemas import JpLedger

router = ServiceRouter(prefix="/v1", tags=["ledger"])
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
    return await service.ledger(session, kinerja, principal, nip, year or clock.this_year())
