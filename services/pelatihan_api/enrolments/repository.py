"""Queries on ``pelatihan.enrolment``: row locks, waitlist order and promotion."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.pelatihan_api.enums import EnrolmentStatus
from services.pelatihan_api.models.enrolments import Enrolment

E = Enrolment


async def get(
    session: AsyncSession, enrolment_id: uuid.UUID, *, for_update: bool = False
) -> Enrolment | None:
    """One enrolment; ``for_update`` locks it (always before its session's row, to keep one lock order)."""
    stmt = select(E).where(E.id == enrolment_id).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def live_for(session: AsyncSession, session_id: uuid.UUID, nip: str) -> Enrolment | None:
    """The employee's live enrolment in the session, if any."""
    stmt = select(E).where(
        E.session_id == session_id,
        E.nip == nip,
        E.status.notin_([EnrolmentStatus.REJECTED.value, EnrolmentStatus.CANCELLED.value]),
    )
    return (await session.scalars(stmt)).first()


async def waitlist_position(session: AsyncSession, row: Enrolment) -> int | None:
    """1-based place in the session's waitlist (None unless WAITLISTED)."""
    if row.status != EnrolmentStatus.WAITLISTED or row.waitlist_seq is None:
        return None
    count = await session.scalar(
        select(func.count()).where(
            E.session_id == row.session_id,
            E.status == EnrolmentStatus.WAITLISTED.value,
            E.waitlist_seq <= row.waitlist_seq,
        )
    )
    return int(count or 0)


async def waitlist_positions(session: AsyncSession, rows: list[Enrolment]) -> dict[uuid.UUID, int]:
    """Waitlist positions of several enrolments (any sessions) in one query."""
    ids = [r.id for r in rows if r.status == EnrolmentStatus.WAITLISTED]
    if not ids:
        return {}
    w = aliased(E)
    ahead = (
        select(func.count())
        .where(
            w.session_id == E.session_id,
            w.status == EnrolmentStatus.WAITLISTED.value,
            w.waitlist_seq <= E.waitlist_seq,
        )
        .scalar_subquery()
    )
    found = await session.execute(select(E.id, ahead).where(E.id.in_(ids)))
    return {eid: int(pos) for eid, pos in found.all()}


async def page_for_session(
    session: AsyncSession,
    session_id: uuid.UUID,
    *,
    status: str | None,
    after: list[Any] | None,
    limit: int,
) -> list[tuple[Enrolment, int | None]]:
    """``limit + 1`` enrolments of a session by (created_at, id), each with its waitlist position (one query)."""
    positions = (
        select(E.id.label("eid"), func.row_number().over(order_by=E.waitlist_seq).label("pos"))
        .where(E.session_id == session_id, E.status == EnrolmentStatus.WAITLISTED.value)
        .subquery()
    )
    stmt = (
        select(E, positions.c.pos)
        .outerjoin(positions, and_(positions.c.eid == E.id))
        .where(E.session_id == session_id)
        .order_by(E.created_at, E.id)
        .limit(limit + 1)
    )
    if status is not None:
        stmt = stmt.where(E.status == status)
    if after is not None:
        stmt = stmt.where(
            tuple_(E.created_at, E.id) > (datetime.fromisoformat(after[0]), uuid.UUID(after[1]))
        )
    return [(row, int(pos) if pos is not None else None) for row, pos in (await session.execute(stmt)).all()]


async def page_for_nip(
    session: AsyncSession, nip: str, *, after: list[Any] | None, limit: int
) -> list[Enrolment]:
    """``limit + 1`` of an employee's enrolments, newest first (keyset on created_at, id)."""
    stmt = select(E).where(E.nip == nip).order_by(E.created_at.desc(), E.id.desc()).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(
            tuple_(E.created_at, E.id) < (datetime.fromisoformat(after[0]), uuid.UUID(after[1]))
        )
    return list((await session.scalars(stmt)).all())


# Approval in one statement, so the session row is locked for as short a time as possible: the pending
# enrolment is locked, a seat is taken only if one is free (the UPDATE's WHERE is re-checked on the newest
# row version after waiting for a concurrent approval's lock, and the CHECK constraint backs it up), or
# else a waitlist ticket is drawn, and the enrolment takes the matching status.
_APPROVE = text(
    """
WITH e AS (
    SELECT id, session_id FROM pelatihan.enrolment
    WHERE id = :enrolment_id AND status = 'PENDING_APPROVAL'
    FOR UPDATE
), seat AS (
    UPDATE pelatihan.training_session t
    SET seats_taken = t.seats_taken + 1, updated_at = now()
    FROM e
    WHERE t.id = e.session_id AND t.seats_taken < t.capacity
    RETURNING t.id
), ticket AS (
    UPDATE pelatihan.training_session t
    SET waitlist_seq = t.waitlist_seq + 1, waitlist_length = t.waitlist_length + 1, updated_at = now()
    FROM e
    WHERE t.id = e.session_id AND NOT EXISTS (SELECT 1 FROM seat)
    RETURNING t.waitlist_seq, t.waitlist_length
)
UPDATE pelatihan.enrolment en
SET status = CASE WHEN EXISTS (SELECT 1 FROM seat) THEN 'CONFIRMED' ELSE 'WAITLISTED' END,
    waitlist_seq = (SELECT waitlist_seq FROM ticket),
    decided_by = :decided_by, decided_at = now(), reason = :reason, updated_at = now()
FROM e
WHERE en.id = e.id
RETURNING en.*, (SELECT waitlist_length FROM ticket) AS waitlist_position
"""
)


async def approve_atomically(
    session: AsyncSession, enrolment_id: uuid.UUID, *, decided_by: str, reason: str | None
) -> tuple[Enrolment, int | None] | None:
    """Approve a PENDING_APPROVAL enrolment in one round trip: the updated row (detached, for reading) and
    its waitlist position (a new waiter joins at the tail, so it is the new waitlist length); None when the
    enrolment is not pending."""
    found = (
        (
            await session.execute(
                _APPROVE, {"enrolment_id": enrolment_id, "decided_by": decided_by, "reason": reason}
            )
        )
        .mappings()
        .first()
    )
    if found is None:
        return None
    values = dict(found)
    position = values.pop("waitlist_position")
    return Enrolment(**values), position
