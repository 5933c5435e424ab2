"""Rules of evaluations: who evaluates whom for which part of a period, the predikat, the lock, reopening,
acknowledgement and objections. Every change is written to the audit chain in the same transaction.

PermenPANRB 6/2022: the direct supervisor (pejabat penilai kinerja) evaluates. The reporting line that
counts is the one that held during the period (employee_assignment history), so after a mid-quarter
transfer each supervisor evaluates the part they supervised. A unit head answers to the governor, who is
outside the system: an admin evaluates in the governor's name (``on_behalf = GUBERNUR``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.pagination import decode_cursor, page_of
from services.kinerja_api.audit.service import record
from services.kinerja_api.calendar.periods import BadPeriod, Period, parse_period
from services.kinerja_api.employees import repository as employees
from services.kinerja_api.evaluations import repository
from services.kinerja_api.evaluations.actor import Actor
from services.kinerja_api.evaluations.enums import GUBERNUR, EvaluationStatus, ObjectionStatus, Rating
from services.kinerja_api.evaluations.errors import (
    BadPeriodInput,
    EmployeeNotFound,
    EvaluationExists,
    EvaluationIncomplete,
    EvaluationLocked,
    EvaluationNotFound,
    IfMatchRequired,
    NoSupervision,
    NotAllowed,
    NotDirectSupervisor,
    ObjectionNotFound,
    SelfEvaluation,
    StaleEvaluation,
    WrongState,
)
from services.kinerja_api.evaluations.models import Evaluation, Objection
from services.kinerja_api.evaluations.predikat import predikat
from services.kinerja_api.evaluations.schemas import BehaviorNote, EvaluationUpdate
from services.kinerja_api.publication import service as publication

ENTITY = "evaluation"


def _now() -> datetime:
    return clock.now()


def etag_of(evaluation: Evaluation) -> str:
    """The strong ETag of an evaluation's current version."""
    return f'"{evaluation.version}"'


def _matches(if_match: str, etag: str) -> bool:
    return any(c.strip() == "*" or c.strip().removeprefix("W/") == etag for c in if_match.split(","))


def snapshot(evaluation: Evaluation) -> dict[str, Any]:
    """What the audit log keeps of an evaluation before and after a change."""
    return {
        "nip": evaluation.nip,
        "period": evaluation.period,
        "period_start": evaluation.period_start,
        "period_end": evaluation.period_end,
        "evaluator_nip": evaluation.evaluator_nip,
        "on_behalf": evaluation.on_behalf,
        "status": evaluation.status,
        "result_rating": evaluation.result_rating,
        "behavior_rating": evaluation.behavior_rating,
        "behavior_notes": evaluation.behavior_notes,
        "predikat": evaluation.predikat,
        "version": evaluation.version,
        "reopened_count": evaluation.reopened_count,
        "acknowledged_at": evaluation.acknowledged_at,
    }


def _parse(code: str) -> Period:
    try:
        return parse_period(code)
    except BadPeriod as exc:
        raise BadPeriodInput(str(exc), errors=[{"loc": ["body", "period"], "msg": str(exc)}]) from None


@dataclass(frozen=True, slots=True)
class Part:
    """The stretch of a period one evaluator supervised (both ends inclusive) and the unit at its end."""

    supervisor_nip: str | None
    start: date
    end: date
    unit_id: uuid.UUID


async def parts_of(session: AsyncSession, nip: str, period: Period) -> dict[str | None, Part]:
    """Who supervised ``nip`` during ``period``, one part per supervisor, from the assignment history."""
    parts: dict[str | None, Part] = {}
    for a in await employees.assignments_during(session, nip, period.start, period.end):
        begin = max(a.valid_from, period.start)
        finish = period.end if a.valid_to is None else min(period.end, a.valid_to - timedelta(days=1))
        known = parts.get(a.supervisor_nip)
        if known is None:
            parts[a.supervisor_nip] = Part(a.supervisor_nip, begin, finish, a.unit_id)
        else:
            parts[a.supervisor_nip] = Part(
                a.supervisor_nip, min(known.start, begin), max(known.end, finish), a.unit_id
            )
    return parts


async def create_evaluation(
    session: AsyncSession, actor: Actor, nip: str, period_code: str, *, today: date
) -> Evaluation:
    """Open a DRAFT evaluation of ``nip`` for the part of ``period`` the caller supervised."""
    period = _parse(period_code)
    if period.start > today:
        raise WrongState(f"period {period.code} has not started yet (it begins {period.start.isoformat()})")
    if actor.nip == nip:
        raise SelfEvaluation("nobody evaluates themselves; your direct supervisor evaluates you")
    if await employees.get(session, nip) is None:
        raise EmployeeNotFound(f"no employee with NIP {nip}")
    parts = await parts_of(session, nip, period)
    if not parts:
        raise NoSupervision(f"employee {nip} has no recorded assignment during {period.code}")
    if actor.nip is not None and actor.nip in parts:
        part, evaluator, on_behalf = parts[actor.nip], actor.nip, None
    elif actor.is_admin and None in parts:
        part, evaluator, on_behalf = parts[None], None, GUBERNUR
    else:
        who = ", ".join(sorted(s for s in parts if s is not None)) or "the governor (through an admin)"
        raise NotDirectSupervisor(f"only the direct supervisor during {period.code} evaluates {nip}: {who}")
    existing = await repository.find(session, nip, period.code, evaluator)
    if existing is not None:
        raise EvaluationExists(f"this evaluation already exists: /v1/evaluations/{existing.id}")
    evaluation = Evaluation(
        id=uuid.uuid4(),
        nip=nip,
        unit_id=part.unit_id,
        period=period.code,
        period_start=part.start,
        period_end=part.end,
        evaluator_nip=evaluator,
        on_behalf=on_behalf,
        status=EvaluationStatus.DRAFT.value,
        behavior_notes={},
        version=1,
        reopened_count=0,
    )
    try:
        async with session.begin_nested():
            session.add(evaluation)
            await session.flush()
    except IntegrityError:
        raise EvaluationExists("this evaluation was just created by another request") from None
    await session.refresh(evaluation)
    await record(
        session,
        actor=actor.subject,
        action="evaluation.create",
        entity=ENTITY,
        entity_id=str(evaluation.id),
        after=snapshot(evaluation),
        on_behalf_of=on_behalf,
    )
    return evaluation


def _may_read(actor: Actor, evaluation: Evaluation, evaluator_supervisor: str | None) -> bool:
    if actor.reads_all:
        return True
    return actor.nip is not None and actor.nip in (
        evaluation.nip,
        evaluation.evaluator_nip,
        evaluator_supervisor,
    )


def _is_evaluator(actor: Actor, evaluation: Evaluation) -> bool:
    if evaluation.evaluator_nip is None:
        return actor.is_admin
    return actor.nip == evaluation.evaluator_nip


async def _load(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, *, for_update: bool = False
) -> Evaluation:
    evaluation = await repository.get(session, evaluation_id, for_update=for_update)
    if evaluation is None:
        raise EvaluationNotFound(f"no evaluation {evaluation_id}")
    sup = await repository.supervisor_of(session, evaluation.evaluator_nip)
    if not _may_read(actor, evaluation, sup):
        raise EvaluationNotFound(f"no evaluation {evaluation_id}")
    return evaluation


async def get_evaluation(session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID) -> Evaluation:
    """One evaluation for the employee, the evaluator, the evaluator's supervisor, admins and integrators;
    404 for anyone else, so its existence does not leak."""
    return await _load(session, actor, evaluation_id)


async def list_evaluations(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_id: uuid.UUID | None,
    period: str | None,
    nip: str | None,
    predikat_value: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Evaluation], str | None]:
    """A keyset page in id order of the evaluations the caller may see."""
    after = decode_cursor(cursor, 1)
    if not actor.reads_all and actor.nip is None:
        return [], None
    rows = await repository.list_page(
        session,
        visible_to=None if actor.reads_all else actor.nip,
        unit_id=unit_id,
        period=period,
        nip=nip,
        predikat=predikat_value,
        status=status,
        after_id=uuid.UUID(str(after[0])) if after else None,
        limit=limit + 1,
    )
    return page_of(rows, limit, lambda e: [str(e.id)])


def _check_writer(actor: Actor, evaluation: Evaluation) -> None:
    if not _is_evaluator(actor, evaluation):
        raise NotAllowed("only the evaluator changes an evaluation")


def _check_etag(evaluation: Evaluation, if_match: str | None, *, required: bool) -> None:
    if if_match is None:
        if required:
            raise IfMatchRequired("send If-Match with the ETag you read, so no change is overwritten")
        return
    if not _matches(if_match, etag_of(evaluation)):
        raise StaleEvaluation(
            f"the evaluation changed since you read it (now {etag_of(evaluation)}); read it again and retry"
        )


def _locked(evaluation: Evaluation) -> None:
    if evaluation.status == EvaluationStatus.FINAL:
        raise EvaluationLocked("the evaluation is FINAL and locked; an admin can reopen it with a reason")


def _bump(evaluation: Evaluation) -> None:
    evaluation.version += 1
    evaluation.updated_at = _now()


def normalise_notes(notes: dict[Any, BehaviorNote | str]) -> dict[str, dict[str, Any]]:
    """Plain-string notes become ``{level: null, note}``; keys are the BerAKHLAK values."""
    out: dict[str, dict[str, Any]] = {}
    for key, value in notes.items():
        note = value if isinstance(value, BehaviorNote) else BehaviorNote(note=value)
        out[str(getattr(key, "value", key))] = {
            "level": note.level.value if note.level else None,
            "note": note.note,
        }
    return out


async def update_evaluation(
    session: AsyncSession,
    actor: Actor,
    evaluation_id: uuid.UUID,
    data: EvaluationUpdate,
    *,
    if_match: str | None,
) -> Evaluation:
    """Change ratings and notes of a DRAFT under If-Match (428 without, 412 stale, 409 once FINAL)."""
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    _check_writer(actor, evaluation)
    if if_match is None:
        raise IfMatchRequired("send If-Match with the ETag you read, so no change is overwritten")
    # Locked before stale: a client holding the pre-finalisation ETag learns the record is locked.
    _locked(evaluation)
    _check_etag(evaluation, if_match, required=True)
    before = snapshot(evaluation)
    fields = data.model_fields_set
    if "result_rating" in fields:
        evaluation.result_rating = data.result_rating.value if data.result_rating else None
    if "behavior_rating" in fields:
        evaluation.behavior_rating = data.behavior_rating.value if data.behavior_rating else None
    if "behavior_notes" in fields:
        evaluation.behavior_notes = normalise_notes(dict(data.behavior_notes or {}))
    _bump(evaluation)
    await session.flush()
    await record(
        session,
        actor=actor.subject,
        action="evaluation.update",
        entity=ENTITY,
        entity_id=str(evaluation.id),
        before=before,
        after=snapshot(evaluation),
        on_behalf_of=evaluation.on_behalf,
    )
    return evaluation


async def delete_evaluation(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, *, if_match: str | None
) -> None:
    """The evaluator discards a DRAFT that was never final (a reopened one keeps its history: 409)."""
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    _check_writer(actor, evaluation)
    _locked(evaluation)
    _check_etag(evaluation, if_match, required=False)
    if evaluation.reopened_count:
        raise EvaluationLocked("a reopened evaluation was final once; correct it instead of deleting it")
    before = snapshot(evaluation)
    await session.delete(evaluation)
    await session.flush()
    await record(
        session,
        actor=actor.subject,
        action="evaluation.delete",
        entity=ENTITY,
        entity_id=str(evaluation_id),
        before=before,
        on_behalf_of=evaluation.on_behalf,
    )


async def finalize(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, *, if_match: str | None
) -> Evaluation:
    """Compute the predikat and lock the record. The row lock makes a second, simultaneous finalisation
    wait and then see FINAL (409). Enqueues development needs, and the unit aggregate when this was the
    unit's last open evaluation for the period."""
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    _check_writer(actor, evaluation)
    _locked(evaluation)
    _check_etag(evaluation, if_match, required=False)
    if evaluation.result_rating is None or evaluation.behavior_rating is None:
        missing = [n for n in ("result_rating", "behavior_rating") if getattr(evaluation, n) is None]
        raise EvaluationIncomplete(f"set {' and '.join(missing)} before finalising")
    before = snapshot(evaluation)
    evaluation.predikat = predikat(Rating(evaluation.result_rating), Rating(evaluation.behavior_rating)).value
    evaluation.status = EvaluationStatus.FINAL.value
    evaluation.finalized_at = _now()
    _bump(evaluation)
    await session.flush()
    await record(
        session,
        actor=actor.subject,
        action="evaluation.finalize",
        entity=ENTITY,
        entity_id=str(evaluation.id),
        before=before,
        after=snapshot(evaluation),
        on_behalf_of=evaluation.on_behalf,
    )
    await publication.after_finalize(session, evaluation, by=actor.subject)
    return evaluation


def _reopen(evaluation: Evaluation) -> None:
    evaluation.status = EvaluationStatus.DRAFT.value
    evaluation.predikat = None
    evaluation.finalized_at = None
    evaluation.acknowledged_at = None
    evaluation.reopened_count += 1
    _bump(evaluation)


async def reopen(session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, reason: str) -> Evaluation:
    """An admin reopens a FINAL evaluation for correction; the reason goes to the audit log."""
    if not actor.is_admin:
        raise NotAllowed("only an admin reopens an evaluation")
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    if evaluation.status != EvaluationStatus.FINAL:
        raise WrongState("only a FINAL evaluation can be reopened")
    before = snapshot(evaluation)
    _reopen(evaluation)
    await session.flush()
    await record(
        session,
        actor=actor.subject,
        action="evaluation.reopen",
        entity=ENTITY,
        entity_id=str(evaluation.id),
        before=before,
        after=snapshot(evaluation),
        reason=reason,
    )
    return evaluation


async def acknowledge(session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID) -> Evaluation:
    """The evaluated employee acknowledges a FINAL evaluation (idempotent)."""
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    if actor.nip != evaluation.nip:
        raise NotAllowed("only the evaluated employee acknowledges an evaluation")
    if evaluation.status != EvaluationStatus.FINAL:
        raise WrongState("only a FINAL evaluation can be acknowledged")
    if evaluation.acknowledged_at is not None:
        return evaluation
    before = snapshot(evaluation)
    evaluation.acknowledged_at = _now()
    _bump(evaluation)
    await session.flush()
    await record(
        session,
        actor=actor.subject,
        action="evaluation.acknowledge",
        entity=ENTITY,
        entity_id=str(evaluation.id),
        before=before,
        after=snapshot(evaluation),
    )
    return evaluation


async def lodge_objection(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, reason: str
) -> Objection:
    """The evaluated employee objects (keberatan) to a FINAL evaluation; one undecided objection at a time."""
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    if actor.nip != evaluation.nip:
        raise NotAllowed("only the evaluated employee lodges an objection")
    if evaluation.status != EvaluationStatus.FINAL:
        raise WrongState("an objection is lodged against a FINAL evaluation")
    if await repository.pending_objection(session, evaluation.id) is not None:
        raise WrongState("an objection to this evaluation is already waiting for a decision")
    objection = Objection(
        id=uuid.uuid4(),
        evaluation_id=evaluation.id,
        nip=evaluation.nip,
        reason=reason,
        status=ObjectionStatus.PENDING.value,
    )
    session.add(objection)
    await session.flush()
    await session.refresh(objection)
    await record(
        session,
        actor=actor.subject,
        action="objection.create",
        entity=ENTITY,
        entity_id=str(evaluation.id),
        after={"objection_id": str(objection.id), "status": objection.status},
        reason=reason,
    )
    return objection


async def _decider(session: AsyncSession, evaluation: Evaluation) -> str | None:
    """The evaluator's own supervisor (atasan pejabat penilai), None when an admin decides."""
    return await repository.supervisor_of(session, evaluation.evaluator_nip)


async def get_objection(session: AsyncSession, actor: Actor, objection_id: uuid.UUID) -> Objection:
    """One objection for the objector, the evaluator, the decider, admins and integrators."""
    objection = await repository.get_objection(session, objection_id)
    if objection is None:
        raise ObjectionNotFound(f"no objection {objection_id}")
    try:
        await _load(session, actor, objection.evaluation_id)
    except EvaluationNotFound:
        raise ObjectionNotFound(f"no objection {objection_id}") from None
    return objection


async def decide_objection(
    session: AsyncSession, actor: Actor, objection_id: uuid.UUID, *, accept: bool, note: str | None
) -> Objection:
    """The evaluator's supervisor (an admin when the evaluator has none, or for the governor's evaluations)
    decides. Accepting reopens the evaluation so the evaluator corrects it."""
    objection = await repository.get_objection(session, objection_id, for_update=True)
    if objection is None:
        raise ObjectionNotFound(f"no objection {objection_id}")
    evaluation = await repository.get(session, objection.evaluation_id, for_update=True)
    if evaluation is None:
        raise ObjectionNotFound(f"no objection {objection_id}")
    decider = await _decider(session, evaluation)
    allowed = actor.is_admin if decider is None else actor.nip == decider
    if not allowed:
        if _may_read(actor, evaluation, decider):
            raise NotAllowed("only the evaluator's own supervisor decides this objection")
        raise ObjectionNotFound(f"no objection {objection_id}")
    if objection.status != ObjectionStatus.PENDING:
        raise WrongState(f"the objection was already decided ({objection.status})")
    objection.status = (ObjectionStatus.ACCEPTED if accept else ObjectionStatus.REJECTED).value
    objection.decider_nip = actor.nip if decider is not None else None
    objection.decision_note = note
    objection.decided_at = _now()
    before = snapshot(evaluation)
    if accept and evaluation.status == EvaluationStatus.FINAL:
        _reopen(evaluation)
    await session.flush()
    await record(
        session,
        actor=actor.subject,
        action="objection.accept" if accept else "objection.reject",
        entity=ENTITY,
        entity_id=str(evaluation.id),
        before=before,
        after={
            **snapshot(evaluation),
            "objection_id": str(objection.id),
            "objection_status": objection.status,
        },
        reason=note,
        on_behalf_of=GUBERNUR if decider is None else None,
    )
    return objection
