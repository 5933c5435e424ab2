"""HTTP routes of the SKM periods: anyone lists them (the IKM's `period` values); the admin keeps them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response, status

from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.publik_api.periods import service
from services.publik_api.periods.schemas import PERIOD_PATTERN, PeriodCreate, PeriodList, PeriodRead

router = ServiceRouter(prefix="/v1/skm-periods", tags=["surveys"])


@router.get("", summary="The province's SKM periods", operation_id="skm_periods_list")
async def list_periods(session: SessionDep) -> PeriodList:
    """The periods (semester or year) the province runs its SKM in, newest first."""
    return PeriodList(items=await service.list_all(session))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Define an SKM period",
    operation_id="skm_periods_create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_period(body: PeriodCreate, session: SessionDep, admin: AdminDep) -> PeriodRead:
    """`2026` (a year) or `2026-S1`/`2026-S2` (semesters); a year runs one way only (409 otherwise)."""
    return await service.create(session, body.code, admin)


@router.delete(
    "/{code}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an SKM period",
    operation_id="skm_periods_delete",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_period(
    code: Annotated[str, Path(pattern=PERIOD_PATTERN)], session: SessionDep, admin: AdminDep
) -> Response:
    """Remove a period definition; answers are kept (they are counted by date)."""
    await service.delete(session, code, admin)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
