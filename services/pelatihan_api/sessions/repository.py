"""Queries on ``pelatihan.training_session``, including the atomic seat and waitlist counters.

Every counter change is one ``UPDATE`` that both checks and changes the row (approval is a single
statement in enrolments/repository.py), so PostgreSQL's row lock serialises concurrent requests on the
same session and the ``seats_within_capacity`` CHECK backs it up.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.pelatihan_api.enums import EnrolmentStatus
from services.pelatihan_api.models.completion import Attendance, SessionFeedback
from services.pelatihan_api.models.enrolments import Enrolment
from services.pelatihan_api.models.sessions import TrainingSession

T = TrainingSession


async def get(
    session: AsyncSession, session_id: uuid.UUID, *, for_update: bool = False
) -> TrainingSession | None:
    """One session by id; ``for_update`` locks its row until the transaction ends."""
    stmt = select(T).where(T.id == session_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt.execution_options(populate_existing=True))).first()


async def page(
    session: AsyncSession,
    *,
    program_id: uuid.UUID | None,
    institution_id: uuid.UUID | None,
    open_at: datetime | None,
    after: list[Any] | None,
    limit: int,
) -> list[TrainingSession]:
    """``limit + 1`` sessions ordered by (starts_on, id)."""
    stmt = select(T).order_by(T.starts_on, T.id).limit(limit + 1)
    if program_id is not None:
        stmt = stmt.where(T.program_id == program_id)
    if institution_id is not None:
        stmt = stmt.where(T.institution_id == institution_id)
    if open_at is not None:
        stmt = stmt.where(T.enrol_opens_at <= open_at, T.enrol_closes_at > open_at)
    if after is not None:
        stmt = stmt.where(tuple_(T.starts_on, T.id) > (after[0], uuid.UUID(after[1])))
    return list((await session.scalars(stmt)).all())


async def release_seat(session: AsyncSession, session_id: uuid.UUID) -> None:
    """Give one confirmed seat back."""
    await session.execute(
        update(T).where(T.id == session_id).values(seats_taken=T.seats_taken - 1, updated_at=func.now())
    )


async def leave_waitlist(session: AsyncSession, session_id: uuid.UUID, *, promoted: bool) -> None:
    """One fewer waiting; when ``promoted`` the waiter also takes a seat, in the same statement."""
    values: dict[str, Any] = {"waitlist_length": T.waitlist_length - 1, "updated_at": func.now()}
    if promoted:
        values["seats_taken"] = T.seats_taken + 1
    await session.execute(update(T).where(T.id == session_id).values(**values))


async def promote_first_waitlisted(session: AsyncSession, session_id: uuid.UUID) -> Enrolment | None:
    """Move the first waiter (lowest ticket) to CONFIRMED, taking the seat in the same transaction.

    ``SKIP LOCKED`` passes over a waiter whose own cancellation is in flight, so two transactions never
    wait on each other here. The caller has already freed (or added) the seat.
    """
    stmt = (
        select(Enrolment)
        .where(Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.WAITLISTED.value)
        .order_by(Enrolment.waitlist_seq)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    row = (await session.scalars(stmt)).first()
    if row is None:
        return None
    row.status = EnrolmentStatus.CONFIRMED.value
    row.waitlist_seq = None
    row.updated_at = clock.now()
    await session.flush()
    await leave_waitlist(session, session_id, promoted=True)
    return row


async def delete_if_no_live_enrolment(session: AsyncSession, session_id: uuid.UUID) -> list[uuid.UUID] | None:
    """Delete the (locked) session with its attendance, feedback and dead (cancelled or rejected)
    enrolments; the deleted enrolments' ids, or None (nothing deleted) when any enrolment is still live."""
    found = (
        await session.execute(
            select(Enrolment.id, Enrolment.status).where(Enrolment.session_id == session_id)
        )
    ).all()
    dead = {EnrolmentStatus.CANCELLED.value, EnrolmentStatus.REJECTED.value}
    if any(status not in dead for _, status in found):
        return None
    await session.execute(delete(Attendance).where(Attendance.session_id == session_id))
    await session.execute(delete(SessionFeedback).where(SessionFeedback.session_id == session_id))
    await session.execute(delete(Enrolment).where(Enrolment.session_id == session_id))
    await session.execute(delete(T).where(T.id == session_id))
    return [eid for eid, _ in found]


async def version_of(session: AsyncSession, session_id: uuid.UUID) -> int | None:
    """The session's current version (None when it no longer exists), for a two-phase flow's re-check."""
    return await session.scalar(select(TrainingSession.version).where(TrainingSession.id == session_id))
