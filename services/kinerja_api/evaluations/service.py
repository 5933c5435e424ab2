"""Rules of period results: who evaluates whom for a period, the predikat, the lock, reopening,
acknowledgement and objections (the parts of a result are in ``parts.py``). Every change ends in
``_changed``: one ``record_change`` (audit entry, change-log row and events) from the state before and after.

PermenPANRB 6/2022 and domain.md §11.1: the person ends each period with **one** result and one predikat,
given by the supervisor of record at the period's end (the reporting line in employee_assignment; someone
who left is rated by their last supervisor, in their last unit). Supervisors of earlier stretches of the
period assess their stretch as a part, without predikat; the result cannot be finalised while a part is
DRAFT. A unit head answers to the governor, who is outside the system: an admin evaluates in the governor's
name (``on_behalf = GUBERNUR``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.changes import Event, State, record_change
from services.common.changes.catalogue.kinerja import EvaluationFinalized
from services.common.conditional import check_if_match, require_if_match, strong_etag
from services.common.db import Reader
from services.common.i18n import joined, message_of, msg
from services.common.pagination import decode_cursor, page_json, read_page
from services.common.roles import Role
from services.kinerja_api import staff
from services.kinerja_api.calendar import service as calendar
from services.kinerja_api.calendar.periods import BadPeriod, Period, parse_period
from services.kinerja_api.caller import Caller, refuse_unscoped_integrator
from services.kinerja_api.evaluations import anchoring, curve, repository
from services.kinerja_api.evaluations.errors import (
    BadPeriodInput,
    DecisionNeedsRatings,
    EmployeeNotFound,
    EvaluationExists,
    EvaluationIncomplete,
    EvaluationLocked,
    EvaluationNotFound,
    IfMatchRequired,
    LeftTheService,
    NoSupervision,
    NotAllowed,
    NotDirectSupervisor,
    ObjectionExists,
    ObjectionNotFound,
    ObjectionWindowClosed,
    PartsOpen,
    PeriodNotEnded,
    ReportingLineChanged,
    SelfEvaluation,
    StaleEvaluation,
    WrongState,
)
from services.kinerja_api.evaluations.schemas import (
    BehaviorNote,
    EvaluationRead,
    EvaluationUpdate,
    MainResults,
)
from services.kinerja_api.events import SINK
from services.kinerja_api.predikat import predikat
from services.kinerja_api.publication import service as publication
from services.kinerja_api.snapshot import service as snapshot
from services.kinerja_api.staff import require_penilai
from services.kinerja_api.tables.evaluation_enums import (
    GUBERNUR,
    EvaluationKind,
    EvaluationStatus,
    ObjectionStatus,
    Rating,
)
from services.kinerja_api.tables.evaluations import Evaluation, Objection

ENTITY = "evaluation"


def _now() -> datetime:
    return clock.now()


def etag_of(evaluation: Evaluation) -> str:
    """The strong ETag of an evaluation's current version."""
    return strong_etag(evaluation.version)


def evaluation_data(evaluation: Evaluation) -> dict[str, Any]:
    """An evaluation as a dict: what the audit log keeps before and after a change, and what integrators
    read in the change log (the integrator role may read evaluations)."""
    return {
        "id": str(evaluation.id),
        "kind": evaluation.kind,
        "result_id": str(evaluation.result_id) if evaluation.result_id else None,
        "nip": evaluation.nip,
        "unit_id": str(evaluation.unit_id),
        "period": evaluation.period,
        "period_start": evaluation.period_start,
        "period_end": evaluation.period_end,
        "evaluator_nip": evaluation.evaluator_nip,
        "on_behalf": evaluation.on_behalf,
        "status": evaluation.status,
        "result_rating": evaluation.result_rating,
        "behavior_rating": evaluation.behavior_rating,
        "behavior_notes": evaluation.behavior_notes,
        "main_ratings": evaluation.main_ratings,
        "result_reason": evaluation.result_reason,
        "behavior_reason": evaluation.behavior_reason,
        "predikat": evaluation.predikat,
        "version": evaluation.version,
        "reopened_count": evaluation.reopened_count,
        "finalized_at": evaluation.finalized_at,
        "acknowledged_at": evaluation.acknowledged_at,
        "decider_nip": evaluation.decider_nip,
        "closed_reason": evaluation.closed_reason,
        "org_alignment_reason": evaluation.org_alignment_reason,
    }


# Kept in the audit (admins only), never sent through the change log: behaviour notes are a supervisor's words
# about a person, and no scope makes them an integrator's business (issue 14).
# The same holds for the written reasons and the notes on the main results (issue 16).
CHANGE_LOG_WITHHOLDS = frozenset(
    {"behavior_notes", "main_ratings", "result_reason", "behavior_reason", "org_alignment_reason"}
)


def synced_data(evaluation: Evaluation) -> dict[str, Any]:
    """An evaluation as the change log carries it: :func:`evaluation_data` without
    :data:`CHANGE_LOG_WITHHOLDS`."""
    return {k: v for k, v in evaluation_data(evaluation).items() if k not in CHANGE_LOG_WITHHOLDS}


async def _changed(
    session: AsyncSession,
    actor: Caller,
    action: str,
    evaluation: Evaluation,
    before: State | None,
    *,
    bump: bool = True,
    deleted: bool = False,
    after: State | None = None,
    events: list[Event] | None = None,
    reason: str | None = None,
    on_behalf_of: str | None = None,
) -> None:
    """The tail of every write: bump the version (``bump``), flush, record the change with the
    evaluation's state before and after. ``after`` overrides the audited after-state when the action
    concerns a part (an objection); the change log still gets the whole evaluation."""
    if bump and not deleted:
        evaluation.version += 1
        evaluation.updated_at = _now()
    await session.flush()
    state = None if deleted else evaluation_data(evaluation)
    await record_change(
        session,
        SINK,
        actor=actor.subject,
        action=action,
        entity=ENTITY,
        entity_id=str(evaluation.id),
        before=before,
        after=state if after is None else after,
        synced=None if deleted else synced_data(evaluation),
        events=events or [],
        reason=reason,
        on_behalf_of=on_behalf_of,
    )


def _parse(code: str) -> Period:
    try:
        return parse_period(code)
    except BadPeriod as exc:
        raise BadPeriodInput(message_of(exc), errors=[{"loc": ["body", "period"], "msg": str(exc)}]) from None


@dataclass(frozen=True, slots=True)
class Stretch:
    """A stretch of a period under one supervisor (both ends inclusive) and the unit at its end."""

    supervisor_nip: str | None
    start: date
    end: date
    unit_id: uuid.UUID

    def held_by(self, actor: Caller) -> bool:
        """The caller supervised this stretch (an admin stands for the governor)."""
        if self.supervisor_nip is None:
            return actor.is_admin
        return actor.acting_nip == self.supervisor_nip


async def stretches_of(session: AsyncSession, nip: str, period: Period) -> list[Stretch]:
    """Who supervised ``nip`` during ``period``, oldest first, from the assignment history. Adjacent
    assignments under one supervisor (a unit change only) merge; A->B->A gives A two stretches. The last
    stretch is the supervisor of record at the period's end: the result's evaluator."""
    out: list[Stretch] = []
    for a in await staff.assignments_during(session, nip, period.start, period.end):
        begin = max(a.valid_from, period.start)
        finish = period.end if a.valid_to is None else min(period.end, a.valid_to - timedelta(days=1))
        if out and out[-1].supervisor_nip == a.supervisor_nip and out[-1].end + timedelta(days=1) == begin:
            out[-1] = Stretch(a.supervisor_nip, out[-1].start, finish, a.unit_id)
        else:
            out.append(Stretch(a.supervisor_nip, begin, finish, a.unit_id))
    return out


async def check_active(session: AsyncSession, actor: Caller) -> None:
    """A deactivated employee (someone who left the service) cannot act, whatever their token says."""
    if actor.acting_nip is None:
        return
    me = await staff.get(session, actor.acting_nip)
    if me is not None and not me.active:
        raise LeftTheService(
            msg(
                "employee {acting_nip} is no longer active and cannot act on evaluations",
                acting_nip=actor.acting_nip,
            )
        )


async def create_evaluation(
    session: AsyncSession, actor: Caller, nip: str, period_code: str, *, today: date
) -> Evaluation:
    """Open the DRAFT period result of ``nip``. Its evaluator is the supervisor of record at the period's
    end; any supervisor of the period may open it (an earlier one then adds their part to it)."""
    period = _parse(period_code)
    if period.start > today:
        raise WrongState(
            msg(
                "period {code} has not started yet (it begins {start})",
                code=period.code,
                start=period.start.isoformat(),
            )
        )
    if actor.acting_nip == nip:
        raise SelfEvaluation(msg("nobody evaluates themselves; your direct supervisor evaluates you"))
    await calendar.check_in_cadence(session, period, for_share=True)
    if await staff.get(session, nip) is None:
        raise EmployeeNotFound(msg("no employee with NIP {nip}", nip=nip))
    await check_active(session, actor)
    stretches = await stretches_of(session, nip, period)
    if not stretches:
        raise NoSupervision(
            msg("employee {nip} has no recorded assignment during {code}", nip=nip, code=period.code)
        )
    if not any(s.held_by(actor) for s in stretches):
        who = joined(
            ", ",
            sorted({s.supervisor_nip or msg("the governor (through an admin)") for s in stretches}),
        )
        raise NotDirectSupervisor(
            msg(
                "only a direct supervisor during {code} evaluates {nip}: {who}",
                code=period.code,
                nip=nip,
                who=who,
            )
        )
    part = stretches[-1]
    evaluator = part.supervisor_nip
    on_behalf = GUBERNUR if evaluator is None else None
    existing = await repository.find_result(session, nip, period.code)
    if existing is not None:
        raise EvaluationExists(
            msg(
                "the {code} result of {nip} already exists: /v1/evaluations/{id} (earlier supervisors add their part at /v1/evaluations/{id}/parts)",
                code=period.code,
                nip=nip,
                id=existing.id,
            )
        )
    evaluation = Evaluation(
        id=uuid.uuid4(),
        kind=EvaluationKind.RESULT.value,
        nip=nip,
        unit_id=part.unit_id,
        period=period.code,
        period_start=part.start,
        period_end=part.end,
        evaluator_nip=evaluator,
        on_behalf=on_behalf,
        status=EvaluationStatus.DRAFT.value,
        behavior_notes={},
        main_ratings={},
        version=1,
        reopened_count=0,
    )
    try:
        async with session.begin_nested():
            session.add(evaluation)
            await session.flush()
    except IntegrityError:
        raise EvaluationExists(
            msg("the {code} result of {nip} was just opened by another request", code=period.code, nip=nip)
        ) from None
    await session.refresh(evaluation)
    if period.is_annual:
        # Pre-filled from the year's periodic results (issue 16): the most frequent rating, ties to the latest.
        pre_result, pre_behavior = await anchoring.annual_prefill(session, evaluation)
        evaluation.result_rating = pre_result.value if pre_result else None
        evaluation.behavior_rating = pre_behavior.value if pre_behavior else None
        await session.flush()
    await _changed(session, actor, "evaluation.create", evaluation, None, bump=False, on_behalf_of=on_behalf)
    return evaluation


async def main_results_of(session: AsyncSession, actor: Caller, evaluation_id: uuid.UUID) -> MainResults:
    """The main results a result or a part is rated on, for whoever may read it."""
    evaluation = await _load(session, actor, evaluation_id, results_only=False)
    return await anchoring.main_results(session, evaluation)


def reads_every_evaluation(actor: Caller) -> bool:
    """Admins and integrators granted ``kinerja:individual`` read every evaluation (lists included); nobody
    else does."""
    return actor.is_admin or (Role.INTEGRATOR in actor.roles and actor.reads_individuals)


def _may_read(actor: Caller, evaluation: Evaluation, evaluator_supervisor: str | None) -> bool:
    """Who reads one result or part (anyone else gets 404, so its existence does not leak):

    1. admins and integrators (:func:`reads_every_evaluation`);
    2. the evaluated employee;
    3. the evaluator (of a part: its author);
    4. the decider of objections (:func:`decider_of`; of a part: the result's evaluator, passed in).

    Employees are matched by ``acting_nip``; a caller without one reads nothing beyond rule 1. Supervisors
    of an earlier stretch of the period also read the result (:func:`_load`): visibility is frozen in time."""
    if reads_every_evaluation(actor):
        return True
    return actor.acting_nip is not None and actor.acting_nip in (
        evaluation.nip,
        evaluation.evaluator_nip,
        evaluator_supervisor,
    )


async def decider_of(session: AsyncSession, evaluation: Evaluation) -> str | None:
    """The evaluator's superior (atasan pejabat penilai), who decides objections; None when an admin
    decides. Stored at the first finalisation and never recomputed (domain.md §11.2); before that, whoever
    supervises the evaluator today."""
    if evaluation.finalized_at is not None or evaluation.reopened_count or evaluation.decider_nip:
        return evaluation.decider_nip
    return await repository.supervisor_of(session, evaluation.evaluator_nip)


def _is_evaluator(actor: Caller, evaluation: Evaluation) -> bool:
    """Who changes, finalises or deletes an evaluation (others who may read it get 403):

    1. its evaluator (the direct supervisor who opened it);
    2. an admin, when it was opened on behalf of the governor (no evaluator NIP).

    Elsewhere in this module: nobody opens their own evaluation; only the direct supervisor during the
    period opens one (an admin for the governor's part); only admins reopen; only the evaluated employee
    acknowledges or objects; the evaluator's supervisor (an admin for the governor) decides objections."""
    if evaluation.evaluator_nip is None:
        return actor.is_admin
    return actor.acting_nip == evaluation.evaluator_nip


async def supervised_during(session: AsyncSession, actor: Caller, evaluation: Evaluation) -> list[Stretch]:
    """The stretches of the evaluation's period the caller supervised."""
    if actor.acting_nip is None:
        return []
    stretches = await stretches_of(session, evaluation.nip, parse_period(evaluation.period))
    return [s for s in stretches if s.supervisor_nip == actor.acting_nip]


async def _load(
    session: AsyncSession,
    actor: Caller,
    evaluation_id: uuid.UUID,
    *,
    for_update: bool = False,
    results_only: bool = True,
) -> Evaluation:
    """A result the caller may read (a part, with ``results_only=False``); 404 otherwise."""
    evaluation = await repository.get(session, evaluation_id, for_update=for_update)
    if evaluation is None or (results_only and evaluation.kind != EvaluationKind.RESULT):
        raise EvaluationNotFound(msg("no evaluation {evaluation_id}", evaluation_id=evaluation_id))
    if evaluation.kind == EvaluationKind.PART and evaluation.result_id is not None:
        result = await repository.get(session, evaluation.result_id)
        sup = result.evaluator_nip if result else None
    else:
        sup = await decider_of(session, evaluation)
    if _may_read(actor, evaluation, sup):
        return evaluation
    if evaluation.kind == EvaluationKind.RESULT and await supervised_during(session, actor, evaluation):
        return evaluation
    raise EvaluationNotFound(msg("no evaluation {evaluation_id}", evaluation_id=evaluation_id))


async def get_evaluation(session: AsyncSession, actor: Caller, evaluation_id: uuid.UUID) -> Evaluation:
    """One evaluation for the employee, the evaluator, the evaluator's supervisor, admins and integrators;
    404 for anyone else, so its existence does not leak."""
    return await _load(session, actor, evaluation_id)


async def list_evaluations(
    session: Reader,
    actor: Caller,
    *,
    unit_id: uuid.UUID | None,
    period: str | None,
    nip: str | None,
    predikat_value: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> bytes:
    """The JSON of a keyset page in id order of the evaluations the caller may see (``Page[EvaluationRead]``)."""
    after = decode_cursor(cursor, 1)
    refuse_unscoped_integrator(actor)
    if not reads_every_evaluation(actor) and actor.acting_nip is None:
        return page_json(EvaluationRead, [], None)
    stmt, params = repository.list_page_statement(
        visible_to=None if reads_every_evaluation(actor) else actor.acting_nip,
        unit_id=unit_id,
        period=period,
        nip=nip,
        predikat=predikat_value,
        status=status,
        after_id=uuid.UUID(str(after[0])) if after else None,
        limit=limit + 1,
    )
    return await read_page(session, stmt, params, model=EvaluationRead, limit=limit, cursor_columns=("id",))


def _check_writer(actor: Caller, evaluation: Evaluation) -> None:
    if not _is_evaluator(actor, evaluation):
        raise NotAllowed(msg("only the evaluator changes an evaluation"))


def _check_etag(evaluation: Evaluation, if_match: str | None, *, required: bool) -> None:
    check_if_match(
        if_match,
        etag_of(evaluation),
        required=required,
        missing=IfMatchRequired,
        stale=StaleEvaluation,
        stale_detail=msg(
            "the evaluation changed since you read it (now {etag}); read it again and retry",
            etag=etag_of(evaluation),
        ),
    )


def _locked(evaluation: Evaluation) -> None:
    if evaluation.status == EvaluationStatus.FINAL:
        raise EvaluationLocked(
            msg("the evaluation is FINAL and locked; an admin can reopen it with a reason")
        )


async def check_period_ended(session: AsyncSession, evaluation: Evaluation) -> None:
    """A period is evaluated after it has run (issue 16; domain.md §11.1): 409 ``period-not-ended`` before the
    first day a result may be finalised (:func:`calendar.finalisable_from`: the quarter's last day; the year's
    31 December or the admin's earlier ``annual_final_from``), or, for a part, before its stretch's last day.
    Days are the province's (WIB)."""
    today = clock.today()
    if evaluation.kind == EvaluationKind.PART:
        if today < evaluation.period_end:
            raise PeriodNotEnded(
                msg(
                    "this part can be finalised from {day}, the last day of its stretch; today is {today}",
                    day=evaluation.period_end.isoformat(),
                    today=today.isoformat(),
                )
            )
        return
    period = parse_period(evaluation.period)
    day = await calendar.finalisable_from(session, period)
    if today >= day:
        return
    if period.is_annual:
        raise PeriodNotEnded(
            msg(
                "the annual {period} result can be finalised from {day}; today is {today} (the admin may set an earlier day at PUT /v1/calendar/{period}/rules)",
                period=period.code,
                day=day.isoformat(),
                today=today.isoformat(),
            )
        )
    raise PeriodNotEnded(
        msg(
            "the {period} result can be finalised from {day}, the last day of the period; today is {today}",
            period=period.code,
            day=day.isoformat(),
            today=today.isoformat(),
        )
    )


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
    actor: Caller,
    evaluation_id: uuid.UUID,
    data: EvaluationUpdate,
    *,
    if_match: str | None,
) -> Evaluation:
    """Change ratings and notes of a DRAFT under If-Match (428 without, 412 stale, 409 once FINAL)."""
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    return await write_ratings(
        session, actor, evaluation, data, if_match=if_match, action="evaluation.update"
    )


async def write_ratings(
    session: AsyncSession,
    actor: Caller,
    evaluation: Evaluation,
    data: EvaluationUpdate,
    *,
    if_match: str | None,
    action: str,
) -> Evaluation:
    """Ratings and notes of a DRAFT result or part, by its evaluator, under If-Match."""
    await check_active(session, actor)
    _check_writer(actor, evaluation)
    require_if_match(if_match, missing=IfMatchRequired)
    # Locked before stale: a client holding the pre-finalisation ETag learns the record is locked.
    _locked(evaluation)
    _check_etag(evaluation, if_match, required=True)
    before = evaluation_data(evaluation)
    fields = data.model_fields_set
    if "result_rating" in fields:
        evaluation.result_rating = data.result_rating.value if data.result_rating else None
    if "behavior_rating" in fields:
        evaluation.behavior_rating = data.behavior_rating.value if data.behavior_rating else None
    if "behavior_notes" in fields:
        evaluation.behavior_notes = normalise_notes(dict(data.behavior_notes or {}))
    if "main_ratings" in fields:
        evaluation.main_ratings = {
            str(k): {"rating": v.rating.value, "note": v.note} for k, v in (data.main_ratings or {}).items()
        }
    if "result_reason" in fields:
        evaluation.result_reason = (data.result_reason or "").strip() or None
    if "behavior_reason" in fields:
        evaluation.behavior_reason = (data.behavior_reason or "").strip() or None
    await _changed(session, actor, action, evaluation, before, on_behalf_of=evaluation.on_behalf)
    return evaluation


async def delete_evaluation(
    session: AsyncSession, actor: Caller, evaluation_id: uuid.UUID, *, if_match: str | None
) -> None:
    """The evaluator discards a DRAFT that was never final (a reopened one keeps its history: 409), and
    that holds no part yet (the parts are the earlier supervisors' work: 409)."""
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    await check_active(session, actor)
    _check_writer(actor, evaluation)
    _locked(evaluation)
    _check_etag(evaluation, if_match, required=False)
    if evaluation.reopened_count:
        raise EvaluationLocked(msg("a reopened evaluation was final once; correct it instead of deleting it"))
    if await repository.parts(session, evaluation.id):
        raise EvaluationLocked(
            msg("this result holds parts written by earlier supervisors; it cannot be discarded")
        )
    before = evaluation_data(evaluation)
    await session.delete(evaluation)
    await _changed(
        session,
        actor,
        "evaluation.delete",
        evaluation,
        before,
        deleted=True,
        on_behalf_of=evaluation.on_behalf,
    )


async def finalize(
    session: AsyncSession, actor: Caller, evaluation_id: uuid.UUID, *, if_match: str | None
) -> Evaluation:
    """Compute the predikat and lock the result. The row lock makes a second, simultaneous finalisation
    wait and then see FINAL (409). The employee's row is locked too, so a transfer committed meanwhile is
    either seen here (409: the reporting line changed) or waits and sees this result FINAL (409 there).
    Every part must be FINAL (an admin closes the part of an author who left the service). Stores the
    evaluator's superior, who decides objections. Enqueues development needs, and the unit aggregate when
    this was the unit's last open evaluation for the period.

    Locks in the order a transfer takes them, the employee's row first and then the evaluation's, so the two
    never deadlock (the checks between the two locks widened that window once finalising read the SKP)."""
    nip = await repository.nip_of(session, evaluation_id)
    if nip is not None:
        await staff.get(session, nip, for_update=True)
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    await check_active(session, actor)
    _check_writer(actor, evaluation)
    _locked(evaluation)
    _check_etag(evaluation, if_match, required=False)
    await check_period_ended(session, evaluation)
    if evaluation.result_rating is None or evaluation.behavior_rating is None:
        missing = [n for n in ("result_rating", "behavior_rating") if getattr(evaluation, n) is None]
        raise EvaluationIncomplete(msg("set {missing} before finalising", missing=", ".join(missing)))
    await require_penilai(
        session, evaluation.evaluator_nip, evaluation.nip, on=clock.today(), act=msg("finalising a result")
    )
    await calendar.check_in_cadence(session, parse_period(evaluation.period), for_share=True)
    await anchoring.check(session, evaluation)
    # Whether the employee heads the unit now, at finalisation: kept in the snapshot, where an objection's
    # decision finds it later (the head then, not whoever heads the unit at the decision).
    heads = await curve.heads_unit_now(session, evaluation)
    await curve.check_head_rating(session, evaluation, heads_unit=heads)
    stretches = await stretches_of(session, evaluation.nip, parse_period(evaluation.period))
    record = stretches[-1] if stretches else None
    if record is None or (record.supervisor_nip, record.start, record.end) != (
        evaluation.evaluator_nip,
        evaluation.period_start,
        evaluation.period_end,
    ):
        raise ReportingLineChanged(
            msg(
                "the reporting line of {nip} changed during {period} since this result was opened; the supervisor of record at the period's end is now {supervisor}: discard this draft and let them open the result, then add your part",
                nip=evaluation.nip,
                period=evaluation.period,
                supervisor=(record.supervisor_nip if record else None) or msg("the governor"),
            )
        )
    drafts = [p for p in await repository.parts(session, evaluation.id) if p.status == EvaluationStatus.DRAFT]
    if drafts:
        listed = "; ".join(
            f"{p.evaluator_nip or 'the governor'} {p.period_start.isoformat()}..{p.period_end.isoformat()}"
            for p in drafts
        )
        raise PartsOpen(
            msg(
                "the {period} result cannot be finalised while a part is DRAFT ({listed}); its author finalises it, or an admin closes it with a reason when the author left the service",
                period=evaluation.period,
                listed=listed,
            )
        )
    if evaluation.finalized_at is None and not evaluation.reopened_count:
        evaluation.decider_nip = await repository.supervisor_of(session, evaluation.evaluator_nip)
    before = evaluation_data(evaluation)
    evaluation.predikat = predikat(Rating(evaluation.result_rating), Rating(evaluation.behavior_rating)).value
    evaluation.status = EvaluationStatus.FINAL.value
    evaluation.finalized_at = _now()
    evaluation.snapshot = await snapshot.take(
        session,
        nip=evaluation.nip,
        evaluator_nip=evaluation.evaluator_nip,
        decider_nip=evaluation.decider_nip,
        heads_unit=heads,
    )
    evaluation.version += 1
    evaluation.updated_at = _now()
    finalized = EvaluationFinalized(
        evaluation_id=str(evaluation.id),
        nip=evaluation.nip,
        period=evaluation.period,
        status=evaluation.status,
        unit_id=str(evaluation.unit_id),
    )
    await _changed_downstream(
        session,
        actor,
        "evaluation.finalize",
        evaluation,
        before,
        after=evaluation_data(evaluation),
        events=[finalized],
        on_behalf_of=evaluation.on_behalf,
    )
    return evaluation


async def _changed_downstream(
    session: AsyncSession,
    actor: Caller,
    action: str,
    evaluation: Evaluation,
    before: State,
    *,
    after: State,
    events: list[Event],
    reason: str | None = None,
    on_behalf_of: str | None = None,
) -> None:
    """Record a change that sets a FINAL result's ratings, with what a finalisation sends downstream: the
    development needs for pelatihan and, when no evaluation of the unit's period is still open, the unit
    aggregate (and the organisation's targets) for publik (``publication.after_finalize``). Finalising and
    an accepted objection (the atasan sets new ratings) both end here, so pelatihan and publik see the
    ratings that stand. The caller has bumped the version."""
    # The aggregate counts this evaluation as FINAL with its new predikat, so it is computed after the flush.
    await session.flush()
    published = await publication.after_finalize(session, evaluation)
    recorded = await record_change(
        session,
        SINK,
        actor=actor.subject,
        action=action,
        entity=ENTITY,
        entity_id=str(evaluation.id),
        before=before,
        after=after,
        synced=synced_data(evaluation),
        events=[*events, *published.events],
        reason=reason,
        on_behalf_of=on_behalf_of,
    )
    await published.remember(session, recorded, by=actor.subject)


def _reopen(evaluation: Evaluation) -> None:
    evaluation.status = EvaluationStatus.DRAFT.value
    evaluation.predikat = None
    evaluation.finalized_at = None
    evaluation.acknowledged_at = None
    evaluation.reopened_count += 1
    evaluation.version += 1
    evaluation.updated_at = _now()


async def reopen(session: AsyncSession, actor: Caller, evaluation_id: uuid.UUID, reason: str) -> Evaluation:
    """An admin reopens a FINAL evaluation for correction; the reason goes to the audit log."""
    if not actor.is_admin:
        raise NotAllowed(msg("only an admin reopens an evaluation"))
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    if evaluation.status != EvaluationStatus.FINAL:
        raise WrongState(msg("only a FINAL evaluation can be reopened"))
    if await repository.has_objection(session, evaluation.id, decided=True):
        raise WrongState(
            msg("the atasan's decision on the objection to this result is final; it is not reopened")
        )
    before = evaluation_data(evaluation)
    _reopen(evaluation)
    await _changed(session, actor, "evaluation.reopen", evaluation, before, bump=False, reason=reason)
    return evaluation


async def record_org_alignment_exception(
    session: AsyncSession, actor: Caller, evaluation_id: uuid.UUID, reason: str
) -> Evaluation:
    """An admin records why a unit head's result rating may depart from the rating the organisation predikat
    gives (domain.md §11.3); finalising, and the atasan's decision on an objection, then accept it. On a result
    still DRAFT, or FINAL with an objection waiting for the atasan's decision (who may set a departing rating);
    the reason is audited."""
    if not actor.is_admin:
        raise NotAllowed(msg("only an admin records an exception to the organisation predikat"))
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    open_ = evaluation.status == EvaluationStatus.DRAFT or (
        evaluation.status == EvaluationStatus.FINAL
        and await repository.pending_objection(session, evaluation.id) is not None
    )
    if evaluation.kind != EvaluationKind.RESULT or not open_:
        raise WrongState(
            msg(
                "an exception to the organisation predikat is recorded on a DRAFT result, or on a FINAL one with a pending objection"
            )
        )
    before = evaluation_data(evaluation)
    evaluation.org_alignment_reason = reason
    evaluation.org_alignment_by = actor.subject
    await _changed(session, actor, "evaluation.org_alignment_exception", evaluation, before, reason=reason)
    return evaluation


async def acknowledge(session: AsyncSession, actor: Caller, evaluation_id: uuid.UUID) -> Evaluation:
    """The evaluated employee acknowledges a FINAL evaluation (idempotent)."""
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    await check_active(session, actor)
    if actor.acting_nip != evaluation.nip:
        raise NotAllowed(msg("only the evaluated employee acknowledges an evaluation"))
    if evaluation.status != EvaluationStatus.FINAL:
        raise WrongState(msg("only a FINAL evaluation can be acknowledged"))
    if evaluation.acknowledged_at is not None:
        return evaluation
    before = evaluation_data(evaluation)
    evaluation.acknowledged_at = _now()
    await _changed(session, actor, "evaluation.acknowledge", evaluation, before)
    return evaluation


async def lodge_objection(
    session: AsyncSession, actor: Caller, evaluation_id: uuid.UUID, reason: str
) -> Objection:
    """The evaluated employee objects (keberatan) to a FINAL result (never to a part: 404 here, since a
    part is not a result); one undecided objection at a time."""
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    await check_active(session, actor)
    if actor.acting_nip != evaluation.nip:
        raise NotAllowed(msg("only the evaluated employee lodges an objection"))
    if evaluation.status != EvaluationStatus.FINAL:
        raise WrongState(msg("an objection is lodged against a FINAL evaluation"))
    if await repository.pending_objection(session, evaluation.id) is not None:
        raise WrongState(msg("an objection to this evaluation is already waiting for a decision"))
    if await repository.has_objection(session, evaluation.id):
        raise ObjectionExists(
            msg(
                "one objection per result: an objection to this result was already decided, and that decision is final"
            )
        )
    rules = await calendar.year_rules(session, parse_period(evaluation.period).year)
    received = clock.wib_date(evaluation.finalized_at or _now())
    last_day = received + timedelta(days=rules.objection_days)
    if clock.today() > last_day:
        raise ObjectionWindowClosed(
            msg(
                "an objection is lodged within {days} days of finalisation: this result was finalised on {received}, the last day was {last_day}",
                days=rules.objection_days,
                received=received.isoformat(),
                last_day=last_day.isoformat(),
            )
        )
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
    await _changed(
        session,
        actor,
        "objection.create",
        evaluation,
        None,
        bump=False,
        after={"objection_id": str(objection.id), "status": objection.status},
        reason=reason,
    )
    return objection


async def get_objection(session: AsyncSession, actor: Caller, objection_id: uuid.UUID) -> Objection:
    """One objection for the objector, the evaluator, the decider, admins and integrators."""
    objection = await repository.get_objection(session, objection_id)
    if objection is None:
        raise ObjectionNotFound(msg("no objection {objection_id}", objection_id=objection_id))
    try:
        await _load(session, actor, objection.evaluation_id, results_only=False)
    except EvaluationNotFound:
        raise ObjectionNotFound(msg("no objection {objection_id}", objection_id=objection_id)) from None
    return objection


async def decide_objection(
    session: AsyncSession,
    actor: Caller,
    objection_id: uuid.UUID,
    *,
    accept: bool,
    note: str | None,
    result_rating: Rating | None = None,
    behavior_rating: Rating | None = None,
) -> Objection:
    """The atasan pejabat penilai stored at the first finalisation (an admin when the evaluator has none, or
    for the governor's evaluations) decides (PP 30/2019 Pasal 59; domain.md §11.2): rejecting keeps the
    ratings; accepting **sets** them (``result_rating`` and/or ``behavior_rating``): the predikat is computed
    again and the result stays FINAL, so the evaluator does not decide again. The decision is final."""
    objection = await repository.get_objection(session, objection_id, for_update=True)
    if objection is None:
        raise ObjectionNotFound(msg("no objection {objection_id}", objection_id=objection_id))
    evaluation = await repository.get(session, objection.evaluation_id, for_update=True)
    if evaluation is None:
        raise ObjectionNotFound(msg("no objection {objection_id}", objection_id=objection_id))
    decider = await decider_of(session, evaluation)
    allowed = actor.is_admin if decider is None else actor.acting_nip == decider
    if not allowed:
        if _may_read(actor, evaluation, decider):
            raise NotAllowed(msg("only the evaluator's own supervisor decides this objection"))
        raise ObjectionNotFound(msg("no objection {objection_id}", objection_id=objection_id))
    if objection.status != ObjectionStatus.PENDING:
        raise WrongState(msg("the objection was already decided ({status})", status=objection.status))
    if evaluation.kind != EvaluationKind.RESULT:
        raise WrongState(
            msg(
                "this objection was lodged against an evaluation that is now a part of the period result; it stays "
                "as history, read-only: object to the period result instead"
            )
        )
    await check_active(session, actor)
    if accept and result_rating is None and behavior_rating is None:
        raise DecisionNeedsRatings(
            msg("accepting an objection sets the result: send result_rating and/or behavior_rating")
        )
    if not accept and (result_rating is not None or behavior_rating is not None):
        raise DecisionNeedsRatings(msg("rejecting an objection keeps the ratings: send no rating"))
    objection.status = (ObjectionStatus.ACCEPTED if accept else ObjectionStatus.REJECTED).value
    objection.decider_nip = actor.acting_nip if decider is not None else None
    objection.decision_note = note
    objection.decided_at = _now()
    before = evaluation_data(evaluation)
    action = "objection.accept" if accept else "objection.reject"
    decided = {"objection_id": str(objection.id), "objection_status": objection.status}
    on_behalf = GUBERNUR if decider is None else None
    if accept and evaluation.status == EvaluationStatus.FINAL:
        if result_rating is not None:
            evaluation.result_rating = result_rating.value
        if behavior_rating is not None:
            evaluation.behavior_rating = behavior_rating.value
        # The unit head's rating follows the organisation predikat (§11.3), judged on who headed the unit at
        # finalisation (the snapshot), unless an admin recorded an exception.
        await curve.check_head_rating(
            session, evaluation, heads_unit=await curve.heads_unit_at_finalisation(session, evaluation)
        )
        evaluation.predikat = predikat(
            Rating(evaluation.result_rating or Rating.SESUAI_EKSPEKTASI),
            Rating(evaluation.behavior_rating or Rating.SESUAI_EKSPEKTASI),
        ).value
        evaluation.version += 1
        evaluation.updated_at = _now()
        await _changed_downstream(
            session,
            actor,
            action,
            evaluation,
            before,
            after={**evaluation_data(evaluation), **decided},
            events=[],
            reason=note,
            on_behalf_of=on_behalf,
        )
        return objection
    await _changed(
        session,
        actor,
        action,
        evaluation,
        before,
        bump=False,
        after={**evaluation_data(evaluation), **decided},
        reason=note,
        on_behalf_of=on_behalf,
    )
    return objection
