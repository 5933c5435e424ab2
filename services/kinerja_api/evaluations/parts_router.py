"""HTTP routes of /v1/evaluations/{id}/parts: earlier supervisors' assessments of a period result. Each route
parses, calls one service function, returns."""

from __future__ import annotations

import uuid

from fastapi import Response, status

from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.links import LinkPrefix
from services.common.routing import ServiceRouter
from services.kinerja_api.deps import CallerDep
from services.kinerja_api.evaluations import parts
from services.kinerja_api.evaluations.router import ETAG_HEADER, IfMatch, _out
from services.kinerja_api.evaluations.schemas import (
    EvaluationRead,
    EvaluationUpdate,
    PartCreate,
    PartList,
    ReasonBody,
)

router = ServiceRouter(tags=["evaluations"])
PARTS = "/v1/evaluations/{evaluation_id}/parts"


@router.get(
    PARTS,
    summary="List the parts of a result",
    operation_id="evaluation_parts_list",
    responses=problem_responses(401, 404, 422),
)
async def list_parts(evaluation_id: uuid.UUID, session: SessionDep, actor: CallerDep) -> PartList:
    """The earlier supervisors' parts of a period result, oldest stretch first. The result's evaluator, the
    employee, the decider of objections, admins and integrators read all of them; a part's author reads
    the parts they wrote."""
    rows = await parts.list_parts(session, actor, evaluation_id)
    return PartList(items=[EvaluationRead.model_validate(p) for p in rows])


@router.post(
    PARTS,
    status_code=status.HTTP_201_CREATED,
    summary="Open a part",
    operation_id="evaluation_parts_create",
    responses={201: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 413, 422)},
)
async def create_part(
    evaluation_id: uuid.UUID,
    body: PartCreate,
    session: SessionDep,
    actor: CallerDep,
    response: Response,
    prefix: LinkPrefix,
) -> EvaluationRead:
    """A supervisor of an earlier stretch of the period opens a DRAFT part for that stretch (its dates come
    from the reporting line; A->B->A gives A two parts, chosen by `start_on`). 403 for anyone else; 409
    when the part exists or the result is FINAL."""
    part = await parts.create_part(session, actor, evaluation_id, body.start_on)
    response.headers["Location"] = prefix + f"/v1/evaluations/{evaluation_id}/parts/{part.id}"
    return _out(part, response)


@router.get(
    PARTS + "/{part_id}",
    summary="Get a part",
    operation_id="evaluation_parts_get",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 404, 422)},
)
async def get_part(
    evaluation_id: uuid.UUID, part_id: uuid.UUID, session: SessionDep, actor: CallerDep, response: Response
) -> EvaluationRead:
    """One part, for whoever may read it; 404 otherwise."""
    return _out(await parts.get_part(session, actor, evaluation_id, part_id), response)


@router.patch(
    PARTS + "/{part_id}",
    summary="Set a part's ratings and notes",
    operation_id="evaluation_parts_update",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 412, 413, 422, 428)},
)
async def update_part(
    evaluation_id: uuid.UUID,
    part_id: uuid.UUID,
    body: EvaluationUpdate,
    session: SessionDep,
    actor: CallerDep,
    response: Response,
    if_match: IfMatch = None,
) -> EvaluationRead:
    """The part's author sets ratings and notes while it is DRAFT (If-Match required, as on a result)."""
    part = await parts.update_part(session, actor, evaluation_id, part_id, body, if_match=if_match)
    return _out(part, response)


@router.post(
    PARTS + "/{part_id}/finalize",
    summary="Finalise a part",
    operation_id="evaluation_parts_finalize",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 412, 422)},
)
async def finalize_part(
    evaluation_id: uuid.UUID,
    part_id: uuid.UUID,
    session: SessionDep,
    actor: CallerDep,
    response: Response,
    if_match: IfMatch = None,
) -> EvaluationRead:
    """The author locks the part (FINAL, no predikat: only the result carries one), from the last day of its
    stretch (409 `period-not-ended` before)."""
    return _out(
        await parts.finalize_part(session, actor, evaluation_id, part_id, if_match=if_match), response
    )


@router.post(
    PARTS + "/{part_id}/close",
    summary="Close the part of an author who left (admin)",
    operation_id="evaluation_parts_close",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 413, 422)},
)
async def close_part(
    evaluation_id: uuid.UUID,
    part_id: uuid.UUID,
    body: ReasonBody,
    session: SessionDep,
    actor: CallerDep,
    _: AdminDep,
    response: Response,
) -> EvaluationRead:
    """An admin closes a DRAFT part whose author left the service, with a reason (audited), so the result
    can be finalised; 409 while the author is active."""
    return _out(await parts.close_part(session, actor, evaluation_id, part_id, body.reason), response)
