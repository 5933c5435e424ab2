"""Enrolment rules: who may ask, the window, eligibility, supervisor approval via kinerja, seats and waitlist.

Seats are never counted in Python: approval runs ``UPDATE training_session SET seats_taken = seats_taken + 1
WHERE seats_taken < capacity``, which PostgreSQL serialises on the session row, and the table's CHECK
constraint refuses anything past capacity. A cancelled confirmed seat is handed to the first waiter in the
same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.auth import Principal, Role
from services.common.clock import today as province_today
from services.common.errors import Forbidden, NotFound
from services.common.i18n import joined, msg
from services.common.pagination import decode_cursor, page_of
from services.pelatihan_api.clients.kinerja import KinerjaClient
from services.pelatihan_api.enrolments import repository
from services.pelatihan_api.enums import EnrolmentStatus, rank_order
from services.pelatihan_api.errors import (
    AlreadyEnrolled,
    InvalidTransition,
    NotEligible,
    UnknownEmployee,
    WindowClosed,
)
from services.pelatihan_api.models.enrolments import Enrolment
from services.pelatihan_api.models.sessions import TrainingSession
from services.pelatihan_api.roster import repository as roster
from services.pelatihan_api.sessions import repository as sessions
from services.pelatihan_api.sessions.service import can_see
from services.pelatihan_api.sync import service as changes
from services.pelatihan_api.txn import Seen, recheck, release

S = EnrolmentStatus


@dataclass(frozen=True)
class EnrolmentView:
    """An enrolment with its computed waitlist position."""

    row: Enrolment
    waitlist_position: int | None


def _is_training_admin(principal: Principal) -> bool:
    return principal.has(Role.ADMIN, Role.PELATIHAN_ADMIN)


def today() -> date:
    """Today in Bengkulu (WIB), the day kinerja keeps its reporting line by."""
    return province_today()


async def is_direct_supervisor(kinerja: KinerjaClient, principal: Principal, nip: str) -> bool:
    """True when kinerja says the caller is ``nip``'s direct supervisor today (503 when kinerja is down)."""
    if principal.nip is None or principal.nip == nip:
        return False
    return await kinerja.supervisor_of(nip, today()) == principal.nip


@dataclass(frozen=True)
class Rules:
    """A session's eligibility rules as plain values (they outlive the read transaction)."""

    position_types: tuple[str, ...]
    min_rank: str | None
    unit_ids: tuple[uuid.UUID, ...]

    @classmethod
    def of(cls, ts: TrainingSession) -> Rules:
        """The rules of one session."""
        return cls(tuple(ts.eligible_position_types or ()), ts.min_rank, tuple(ts.eligible_unit_ids or ()))

    def __bool__(self) -> bool:
        return bool(self.position_types or self.min_rank or self.unit_ids)


async def _check_eligibility(
    session: AsyncSession, kinerja: KinerjaClient, rules: Rules, nip: str, relied_on: Seen
) -> None:
    """The roster (kinerja's events) answers; kinerja itself only for an employee not mirrored yet.

    Asking kinerja splits the request in two phases (services/pelatihan_api/txn.py): the read ends, kinerja
    answers, and the new transaction first checks that the session (``relied_on``: its rules and window) is
    still the version that was read, else 409.
    """
    if not rules:
        return
    facts = await roster.get(session, nip)
    if facts is not None:
        position_type, rank, unit_id = facts.position_type, facts.rank, facts.unit_id
    else:
        await release(session)
        employee = await kinerja.get_employee(nip)
        if employee is None:
            raise UnknownEmployee(msg("kinerja knows no employee {nip}.", nip=nip))
        position_type, rank = employee.position_type, employee.rank
        unit_id = uuid.UUID(employee.unit_id) if employee.unit_id else None
        recheck(relied_on, await sessions.version_of(session, relied_on.key))
    reasons: list[str] = []
    if rules.position_types and position_type not in rules.position_types:
        reasons.append(
            msg(
                "position type {position_type} is not among {allowed}",
                position_type=position_type,
                allowed=", ".join(rules.position_types),
            )
        )
    if rules.min_rank and rank_order(rank) < rank_order(rules.min_rank):
        reasons.append(msg("rank {rank} is below {min_rank}", rank=rank, min_rank=rules.min_rank))
    if rules.unit_ids and unit_id not in rules.unit_ids:
        reasons.append(msg("the employee's unit is not admitted to this session"))
    if reasons:
        raise NotEligible(msg("Not eligible: {reasons}.", reasons=joined("; ", reasons)))


async def request_enrolment(
    session: AsyncSession, kinerja: KinerjaClient, principal: Principal, session_id: uuid.UUID, nip: str
) -> EnrolmentView:
    """A new PENDING_APPROVAL enrolment asked by the employee, their supervisor, or a training admin."""
    # kinerja is asked before any database work, so no connection is held while it answers.
    if not (principal.nip == nip or _is_training_admin(principal)) and not await is_direct_supervisor(
        kinerja, principal, nip
    ):
        raise Forbidden(
            msg("Only the employee, their direct supervisor or a training admin may ask for a seat.")
        )
    ts = await sessions.get(session, session_id)
    if ts is None or not can_see(principal, ts):
        raise NotFound(msg("No such session."))
    now = clock.now()
    if not (ts.enrol_opens_at <= now < ts.enrol_closes_at):
        raise WindowClosed(
            msg(
                "Enrolment is open from {enrol_opens_at} to {enrol_closes_at}.",
                enrol_opens_at=ts.enrol_opens_at.isoformat(),
                enrol_closes_at=ts.enrol_closes_at.isoformat(),
            )
        )
    if await repository.live_for(session, session_id, nip) is not None:
        raise AlreadyEnrolled(msg("{nip} already holds a live enrolment in this session.", nip=nip))
    await _check_eligibility(session, kinerja, Rules.of(ts), nip, Seen(msg("session"), ts.id, ts.version))
    row = Enrolment(
        id=uuid.uuid4(),
        session_id=session_id,
        nip=nip,
        status=S.PENDING_APPROVAL.value,
        requested_by=principal.nip or principal.subject,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        # Two simultaneous requests for the same person: the partial unique index lets one through.
        raise AlreadyEnrolled(msg("{nip} already holds a live enrolment in this session.", nip=nip)) from exc
    await changes.record(session, actor=principal.subject, action="enrolment.request", enrolments=[row.id])
    return EnrolmentView(row, None)


def _seen(row: Enrolment) -> Seen:
    # Every change of an enrolment moves its status forward or stamps updated_at (no version column).
    return Seen(msg("enrolment"), row.id, (row.status, row.updated_at))


async def _authorise_decision(
    session: AsyncSession, kinerja: KinerjaClient, principal: Principal, enrolment_id: uuid.UUID
) -> tuple[Enrolment | None, Seen | None]:
    """Phase one of a supervisor's decision: read the enrolment, release, ask kinerja. Returns what was seen
    (for phase two to re-check); for a training admin, whose decision is one transaction, the row as read
    (still current: nothing was released) and no ``Seen``."""
    row = await repository.get(session, enrolment_id)
    if row is None:
        raise NotFound(msg("No such enrolment."))
    if _is_training_admin(principal):
        return row, None
    nip, seen = row.nip, _seen(row)
    if principal.nip == nip:
        raise Forbidden(msg("An employee cannot approve or reject their own enrolment."))
    await release(session)
    if not await is_direct_supervisor(kinerja, principal, nip):
        raise Forbidden(msg("Only the employee's direct supervisor (per kinerja, today) may decide."))
    return None, seen


async def approve(
    session: AsyncSession,
    kinerja: KinerjaClient,
    principal: Principal,
    enrolment_id: uuid.UUID,
    reason: str | None,
) -> EnrolmentView:
    """Approve a pending request: it takes a seat when one is free, else joins the waitlist."""
    current_row, _ = await _authorise_decision(session, kinerja, principal, enrolment_id)
    before = await changes.snapshot_enrolment(session, enrolment_id, row=current_row)
    # Phase two. kinerja was asked before any lock is taken; the single statement below holds them for
    # milliseconds, and its WHERE status = 'PENDING_APPROVAL' is the re-check of what phase one read.
    decided = await repository.approve_atomically(
        session, enrolment_id, decided_by=principal.nip or principal.subject, reason=reason
    )
    if decided is None:
        current = await repository.get(session, enrolment_id)
        status = current.status if current is not None else "gone"
        raise InvalidTransition(
            msg("The enrolment is {status}; only PENDING_APPROVAL can be approved.", status=status)
        )
    await changes.record(
        session,
        actor=principal.subject,
        action="enrolment.approve",
        sessions=[decided[0].session_id],
        enrolments=[enrolment_id],
        before=before,
        reason=reason,
    )
    return EnrolmentView(*decided)


async def reject(
    session: AsyncSession,
    kinerja: KinerjaClient,
    principal: Principal,
    enrolment_id: uuid.UUID,
    reason: str | None,
) -> EnrolmentView:
    """Reject a pending (or waitlisted) request."""
    _, seen = await _authorise_decision(session, kinerja, principal, enrolment_id)
    row = await repository.get(session, enrolment_id, for_update=True)
    if seen is not None:
        recheck(seen, _seen(row).version if row is not None else None)
    assert row is not None
    if row.status not in (S.PENDING_APPROVAL, S.WAITLISTED):
        raise InvalidTransition(
            msg("The enrolment is {status}; it can no longer be rejected.", status=row.status)
        )
    before = await changes.snapshot_enrolment(session, row.id, row=row)
    if row.status == S.WAITLISTED:
        await sessions.leave_waitlist(session, row.session_id, promoted=False)
    now = clock.now()
    row.status, row.waitlist_seq = S.REJECTED.value, None
    row.decided_by, row.decided_at, row.reason, row.updated_at = (
        principal.nip or principal.subject,
        now,
        reason,
        now,
    )
    await session.flush()
    await changes.record(
        session,
        actor=principal.subject,
        action="enrolment.reject",
        sessions=[row.session_id],
        enrolments=[row.id],
        before=before,
        reason=reason,
    )
    return EnrolmentView(row, None)


async def cancel(
    session: AsyncSession, principal: Principal, enrolment_id: uuid.UUID, reason: str | None
) -> EnrolmentView:
    """Cancel a live enrolment (the employee or a training admin); a freed seat goes to the first waiter."""
    row = await repository.get(session, enrolment_id, for_update=True)
    if row is None or not (principal.nip == row.nip or _is_training_admin(principal)):
        raise NotFound(msg("No such enrolment."))
    if row.status not in (S.PENDING_APPROVAL, S.CONFIRMED, S.WAITLISTED):
        raise InvalidTransition(
            msg("The enrolment is {status}; it can no longer be cancelled.", status=row.status)
        )
    before = await changes.snapshot_enrolment(session, row.id, row=row)
    previous = row.status
    now = clock.now()
    row.status, row.waitlist_seq, row.reason, row.updated_at = S.CANCELLED.value, None, reason, now
    await session.flush()
    promoted = None
    if previous == S.CONFIRMED:
        await sessions.release_seat(session, row.session_id)
        promoted = await sessions.promote_first_waitlisted(session, row.session_id)
    elif previous == S.WAITLISTED:
        await sessions.leave_waitlist(session, row.session_id, promoted=False)
    touched = [row.id] + ([promoted.id] if promoted is not None else [])
    await changes.record(
        session,
        actor=principal.subject,
        action="enrolment.cancel",
        sessions=[row.session_id],
        enrolments=touched,
        before=before,
        reason=reason,
    )
    return EnrolmentView(row, None)


async def get_enrolment(
    session: AsyncSession, kinerja: KinerjaClient, principal: Principal, enrolment_id: uuid.UUID
) -> EnrolmentView:
    """One enrolment for the employee, their supervisor, a training admin, or the session's mitra."""
    row = await repository.get(session, enrolment_id)
    if row is None:
        raise NotFound(msg("No such enrolment."))
    allowed = principal.nip == row.nip or _is_training_admin(principal)
    if not allowed and principal.has(Role.MITRA):
        ts = await sessions.get(session, row.session_id)
        allowed = ts is not None and can_see(principal, ts)
    if not allowed and principal.nip is not None:
        # Read only: release, ask kinerja, and read the enrolment again as it is now (nothing to re-check).
        nip = row.nip
        await release(session)
        allowed = await is_direct_supervisor(kinerja, principal, nip)
        row = await repository.get(session, enrolment_id)
    if not allowed or row is None:
        raise NotFound(msg("No such enrolment."))
    return EnrolmentView(row, await repository.waitlist_position(session, row))


async def list_for_session(
    session: AsyncSession,
    principal: Principal,
    session_id: uuid.UUID,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[EnrolmentView], str | None]:
    """A session's enrolments in request order with waitlist positions (training admins, the session's mitra)."""
    ts = await sessions.get(session, session_id)
    if ts is None or not can_see(principal, ts):
        raise NotFound(msg("No such session."))
    rows = await repository.page_for_session(
        session, session_id, status=status, after=decode_cursor(cursor, 2), limit=limit
    )
    page, next_cursor = page_of(rows, limit, lambda t: (t[0].created_at.isoformat(), str(t[0].id)))
    return [EnrolmentView(r, p) for r, p in page], next_cursor


async def list_for_employee(
    session: AsyncSession,
    kinerja: KinerjaClient,
    principal: Principal,
    nip: str,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[EnrolmentView], str | None]:
    """An employee's enrolments, newest first, for the employee, their supervisor and training admins."""
    if not (principal.nip == nip or _is_training_admin(principal)) and not await is_direct_supervisor(
        kinerja, principal, nip
    ):
        raise Forbidden(msg("Only the employee, their direct supervisor or a training admin may list these."))
    rows = await repository.page_for_nip(session, nip, after=decode_cursor(cursor, 2), limit=limit)
    page, next_cursor = page_of(rows, limit, lambda r: (r.created_at.isoformat(), str(r.id)))
    positions = await repository.waitlist_positions(session, page)
    return [EnrolmentView(r, positions.get(r.id)) for r in page], next_cursor
