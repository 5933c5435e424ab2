"""HTTP routes of attendance, results and feedback (mitra of the session's institution, training admins)."""

from __future__ import annotations

import uuid

from fastapi import Request, status

from services.common.auth import PrincipalDep
from services.common.db import SessionDep, after_commit
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.pelatihan_api.certificates.service import to_read
from services.pelatihan_api.completion import service
from services.pelatihan_api.completion.schemas import (
    AttendanceBody,
    AttendanceRead,
    CompletionBody,
    CompletionRead,
    FeedbackBody,
    FeedbackSummary,
)
from services.pelatihan_api.deps import KinerjaDep, MitraOrAdminDep, wake_outbox
from services.pelatihan_api.schemas.enrolments import enrolment_read

router = ServiceRouter(prefix="/v1", tags=["completion"])


@router.post(
    "/sessions/{session_id}/attendance",
    summary="Record a day's attendance",
    operation_id="attendance_record",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_attendance(
    session_id: uuid.UUID, body: AttendanceBody, session: SessionDep, principal: MitraOrAdminDep
) -> AttendanceRead:
    """The mitra of the session's institution (or a training admin) marks who was present on `on`; every
    other confirmed participant is recorded absent. Sending the same day again replaces it. A mitra of
    another institution gets 404. A day after today (province clock, WIB) gets 409 `too-early`."""
    present, absent = await service.record_attendance(session, principal, session_id, body)
    return AttendanceRead(session_id=session_id, on=body.on, present=present, absent=absent)


@router.post(
    "/enrolments/{enrolment_id}/complete",
    summary="Record a participant's result",
    operation_id="enrolments_complete",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def complete_enrolment(
    enrolment_id: uuid.UUID,
    body: CompletionBody,
    session: SessionDep,
    principal: MitraOrAdminDep,
    kinerja: KinerjaDep,
    request: Request,
) -> CompletionRead:
    """Pass or fail a CONFIRMED participant. A pass issues a certificate and credits the programme's JP to
    the employee's ledger for the session's year (prorated below 80% attendance; see docs/pelatihan.md),
    and queues the unit's new training statistics for publik. Results are taken from the session's last day
    on (409 `too-early` before), so the certificate's date is never in the future."""
    result = await service.complete(session, kinerja, principal, enrolment_id, body)
    after_commit(session, lambda: wake_outbox(request.app))  # woken earlier, it could poll before the commit
    return CompletionRead(
        enrolment=enrolment_read(result.enrolment, None),
        jp_credited=result.jp_credited,
        days_present=result.days_present,
        session_days=result.session_days,
        certificate=to_read(result.certificate) if result.certificate is not None else None,
    )


@router.post(
    "/sessions/{session_id}/feedback",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Rate a session (attendees)",
    operation_id="feedback_create",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_feedback(
    session_id: uuid.UUID, body: FeedbackBody, session: SessionDep, principal: PrincipalDep
) -> None:
    """An employee who attended the session (present on a day, or completed it) rates it once (409 after)."""
    await service.add_feedback(session, principal, session_id, body)


@router.get(
    "/sessions/{session_id}/feedback",
    summary="A session's feedback summary",
    operation_id="feedback_summary",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_feedback(
    session_id: uuid.UUID, session: SessionDep, principal: MitraOrAdminDep
) -> FeedbackSummary:
    """The number of ratings and their average, for training admins and the session's mitra."""
    count, avg = await service.feedback_summary(session, principal, session_id)
    return FeedbackSummary(session_id=session_id, responses=count, average_rating=avg)
