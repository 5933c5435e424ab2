"""Queries on ``kinerja.evaluation`` and ``kinerja.objection``."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.kinerja_api.employees.models import Employee
from services.kinerja_api.evaluations.models import Evaluation, Objection


async def get(
    session: AsyncSession, evaluation_id: uuid.UUID, *, for_update: bool = False
) -> Evaluation | None:
    """One evaluation; ``for_update`` locks the row until the transaction ends, so two finalisations of
    the same record run one after the other and the second sees FINAL."""
    stmt = select(Evaluation).where(Evaluation.id == evaluation_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).one_or_none()


async def find(session: AsyncSession, nip: str, period: str, evaluator_nip: str | None) -> Evaluation | None:
    """The evaluation of ``nip`` for ``period`` by ``evaluator_nip`` (None: the governor's)."""
    cond = (
        Evaluation.evaluator_nip.is_(None)
        if evaluator_nip is None
        else Evaluation.evaluator_nip == evaluator_nip
    )
    stmt = select(Evaluation).where(Evaluation.nip == nip, Evaluation.period == period, cond)
    return (await session.scalars(stmt)).one_or_none()


async def supervisor_of(session: AsyncSession, nip: str | None) -> str | None:
    """The current supervisor of ``nip`` (None for none, or when ``nip`` is None)."""
    if nip is None:
        return None
    sup = await session.scalar(select(Employee.supervisor_nip).where(Employee.nip == nip))
    return sup


async def list_page(
    session: AsyncSession,
    *,
    visible_to: str | None,
    unit_id: uuid.UUID | None,
    period: str | None,
    nip: str | None,
    predikat: str | None,
    status: str | None,
    after_id: uuid.UUID | None,
    limit: int,
) -> list[Evaluation]:
    """Up to ``limit`` evaluations in id order after ``after_id``. ``visible_to`` (a pegawai's NIP) keeps
    their own evaluations, those they wrote, and those written by their direct reports (for objections)."""
    stmt = select(Evaluation).order_by(Evaluation.id).limit(limit)
    if visible_to is not None:
        reports = select(Employee.nip).where(Employee.supervisor_nip == visible_to)
        stmt = stmt.where(
            or_(
                Evaluation.nip == visible_to,
                Evaluation.evaluator_nip == visible_to,
                Evaluation.evaluator_nip.in_(reports),
            )
        )
    if unit_id is not None:
        stmt = stmt.where(Evaluation.unit_id == unit_id)
    if period is not None:
        stmt = stmt.where(Evaluation.period == period)
    if nip is not None:
        stmt = stmt.where(Evaluation.nip == nip)
    if predikat is not None:
        stmt = stmt.where(Evaluation.predikat == predikat)
    if status is not None:
        stmt = stmt.where(Evaluation.status == status)
    if after_id is not None:
        stmt = stmt.where(Evaluation.id > after_id)
    return list((await session.scalars(stmt)).all())


async def get_objection(
    session: AsyncSession, objection_id: uuid.UUID, *, for_update: bool = False
) -> Objection | None:
    """One objection, optionally locked."""
    stmt = select(Objection).where(Objection.id == objection_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).one_or_none()


async def pending_objection(session: AsyncSession, evaluation_id: uuid.UUID) -> Objection | None:
    """The undecided objection of an evaluation, if any."""
    stmt = select(Objection).where(Objection.evaluation_id == evaluation_id, Objection.status == "PENDING")
    return (await session.scalars(stmt)).one_or_none()
