"""Queries on ``kinerja.evaluation`` and ``kinerja.objection``."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    literal_column,
    select,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import Reader, read_all
from services.kinerja_api.tables.employees import Employee
from services.kinerja_api.tables.evaluation_enums import EvaluationKind, EvaluationStatus, ObjectionStatus
from services.kinerja_api.tables.evaluations import Evaluation, Objection

_EVALUATION = Evaluation.__table__


async def get(
    session: AsyncSession, evaluation_id: uuid.UUID, *, for_update: bool = False
) -> Evaluation | None:
    """One evaluation; ``for_update`` locks the row until the transaction ends, so two finalisations of
    the same record run one after the other and the second sees FINAL."""
    stmt = select(Evaluation).where(Evaluation.id == evaluation_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).one_or_none()


async def nip_of(session: AsyncSession, evaluation_id: uuid.UUID) -> str | None:
    """The NIP an evaluation belongs to, without loading or locking it (to lock the employee's row first)."""
    nip: str | None = await session.scalar(select(Evaluation.nip).where(Evaluation.id == evaluation_id))
    return nip


async def find_result(session: AsyncSession, nip: str, period: str) -> Evaluation | None:
    """The period result of ``nip`` for ``period`` (at most one: a partial unique index)."""
    stmt = select(Evaluation).where(
        Evaluation.nip == nip, Evaluation.period == period, Evaluation.kind == EvaluationKind.RESULT
    )
    return (await session.scalars(stmt)).one_or_none()


async def parts(session: AsyncSession, result_id: uuid.UUID) -> list[Evaluation]:
    """The parts of a result, oldest stretch first."""
    stmt = select(Evaluation).where(Evaluation.result_id == result_id).order_by(Evaluation.period_start)
    return list((await session.scalars(stmt)).all())


async def is_part_author(session: AsyncSession, result_id: uuid.UUID, nip: str) -> bool:
    """True when ``nip`` wrote a part of the result."""
    stmt = select(Evaluation.id).where(Evaluation.result_id == result_id, Evaluation.evaluator_nip == nip)
    return (await session.scalar(stmt.limit(1))) is not None


async def final_results(session: AsyncSession, nip: str, periods: list[str]) -> list[str]:
    """Which of ``periods`` hold a FINAL result of ``nip`` (a transfer dated inside them is refused)."""
    stmt = (
        select(Evaluation.period)
        .where(
            Evaluation.nip == nip,
            Evaluation.kind == EvaluationKind.RESULT,
            Evaluation.status == EvaluationStatus.FINAL,
            Evaluation.period.in_(periods),
        )
        .order_by(Evaluation.period)
    )
    return list((await session.scalars(stmt)).all())


async def final_results_of(
    session: AsyncSession, nips: list[str], periods: list[str]
) -> dict[str, list[str]]:
    """For several employees at once: which of ``periods`` hold a FINAL result of each (the CSV import)."""
    stmt = (
        select(Evaluation.nip, Evaluation.period)
        .where(
            Evaluation.nip.in_(nips),
            Evaluation.kind == EvaluationKind.RESULT,
            Evaluation.status == EvaluationStatus.FINAL,
            Evaluation.period.in_(periods),
        )
        .order_by(Evaluation.nip, Evaluation.period)
    )
    out: dict[str, list[str]] = {}
    for nip, period in (await session.execute(stmt)).all():
        out.setdefault(nip, []).append(period)
    return out


async def supervisor_of(session: AsyncSession, nip: str | None) -> str | None:
    """The current supervisor of ``nip`` (None for none, or when ``nip`` is None)."""
    if nip is None:
        return None
    sup = await session.scalar(select(Employee.supervisor_nip).where(Employee.nip == nip))
    return sup


# The page's optional filters: (keyword, the condition on a bound parameter of that name). Each page is in id
# order from ``after_id``: a unit and a period read one range of ix_evaluation_period_unit_id_id, a NIP its
# results through ix_evaluation_nip_period, a period alone ix_evaluation_period_id.
_LIST_FILTERS: tuple[tuple[str, ColumnElement[bool]], ...] = (
    ("unit_id", Evaluation.unit_id == bindparam("unit_id")),
    ("period", Evaluation.period == bindparam("period")),
    ("nip", Evaluation.nip == bindparam("nip")),
    ("predikat", Evaluation.predikat == bindparam("predikat")),
    ("status", Evaluation.status == bindparam("status")),
    ("after_id", Evaluation.id > bindparam("after_id")),
)


# A list's items (EvaluationRead) carry neither the snapshot taken at finalisation (a FINAL result's largest
# JSON, decoded for nothing) nor who confirmed the organisation's alignment: not read.
_LIST_COLUMNS = tuple(c for c in _EVALUATION.c if c.key not in ("snapshot", "org_alignment_by"))


# The list's kinds are written into the statement, not bound: a generic plan cannot use a partial index whose
# condition is on a parameter (ix_evaluation_part_evaluator_nip), and with them the generic plan costs what a
# custom one does, so PostgreSQL stops planning the prepared statement afresh per request (kinerja_0030).
_RESULT: ColumnElement[str] = literal_column(f"'{EvaluationKind.RESULT.value}'")
_PART: ColumnElement[str] = literal_column(f"'{EvaluationKind.PART.value}'")


@functools.cache
def _list_shape(visible: bool, present: frozenset[str]) -> Select[Any]:
    """The statement for one combination of filters, with every value a bound parameter; built once per
    combination (at most 2 x 64) and reused, so its cache key is computed once and its compiled form is found
    in the engine's cache. Building it per request was a fifth of the list's CPU (py-spy, issue 21)."""
    filters: list[ColumnElement[bool]] = [Evaluation.kind == _RESULT]
    filters += [condition for name, condition in _LIST_FILTERS if name in present]
    stmt = select(*_LIST_COLUMNS).where(*filters)
    if visible:
        viewer: BindParameter[str] = bindparam("visible_to")
        reports = select(Employee.nip).where(Employee.supervisor_nip == viewer)
        authored = (
            select(Evaluation.result_id)
            .where(Evaluation.kind == _PART, Evaluation.evaluator_nip == viewer)
            .correlate(None)
        )
        reasons: list[ColumnElement[bool]] = [
            Evaluation.nip == viewer,  # their own
            Evaluation.evaluator_nip == viewer,  # those they evaluate
            Evaluation.decider_nip == viewer,  # FINAL: those whose objections they decide
            # DRAFT (no decider stored yet): those their direct reports evaluate
            and_(Evaluation.decider_nip.is_(None), Evaluation.evaluator_nip.in_(reports)),
            Evaluation.id.in_(authored),  # those they wrote a part of
        ]
        visible_ids = union(
            *(select(Evaluation.id).where(reason, *filters).correlate(None) for reason in reasons)
        )
        stmt = stmt.where(Evaluation.id.in_(visible_ids))
    return stmt.order_by(Evaluation.id).limit(bindparam("limit", type_=Integer))


def list_page_statement(
    *,
    visible_to: str | None,
    unit_id: uuid.UUID | None,
    period: str | None,
    nip: str | None,
    predikat: str | None,
    status: str | None,
    after_id: uuid.UUID | None,
    limit: int,
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of :func:`list_page` (the columns of EvaluationRead) and its parameters; ``None`` leaves a filter out.

    The visibility rule is a UNION of one branch per reason to see a result, each with the page's filters, so
    each branch is an index probe (``nip``, ``evaluator_nip``, ``decider_nip``, the supervisor's team, the
    parts one wrote) and their union is a few dozen ids. Written as one ``OR`` the planner could use no index
    for it and walked the period's whole id index filtering every row: about 200 ms on the province-scale
    dataset against about 2-8 ms this way (EXPLAIN ANALYZE, docs/benchmarks.md, issue 21).
    """
    values: dict[str, Any] = {
        "unit_id": unit_id,
        "period": period,
        "nip": nip,
        "predikat": predikat,
        "status": status,
        "after_id": after_id,
    }
    params = {name: value for name, value in values.items() if value is not None}
    stmt = _list_shape(visible_to is not None, frozenset(params))
    params["limit"] = limit
    if visible_to is not None:
        params["visible_to"] = visible_to
    return stmt, params


async def list_page(
    session: Reader,
    *,
    visible_to: str | None,
    unit_id: uuid.UUID | None,
    period: str | None,
    nip: str | None,
    predikat: str | None,
    status: str | None,
    after_id: uuid.UUID | None,
    limit: int,
) -> list[Any]:
    """Up to ``limit`` period results in id order after ``after_id``, as rows for reading (no ORM instances:
    loading 50 into the identity map cost more CPU than the query, issue 21). ``visible_to`` (a pegawai's NIP) keeps
    their own results, those they evaluate, those whose objections they decide (the stored decider of a
    FINAL result; while DRAFT, whoever supervises its evaluator), and those they wrote a part of."""
    stmt, params = list_page_statement(
        visible_to=visible_to,
        unit_id=unit_id,
        period=period,
        nip=nip,
        predikat=predikat,
        status=status,
        after_id=after_id,
        limit=limit,
    )
    return await read_all(session, stmt, params)


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


async def has_objection(session: AsyncSession, evaluation_id: uuid.UUID, *, decided: bool = False) -> bool:
    """Whether an objection (pending or decided; only decided ones with ``decided``) was lodged against the
    evaluation."""
    stmt = select(Objection.id).where(Objection.evaluation_id == evaluation_id)
    if decided:
        stmt = stmt.where(Objection.status != ObjectionStatus.PENDING.value)
    stmt = stmt.limit(1)
    return (await session.scalar(stmt)) is not None
