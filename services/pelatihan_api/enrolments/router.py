"""HTTP routes of enrolments: ask for a seat, approve or reject (direct supervisor), cancel, read."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Body, Path, Query, status

from services.common.auth import PrincipalDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page
from services.common.routing import ServiceRouter
from services.pelatihan_api.deps import KinerjaDep, MitraOrAdminDep
from services.pelatihan_api.enrolments import service
from services.pelatihan_api.enrolments.service import EnrolmentView
from services.pelatihan_api.enums import EnrolmentStatus
from services.pelatihan_api.schemas.enrolments import Decision, EnrolmentCreate, EnrolmentRead, enrolment_read

router = ServiceRouter(prefix="/v1", tags=["enrolments"])
DecisionBody = Annotated[Decision | None, Body()]


def _read(view: EnrolmentView) -> EnrolmentRead:
    return enrolment_read(view.row, view.waitlist_position)


@router.post(
    "/sessions/{session_id}/enrolments",
    status_code=status.HTTP_201_CREATED,
    summary="Ask for a seat",
    operation_id="enrolments_create",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def create_enrolment(
    session_id: uuid.UUID,
    body: EnrolmentCreate,
    session: SessionDep,
    principal: PrincipalDep,
    kinerja: KinerjaDep,
) -> EnrolmentRead:
    """The employee asks for a seat, or their direct supervisor or a training admin nominates them.

    The request starts as PENDING_APPROVAL. Refused with 409 when the window is closed
    (`enrolment-window-closed`), the employee is not eligible (`not-eligible`) or already holds a live
    enrolment in the session (`already-enrolled`); 503 when kinerja must be asked and cannot be reached.
    """
    return _read(await service.request_enrolment(session, kinerja, principal, session_id, body.nip))


@router.get(
    "/sessions/{session_id}/enrolments",
    summary="List a session's enrolments",
    operation_id="enrolments_list_for_session",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_enrolments(
    session_id: uuid.UUID,
    session: SessionDep,
    principal: MitraOrAdminDep,
    status_: Annotated[EnrolmentStatus | None, Query(alias="status", description="Only this status.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[EnrolmentRead]:
    """Enrolments of one session in request order, with waitlist positions (training admins; the session's mitra)."""
    views, next_cursor = await service.list_for_session(
        session, principal, session_id, status=status_.value if status_ else None, cursor=cursor, limit=limit
    )
    return Page[EnrolmentRead](items=[_read(v) for v in views], next_cursor=next_cursor)


@router.get(
    "/employees/{nip}/enrolments",
    summary="List an employee's enrolments",
    operation_id="enrolments_list_for_employee",
    responses=problem_responses(401, 403, 422, 503),
)
async def list_employee_enrolments(
    nip: Annotated[str, Path(pattern=r"^[0-9]{18}$", examples=["198609262015051001"])],
    session: SessionDep,
    principal: PrincipalDep,
    kinerja: KinerjaDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[EnrolmentRead]:
    """An employee's enrolments, newest first: for the employee, their direct supervisor and training admins."""
    views, next_cursor = await service.list_for_employee(
        session, kinerja, principal, nip, cursor=cursor, limit=limit
    )
    return Page[EnrolmentRead](items=[_read(v) for v in views], next_cursor=next_cursor)


@router.get(
    "/enrolments/{enrolment_id}",
    summary="Get an enrolment",
    operation_id="enrolments_get",
    responses=problem_responses(401, 404, 422, 503),
)
async def get_enrolment(
    enrolment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, kinerja: KinerjaDep
) -> EnrolmentRead:
    """One enrolment, for the employee, their supervisor, a training admin or the session's mitra (404 otherwise)."""
    return _read(await service.get_enrolment(session, kinerja, principal, enrolment_id))


@router.post(
    "/enrolments/{enrolment_id}/approve",
    summary="Approve a request (direct supervisor)",
    operation_id="enrolments_approve",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def approve_enrolment(
    enrolment_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    kinerja: KinerjaDep,
    body: DecisionBody = None,
) -> EnrolmentRead:
    """The employee's direct supervisor — as kinerja says today — approves; training admins may too.

    The request takes a seat when one is free (CONFIRMED), else joins the waitlist (WAITLISTED, with its
    position). 403 for anyone else; 503 while kinerja cannot be reached (never approved blindly).
    """
    return _read(
        await service.approve(session, kinerja, principal, enrolment_id, body.reason if body else None)
    )


@router.post(
    "/enrolments/{enrolment_id}/reject",
    summary="Reject a request (direct supervisor)",
    operation_id="enrolments_reject",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def reject_enrolment(
    enrolment_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    kinerja: KinerjaDep,
    body: DecisionBody = None,
) -> EnrolmentRead:
    """The direct supervisor (or a training admin) rejects a pending or waitlisted request."""
    return _read(
        await service.reject(session, kinerja, principal, enrolment_id, body.reason if body else None)
    )


@router.post(
    "/enrolments/{enrolment_id}/cancel",
    summary="Cancel an enrolment",
    operation_id="enrolments_cancel",
    responses=problem_responses(401, 404, 409, 422),
)
async def cancel_enrolment(
    enrolment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, body: DecisionBody = None
) -> EnrolmentRead:
    """The employee or a training admin cancels; a freed confirmed seat goes to the first on the waitlist
    in the same transaction."""
    return _read(await service.cancel(session, principal, enrolment_id, body.reason if body else None))
