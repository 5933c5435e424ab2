"""Queries on the SKP tables. Results and indicators are always loaded with ``selectinload`` (two extra
queries per statement, never one per row)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, and_, case, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.kinerja_api.skp.models import Feedback, Realization, Skp, SkpResult
from services.kinerja_api.tables.employees import Employee
from services.kinerja_api.tables.evaluation_enums import EvaluationKind
from services.kinerja_api.tables.evaluations import Evaluation


def with_results(stmt: Select[Skp]) -> Select[Skp]:
    return stmt.options(selectinload(Skp.results).selectinload(SkpResult.indicators))


async def get(session: AsyncSession, skp_id: uuid.UUID, *, for_update: bool = False) -> Skp | None:
    """One SKP with its results and indicators; ``for_update`` locks the SKP row until the transaction
    ends, which serialises every write to one SKP (its results included)."""
    stmt = with_results(select(Skp).where(Skp.id == skp_id))
    if for_update:
        stmt = stmt.with_for_update(of=Skp).execution_options(populate_existing=True)
    return (await session.scalars(stmt)).one_or_none()


async def overlapping(session: AsyncSession, nip: str, start: date, end: date) -> bool:
    """True when ``nip`` already has an SKP covering some day of ``[start, end)``."""
    stmt = select(func.count()).where(Skp.nip == nip, Skp.valid_from < end, Skp.valid_to > start)
    return bool(await session.scalar(stmt))


class PartDates(NamedTuple):
    """A result or part someone wrote: its kind, the result's period code and the stretch it assesses
    (a result's stretch is widened to its whole period by the caller)."""

    kind: str
    period: str
    start: date
    end: date


async def parts_over(
    session: AsyncSession, nip: str, author: str, valid_from: date, valid_to: date
) -> list[PartDates]:
    """The results and parts of ``nip`` written by ``author`` whose stretch meets ``[valid_from, valid_to)``
    (a result counts from its period's first day, ``period_start`` being only its last stretch)."""
    stmt = (
        select(Evaluation.kind, Evaluation.period, Evaluation.period_start, Evaluation.period_end)
        .where(
            Evaluation.nip == nip,
            Evaluation.evaluator_nip == author,
            _meets(valid_from, valid_to),
        )
        .order_by(Evaluation.period_start)
    )
    return [PartDates(*row) for row in (await session.execute(stmt)).all()]


def _meets(valid_from: Any, valid_to: Any) -> Any:
    # A result's period starts on 1 January of its year at the earliest: compare its year's start.
    begins = func.make_date(func.substr(Evaluation.period, 1, 4).cast(Integer), 1, 1)
    start = case((Evaluation.kind == EvaluationKind.RESULT, begins), else_=Evaluation.period_start)
    return and_(start < valid_to, Evaluation.period_end >= valid_from)


def _part_author_sees(author: str) -> Any:
    """SQL: the SKP meets a result or part of its owner written by ``author`` (rule 4 of ``may_see``)."""
    return exists().where(
        Evaluation.nip == Skp.nip,
        Evaluation.evaluator_nip == author,
        _meets(Skp.valid_from, Skp.valid_to),
    )


async def list_page(
    session: AsyncSession,
    *,
    nip: str | None,
    year: int | None,
    status: str | None,
    visible_to: str | None,
    after: tuple[str, int, date] | None,
    limit: int,
) -> list[Skp]:
    """Up to ``limit`` SKPs ordered by (nip, year, valid_from) after ``after``. ``visible_to`` restricts the
    rows to that employee's own SKPs, those of their direct reports, and those covering a part they wrote."""
    stmt = with_results(select(Skp).order_by(Skp.nip, Skp.year, Skp.valid_from).limit(limit))
    if nip is not None:
        stmt = stmt.where(Skp.nip == nip)
    if year is not None:
        stmt = stmt.where(Skp.year == year)
    if status is not None:
        stmt = stmt.where(Skp.status == status)
    if visible_to is not None:
        reports = select(Employee.nip).where(Employee.supervisor_nip == visible_to)
        stmt = stmt.where(or_(Skp.nip == visible_to, Skp.nip.in_(reports), _part_author_sees(visible_to)))
    if after is not None:
        stmt = stmt.where(
            func.row(Skp.nip, Skp.year, Skp.valid_from) > func.row(after[0], after[1], after[2])
        )
    return list((await session.scalars(stmt)).all())


class ParentInfo(NamedTuple):
    """The SKP that holds a would-be parent result."""

    result_id: uuid.UUID
    skp_id: uuid.UUID
    nip: str
    year: int
    status: str
    valid_from: date
    valid_to: date


async def parent_info(session: AsyncSession, result_id: uuid.UUID) -> ParentInfo | None:
    """Whose SKP (and which year and status) a result belongs to."""
    stmt = (
        select(SkpResult.id, Skp.id, Skp.nip, Skp.year, Skp.status, Skp.valid_from, Skp.valid_to)
        .join(Skp, Skp.id == SkpResult.skp_id)
        .where(SkpResult.id == result_id)
    )
    row = (await session.execute(stmt)).first()
    return ParentInfo(*row) if row is not None else None


class CoverageRow(NamedTuple):
    """One (supervisor result, supporting result) pair; the supporter columns are null when none."""

    result_id: uuid.UUID
    kind: str
    text: str
    child_result_id: uuid.UUID | None
    child_text: str | None
    child_skp_id: uuid.UUID | None
    child_nip: str | None
    child_status: str | None


async def coverage(session: AsyncSession, skp_id: uuid.UUID) -> list[CoverageRow]:
    """Every result of the SKP left-joined to the results that name it as parent (index on
    ``skp_result.parent_result_id``): a result with no match is one nobody supports yet."""
    child = SkpResult.__table__.alias("child")
    child_skp = Skp.__table__.alias("child_skp")
    stmt = (
        select(
            SkpResult.id,
            SkpResult.kind,
            SkpResult.text,
            child.c.id,
            child.c.text,
            child_skp.c.id,
            child_skp.c.nip,
            child_skp.c.status,
        )
        .select_from(SkpResult)
        .outerjoin(child, child.c.parent_result_id == SkpResult.id)
        .outerjoin(child_skp, child_skp.c.id == child.c.skp_id)
        .where(SkpResult.skp_id == skp_id)
        .order_by(SkpResult.position, child_skp.c.nip, child.c.position)
    )
    return [CoverageRow(*row) for row in (await session.execute(stmt)).all()]


async def realization_for(session: AsyncSession, indicator_id: uuid.UUID, period: str) -> Realization | None:
    """The realisation of one indicator in one period, locked."""
    stmt = (
        select(Realization)
        .where(Realization.indicator_id == indicator_id, Realization.period == period)
        .with_for_update()
    )
    return (await session.scalars(stmt)).one_or_none()


async def upsert_realization(session: AsyncSession, values: dict[str, Any]) -> Realization:
    """Insert or replace the realisation of (indicator, period) in one statement, so two simultaneous
    reports for the same pair cannot both insert."""
    base = insert(Realization).values(**values)
    stmt = base.on_conflict_do_update(
        index_elements=[Realization.indicator_id, Realization.period],
        set_={
            "realization": base.excluded.realization,
            "evidence_url": base.excluded.evidence_url,
            "updated_at": func.now(),
        },
    ).returning(Realization.id)
    real_id = (await session.execute(stmt)).scalar_one()
    found = await session.scalars(
        select(Realization).where(Realization.id == real_id).execution_options(populate_existing=True)
    )
    return found.one()


async def realizations(session: AsyncSession, skp_id: uuid.UUID, period: str | None) -> list[Realization]:
    """The SKP's realisations (index ``(skp_id, period)``), ordered by period then report time."""
    stmt = select(Realization).where(Realization.skp_id == skp_id)
    if period is not None:
        stmt = stmt.where(Realization.period == period)
    stmt = stmt.order_by(Realization.period, Realization.reported_at, Realization.id)
    return list((await session.scalars(stmt)).all())


async def get_realization(session: AsyncSession, realization_id: uuid.UUID) -> Realization | None:
    """One realisation by id."""
    return await session.get(Realization, realization_id)


async def feedback_for(session: AsyncSession, realization_ids: Sequence[uuid.UUID]) -> list[Feedback]:
    """The feedback on several realisations in one query, oldest first."""
    if not realization_ids:
        return []
    stmt = (
        select(Feedback)
        .where(Feedback.realization_id.in_(realization_ids))
        .order_by(Feedback.realization_id, Feedback.created_at, Feedback.id)
    )
    return list((await session.scalars(stmt)).all())
