"""Kept list pages (services/common/readcache.py, issue 21): served again only while no write to the tables their
statement reads has committed, wherever the write came from; never one viewer's page to another.

Two apps on one database stand for two workers (or replicas): each keeps its own pages, and a write through one,
or straight into PostgreSQL, is in the other's very next answer. Real PostgreSQL, built by the migrations.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy import func, select

from services.common.db import ReadConnection
from services.common.pagination import read_page
from services.common.readcache import ReadCache, Source, tables_in_sql
from services.kinerja_api.calendar import repository as calendar_repository
from services.kinerja_api.calendar.periods import quarter_of
from services.kinerja_api.clock import today
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app
from services.kinerja_api.state import kinerja_state
from services.kinerja_api.tables.employees import Employee
from services.kinerja_api.tasks import repository as tasks_repository
from services.kinerja_api.tasks.service import TASK_TABLES
from services.kinerja_api.units.models import Unit
from tests.kinerja.test_evaluations_seed import connect, evaluate
from tests.support.fixtures import Tokens, plain_dsn, running
from tests.support.sql_count import Trips, counted

S = "SESUAI_EKSPEKTASI"


class Named(BaseModel):
    name: str


MARKS = "k.tables,"  # the second word of the marks statement


async def _get(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], app: Any
) -> tuple[httpx.Response, Trips]:
    async with counted(kinerja_state(app).engine) as trips:
        resp = await client.get(path, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp, trips


def _sent(trips: Trips) -> list[str]:
    return [s.split()[1] for s in trips.statements]


def _names(resp: httpx.Response) -> set[str]:
    return {item["name"] for item in resp.json()["items"]}


async def _team(db: str, size: int = 3) -> tuple[Any, str, list[str]]:
    seed = await connect(db)
    try:
        unit = await seed.unit("DISDIK")
        boss = await seed.employee(seed.nip(201), unit, None, position_type="ADMINISTRATOR")
        reports = [seed.nip(300 + i) for i in range(size)]
        await seed.employees(reports, unit, boss)
    finally:
        await seed.conn.close()
    return unit, boss, reports


async def test_a_kept_page_lasts_until_a_write_commits_anywhere(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    unit, boss, reports = await _team(db)
    path = f"/v1/employees?unit_id={unit}"
    boss_h = tokens.pegawai(boss)
    one, other = create_app(settings_for(KinerjaSettings)), create_app(settings_for(KinerjaSettings))
    async with running(one) as client, running(other) as other_client:
        first, _ = await _get(client, path, boss_h, one)
        assert len(first.json()["items"]) == 4
        again, trips = await _get(client, path, boss_h, one)
        assert again.content == first.content
        assert _sent(trips) == [MARKS]  # kept: the marks were all it read

        # A write through the other worker (the API, If-Match and all) is in this worker's next answer.
        nip = reports[0]
        read = await other_client.get(f"/v1/employees/{nip}", headers=tokens.admin())
        changed = await other_client.patch(
            f"/v1/employees/{nip}",
            json={"name": "Dewi Sartika"},
            headers={**tokens.admin(), "If-Match": read.headers["ETag"]},
        )
        assert changed.status_code == 200, changed.text
        after, trips = await _get(client, path, boss_h, one)
        assert "Dewi Sartika" in _names(after)
        assert _sent(trips)[0] == MARKS
        assert len(trips.statements) == 2

        # Straight into PostgreSQL: not seen while uncommitted (the kept page stays right), seen once committed.
        conn = await asyncpg.connect(plain_dsn(db))
        try:
            tx = conn.transaction()
            await tx.start()
            await conn.execute("UPDATE kinerja.employee SET name = 'Kartini' WHERE nip = $1", reports[1])
            during, trips = await _get(client, path, boss_h, one)
            assert "Kartini" not in _names(during)
            assert _sent(trips) == [MARKS]
            await tx.commit()
            committed, _ = await _get(client, path, boss_h, one)
            assert "Kartini" in _names(committed)

            # A write that rolls back leaves the marks as they were: still kept.
            tx = conn.transaction()
            await tx.start()
            await conn.execute(
                "UPDATE kinerja.employee SET name = 'Cut Nyak Dhien' WHERE nip = $1", reports[2]
            )
            await tx.rollback()
            kept, trips = await _get(client, path, boss_h, one)
            assert kept.content == committed.content
            assert _sent(trips) == [MARKS]

            # A write to a table the list does not read changes nothing.
            await conn.execute("UPDATE kinerja.unit SET name = 'Dinas Pendidikan' WHERE id = $1", unit)
            kept, trips = await _get(client, path, boss_h, one)
            assert _sent(trips) == [MARKS]
        finally:
            await conn.close()

        # The evaluation list reads evaluations and the team: a result finalised through the other worker shows.
        period = quarter_of(today()).previous().code
        evaluations = f"/v1/evaluations?unit_id={unit}&period={period}"
        empty, _ = await _get(client, evaluations, boss_h, one)
        assert empty.json()["items"] == []
        seed = await connect(db)
        try:
            await seed.skp(reports[2], today().year, "SUBMITTED")
            await seed.anchor()
        finally:
            await seed.conn.close()
        await evaluate(other_client, boss_h, reports[0], S, S, period=period)
        listed, _ = await _get(client, evaluations, boss_h, one)
        assert [item["nip"] for item in listed.json()["items"]] == [reports[0]]
        cache = kinerja_state(one).reader.cache  # type: ignore[union-attr]
        assert cache is not None
        assert cache.hits >= 4
        assert cache.stale >= 3


async def test_each_viewer_has_their_own_pages(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    """The same URL by the supervisor, a report and an admin: three answers, each what that caller may see, asked
    twice over in turn (the second round from the kept pages)."""
    unit, boss, reports = await _team(db)
    path = f"/v1/employees?unit_id={unit}"
    app = create_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        for _ in range(2):
            boss_page, _ = await _get(client, path, tokens.pegawai(boss), app)
            own, _ = await _get(client, path, tokens.pegawai(reports[0]), app)
            everyone, _ = await _get(client, path, tokens.admin(), app)
            assert {i["nip"] for i in boss_page.json()["items"]} == {boss, *reports}
            assert [i["nip"] for i in own.json()["items"]] == [reports[0]]
            assert len(everyone.json()["items"]) == 4
            # A page of 2: its own key (the page size), its own cursor.
            small, _ = await _get(client, f"{path}&limit=2", tokens.pegawai(boss), app)
            assert len(small.json()["items"]) == 2
            assert small.json()["next_cursor"]
        cache = kinerja_state(app).reader.cache  # type: ignore[union-attr]
        assert cache is not None
        assert len(cache) == 4
        assert cache.hits == 4
        scraped = (await client.get("/metrics")).text
        assert 'asn_read_cache_answers_total{result="hit"} 4.0' in scraped
        assert 'asn_read_cache_answers_total{result="miss"} 4.0' in scraped
        assert f"asn_read_cache_bytes {float(cache.size)}" in scraped


async def test_a_commit_marks_its_tables_once_and_truncate_marks_too(db: str) -> None:
    unit, _boss, reports = await _team(db, size=20)
    conn = await asyncpg.connect(plain_dsn(db))
    try:

        async def marks() -> dict[str, int]:
            rows = await conn.fetch("SELECT tbl, sum(n) AS n FROM kinerja.change_mark GROUP BY tbl")
            return {r["tbl"]: int(r["n"]) for r in rows}

        before = await marks()
        # 21 rows in one transaction: one mark.
        await conn.execute("UPDATE kinerja.employee SET name = name || '.' WHERE unit_id = $1", unit)
        assert (await marks())["employee"] == before["employee"] + 1
        async with conn.transaction():
            await conn.execute("UPDATE kinerja.employee SET active = false WHERE nip = $1", reports[0])
            await conn.execute("DELETE FROM kinerja.employee_assignment WHERE nip = $1", reports[1])
            await conn.execute("UPDATE kinerja.employee SET active = true WHERE nip = $1", reports[0])
        assert (await marks())["employee"] == before["employee"] + 2
        # The first write's mark undone with its savepoint: the next write of the transaction marks it.
        async with conn.transaction():
            with contextlib.suppress(RuntimeError):
                async with conn.transaction():
                    await conn.execute("UPDATE kinerja.employee SET name = 'x' WHERE nip = $1", reports[2])
                    raise RuntimeError("rolled back to the savepoint")
            await conn.execute("UPDATE kinerja.employee SET name = 'y' WHERE nip = $1", reports[3])
        assert (await marks())["employee"] == before["employee"] + 3
        assert "evaluation" not in await marks()
        await conn.execute("TRUNCATE kinerja.evaluation CASCADE")
        assert (await marks())["evaluation"] == 1
    finally:
        await conn.close()


async def test_reads_of_unmarked_tables_or_the_clock_are_not_kept(
    db: str, settings_for: Callable[..., Any]
) -> None:
    await _team(db)
    app = create_app(settings_for(KinerjaSettings))
    async with running(app):
        engine = kinerja_state(app).engine
        reader = ReadConnection(engine, cache_bytes=2**20)
        units = select(Unit.id, Unit.name).order_by(Unit.id).limit(51)  # kinerja.unit has no mark
        clock = select(Employee.nip, Employee.name, func.now().label("at")).order_by(Employee.nip).limit(51)
        marked = select(Employee.nip, Employee.name).order_by(Employee.nip).limit(51)
        for statement, kept in ((units, False), (clock, False), (marked, True)):
            for round_ in range(2):
                async with counted(engine) as trips:
                    await read_page(reader, statement, {}, model=Named, limit=50, cursor_columns=("name",))
                wanted = 0 if kept and round_ else 1  # the statement itself
                assert sum(MARKS not in s and "pg_trigger" not in s for s in trips.statements) == wanted, (
                    trips
                )
        assert reader.cache is not None
        assert len(reader.cache) == 1

        # Off (READ_CACHE_MB=0): no marks read, every page read afresh.
        off = ReadConnection(engine)
        async with counted(engine) as trips:
            await read_page(off, marked, {}, model=Named, limit=50, cursor_columns=("name",))
        assert off.cache is None
        assert len(trips.statements) == 1


@pytest.mark.parametrize("budget", [1000, 1500])
def test_the_store_keeps_its_byte_budget_least_recently_used_out_first(budget: int) -> None:
    cache = ReadCache(budget)
    statement = select(Employee.nip)
    for i in range(20):
        cache.put(i, statement, "m", b"x" * 100)
        if i == 0:
            assert cache.get(0, statement) is not None
    assert cache.size <= budget
    assert len(cache) == budget // 100
    assert cache.get(19, statement) is not None
    assert cache.get(0, statement) is None
    oldest = 20 - budget // 100
    cache.served(oldest)  # used again: the last to go now
    cache.put(99, statement, "m", b"y" * 100)
    assert cache.get(oldest, statement) is not None
    assert cache.get(oldest + 1, statement) is None
    cache.put(100, statement, "m", b"z" * (budget // 8 + 1))  # larger than an eighth of the store: not kept
    assert cache.get(100, statement) is None
    assert cache.get(99, select(Employee.name)) is None  # a key is its statement's own


def test_the_task_list_declares_every_table_its_statements_read() -> None:
    """/me/tasks is kept by declared tables (its statements are SQL text): they must be exactly what the SQL
    names, so a table added to the query without its mark fails here, not in production."""
    named = tables_in_sql(str(calendar_repository._WINDOW), "kinerja")
    for periods in range(6):
        named |= tables_in_sql(str(tasks_repository._tasks_statement(periods)), "kinerja")
    assert named == TASK_TABLES.names


async def test_the_task_list_is_kept_until_a_table_it_reads_changes(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    _unit, boss, reports = await _team(db)
    app = create_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        first, _ = await _get(client, "/v1/me/tasks", tokens.pegawai(boss), app)
        again, trips = await _get(client, "/v1/me/tasks", tokens.pegawai(boss), app)
        assert again.content == first.content
        assert _sent(trips) == [MARKS]
        seed = await connect(db)
        try:
            await seed.skp(reports[1], today().year, "SUBMITTED")  # a report submits an SKP: one more task
        finally:
            await seed.conn.close()
        after, _ = await _get(client, "/v1/me/tasks", tokens.pegawai(boss), app)
        kinds = [t["kind"] for t in after.json()["items"]]
        assert kinds.count("SKP_TO_APPROVE") == 1 + [t["kind"] for t in first.json()["items"]].count(
            "SKP_TO_APPROVE"
        )
        # Another caller's list is their own.
        own, _ = await _get(client, "/v1/me/tasks", tokens.pegawai(reports[1]), app)
        assert "SKP_TO_APPROVE" not in [t["kind"] for t in own.json()["items"]]


async def test_requests_waiting_for_the_same_stale_answer_share_one_making(
    db: str, settings_for: Callable[..., Any]
) -> None:
    """After a write, the 30 requests that find a page stale make it once between them, not 30 times; a failure
    fails each of them and the next request makes it again; a request that goes away leaves the others theirs."""
    _, boss, _ = await _team(db)
    app = create_app(settings_for(KinerjaSettings))
    async with running(app):
        reader = ReadConnection(kinerja_state(app).engine, cache_bytes=2**20)
        source = Source.of("kinerja", ["employee"])
        made: list[int] = []
        failing = False

        async def compute() -> bytes:
            made.append(1)
            await asyncio.sleep(0.05)
            if failing:
                raise RuntimeError("the database said no")
            return b"page %d" % len(made)

        async def ask() -> bytes:
            return await reader.kept(source, "key", compute)

        assert set(await asyncio.gather(*(ask() for _ in range(30)))) == {b"page 1"}
        assert len(made) == 1
        assert set(await asyncio.gather(*(ask() for _ in range(30)))) == {b"page 1"}  # kept
        conn = await asyncpg.connect(plain_dsn(db))
        try:
            await conn.execute("UPDATE kinerja.employee SET name = name WHERE nip = $1", boss)
            failing = True
            outcomes = await asyncio.gather(*(ask() for _ in range(30)), return_exceptions=True)
            assert len(made) == 2
            assert all(isinstance(o, RuntimeError) for o in outcomes)
            failing = False
            first = asyncio.ensure_future(ask())
            await asyncio.sleep(0.01)  # its making has started
            others = [asyncio.ensure_future(ask()) for _ in range(29)]
            first.cancel()
            assert set(await asyncio.gather(*others)) == {b"page 3"}
            assert len(made) == 3
            assert first.cancelled()
        finally:
            await conn.close()
