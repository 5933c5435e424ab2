"""Writing pelatihan's change log. The session, enrolment and completion services call
:func:`log_changes` as their last step, naming what they touched; the entry's ``data`` is then loaded from
the tables, so it is the entity as it is after the change (seat counters included), and an entity that no
longer exists is logged as a DELETE. Being last matters: ``append_changes`` takes the change-log lock,
held until commit, and nothing after it may wait on a row lock.

Entities (``data`` shapes are documented in docs/integrators.md "Change log"):

- ``session``: as ``GET /v1/sessions/{id}`` returns it.
- ``enrolment``: as ``GET /v1/enrolments/{id}`` without ``waitlist_position`` (derived, it moves whenever
  someone ahead leaves), plus ``completed_at`` and ``updated_at``.
- ``completion``: the result of a participant (id = the enrolment's id): passed, score, credited JP and
  certificate number. Revoking a certificate is not a completion change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changelog import DELETE, UPSERT, append_changes
from services.common.outbox import enqueue_many
from services.pelatihan_api.certificates.models import Certificate
from services.pelatihan_api.enrolments.models import Enrolment
from services.pelatihan_api.enrolments.schemas import enrolment_read
from services.pelatihan_api.enums import EnrolmentStatus
from services.pelatihan_api.events import OutboxEvent
from services.pelatihan_api.ledger.models import JpEntry
from services.pelatihan_api.sessions.models import TrainingSession
from services.pelatihan_api.sessions.schemas import SessionRead
from services.pelatihan_api.sync.models import ChangeLog

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


async def log_changes(
    db: AsyncSession,
    *,
    sessions: Iterable[uuid.UUID] = (),
    enrolments: Iterable[uuid.UUID] = (),
    completions: Iterable[uuid.UUID] = (),
) -> None:
    """Log the current state of the named entities (UPSERT) or their absence (DELETE), in that order."""
    await db.flush()
    rows: list[tuple[str, str, str, dict[str, Any] | None]] = []
    for sid in dict.fromkeys(sessions):
        data = await _session(db, sid)
        rows.append((SESSION, str(sid), UPSERT if data is not None else DELETE, data))
    webhooks: list[tuple[str, dict[str, Any]]] = []
    for eid in dict.fromkeys(enrolments):
        row = await _enrolment(db, eid)
        rows.append((ENROLMENT, str(eid), UPSERT if row else DELETE, enrolment_data(row) if row else None))
        if row is not None and row.status == EnrolmentStatus.CONFIRMED.value:
            # Approval with a free seat, or promotion from the waitlist (docs/events.md).
            webhooks.append(
                (
                    "pelatihan.enrolment_confirmed",
                    {
                        "enrolment_id": str(row.id),
                        "session_id": str(row.session_id),
                        "nip": row.nip,
                        "status": row.status,
                        "program_id": str(
                            await db.scalar(
                                select(TrainingSession.program_id).where(TrainingSession.id == row.session_id)
                            )
                        ),
                    },
                )
            )
    for cid in dict.fromkeys(completions):
        data = await completion_state(db, cid)
        rows.append((COMPLETION, str(cid), UPSERT if data is not None else DELETE, data))
        if data is not None:
            webhooks.append(
                (
                    "pelatihan.training_completed",
                    {
                        "enrolment_id": data["enrolment_id"],
                        "session_id": data["session_id"],
                        "nip": data["nip"],
                        "status": "COMPLETED" if data["passed"] else "FAILED",
                        "program_id": data["program_id"],
                        "jp": data["jp"],
                        "certificate_number": data["certificate_number"],
                        "completed_on": data["completed_on"],
                    },
                )
            )
    # Integrators' webhooks: the gateway fans these out to the endpoints that subscribed.
    await enqueue_many(db, OutboxEvent, "gateway", webhooks)
    await append_changes(db, ChangeLog, rows)
