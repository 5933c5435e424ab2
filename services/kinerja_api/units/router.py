"""HTTP routes of /v1/units: admins create units; any authenticated caller reads them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, status

from services.common.auth import AdminDep, PrincipalDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page
from services.common.routing import ServiceRouter
from services.kinerja_api.units import service
from services.kinerja_api.units.schemas import UnitCreate, UnitRead

router = ServiceRouter(prefix="/v1/units", tags=["units"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a unit",
    operation_id="units_create",
    responses=problem_responses(401, 403, 409, 413, 422),
)
async def create_unit(body: UnitCreate, session: SessionDep, admin: AdminDep) -> UnitRead:
    """Create an OPD (no `parent_id`) or a sub-unit under an existing unit. Codes are unique (409)."""
    return UnitRead.model_validate(await service.create_unit(session, body, actor=admin.subject))


@router.get(
    "",
    summary="List units",
    operation_id="units_list",
    responses=problem_responses(401, 422),
)
async def list_units(
    session: SessionDep,
    _: PrincipalDep,
    parent_id: Annotated[
        uuid.UUID | None, Query(description="Only the direct children of this unit.")
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[UnitRead]:
    """Units ordered by code, a keyset page at a time; `?parent_id=` lists one unit's children."""
    rows, next_cursor = await service.list_units(session, parent_id=parent_id, cursor=cursor, limit=limit)
    return Page[UnitRead](items=[UnitRead.model_validate(u) for u in rows], next_cursor=next_cursor)


@router.get(
    "/{unit_id}",
    summary="Get a unit",
    operation_id="units_get",
    responses=problem_responses(401, 404, 422),
)
async def get_unit(unit_id: uuid.UUID, session: SessionDep, _: PrincipalDep) -> UnitRead:
    """One unit by id."""
    return UnitRead.model_validate(await service.get_unit(session, unit_id))
