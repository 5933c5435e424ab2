"""HTTP routes of /v1/skp (yearly plans, their results, the approval flow, cascade coverage, realisations)
and /v1/realizations (continuous feedback).

Who may see an SKP: its owner, the owner's direct supervisor, admins, integrators and internal services;
anyone else gets 404 (api-contract §1). Writes that change an SKP answer with its new `ETag` and accept
`If-Match` (412 when stale).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Response, status

from services.common.auth import Principal, Role, require_roles
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page
from services.common.routing import ServiceRouter
from services.kinerja_api.calendar.periods import PERIOD_PATTERN
from services.kinerja_api.deps import CallerDep
from services.kinerja_api.skp import flows, realizations, service
from services.kinerja_api.skp.enums import SkpStatus
from services.kinerja_api.skp.schemas import (
    Coverage,
    FeedbackIn,
    FeedbackRead,
    RealizationIn,
    RealizationList,
    RealizationRead,
    ReasonIn,
    ResultCreate,
    ResultRead,
    ResultUpdate,
    SkpCreate,
    SkpRead,
)

router = ServiceRouter(prefix="/v1/skp", tags=["skp"])
realizations_router = ServiceRouter(prefix="/v1/realizations", tags=["skp"])
WriterDep = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.PEGAWAI))]
IfMatch = Annotated[
    str | None, Header(description="The SKP's ETag from the last read; 412 when it changed since.")
]
_ETAG: dict[str, Any] = {
    "headers": {"ETag": {"description": "The SKP's version; send as If-Match.", "schema": {"type": "string"}}}
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an SKP",
    operation_id="skp_create",
    responses={201: _ETAG, **problem_responses(401, 403, 409, 413, 422)},
)
async def create_skp(
    body: SkpCreate, session: SessionDep, response: Response, _: WriterDep, caller: CallerDep
) -> SkpRead:
    """Start a DRAFT SKP for a performance year. An employee creates their own (omit `nip`); an admin
    names any active employee. One SKP per employee and year (409)."""
    skp = await service.create_skp(session, caller, body)
    response.headers["ETag"] = service.etag_of(skp)
    return SkpRead.model_validate(skp)


@router.get(
    "",
    summary="List SKPs",
    operation_id="skp_list",
    responses=problem_responses(401, 422),
)
async def list_skps(
    session: SessionDep,
    caller: CallerDep,
    nip: Annotated[
        str | None, Query(pattern=r"^[0-9]{18}$", description="Only this employee's SKPs.")
    ] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Only this performance year.")] = None,
    status: Annotated[SkpStatus | None, Query(description="Only SKPs in this status.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[SkpRead]:
    """SKPs with their results, ordered by (nip, year). Admins, integrators and services see all; an
    employee sees their own and their direct reports' (e.g. `?status=SUBMITTED` for those to approve)."""
    rows, next_cursor = await service.list_skps(
        session, caller, nip=nip, year=year, status=status, cursor=cursor, limit=limit
    )
    return Page[SkpRead](items=[SkpRead.model_validate(s) for s in rows], next_cursor=next_cursor)


@router.get(
    "/{skp_id}",
    summary="Get an SKP",
    operation_id="skp_get",
    responses={200: _ETAG, **problem_responses(401, 404, 422)},
)
async def get_skp(skp_id: uuid.UUID, session: SessionDep, caller: CallerDep, response: Response) -> SkpRead:
    """One SKP with its results and indicators, for the owner, their direct supervisor, admins and
    integrators; anyone else gets 404."""
    skp = await service.get_skp(session, caller, skp_id)
    response.headers["ETag"] = service.etag_of(skp)
    return SkpRead.model_validate(skp)


@router.post(
    "/{skp_id}/results",
    status_code=status.HTTP_201_CREATED,
    summary="Add a result to an SKP",
    operation_id="skp_results_create",
    responses={201: _ETAG, **problem_responses(401, 403, 404, 409, 412, 413, 422)},
)
async def add_result(
    skp_id: uuid.UUID,
    body: ResultCreate,
    session: SessionDep,
    response: Response,
    caller: CallerDep,
    if_match: IfMatch = None,
) -> ResultRead:
    """Add a result (RHK) with its indicators and targets, by the owner while the SKP is DRAFT or RETURNED
    (a RETURNED SKP goes back to DRAFT). A non-JPT main result names `parent_result_id`, a result of the
    direct supervisor's approved SKP of the same year; each way it can be wrong has its own problem type
    (`parent-result-unknown`, `parent-result-not-supervisors`, `parent-result-wrong-year` — 422;
    `parent-skp-not-approved` — 409). JPT results give a `perspective` and no parent. Approved SKPs are
    frozen (409)."""
    skp, result = await service.add_result(session, caller, skp_id, body, if_match=if_match)
    response.headers["ETag"] = service.etag_of(skp)
    return ResultRead.model_validate(result)


@router.patch(
    "/{skp_id}/results/{result_id}",
    summary="Change a result",
    operation_id="skp_results_update",
    responses={200: _ETAG, **problem_responses(401, 403, 404, 409, 412, 413, 422)},
)
async def update_result(
    skp_id: uuid.UUID,
    result_id: uuid.UUID,
    body: ResultUpdate,
    session: SessionDep,
    response: Response,
    caller: CallerDep,
    if_match: IfMatch = None,
) -> ResultRead:
    """Change some fields of a result while the SKP is DRAFT or RETURNED; `indicators`, when sent,
    replaces the list. The cascade rule is checked again. Send `If-Match` with the SKP's ETag (412 when
    stale)."""
    skp, result = await service.update_result(session, caller, skp_id, result_id, body, if_match=if_match)
    response.headers["ETag"] = service.etag_of(skp)
    return ResultRead.model_validate(result)


@router.delete(
    "/{skp_id}/results/{result_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a result",
    operation_id="skp_results_delete",
    responses={204: _ETAG, **problem_responses(401, 403, 404, 409, 412, 422)},
)
async def delete_result(
    skp_id: uuid.UUID,
    result_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatch = None,
) -> Response:
    """Remove a result and its indicators while the SKP is DRAFT or RETURNED."""
    skp = await service.delete_result(session, caller, skp_id, result_id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"ETag": service.etag_of(skp)})


@router.delete(
    "/{skp_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Discard a draft SKP",
    operation_id="skp_delete",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def delete_skp(
    skp_id: uuid.UUID, session: SessionDep, caller: CallerDep, if_match: IfMatch = None
) -> Response:
    """The owner discards their SKP while it is DRAFT or RETURNED (409 once submitted or approved)."""
    await service.delete_skp(session, caller, skp_id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{skp_id}/submit",
    summary="Submit an SKP for approval",
    operation_id="skp_submit",
    responses={200: _ETAG, **problem_responses(401, 403, 404, 409, 412, 422)},
)
async def submit(
    skp_id: uuid.UUID,
    session: SessionDep,
    response: Response,
    caller: CallerDep,
    if_match: IfMatch = None,
) -> SkpRead:
    """DRAFT or RETURNED → SUBMITTED, by the owner. Needs at least one UTAMA result with an indicator (409
    otherwise)."""
    skp = await flows.submit(session, caller, skp_id, if_match=if_match)
    response.headers["ETag"] = service.etag_of(skp)
    return SkpRead.model_validate(skp)


@router.post(
    "/{skp_id}/approve",
    summary="Approve an SKP",
    operation_id="skp_approve",
    responses={200: _ETAG, **problem_responses(401, 403, 404, 409, 412, 422)},
)
async def approve(
    skp_id: uuid.UUID,
    session: SessionDep,
    response: Response,
    caller: CallerDep,
    if_match: IfMatch = None,
) -> SkpRead:
    """SUBMITTED → APPROVED, by the owner's direct supervisor (from the reporting line; anyone else 403).
    For a unit head answering to the governor (no supervisor here), an admin approves in the governor's
    name: `approver_nip` stays null, `approved_on_behalf` is true and the audit log records
    `on_behalf_of: GUBERNUR`. An approved SKP is frozen."""
    skp = await flows.approve(session, caller, skp_id, if_match=if_match)
    response.headers["ETag"] = service.etag_of(skp)
    return SkpRead.model_validate(skp)


@router.post(
    "/{skp_id}/return",
    summary="Return an SKP with a reason",
    operation_id="skp_return",
    responses={200: _ETAG, **problem_responses(401, 403, 404, 409, 412, 413, 422)},
)
async def return_skp(
    skp_id: uuid.UUID,
    body: ReasonIn,
    session: SessionDep,
    response: Response,
    caller: CallerDep,
    if_match: IfMatch = None,
) -> SkpRead:
    """SUBMITTED → RETURNED with a reason, by whoever may approve it. The employee then edits (back to
    DRAFT) or resubmits."""
    skp = await flows.return_skp(session, caller, skp_id, body.reason, if_match=if_match)
    response.headers["ETag"] = service.etag_of(skp)
    return SkpRead.model_validate(skp)


@router.get(
    "/{skp_id}/coverage",
    summary="Cascade coverage of an SKP",
    operation_id="skp_coverage",
    responses=problem_responses(401, 404, 422),
)
async def coverage(skp_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Coverage:
    """For a supervisor's own SKP: which of its results no subordinate's result supports yet
    (`uncovered_result_ids`), and for the others which subordinate results support them. For the owner
    and admins."""
    return await service.coverage(session, caller, skp_id)


@router.post(
    "/{skp_id}/realizations",
    status_code=status.HTTP_201_CREATED,
    summary="Report a realisation",
    operation_id="skp_realizations_report",
    responses={
        200: {
            "model": RealizationRead,
            "description": "An earlier report for the same indicator and period was replaced.",
        },
        **problem_responses(401, 403, 404, 409, 413, 422),
    },
)
async def report_realization(
    skp_id: uuid.UUID, body: RealizationIn, session: SessionDep, response: Response, caller: CallerDep
) -> RealizationRead:
    """What the owner achieved on one indicator in one period (`2026-Q1`..`Q4` or `2026`, in the SKP's
    year), with an http(s) evidence link. Only on an APPROVED SKP (409 otherwise). Reporting the same
    indicator and period again replaces the earlier report (200)."""
    real, created = await realizations.report(session, caller, skp_id, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return RealizationRead.model_validate(real)


@router.get(
    "/{skp_id}/realizations",
    summary="List an SKP's realisations",
    operation_id="skp_realizations_list",
    responses=problem_responses(401, 404, 422),
)
async def list_realizations(
    skp_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="Only this period.")] = None,
) -> RealizationList:
    """The SKP's realisations, by period, for whoever may see the SKP. The supervisor's feedback is
    included for the owner, the supervisor and admins only."""
    rows, feedback = await realizations.list_for(session, caller, skp_id, period)
    items = [
        RealizationRead.model_validate(r).model_copy(
            update={"feedback": [FeedbackRead.model_validate(f) for f in feedback.get(r.id, [])]}
        )
        for r in rows
    ]
    return RealizationList(skp_id=skp_id, items=items)


@realizations_router.post(
    "/{realization_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    summary="Give feedback on a realisation",
    operation_id="realizations_feedback_create",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def add_feedback(
    realization_id: uuid.UUID, body: FeedbackIn, session: SessionDep, caller: CallerDep
) -> FeedbackRead:
    """Continuous feedback (umpan balik berkelanjutan) on a realisation, by the owner's direct supervisor
    only (others who may see it get 403). Visible to the owner and the supervisor."""
    item = await realizations.add_feedback(session, caller, realization_id, body.text)
    return FeedbackRead.model_validate(item)
