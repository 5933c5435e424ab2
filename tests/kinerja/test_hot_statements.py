"""The hot reads of kinerja send a fixed number of statements to PostgreSQL, whatever the team's size (issue 21).

Not timed: it counts what each request sends (statements plus BEGIN/COMMIT/ROLLBACK), so an N+1 or an extra
round trip cannot creep back into the paths bench.hot_reads measures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.common.db import (
    KeyedRead,
    ReadConnection,
    ReadOnlyViolation,
    ReadPathUnsupported,
    _Batch,
    _prepare,
    read_one,
)
from services.common.errors import exception_to_problem
from services.kinerja_api.calendar.periods import quarter_of
from services.kinerja_api.clock import today
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.employees import repository as employees_repository
from services.kinerja_api.main import create_app
from services.kinerja_api.state import kinerja_state
from tests.kinerja.test_evaluations_seed import connect, evaluate
from tests.support.fixtures import Tokens, plain_dsn, running
from tests.support.sql_count import counted, counting

S = "SESUAI_EKSPEKTASI"
# The most each hot read may send, for a team of 3 and a team of 12 alike, as (the supervisor or the unit's
# head, an admin): the distribution is the head's unit report, whose authorisation is one more statement.
# The lists' pages and the task list are kept while their tables' change marks hold: made afresh, they are the
# marks and their own statements.
LIMITS = {
    "employee": (1, 1),
    "employees": (2, 2),
    "evaluations": (2, 2),
    "tasks": (3, 3),
    "distribution": (2, 1),
}
KEPT = ("employees", "evaluations", "tasks")


@pytest.mark.parametrize("team", [3, 12])
async def test_hot_reads_send_a_fixed_number_of_statements(
    db: str, settings_for: Callable[..., Any], tokens: Tokens, team: int
) -> None:
    seed = await connect(db)
    try:
        unit = await seed.unit("DISDIK")
        head = await seed.employee(seed.nip(200), unit, None, position_type="JPT")
        boss = await seed.employee(seed.nip(201), unit, head, position_type="ADMINISTRATOR")
        reports = [seed.nip(300 + i) for i in range(team)]
        await seed.employees(reports, unit, boss)
        for nip in reports[:2]:
            await seed.skp(nip, today().year, "SUBMITTED")
        await seed.anchor()  # the others' results rest on an approved SKP (issue 16)
    finally:
        await seed.conn.close()
    period = quarter_of(today()).previous().code

    app = create_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        boss_h = tokens.pegawai(boss)
        for nip in reports[2:5]:
            await evaluate(client, boss_h, nip, S, S, period=period)
        paths = {
            "employee": f"/v1/employees/{boss}",
            "employees": f"/v1/employees?unit_id={unit}",
            "evaluations": f"/v1/evaluations?unit_id={unit}&period={period}",
            "tasks": "/v1/me/tasks",
            "distribution": f"/v1/reports/predikat-distribution?unit_id={unit}&period={period}",
        }
        engine = kinerja_state(app).engine
        # Which tables are marked is read from the catalogue once per process, at the first kept read.
        assert (await client.get("/v1/employees?limit=1", headers=tokens.admin())).status_code == 200
        for name, path in paths.items():
            first = tokens.pegawai(head) if name == "distribution" else boss_h
            for headers, limit in zip((first, tokens.admin()), LIMITS[name], strict=True):
                async with counted(engine) as trips:
                    resp = await client.get(path, headers=headers)
                assert resp.status_code == 200, resp.text
                assert len(trips.statements) <= limit, f"{path}:\n{trips}"
                # A read opens no transaction: BEGIN and COMMIT were two of a point read's three round trips.
                assert trips.transactions == [], f"{path}:\n{trips}"
                if name in KEPT:
                    # The same page again is kept (services/common/readcache.py): the marks, nothing else.
                    async with counted(engine) as trips:
                        again = await client.get(path, headers=headers)
                    assert again.content == resp.content
                    assert [s.split()[1] for s in trips.statements] == ["k.tables,"], f"{path}:\n{trips}"


async def test_the_read_path_refuses_writes_and_locks(db: str, settings_for: Callable[..., Any]) -> None:
    """The hot reads' connection (ReadConnectionDep) runs each statement in autocommit, so a write there would
    commit at once and a lock would end at once: both are refused before anything is sent, a data-modifying
    WITH included."""
    app = create_app(settings_for(KinerjaSettings))
    async with running(app):
        conn = ReadConnection(kinerja_state(app).engine)
        for statement in (
            "UPDATE kinerja.employee SET name = name",
            "WITH gone AS (DELETE FROM kinerja.unit RETURNING id) SELECT count(*) FROM gone",
            "SELECT nip FROM kinerja.employee FOR UPDATE",
            "SELECT nip FROM kinerja.employee FOR KEY SHARE",
        ):
            with pytest.raises(ReadOnlyViolation):
                await conn.all(text(statement), {})
        assert [tuple(r) for r in await conn.all(text("SELECT 1 AS one"), {})] == [(1,)]


async def test_read_path_errors_are_sqlalchemy_errors_and_a_lost_connection_is_dropped(
    db: str, settings_for: Callable[..., Any]
) -> None:
    """Errors on the read path answer as on every other path: a bad value is a DBAPIError with its SQLSTATE
    (class 22 answers 422), a statement past statement_timeout and a lost connection are "database unavailable"
    (503), and the lost connection is invalidated, so the pool does not hand it out again. Each statement checks
    its connection out for itself: with one connection in the pool, every statement here runs on the same one."""
    app = create_app(settings_for(KinerjaSettings, db_pool_size=1, db_max_overflow=0))
    async with running(app):
        engine = kinerja_state(app).engine
        conn = ReadConnection(engine, kinerja_state(app).admission)
        with pytest.raises(DBAPIError) as bad:
            await conn.all(text("SELECT CAST(:v AS integer) / 0"), {"v": "1"})
        assert exception_to_problem(bad.value, "/x")[0] == 422  # 22012 division by zero
        await conn.all(text("SELECT set_config('statement_timeout', '50', false)"), {})
        with pytest.raises(DBAPIError) as slow:
            await conn.all(text("SELECT pg_sleep(5)"), {})
        assert exception_to_problem(slow.value, "/x")[0] == 503
        await conn.all(text("SELECT set_config('statement_timeout', '0', false)"), {})
        pid = (await conn.all(text("SELECT pg_backend_pid() AS pid"), {}))[0].pid
        other = await asyncpg.connect(plain_dsn(db))  # not from the pool: its one connection is the victim
        try:
            await other.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await other.close()
        with pytest.raises(DBAPIError) as lost:
            await conn.all(text("SELECT 1"), {})
        assert lost.value.connection_invalidated
        assert exception_to_problem(lost.value, "/x")[0] == 503
        # The pool opened a new connection instead of the dead one, and every slot and connection came back.
        again = await conn.all(text("SELECT 2 AS two, pg_backend_pid() AS pid"), {})
        assert again[0].two == 2
        assert again[0].pid != pid
        assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        admission = kinerja_state(app).admission
        assert admission is None or admission.in_use == 0


def test_the_read_path_refuses_what_needs_sqlalchemy_processing() -> None:
    """The read path hands values to asyncpg as they are: a statement needing SQLAlchemy's per-value processing
    (an expanding IN, a type with a processor) is refused when first prepared, never run with wrong values."""
    from sqlalchemy import JSON, bindparam, column, select, table
    from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

    t = table("t", column("a"), column("j", JSON))
    with pytest.raises(ReadPathUnsupported):
        _prepare(select(t.c.a).where(t.c.a.in_(bindparam("xs", expanding=True))), PGDialect_asyncpg())  # type: ignore[no-untyped-call]
    with pytest.raises(ReadPathUnsupported):
        _prepare(select(t.c.a).where(t.c.j == bindparam("j", type_=JSON)), PGDialect_asyncpg())  # type: ignore[no-untyped-call]


async def test_point_reads_of_one_turn_are_one_statement_and_each_request_sees_only_its_own(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    """The point reads that reach the database in the same turn of the event loop share one statement (the
    keyed read of services/common/db.py): 30 requests at once, by 30 callers, are 4 statements instead of 30. Each
    request still decides for itself who may see the row: a pegawai asking for a colleague in the same batch
    gets 404, an unknown NIP gets 404, the others their own employee."""
    seed = await connect(db)
    try:
        unit = await seed.unit("DISDIK")
        boss = await seed.employee(seed.nip(201), unit, None, position_type="ADMINISTRATOR")
        reports = [seed.nip(300 + i) for i in range(30)]
        await seed.employees(reports, unit, boss)
    finally:
        await seed.conn.close()
    unknown = seed.nip(999)

    app = create_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        engine = kinerja_state(app).engine
        await client.get(f"/v1/employees/{boss}", headers=tokens.pegawai(boss))  # warm: keys, plans, arrays
        asks = [(nip, nip) for nip in reports[:27]]  # each pegawai their own record
        asks += [(reports[27], reports[0]), (reports[28], unknown), (boss, reports[29])]
        with counting(engine) as trips:
            answers = await asyncio.gather(
                *(client.get(f"/v1/employees/{nip}", headers=tokens.pegawai(who)) for who, nip in asks)
            )
        batches = -(-len(asks) // employees_repository._BY_NIP.max_batch)  # 30 requests, 8 a statement: 4
        assert len(trips.statements) == batches, f"{len(trips.statements)} statements:\n{trips}"
        assert trips.transactions == []
        for (_who, nip), resp in zip(asks[:27], answers[:27], strict=True):
            assert resp.status_code == 200, resp.text
            assert resp.json()["nip"] == nip
            assert resp.headers["ETag"]
        assert answers[27].status_code == 404  # a colleague, asked in the same batch as their own read
        assert answers[28].status_code == 404  # no such employee
        assert answers[29].status_code == 200  # the supervisor reads a report
        assert answers[29].json()["nip"] == reports[29]

        # One request alone is one statement too.
        with counting(engine) as trips:
            alone = await client.get(f"/v1/employees/{reports[5]}", headers=tokens.admin())
        assert alone.status_code == 200
        assert len(trips.statements) == 1


_SQUARE = KeyedRead(
    text(
        "SELECT k, CAST(k AS integer) * CAST(k AS integer) AS square FROM unnest(CAST(:ks AS varchar[])) AS k"
        " WHERE k <> 'none'"
    ),
    keys_param="ks",
    key_column="k",
    max_batch=4,
)


def _square(row: Any) -> int:
    assert row is not None
    return int(row.square)


async def test_a_keyed_batch_fails_together_splits_when_full_and_survives_a_caller_that_left(
    db: str, settings_for: Callable[..., Any]
) -> None:
    """A batch whose statement fails fails each of its requests with that error (here a bad value: 422), and the
    next batch starts afresh; more requests than ``max_batch`` are several statements; the same key asked twice is
    read once; a request cancelled while it waits takes nothing from the others; inside a session the keyed
    read is a plain statement."""
    app = create_app(settings_for(KinerjaSettings))
    async with running(app):
        engine = kinerja_state(app).engine
        conn = ReadConnection(engine, kinerja_state(app).admission)

        with counting(engine) as trips:
            got = await asyncio.gather(*(conn.one(_SQUARE, k) for k in ["2", "none", "2", "3"]))
        assert [r["square"] if r else None for r in got] == [4, None, 4, 9]
        assert len(trips.statements) == 1  # four requests, three keys: one batch

        with counting(engine) as trips:
            got = await asyncio.gather(*(conn.one(_SQUARE, str(k)) for k in range(10)))
        assert [r["square"] for r in got if r] == [k * k for k in range(10)]
        assert len(trips.statements) == 3  # 4 + 4 + 2 requests

        bad = await asyncio.gather(conn.one(_SQUARE, "2"), conn.one(_SQUARE, "two"), return_exceptions=True)
        for error in bad:
            assert isinstance(error, DBAPIError), bad
            assert exception_to_problem(error, "/x")[0] == 422  # 22P02: each request answers as alone
        assert _square(await conn.one(_SQUARE, "2")) == 4  # the next batch is fresh

        leaving = asyncio.ensure_future(conn.one(_SQUARE, "5"))
        staying = asyncio.ensure_future(conn.one(_SQUARE, "5"))
        await asyncio.sleep(0)  # both joined; the batch's statement has not been sent
        leaving.cancel()
        assert _square(await staying) == 25
        assert leaving.cancelled()
        assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]

        # A batch left open by a loop that ended before sending it (an in-process test's loop can) is not
        # joined: a request on this loop starts its own instead of waiting for ever.
        dead = asyncio.new_event_loop()
        try:
            conn._open[_SQUARE] = _Batch(dead)
            assert _square(await asyncio.wait_for(conn.one(_SQUARE, "3"), 5)) == 9
        finally:
            dead.close()

        async with kinerja_state(app).sessionmaker() as session:
            assert _square(await read_one(session, _SQUARE, "7")) == 49
