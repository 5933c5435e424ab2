"""The evaluation list's visibility is the same rule after its rewrite as a UNION of index probes (issue 21).

``repository.list_page`` used to filter with one ``OR`` (own / evaluator / decider / team's drafts / parts
written); it is now a UNION of one branch per reason. Each viewer below sees exactly the rows the old ``OR``
gave them, under every combination of the list's filters, and the expected rows are spelt out per role too.
One statement per page, whatever the viewer.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import asyncpg
import pytest
from sqlalchemy import and_, make_url, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from services.kinerja_api.evaluations import repository
from services.kinerja_api.samples import numbered_nip
from services.kinerja_api.tables.employees import Employee
from services.kinerja_api.tables.evaluation_enums import EvaluationKind
from services.kinerja_api.tables.evaluations import Evaluation
from tests.support.sql_count import counting

P, OTHER_P = "2026-Q1", "2026-Q2"


@dataclass
class World:
    unit: uuid.UUID
    other_unit: uuid.UUID
    head: str  # supervises boss
    boss: str  # supervises r1..r4
    r: list[str]
    outsider: str  # another unit; decides one result after a transfer
    part_author: str  # wrote a part of r4's result
    ids: dict[str, uuid.UUID]


async def _seed(db: str) -> World:
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        unit, other = uuid.uuid4(), uuid.uuid4()
        for uid, code in ((unit, "DISDIK"), (other, "DINKES")):
            await conn.execute("INSERT INTO kinerja.unit (id, code, name) VALUES ($1, $2, $2)", uid, code)
        nips = [numbered_nip(700 + i) for i in range(9)]
        head, boss, r1, r2, r3, r4, r5, outsider, author = nips
        people = [(head, unit, None), (boss, unit, head), (outsider, other, None), (author, other, None)]
        people += [(n, unit, boss) for n in (r1, r2, r3, r4)] + [(r5, other, outsider)]
        for nip, uid, sup in people:
            await conn.execute(
                "INSERT INTO kinerja.employee (nip, name, unit_id, position, position_type, rank, employment,"
                " supervisor_nip) VALUES ($1, $1, $2, 'Analis', 'PELAKSANA', 'III/a', 'PNS', $3)",
                nip,
                uid,
                sup,
            )
        ids: dict[str, uuid.UUID] = {}

        async def ev(
            key: str,
            nip: str,
            evaluator: str | None,
            *,
            period: str = P,
            uid: uuid.UUID = unit,
            decider: str | None = None,
            kind: str = "RESULT",
            result_id: uuid.UUID | None = None,
        ) -> None:
            ids[key] = uuid.uuid4()
            final = decider is not None
            start = date(2026, 1, 1) if period == P else date(2026, 4, 1)
            await conn.execute(
                "INSERT INTO kinerja.evaluation (id, kind, result_id, nip, unit_id, period, period_start,"
                " period_end, evaluator_nip, status, predikat, decider_nip)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                ids[key],
                kind,
                result_id,
                nip,
                uid,
                period,
                start if kind == "RESULT" else date(2026, 1, 2),
                date(2026, 3, 31) if period == P else date(2026, 6, 30),
                evaluator,
                "FINAL" if final else "DRAFT",
                "BAIK" if final and kind == "RESULT" else None,
                decider,
            )

        await ev("boss", boss, head)  # DRAFT: the head evaluates the boss
        await ev("r1", r1, boss)  # DRAFT: the head sees it (the evaluator is on the head's team)
        await ev("r2", r2, boss, decider=head)  # FINAL: the head decides objections
        await ev("r3", r3, boss, decider=outsider)  # FINAL, decided elsewhere: not the head's
        await ev("r4", r4, None)  # DRAFT by an admin; r4's earlier supervisor wrote a part
        await ev("r4_part", r4, author, kind="PART", result_id=ids["r4"])
        await ev("r1_q2", r1, boss, period=OTHER_P)
        await ev("r5", r5, outsider, uid=other)
        return World(unit, other, head, boss, [r1, r2, r3, r4], outsider, author, ids)
    finally:
        await conn.close()


@pytest.fixture
async def sessions(db: str) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], World]]:
    world = await _seed(db)
    engine = create_async_engine(make_url(db).set(drivername="postgresql+asyncpg"))
    try:
        yield async_sessionmaker(engine), world
    finally:
        await engine.dispose()


async def _old_rule(session: AsyncSession, viewer: str, **filters: object) -> set[uuid.UUID]:
    """The rule as one ``OR``, as it was written before issue 21 (the reference)."""
    reports = select(Employee.nip).where(Employee.supervisor_nip == viewer)
    authored = select(Evaluation.result_id).where(
        Evaluation.kind == EvaluationKind.PART, Evaluation.evaluator_nip == viewer
    )
    stmt = select(Evaluation.id).where(
        Evaluation.kind == EvaluationKind.RESULT,
        or_(
            Evaluation.nip == viewer,
            Evaluation.evaluator_nip == viewer,
            Evaluation.decider_nip == viewer,
            and_(Evaluation.decider_nip.is_(None), Evaluation.evaluator_nip.in_(reports)),
            Evaluation.id.in_(authored),
        ),
    )
    if filters.get("unit_id") is not None:
        stmt = stmt.where(Evaluation.unit_id == filters["unit_id"])
    if filters.get("period") is not None:
        stmt = stmt.where(Evaluation.period == filters["period"])
    if filters.get("status") is not None:
        stmt = stmt.where(Evaluation.status == filters["status"])
    return set((await session.scalars(stmt)).all())


async def _page(session: AsyncSession, viewer: str | None, **filters: object) -> list[uuid.UUID]:
    rows = await repository.list_page(
        session,
        visible_to=viewer,
        unit_id=filters.get("unit_id"),  # type: ignore[arg-type]
        period=filters.get("period"),  # type: ignore[arg-type]
        nip=None,
        predikat=None,
        status=filters.get("status"),  # type: ignore[arg-type]
        after_id=None,
        limit=100,
    )
    return [r.id for r in rows]


async def test_each_role_sees_what_the_single_or_showed(
    sessions: tuple[async_sessionmaker[AsyncSession], World],
) -> None:
    maker, w = sessions
    viewers = [w.head, w.boss, *w.r, w.outsider, w.part_author]
    combos: list[dict[str, object]] = [
        {},
        {"unit_id": w.unit, "period": P},
        {"unit_id": w.unit},
        {"period": OTHER_P},
        {"unit_id": w.other_unit, "period": P},
        {"status": "FINAL"},
        {"unit_id": w.unit, "period": P, "status": "DRAFT"},
    ]
    async with maker() as session:
        for viewer in viewers:
            for filters in combos:
                got = await _page(session, viewer, **filters)
                assert got == sorted(got), "id order"
                assert set(got) == await _old_rule(session, viewer, **filters), (viewer, filters)


async def test_expected_rows_per_role(sessions: tuple[async_sessionmaker[AsyncSession], World]) -> None:
    maker, w = sessions
    r1, _r2, r3, r4 = w.r
    i = w.ids
    expected = {
        w.head: {"boss", "r1", "r2"},  # evaluates the boss; the team's draft; decides r2
        w.boss: {"boss", "r1", "r2", "r3"},  # own; evaluates r1..r3 (r4 was an admin's)
        r1: {"r1"},
        r3: {"r3"},
        r4: {"r4"},
        w.outsider: {"r3"},  # decides r3 (r5 is in the other unit)
        w.part_author: {"r4"},  # wrote a part of it
    }
    async with maker() as session:
        for viewer, keys in expected.items():
            got = await _page(session, viewer, unit_id=w.unit, period=P)
            assert set(got) == {i[k] for k in keys}, viewer
        # admins (no viewer) see every result of the unit and period, never a part
        got = await _page(session, None, unit_id=w.unit, period=P)
        assert set(got) == {i[k] for k in ("boss", "r1", "r2", "r3", "r4")}


async def test_one_statement_per_page(
    db: str, sessions: tuple[async_sessionmaker[AsyncSession], World]
) -> None:
    maker, w = sessions
    engine = maker.kw["bind"]
    async with maker() as session:
        await _page(session, w.head)  # warm the connection (its setup queries are not the page's)
        for viewer in (w.head, w.boss, None):
            with counting(engine) as trips:
                await _page(session, viewer, unit_id=w.unit, period=P)
            assert len(trips.statements) == 1, str(trips)
