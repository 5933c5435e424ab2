"""Parts of a period result (domain.md §11.1): when the reporting line changes inside a period, each earlier
supervisor assesses the stretch they supervised. A part has its own dates (a stretch of the assignment
history, so parts never overlap and A->B->A gives A two parts), result and behaviour ratings and notes, and
DRAFT/FINAL, but never a predikat: only the result counts. The result's evaluator reads every part before
finalising, and cannot finalise while one is DRAFT, unless an admin closed it because its author left the
service. A part's author keeps reading it (and the result it belongs to) after moving on."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.i18n import msg
from services.kinerja_api import staff
from services.kinerja_api.calendar.periods import parse_period
from services.kinerja_api.caller import Caller
from services.kinerja_api.evaluations import anchoring, repository
from services.kinerja_api.evaluations.errors import (
    EvaluationExists,
    EvaluationIncomplete,
    EvaluationLocked,
    NotAllowed,
    NotDirectSupervisor,
    PartNotFound,
    WrongState,
)
from services.kinerja_api.evaluations.schemas import EvaluationUpdate
from services.kinerja_api.evaluations.service import (
    _changed,
    _check_etag,
    _load,
    _now,
    check_active,
    check_period_ended,
    decider_of,
    evaluation_data,
    reads_every_evaluation,
    stretches_of,
    write_ratings,
)
from services.kinerja_api.staff import require_penilai
from services.kinerja_api.tables.evaluation_enums import GUBERNUR, EvaluationKind, EvaluationStatus
from services.kinerja_api.tables.evaluations import Evaluation


def _sees_every_part(actor: Caller, result: Evaluation, decider: str | None) -> bool:
    """Admins, integrators, the evaluated employee, the result's evaluator and the decider of objections
    read every part; an earlier supervisor reads only the parts they wrote."""
    if reads_every_evaluation(actor):
        return True
    return actor.acting_nip is not None and actor.acting_nip in (result.nip, result.evaluator_nip, decider)


async def list_parts(session: AsyncSession, actor: Caller, result_id: uuid.UUID) -> list[Evaluation]:
    """The parts of a result the caller may read, oldest stretch first."""
    result = await _load(session, actor, result_id)
    rows = await repository.parts(session, result.id)
    if _sees_every_part(actor, result, await decider_of(session, result)):
        return rows
    return [p for p in rows if p.evaluator_nip is not None and p.evaluator_nip == actor.acting_nip]


async def _part(
    session: AsyncSession,
    actor: Caller,
    result_id: uuid.UUID,
    part_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Evaluation:
    await _load(session, actor, result_id)
    visible = {p.id for p in await list_parts(session, actor, result_id)}
    part = await repository.get(session, part_id, for_update=for_update)
    if part is None or part.result_id != result_id or part.id not in visible:
        raise PartNotFound(
            msg("no part {part_id} of evaluation {result_id}", part_id=part_id, result_id=result_id)
        )
    return part


async def get_part(
    session: AsyncSession, actor: Caller, result_id: uuid.UUID, part_id: uuid.UUID
) -> Evaluation:
    """One part, for whoever may read it (404 otherwise)."""
    return await _part(session, actor, result_id, part_id)


async def create_part(
    session: AsyncSession, actor: Caller, result_id: uuid.UUID, start_on: date | None
) -> Evaluation:
    """An earlier supervisor of the period opens a DRAFT part for a stretch they supervised: the one
    starting on ``start_on``, else the first of theirs without a part yet. 403 for anyone who did not
    supervise an earlier stretch; 409 when the stretch has its part already or the result is FINAL."""
    result = await _load(session, actor, result_id, for_update=True)
    await check_active(session, actor)
    if result.status == EvaluationStatus.FINAL:
        raise EvaluationLocked(
            msg(
                "the {period} result is FINAL; an admin reopens it with a reason before a part is added",
                period=result.period,
            )
        )
    stretches = (await stretches_of(session, result.nip, parse_period(result.period)))[:-1]
    mine = [s for s in stretches if s.held_by(actor)]
    if not mine:
        raise NotDirectSupervisor(
            msg(
                "only a supervisor of an earlier stretch of {period} assesses a part of this result",
                period=result.period,
            )
        )
    taken = {p.period_start for p in await repository.parts(session, result.id)}
    if start_on is not None:
        chosen = [s for s in mine if s.start == start_on]
        if not chosen:
            starts = ", ".join(s.start.isoformat() for s in mine)
            raise WrongState(
                msg(
                    "none of your stretches of {period} starts on {start_on}: {starts}",
                    period=result.period,
                    start_on=start_on,
                    starts=starts,
                )
            )
    else:
        chosen = [s for s in mine if s.start not in taken] or mine[:1]
    stretch = chosen[0]
    if stretch.start in taken:
        raise EvaluationExists(
            msg(
                "the part {start}..{end} of this result exists already",
                start=stretch.start.isoformat(),
                end=stretch.end.isoformat(),
            )
        )
    part = Evaluation(
        id=uuid.uuid4(),
        kind=EvaluationKind.PART.value,
        result_id=result.id,
        nip=result.nip,
        unit_id=stretch.unit_id,
        period=result.period,
        period_start=stretch.start,
        period_end=stretch.end,
        evaluator_nip=stretch.supervisor_nip,
        on_behalf=GUBERNUR if stretch.supervisor_nip is None else None,
        status=EvaluationStatus.DRAFT.value,
        behavior_notes={},
        main_ratings={},
        version=1,
        reopened_count=0,
    )
    try:
        async with session.begin_nested():
            session.add(part)
            await session.flush()
    except IntegrityError:
        raise EvaluationExists(msg("this part was just opened by another request")) from None
    await session.refresh(part)
    await _changed(
        session, actor, "evaluation.part.create", part, None, bump=False, on_behalf_of=part.on_behalf
    )
    return part


async def update_part(
    session: AsyncSession,
    actor: Caller,
    result_id: uuid.UUID,
    part_id: uuid.UUID,
    data: EvaluationUpdate,
    *,
    if_match: str | None,
) -> Evaluation:
    """The part's author sets ratings and notes while it is DRAFT, under If-Match."""
    part = await _part(session, actor, result_id, part_id, for_update=True)
    return await write_ratings(session, actor, part, data, if_match=if_match, action="evaluation.part.update")


def _author(actor: Caller, part: Evaluation) -> bool:
    return actor.is_admin if part.evaluator_nip is None else actor.acting_nip == part.evaluator_nip


async def finalize_part(
    session: AsyncSession, actor: Caller, result_id: uuid.UUID, part_id: uuid.UUID, *, if_match: str | None
) -> Evaluation:
    """The author locks the part: FINAL, without predikat."""
    part = await _part(session, actor, result_id, part_id, for_update=True)
    await check_active(session, actor)
    if not _author(actor, part):
        raise NotAllowed(msg("only the part's author finalises it"))
    if part.status == EvaluationStatus.FINAL:
        raise EvaluationLocked(msg("the part is FINAL and locked"))
    _check_etag(part, if_match, required=False)
    await check_period_ended(session, part)
    if part.result_rating is None or part.behavior_rating is None:
        missing = [n for n in ("result_rating", "behavior_rating") if getattr(part, n) is None]
        raise EvaluationIncomplete(msg("set {missing} before finalising", missing=", ".join(missing)))
    await require_penilai(
        session, part.evaluator_nip, part.nip, on=clock.today(), act=msg("finalising a part")
    )
    await anchoring.check(session, part)
    before = evaluation_data(part)
    part.status = EvaluationStatus.FINAL.value
    part.finalized_at = _now()
    await _changed(session, actor, "evaluation.part.finalize", part, before, on_behalf_of=part.on_behalf)
    return part


async def close_part(
    session: AsyncSession, actor: Caller, result_id: uuid.UUID, part_id: uuid.UUID, reason: str
) -> Evaluation:
    """An admin closes a DRAFT part whose author left the service, so the result can be finalised; the
    reason goes to the audit log. 409 while the author is still active (they finalise it themselves)."""
    if not actor.is_admin:
        raise NotAllowed(msg("only an admin closes a part"))
    part = await _part(session, actor, result_id, part_id, for_update=True)
    if part.status == EvaluationStatus.FINAL:
        raise EvaluationLocked(msg("the part is FINAL already"))
    author = await staff.get(session, part.evaluator_nip) if part.evaluator_nip else None
    if author is None or author.active:
        raise WrongState(msg("only the part of an author who left the service is closed by an admin"))
    before = evaluation_data(part)
    part.status = EvaluationStatus.FINAL.value
    part.closed_reason = reason
    part.finalized_at = _now()
    await _changed(session, actor, "evaluation.part.close", part, before, reason=reason)
    return part
