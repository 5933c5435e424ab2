"""A DRAFT result that a change of the reporting line made stale is re-homed to the supervisor of record
(issue 15, domain.md §11.1): the result of a period belongs to whoever supervises the employee at its end.

Run in the transaction that records the change (a PATCH of the employee or a CSV import), after the new
assignment is written. For each DRAFT result of the employee that was never final whose evaluator or
dates no longer match the period's last stretch:

- when its author supervised an earlier stretch of the period that has no part yet, the draft becomes the
  part of that stretch (ratings and notes kept: it is their assessment of the time they supervised) and a
  new DRAFT result opens for the supervisor of record, taking over the draft's other parts;
- otherwise the draft itself moves to the supervisor of record, its ratings and notes cleared (they were
  written by someone who no longer rates that stretch; the audit log keeps them).

A result that was final once (reopened by an admin) is not moved: its id was published and may carry an
objection. Finalising it answers 409 ``reporting-line-changed`` (docs/kinerja.md, "A draft that went stale").
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import record_change
from services.kinerja_api.calendar.periods import parse_period
from services.kinerja_api.evaluations import repository
from services.kinerja_api.evaluations.service import ENTITY, Stretch, _now, evaluation_data, stretches_of
from services.kinerja_api.events import SINK
from services.kinerja_api.tables.evaluation_enums import GUBERNUR, EvaluationKind, EvaluationStatus
from services.kinerja_api.tables.evaluations import Evaluation


async def rehome_stale_drafts(session: AsyncSession, nip: str, *, actor: str, reason: str) -> list[uuid.UUID]:
    """Re-home every stale never-final DRAFT result of ``nip``; returns the ids of the results that now
    hold each period (new or moved)."""
    stmt = (
        select(Evaluation)
        .where(
            Evaluation.nip == nip,
            Evaluation.kind == EvaluationKind.RESULT,
            Evaluation.status == EvaluationStatus.DRAFT,
            Evaluation.reopened_count == 0,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    moved: list[uuid.UUID] = []
    for draft in (await session.scalars(stmt)).all():
        stretches = await stretches_of(session, nip, parse_period(draft.period))
        if not stretches:
            continue
        record = stretches[-1]
        if (record.supervisor_nip, record.start, record.end) == (
            draft.evaluator_nip,
            draft.period_start,
            draft.period_end,
        ):
            continue
        moved.append(await _rehome(session, draft, stretches, actor=actor, reason=reason))
    return moved


async def _rehome(
    session: AsyncSession, draft: Evaluation, stretches: list[Stretch], *, actor: str, reason: str
) -> uuid.UUID:
    record = stretches[-1]
    parts = await repository.parts(session, draft.id)
    taken = {p.period_start for p in parts}
    earlier = [s for s in stretches[:-1] if s.supervisor_nip == draft.evaluator_nip and s.start not in taken]
    before = evaluation_data(draft)
    if not earlier:
        _assign(draft, record)
        draft.result_rating = draft.behavior_rating = None
        draft.behavior_notes = {}
        draft.version += 1
        draft.updated_at = _now()
        await session.flush()
        await _audit(session, actor, "evaluation.rehome", draft, before, reason)
        return draft.id
    # The draft becomes the part of its author's earlier stretch; a new result opens for the record. The
    # swap goes through a temporary state so every statement meets the checks (one RESULT per period,
    # a PART always points at a result): the new row starts as a part of the draft.
    result = Evaluation(
        id=uuid.uuid4(),
        kind=EvaluationKind.PART.value,
        result_id=draft.id,
        nip=draft.nip,
        period=draft.period,
        status=EvaluationStatus.DRAFT.value,
        behavior_notes={},
        main_ratings={},
        version=1,
        reopened_count=0,
    )
    _assign(result, record)
    session.add(result)
    await session.flush()
    await session.execute(
        update(Evaluation)
        .where(Evaluation.result_id == draft.id, Evaluation.id != result.id)
        .values(result_id=result.id)
        .execution_options(synchronize_session=False)
    )
    stretch = earlier[-1]
    draft.kind, draft.result_id = EvaluationKind.PART.value, result.id
    draft.period_start, draft.period_end, draft.unit_id = stretch.start, stretch.end, stretch.unit_id
    draft.version += 1
    draft.updated_at = _now()
    await session.flush()
    result.kind, result.result_id = EvaluationKind.RESULT.value, None
    await session.flush()
    await session.refresh(result)
    await _audit(session, actor, "evaluation.rehome", draft, before, reason)
    await _audit(session, actor, "evaluation.create", result, None, reason)
    return result.id


def _assign(evaluation: Evaluation, stretch: Stretch) -> None:
    evaluation.evaluator_nip = stretch.supervisor_nip
    evaluation.on_behalf = GUBERNUR if stretch.supervisor_nip is None else None
    evaluation.period_start, evaluation.period_end = stretch.start, stretch.end
    evaluation.unit_id = stretch.unit_id


async def _audit(
    session: AsyncSession,
    actor: str,
    action: str,
    evaluation: Evaluation,
    before: dict[str, object] | None,
    reason: str,
) -> None:
    await record_change(
        session,
        SINK,
        actor=actor,
        action=action,
        entity=ENTITY,
        entity_id=str(evaluation.id),
        before=before,
        after=evaluation_data(evaluation),
        reason=reason,
        on_behalf_of=evaluation.on_behalf,
    )
