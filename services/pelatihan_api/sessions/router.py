"""HTTP routes of /v1/sessions: training admins open and change sessions (ETag / If-Match)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Query, Response, status

from services.common.auth import PrincipalDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page
from services.common.routing import ServiceRouter
from services.pelatihan_api.deps import TrainingAdminDep
from services.pelatihan_api.schemas.sessions import SessionCreate, SessionPatch, SessionRead
from services.pelatihan_api.sessions import service

router = ServiceRouter(prefix="/v1/sessions", tags=["sessions"])
_ETAG = {
    "ETag": {
        "description": "The session's version; send it back in If-Match to change it.",
        "schema": {"type": "string"},
    }
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Open a session",
    operation_id="sessions_create",
    responses={**problem_responses(401, 403, 422), 201: {"headers": _ETAG}},
)
async def create_session(
    body: SessionCreate, session: SessionDep, admin: TrainingAdminDep, response: Response
) -> SessionRead:
    """Open a session of a programme. 422 when `ends_on` is before `starts_on`, the capacity is below 1,
    or the enrolment window closes after the session starts."""
    row = await service.create_session(session, body, actor=admin.subject)
    response.headers["ETag"] = service.etag(row)
    return SessionRead.model_validate(row)


@router.get(
    "",
    summary="List sessions",
    operation_id="sessions_list",
    responses=problem_responses(401, 422),
)
async def list_sessions(
    session: SessionDep,
    principal: PrincipalDep,
    program_id: Annotated[uuid.UUID | None, Query(description="Only this programme's sessions.")] = None,
    institution_id: Annotated[
        uuid.UUID | None, Query(description="Only this institution's sessions.")
    ] = None,
    open: Annotated[bool, Query(description="Only sessions whose enrolment window is open now.")] = False,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[SessionRead]:
    """Sessions by start date, a keyset page at a time. A mitra sees only its own institution's sessions."""
    rows, next_cursor = await service.list_sessions(
        session,
        principal,
        program_id=program_id,
        institution_id=institution_id,
        open_only=open,
        cursor=cursor,
        limit=limit,
    )
    return Page[SessionRead](items=[SessionRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/{session_id}",
    summary="Get a session",
    operation_id="sessions_get",
    responses={**problem_responses(401, 404, 422), 200: {"headers": _ETAG}},
)
async def get_session(
    session_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, response: Response
) -> SessionRead:
    """One session with its seat counts and its ETag (404 for a mitra of another institution)."""
    row = await service.get_visible(session, principal, session_id)
    response.headers["ETag"] = service.etag(row)
    return SessionRead.model_validate(row)


@router.patch(
    "/{session_id}",
    summary="Change a session",
    operation_id="sessions_patch",
    responses={**problem_responses(401, 403, 404, 409, 412, 422, 428), 200: {"headers": _ETAG}},
)
async def patch_session(
    session_id: uuid.UUID,
    body: SessionPatch,
    session: SessionDep,
    admin: TrainingAdminDep,
    response: Response,
    if_match: Annotated[str | None, Header(description="The ETag last read.")] = None,
) -> SessionRead:
    """Change dates, window, place, capacity or eligibility. 412 when `If-Match` is stale, 428 when it is
    missing, 409 when the capacity would drop below the seats already confirmed. A larger capacity promotes
    the waitlist in order."""
    row = await service.patch_session(session, session_id, body, if_match, actor=admin.subject)
    response.headers["ETag"] = service.etag(row)
    return SessionRead.model_validate(row)
