"""The hot reads of kinerja send a fixed number of statements to PostgreSQL, whatever the team's size (issue 21).

Not timed: it counts what each request sends (statements plus BEGIN/COMMIT/ROLLBACK), so an N+1 or an extra
round trip cannot creep back into the paths bench.hot_reads measures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.common.db import ReadConnection, ReadOnlyViolation, ReadPathUnsupported, _prepare
from services.common.errors import exception_to_problem
from services.kinerja_api.calendar.periods import quarter_of
from services.kinerja_api.clock import today
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app
from services.kinerja_api.state import kinerja_state
from tests.kinerja.test_evaluations_seed import connect, evaluate
from tests.support.fixtures import Tokens, plain_dsn, running
from tests.support.sql_count import counting

S = "SESUAI_EKSPEKTASI"
# The most each hot read may send, for a team of 3 and a team of 12 alike, as (the supervisor or the unit's
# head, an admin): the distribution is the head's unit report, whose authorisation is one more statement.
LIMITS = {
    "employee": (1, 1),
    "employees": (1, 1),
    "evaluations": (1, 1),
    "tasks": (2, 2),
    "distribution": (2, 1),
}


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
        for name, path in paths.items():
            first = tokens.pegawai(head) if name == "distribution" else boss_h
            for headers, limit in zip((first, tokens.admin()), LIMITS[name], strict=True):
                with counting(engine) as trips:
                    resp = await client.get(path, headers=headers)
                assert resp.status_code == 200, resp.text
                assert len(trips.statements) <= limit, f"{path}:\n{trips}"
                # A read opens no transaction: BEGIN and COMMIT were two of a point read's three round trips.
                assert trips.transactions == [], f"{path}:\n{trips}"


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
