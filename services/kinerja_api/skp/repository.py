"""Queries on the SKP tables. Results and indicators are always loaded with ``selectinload`` (two extra
queries per statement, never one per row)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.kinerja_api.employees.models import Employee
from services.kinerja_api.skp.models import Feedback, Realization, Skp, SkpResult


def _with_results(stmt: Select[Skp]) -> Select[Skp]:
    return stmt.options(selectinload(Skp.results).selectinload(SkpResult.indicators))


async def get(session: AsyncSession, skp_id: uuid.UUID, *, for_update: bool = False) -> Skp | None:
    """One SKP with its results and indicators; ``for_update`` locks the SKP row until the transaction
    ends, which serialises every write to one SKP (its results included)."""
    stmt = _with_results(select(Skp).where(Skp.id == skp_id))
    if for_update:
        stmt = stmt.with_for_update(of=Skp).execution_options(populate_existing=True)
    return (await session.scalars(stmt)).one_or_none()


async def exists_for(session: AsyncSession, nip: str, year: int) -> bool:
    """True when ``nip`` already has an SKP for ``year``."""
    return bool(await session.scalar(select(func.count()).where(Skp.nip == nip, Skp.year == year)))


async def list_page(
    session: AsyncSession,
    *,
    nip: str | None,
    year: int | None,
    status: str | None,
    visible_to: str | None,
    after: tuple[str, int] | None,
    limit: int,
) -> list[Skp]:
    """Up to ``limit`` SKPs ordered by (nip, year) after ``after``. ``visible_to`` restricts the rows to
    that employee's own SKPs and those of their direct reports."""
    stmt = _with_results(select(Skp).order_by(Skp.nip, Skp.year).limit(limit))
    if nip is not None:
        stmt = stmt.where(Skp.nip == nip)
    if year is not None:
        stmt = stmt.where(Skp.year == year)
    if status is not None:
        stmt = stmt.where(Skp.status == status)
    if visible_to is not None:
        reports = select(Employee.nip).where(Employee.supervisor_nip == visible_to)
        stmt = stmt.where(or_(Skp.nip == visible_to, Skp.nip.in_(reports)))
    if after is not None:
        stmt = stmt.where(func.row(Skp.nip, Skp.year) > func.row(after[0], after[1]))
    return list((await session.scalars(stmt)).all())


class ParentInfo(NamedTuple):
    """The SKP that holds a would-be parent result."""

    result_id: uuid.UUID
    skp_id: uuid.UUID
    nip: str
    year: int
    status: str


async def parent_info(session: AsyncSession, result_id: uuid.UUID) -> ParentInfo | None:
    """Whose SKP (and which year and status) a result belongs to."""
    stmt = (
        select(SkpResult.id, Skp.id, Skp.nip, Skp.year, Skp.status)
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
