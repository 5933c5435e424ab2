"""HTTP routes of /v1/evaluations and /v1/objections. Each route parses, calls one service function, returns."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Header, Query, Response, status

from services.common.auth import AdminDep
from services.common.db import ReadConnectionDep, SessionDep
from services.common.errors import problem_responses
from services.common.links import LinkPrefix
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, json_response
from services.common.routing import ServiceRouter
from services.kinerja_api.calendar.periods import PERIOD_PATTERN
from services.kinerja_api.clock import today
from services.kinerja_api.deps import CallerDep
from services.kinerja_api.evaluations import service
from services.kinerja_api.evaluations.curve import curve_now
from services.kinerja_api.evaluations.schemas import (
    EvaluationCreate,
    EvaluationRead,
    EvaluationUpdate,
    FinalizedRead,
    MainResults,
    ObjectionCreate,
    ObjectionDecide,
    ObjectionRead,
    ReasonBody,
)
from services.kinerja_api.tables.evaluation_enums import EvaluationStatus, Predikat
from services.kinerja_api.tables.evaluations import Evaluation

router = ServiceRouter(tags=["evaluations"])
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="The ETag you read (required for PATCH).")
]
ETAG_HEADER = {
    "ETag": {"description": "The version of the evaluation, for If-Match.", "schema": {"type": "string"}}
}


def _out(evaluation: Evaluation, response: Response) -> EvaluationRead:
    response.headers["ETag"] = service.etag_of(evaluation)
    return EvaluationRead.model_validate(evaluation)


@router.post(
    "/v1/evaluations",
    status_code=status.HTTP_201_CREATED,
    summary="Start an evaluation",
    operation_id="evaluations_create",
    responses={201: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 413, 422)},
)
async def create_evaluation(
    body: EvaluationCreate, session: SessionDep, actor: CallerDep, response: Response, prefix: LinkPrefix
) -> EvaluationRead:
    """The direct supervisor **during the period** opens a DRAFT evaluation of an employee for a quarter
    (`2026-Q1`) or a year (`2026`). After a mid-period transfer each supervisor evaluates the part they
    supervised (`period_start`..`period_end`). For a unit head, who answers to the governor, an admin
    evaluates in the governor's name (`on_behalf: "GUBERNUR"`, audit-logged).

    403 for oneself or anyone who was not the direct supervisor; 409 when this evaluation exists already or
    the period has not started."""
    evaluation = await service.create_evaluation(session, actor, body.nip, body.period, today=today())
    response.headers["Location"] = prefix + f"/v1/evaluations/{evaluation.id}"
    return _out(evaluation, response)


@router.get(
    "/v1/evaluations",
    summary="List evaluations",
    operation_id="evaluations_list",
    response_model=Page[EvaluationRead],
    responses=problem_responses(401, 422),
)
async def list_evaluations(
    session: ReadConnectionDep,
    actor: CallerDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="Unit of the employee in the period.")] = None,
    period: Annotated[
        str | None,
        Query(pattern=PERIOD_PATTERN, description="`2026-Q1`, `2026-01` (monthly year) or `2026`."),
    ] = None,
    nip: Annotated[str | None, Query(pattern=r"^[0-9]{18}$", description="The evaluated employee.")] = None,
    predikat: Annotated[
        Predikat | None, Query(description="Only FINAL evaluations with this predikat.")
    ] = None,
    status_: Annotated[EvaluationStatus | None, Query(alias="status", description="DRAFT or FINAL.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Response:
    """Evaluations the caller may see, a keyset page at a time: admins and integrators see all; an employee
    sees their own, those they wrote, and those their direct reports wrote (to decide objections)."""
    page = await service.list_evaluations(
        session,
        actor,
        unit_id=unit_id,
        period=period,
        nip=nip,
        predikat_value=predikat.value if predikat else None,
        status=status_.value if status_ else None,
        cursor=cursor,
        limit=limit,
    )
    return json_response(page)


@router.get(
    "/v1/evaluations/{evaluation_id}",
    summary="Get an evaluation",
    operation_id="evaluations_get",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 404, 422)},
)
async def get_evaluation(
    evaluation_id: uuid.UUID, session: SessionDep, actor: CallerDep, response: Response
) -> EvaluationRead:
    """One evaluation, for the evaluated employee, the evaluator, the evaluator's supervisor, admins and
    integrators; 404 for anyone else. The `ETag` header is what `If-Match` needs."""
    return _out(await service.get_evaluation(session, actor, evaluation_id), response)


@router.patch(
    "/v1/evaluations/{evaluation_id}",
    summary="Set ratings and notes",
    operation_id="evaluations_update",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 412, 413, 422, 428)},
)
async def update_evaluation(
    evaluation_id: uuid.UUID,
    body: EvaluationUpdate,
    session: SessionDep,
    actor: CallerDep,
    response: Response,
    if_match: IfMatch = None,
) -> EvaluationRead:
    """The evaluator sets `result_rating`, `behavior_rating` and `behavior_notes` (the seven BerAKHLAK values
    only; each note an object `{level, note}` or a plain string, at most 2,000 characters) while the
    evaluation is DRAFT. `If-Match` is required: 428 without it, 412 when stale, 409 once FINAL."""
    evaluation = await service.update_evaluation(session, actor, evaluation_id, body, if_match=if_match)
    return _out(evaluation, response)


@router.delete(
    "/v1/evaluations/{evaluation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Discard a draft evaluation",
    operation_id="evaluations_delete",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def delete_evaluation(
    evaluation_id: uuid.UUID, session: SessionDep, actor: CallerDep, if_match: IfMatch = None
) -> Response:
    """The evaluator discards a DRAFT that was never final; 409 for a FINAL or reopened one."""
    await service.delete_evaluation(session, actor, evaluation_id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/v1/evaluations/{evaluation_id}/main-results",
    summary="What the evaluator rates before finalising",
    operation_id="evaluations_main_results",
    responses=problem_responses(401, 404),
)
async def main_results(evaluation_id: uuid.UUID, session: SessionDep, actor: CallerDep) -> MainResults:
    """The main (UTAMA) results of the approved SKPs covering the evaluation's dates, each with its rating so
    far, whether those SKPs cover every day, and the median of the seven BerAKHLAK levels (domain.md §11.3).
    Works for a result and for a part (by the part's id). Finalising a periodic result or a part needs every
    main result rated; the annual result rests on the year's periodic results instead."""
    return await service.main_results_of(session, actor, evaluation_id)


@router.post(
    "/v1/evaluations/{evaluation_id}/finalize",
    summary="Finalise: compute the predikat and lock",
    operation_id="evaluations_finalize",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 412, 422)},
)
async def finalize_evaluation(
    evaluation_id: uuid.UUID,
    session: SessionDep,
    actor: CallerDep,
    response: Response,
    if_match: IfMatch = None,
) -> FinalizedRead:
    """The evaluator finalises: the predikat follows from the 3x3 quadrant of PermenPANRB 6/2022 and the record
    is locked (later edits get 409). Only once the period has run: a quarter from its last day, the year from
    31 December or the earlier day the admin set (`annual_final_from`, `GET /v1/calendar/{year}/rules`),
    province dates (WIB); before that 409 `period-not-ended` naming the day. Two simultaneous finalisations give one FINAL and one 409. Development
    needs go to pelatihan, and the unit's aggregate to publik when this was its last open evaluation, both
    through the outbox. The answer carries the unit's curve with this result counted (`curve`: a warning
    naming the rules of SE MenPANRB 3/2023 that would break, never a refusal; `TOO_SMALL` under 10 results)."""
    evaluation = await service.finalize(session, actor, evaluation_id, if_match=if_match)
    out = _out(evaluation, response)
    return FinalizedRead(**out.model_dump(), curve=await curve_now(session, evaluation))


@router.post(
    "/v1/evaluations/{evaluation_id}/reopen",
    summary="Reopen a final evaluation (admin)",
    operation_id="evaluations_reopen",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 413, 422)},
)
async def reopen_evaluation(
    evaluation_id: uuid.UUID,
    body: ReasonBody,
    session: SessionDep,
    actor: CallerDep,
    _: AdminDep,
    response: Response,
) -> EvaluationRead:
    """An admin reopens a FINAL evaluation for correction, with a reason kept in the audit log. It goes back
    to DRAFT without predikat; finalising again publishes a corrected unit aggregate."""
    return _out(await service.reopen(session, actor, evaluation_id, body.reason), response)


@router.put(
    "/v1/evaluations/{evaluation_id}/org-alignment-exception",
    summary="Let a unit head's rating depart from the organisation predikat (admin)",
    operation_id="evaluations_org_alignment_exception",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 413, 422)},
)
async def org_alignment_exception(
    evaluation_id: uuid.UUID,
    body: ReasonBody,
    session: SessionDep,
    actor: CallerDep,
    _: AdminDep,
    response: Response,
) -> EvaluationRead:
    """The result rating of a unit's head must be the one the unit's organisation predikat gives
    (ISTIMEWA → DI_ATAS_EKSPEKTASI, BAIK → SESUAI_EKSPEKTASI, otherwise DI_BAWAH_EKSPEKTASI; domain.md §11.3),
    or finalising answers 409 `rating-departs-from-org-predikat`. An admin records here, with a written reason
    kept on the result and in the audit log, why this result may depart; repeating replaces the reason. On a
    DRAFT result, or on a FINAL one whose objection waits for the atasan's decision (the decision is held to
    the same rule, for whoever headed the unit at finalisation). 403 for non-admins; 409 otherwise."""
    return _out(
        await service.record_org_alignment_exception(session, actor, evaluation_id, body.reason), response
    )


@router.post(
    "/v1/evaluations/{evaluation_id}/acknowledge",
    summary="Acknowledge an evaluation",
    operation_id="evaluations_acknowledge",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 422)},
)
async def acknowledge_evaluation(
    evaluation_id: uuid.UUID, session: SessionDep, actor: CallerDep, response: Response
) -> EvaluationRead:
    """The evaluated employee acknowledges their FINAL evaluation (repeating it changes nothing)."""
    return _out(await service.acknowledge(session, actor, evaluation_id), response)


@router.post(
    "/v1/evaluations/{evaluation_id}/objections",
    status_code=status.HTTP_201_CREATED,
    summary="Lodge an objection (keberatan)",
    operation_id="evaluations_object",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
async def lodge_objection(
    evaluation_id: uuid.UUID, body: ObjectionCreate, session: SessionDep, actor: CallerDep
) -> ObjectionRead:
    """The evaluated employee objects to a FINAL result with a reason, within the year's objection days of
    finalisation (14 by default, `GET /v1/calendar/{year}/rules`; later: 409 `objection-window-closed`).
    One objection per result (409 `objection-exists` once one was decided). The atasan pejabat penilai stored
    at the first finalisation decides (an admin when the evaluator has none)."""
    objection = await service.lodge_objection(session, actor, evaluation_id, body.reason)
    return ObjectionRead.model_validate(objection)


@router.get(
    "/v1/objections/{objection_id}",
    summary="Get an objection",
    operation_id="objections_get",
    responses=problem_responses(401, 404, 422),
)
async def get_objection(objection_id: uuid.UUID, session: SessionDep, actor: CallerDep) -> ObjectionRead:
    """One objection, for whoever may read its evaluation."""
    return ObjectionRead.model_validate(await service.get_objection(session, actor, objection_id))


@router.post(
    "/v1/objections/{objection_id}/decide",
    summary="Decide an objection",
    operation_id="objections_decide",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
async def decide_objection(
    objection_id: uuid.UUID, body: ObjectionDecide, session: SessionDep, actor: CallerDep
) -> ObjectionRead:
    """The atasan pejabat penilai stored when the result was first finalised (an admin when there is none)
    decides (PP 30/2019 Pasal 59): rejecting keeps the ratings; accepting sets `result_rating` and/or
    `behavior_rating` (422 `objection-decision-ratings` without), the predikat is computed again and the result
    stays FINAL; the evaluator does not decide again, and the result is not reopened. Audit-logged. New ratings
    go downstream as a finalisation's do (development needs to pelatihan; the unit aggregate to publik when the
    unit's period is complete). A unit head's new result rating must follow the organisation predikat, judged on
    who headed the unit at finalisation (409 `rating-departs-from-org-predikat`), unless an admin recorded an
    exception."""
    objection = await service.decide_objection(
        session,
        actor,
        objection_id,
        accept=body.accept,
        note=body.note,
        result_rating=body.result_rating,
        behavior_rating=body.behavior_rating,
    )
    return ObjectionRead.model_validate(objection)
