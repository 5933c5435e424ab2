"""``DELETE /v1/sessions/{id}``: withdraw a session nobody holds a live enrolment in (recorded in the change
log, so integrators see the deletion)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Response, status

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.pelatihan_api.deps import TrainingAdminDep
from services.pelatihan_api.sessions import service

router = ServiceRouter(prefix="/v1/sessions", tags=["sessions"])


@router.delete(
    "/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a session",
    operation_id="sessions_delete",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def delete_session(
    session_id: uuid.UUID,
    session: SessionDep,
    admin: TrainingAdminDep,
    if_match: Annotated[str | None, Header(description="The ETag last read (optional).")] = None,
) -> Response:
    """Delete a session that holds no live enrolment (pending, confirmed, waitlisted, completed or failed →
    409). Its cancelled and rejected enrolments, attendance and feedback are deleted with it, and every
    deletion appears in `GET /v1/changes`. 412 when `If-Match` is given and stale. Training admins."""
    await service.delete_session(session, session_id, if_match, actor=admin.subject)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
