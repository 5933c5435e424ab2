"""Recording pelatihan's session, enrolment and completion changes. The services call :func:`record` as
their last step, naming what they touched (and the states :func:`snapshot` read before); each state after
is then loaded from the tables, so it is the entity as it is after the change (seat counters included), and
an entity that no longer exists is logged as a DELETE. ``record_changes`` writes the audit entries, the
webhooks and the change-log rows. Being last matters: the change-log lock is held until commit, and nothing
after it may wait on a row lock.

Entities (``data`` shapes are documented in docs/integrators.md "Change log"):

- ``session``: as ``GET /v1/sessions/{id}`` returns it.
- ``enrolment``: as ``GET /v1/enrolments/{id}`` without ``waitlist_position`` (derived, it moves whenever
  someone ahead leaves), plus ``completed_at`` and ``updated_at``.
- ``completion``: the result of a participant (id = the enrolment's id): passed, score, credited JP and
  certificate number. Revoking a certificate is not a completion change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import Change, Event, record_changes
from services.common.changes.catalogue.pelatihan import EnrolmentConfirmed, TrainingCompleted
from services.pelatihan_api.enums import EnrolmentStatus
from services.pelatihan_api.events import SINK
from services.pelatihan_api.models.certificates import Certificate
from services.pelatihan_api.models.enrolments import Enrolment
from services.pelatihan_api.models.ledger import JpEntry
from services.pelatihan_api.models.sessions import TrainingSession
from services.pelatihan_api.schemas.enrolments import enrolment_read
from services.pelatihan_api.schemas.sessions import SessionRead

SESSION, ENROLMENT, COMPLETION = "session", "enrolment", "completion"


def session_data(row: TrainingSession) -> dict[str, Any]:
    """A session as integrators receive it."""
    return SessionRead.model_validate(row).model_dump(mode="json")


def enrolment_data(row: Enrolment) -> dict[str, Any]:
    """An enrolment as integrators receive it."""
    data = enrolment_read(row, None).model_dump(mode="json", exclude={"waitlist_position"})
    data["completed_at"] = row.completed_at.isoformat() if row.completed_at else None
    data["updated_at"] = row.updated_at.isoformat() if row.updated_at else None
    return data


def completion_data(
    row: Enrolment,
    jp: int | None,
    certificate_number: str | None,
    *,
    program_id: uuid.UUID | None = None,
    completed_on: date | None = None,
) -> dict[str, Any]:
    """A participant's result as integrators receive it. ``completed_on`` is the session's last day (the
    date on the certificate and in the JP ledger), not the day the result was typed (``completed_at``)."""
    return {
        "enrolment_id": str(row.id),
        "session_id": str(row.session_id),
        "program_id": str(program_id) if program_id is not None else None,
        "completed_on": completed_on.isoformat() if completed_on is not None else None,
        "nip": row.nip,
        "passed": row.passed,
        "score": float(row.score) if row.score is not None else None,
        "completed_at": row.completed_at.isoformat() if row.completed_at else None,
        "jp": jp if row.passed else 0,
        "certificate_number": certificate_number,
    }


async def _session(db: AsyncSession, key: uuid.UUID) -> dict[str, Any] | None:
    row = await db.scalar(
        select(TrainingSession).where(TrainingSession.id == key).execution_options(populate_existing=True)
    )
    return session_data(row) if row is not None else None


async def _enrolment(db: AsyncSession, key: uuid.UUID) -> Enrolment | None:
    return await db.scalar(
        select(Enrolment).where(Enrolment.id == key).execution_options(populate_existing=True)
    )


async def completion_state(db: AsyncSession, key: uuid.UUID) -> dict[str, Any] | None:
    """The completion of enrolment ``key``, or None when it has no result (or no longer exists)."""
    row = await _enrolment(db, key)
    if row is None or row.completed_at is None:
        return None
    jp = await db.scalar(select(JpEntry.jp).where(JpEntry.enrolment_id == key))
    number = await db.scalar(select(Certificate.number).where(Certificate.enrolment_id == key))
    found = (
        await db.execute(
            select(TrainingSession.program_id, TrainingSession.ends_on).where(
                TrainingSession.id == row.session_id
            )
        )
    ).first()
    program_id, ends_on = found if found is not None else (None, None)
    return completion_data(row, jp, number, program_id=program_id, completed_on=ends_on)


Before = dict[tuple[str, str], dict[str, Any] | None]
"""States before a change, by (entity, id); :func:`snapshot` reads them, :func:`record` pairs them with the
states after."""


async def snapshot(
    db: AsyncSession, *, sessions: Iterable[uuid.UUID] = (), enrolments: Iterable[uuid.UUID] = ()
) -> Before:
    """The current states of the named entities, read before a change (call it before touching them: it
    re-reads the rows from the database)."""
    out: Before = {}
    for sid in dict.fromkeys(sessions):
        out[(SESSION, str(sid))] = await _session(db, sid)
    for eid in dict.fromkeys(enrolments):
        row = await _enrolment(db, eid)
        out[(ENROLMENT, str(eid))] = enrolment_data(row) if row is not None else None
    return out


async def snapshot_enrolment(
    db: AsyncSession, enrolment_id: uuid.UUID, *, row: Enrolment | None = None
) -> Before:
    """:func:`snapshot` of an enrolment and its session (an enrolment's transition moves the seat counters).
    ``row``: the enrolment as this transaction has just read it (not across a release), so it is not read again."""
    if row is not None:
        out: Before = {(ENROLMENT, str(enrolment_id)): enrolment_data(row)}
    else:
        out = await snapshot(db, enrolments=[enrolment_id])
    state = out[(ENROLMENT, str(enrolment_id))]
    if state is not None:
        out |= await snapshot(db, sessions=[uuid.UUID(state["session_id"])])
    return out


async def record(
    db: AsyncSession,
    *,
    actor: str,
    action: str,
    sessions: Iterable[uuid.UUID] = (),
    enrolments: Iterable[uuid.UUID] = (),
    completions: Iterable[uuid.UUID] = (),
    before: Mapping[tuple[str, str], dict[str, Any] | None] | None = None,
    reason: str | None = None,
    events: Sequence[Event] = (),
) -> None:
    """Record one action on the named entities through ``record_changes``: per entity, in the order
    sessions, enrolments, completions, an audit entry (``before`` from :func:`snapshot`, ``after`` its state
    now) and its change-log row (UPSERT, or DELETE when it no longer exists); the integrators' webhooks it
    implies; and ``events`` (training figures for publik) with the first. An entity ``before`` does not name
    (a waiter promoted, a cancelled enrolment deleted with its session) has a null ``before``: the
    action that moved it is the one recorded."""
    await db.flush()
    before = before or {}
    changes: list[Change] = []

    def add(entity: str, key: str, after: dict[str, Any] | None, sent: Sequence[Event] = ()) -> None:
        changes.append(Change(action, entity, key, before.get((entity, key)), after, sent, reason))

    program_of: dict[str, str] = {}  # session id -> programme id, from the sessions read just above
    for sid in dict.fromkeys(sessions):
        data = await _session(db, sid)
        if data is not None:
            program_of[str(sid)] = data["program_id"]
        add(SESSION, str(sid), data)
    for eid in dict.fromkeys(enrolments):
        row = await _enrolment(db, eid)
        confirmed: list[Event] = []
        if row is not None and row.status == EnrolmentStatus.CONFIRMED.value:
            # Approval with a free seat, or promotion from the waitlist (docs/events.md).
            confirmed.append(
                EnrolmentConfirmed(
                    enrolment_id=str(row.id),
                    session_id=str(row.session_id),
                    nip=row.nip,
                    status=row.status,
                    program_id=program_of.get(str(row.session_id))
                    or str(
                        await db.scalar(
                            select(TrainingSession.program_id).where(TrainingSession.id == row.session_id)
                        )
                    ),
                )
            )
        add(ENROLMENT, str(eid), enrolment_data(row) if row is not None else None, confirmed)
    for cid in dict.fromkeys(completions):
        data = await completion_state(db, cid)
        completed: list[Event] = []
        if data is not None:
            completed.append(
                TrainingCompleted(
                    enrolment_id=data["enrolment_id"],
                    session_id=data["session_id"],
                    nip=data["nip"],
                    status="COMPLETED" if data["passed"] else "FAILED",
                    program_id=data["program_id"],
                    jp=data["jp"],
                    certificate_number=data["certificate_number"],
                    completed_on=data["completed_on"],
                )
            )
        add(COMPLETION, str(cid), data, completed)
    if events:
        first = changes[0]
        changes[0] = Change(
            first.action,
            first.entity,
            first.entity_id,
            first.before,
            first.after,
            [*first.events, *events],
            first.reason,
        )
    await record_changes(db, SINK, changes, actor=actor)
