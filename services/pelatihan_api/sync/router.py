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
from services.pelatihan_api.models.sync import ChangeLog

router = ServiceRouter(prefix="/v1/changes", tags=["sync"])
ReaderDep = Annotated[Principal, Depends(require_individual_reader(Scope.PELATIHAN_INDIVIDUAL))]
_EXAMPLE = {
    "items": [
        {
            "seq": 311,
            "entity": "enrolment",
            "id": "3e9a1c2b-5d4f-4a6b-8c7d-9e0f1a2b3c4d",
            "op": "UPSERT",
            "at": "2026-03-31T17:00:00Z",
            "data": {
                "id": "3e9a1c2b-5d4f-4a6b-8c7d-9e0f1a2b3c4d",
                "nip": "198609262015051001",
                "status": "CONFIRMED",
            },
        },
        {
            "seq": 312,
            "entity": "session",
            "id": "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d",
            "op": "DELETE",
            "at": "2026-03-31T17:05:00Z",
            "data": None,
        },
    ],
    "next_cursor": "eyJ2IjoxLCJzIjozMTJ9",
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
    """Every created, updated or deleted session, enrolment and completion, in commit order, each with the
    entity as it is after the change (`data`, null for a DELETE). Start without a cursor, then always pass
    the `next_cursor` you got: it stays valid forever, so a client that comes back a week later gets exactly
    what changed in between, with no gaps and no duplicates across pages. Admins, and integrators granted the
    scope `pelatihan:individual` (enrolments and completions carry NIPs; 403 without it)."""
    return await read_changes(session, ChangeLog, cursor, limit)
