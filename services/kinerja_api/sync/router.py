"""``GET /v1/changes``: the change log, for integrators that sync incrementally."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.common.auth import Principal, Scope, require_individual_reader
from services.common.changelog import ChangesPage, read_changes
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import CursorQuery, LimitQuery
from services.common.routing import ServiceRouter
from services.kinerja_api.sync.models import ChangeLog

router = ServiceRouter(prefix="/v1/changes", tags=["sync"])
ReaderDep = Annotated[Principal, Depends(require_individual_reader(Scope.KINERJA_INDIVIDUAL))]
_EXAMPLE = {
    "items": [
        {
            "seq": 1042,
            "entity": "evaluation",
            "id": "5b6f0e7e-3c1e-4c57-9d0b-1f2e3a4b5c6d",
            "op": "UPSERT",
            "at": "2026-03-31T17:00:00Z",
            "data": {"id": "5b6f0e7e-3c1e-4c57-9d0b-1f2e3a4b5c6d", "status": "FINAL", "predikat": "BAIK"},
        },
        {
            "seq": 1043,
            "entity": "employee",
            "id": "198609262015051001",
            "op": "DELETE",
            "at": "2026-03-31T17:05:00Z",
            "data": None,
        },
    ],
    "next_cursor": "eyJ2IjoxLCJzIjoxMDQzfQ",
    "has_more": False,
}


@router.get(
    "",
    summary="Changes since a cursor",
    operation_id="changes_list",
    responses={
        200: {"content": {"application/json": {"example": _EXAMPLE}}},
        **problem_responses(401, 403, 422),
    },
)
async def list_changes(
    session: SessionDep, _: ReaderDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> ChangesPage:
    """Every created, updated or deleted employee, SKP and evaluation, in commit order, each with the entity
    as it is after the change (`data`, null for a DELETE). Start without a cursor, then always pass the
    `next_cursor` you got: it stays valid forever, so a client that comes back a week later gets exactly what
    changed in between, with no gaps and no duplicates across pages. Admins, and integrators granted the scope
    `kinerja:individual` (403 without it). An evaluation's `data` never carries its behaviour notes."""
    return await read_changes(session, ChangeLog, cursor, limit)
