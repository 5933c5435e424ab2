"""HTTP route GET /v1/me/tasks."""

from __future__ import annotations

from fastapi import Response

from services.common.db import ReadConnectionDep
from services.common.errors import problem_responses
from services.common.links import LinkPrefix
from services.common.pagination import json_response
from services.common.routing import ServiceRouter
from services.kinerja_api.clock import today
from services.kinerja_api.deps import CallerDep
from services.kinerja_api.tasks import service
from services.kinerja_api.tasks.schemas import TaskList

router = ServiceRouter(prefix="/v1/me", tags=["tasks"])


@router.get(
    "/tasks",
    summary="My open work",
    operation_id="me_tasks",
    response_model=TaskList,
    responses=problem_responses(401),
)
async def my_tasks(session: ReadConnectionDep, actor: CallerDep, prefix: LinkPrefix) -> Response:
    """The caller's open work, soonest deadline first, each with a link: SKPs of direct reports to approve,
    own realisations due for the current quarter, evaluations to write for direct reports (current and
    previous quarter; last year's annual during Q1), objections to decide as the evaluator's supervisor, and
    the caller's own FINAL evaluations still to acknowledge (due when the objection window closes).
    An admin also sees the governor's share (unit heads). Deadlines come from the period calendar."""
    return json_response(await service.my_tasks_json(session, actor, today=today(), prefix=prefix))
