"""The database part of kinerja's hot reads in-process: SQLAlchemy Core on a connection against the read path
(``services.common.db.ReadConnection``, asyncpg prepared statements), CPU per call (issue 21).

No HTTP, no framework: each call checks a connection out of the app's pool, runs the statement the route runs
and returns the connection, in one process against the province-scale dataset (bench.datagen, or a kept one
with ``--database-url``). Cases are interleaved round by round; the figure is the median over rounds of the
process's CPU time per call (``time.process_time``: the server's cost, not the wait for PostgreSQL).

- ``core``      — what the hot reads ran before: ``AsyncEngine.connect()`` in autocommit, ``execute``, ``all()``;
- ``read path`` — :class:`ReadConnection` ``.all()``, as the routes call it: the pool's checkout, the statement, the return;
- ``fetch``     — the read path's statement alone, on a connection held throughout;
- ``checkout``  — the read path's checkout and return alone.

    .venv/bin/python -m bench.read_path [--calls 2000] [--rounds 7] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.util.concurrency import greenlet_spawn

from bench import datagen
from bench._util import command_line, machine, table, write_section
from services.common.db import ReadConnection, ReadRow, _prepare
from services.common.settings import normalise_database_url
from services.kinerja_api.employees import repository as employees
from services.kinerja_api.evaluations import repository as evaluations
from tests.support.fixtures import drop_database, postgres_server

SECTION = "read-path"


async def measure(database_url: str, calls: int, rounds: int) -> tuple[list[list[object]], str]:
    engine = create_async_engine(normalise_database_url(database_url), pool_size=4)
    core_engine = engine.execution_options(isolation_level="AUTOCOMMIT")  # the hot reads' engine before
    try:
        async with engine.connect() as conn:
            first = (await conn.exec_driver_sql(
                "SELECT nip, unit_id FROM kinerja.employee WHERE active ORDER BY nip LIMIT 1")).mappings().one()  # fmt: skip
        nip, unit = str(first["nip"]), first["unit_id"]
        statements: dict[str, tuple[Any, dict[str, Any]]] = {
            "point read": (employees._BY_NIP.statement, {"nips": [nip]}),
            "evaluation list (50)": evaluations.list_page_statement(
                visible_to=None,
                unit_id=unit,
                period="2026-Q1",
                nip=None,
                predikat=None,
                status=None,
                after_id=None,
                limit=50,
            ),
        }
        held = await engine.raw_connection()
        reader = ReadConnection(engine)
        driver: Any = held.driver_connection
        rows: list[list[object]] = []
        try:
            for what, (stmt, params) in statements.items():
                # Each case closes over this iteration's statement (bound as defaults).

                async def core(stmt: Any = stmt, params: dict[str, Any] = params) -> Any:
                    async with core_engine.connect() as c:
                        return (await c.execute(stmt, params)).all()

                async def read_path(stmt: Any = stmt, params: dict[str, Any] = params) -> Any:
                    return await reader.all(stmt, params)  # checks its connection out per statement

                prepared = _prepare(stmt, engine.dialect)
                args = [params[n] if n in params else prepared.defaults[n] for n in prepared.names]

                async def fetch(sql: str = prepared.sql, args: list[Any] = args) -> Any:
                    return await driver.fetch(sql, *args, record_class=ReadRow)

                async def checkout() -> None:
                    raw = await greenlet_spawn(engine.sync_engine.pool.connect)  # as ReadConnection.all
                    raw.close()

                cases: dict[str, Callable[[], Awaitable[Any]]] = {
                    "core": core, "read path": read_path, "fetch": fetch, "checkout": checkout}  # fmt: skip
                got_core, got_read = await core(), await read_path()
                if [tuple(r) for r in got_core] != [tuple(r) for r in got_read]:
                    raise RuntimeError(f"{what}: the two paths returned different rows")
                n_rows = len(got_core)
                for case in cases.values():  # warm-up: statement caches, pool
                    for _ in range(200):
                        await case()
                per_call: dict[str, list[float]] = {name: [] for name in cases}
                for _ in range(rounds):
                    for name, case in cases.items():
                        started = time.process_time()
                        for _ in range(calls):
                            await case()
                        per_call[name].append((time.process_time() - started) / calls * 1e6)
                med = {name: statistics.median(v) for name, v in per_call.items()}
                for name in cases:
                    rows.append([what, name, n_rows, f"{med[name]:.1f}",
                                 f"{med[name] / med['core']:.2f}" if name != "checkout" else ""])  # fmt: skip
                print(f"{what}: " + ", ".join(f"{k} {v:.1f} us" for k, v in med.items()), flush=True)
        finally:
            await greenlet_spawn(held.close)
    finally:
        await engine.dispose()
    return rows, f"employee {nip}, unit {unit}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=2000, help="calls per case and round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--database-url", help="a database kept by bench.datagen --keep")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    started = time.perf_counter()
    with postgres_server() as server_url:
        if args.database_url:
            url = args.database_url
        else:
            workdir = Path(tempfile.mkdtemp(prefix="asn-bench-read-"))
            dataset = asyncio.run(datagen.create(server_url, data_dir=workdir, verbose=False))
            shutil.rmtree(workdir, ignore_errors=True)  # the publik files are not read here
            url = dataset.database_url
        try:
            rows, who = asyncio.run(measure(url, args.calls, args.rounds))
        finally:
            if not args.database_url:
                asyncio.run(drop_database(server_url, url))
    text = table(["statement", "path", "rows", "CPU us/call (median)", "vs core"], rows)
    print(text, f"took {time.perf_counter() - started:.0f} s", sep="\n")
    if not args.no_write:
        write_section(
            SECTION,
            f"""## The hot reads' database path in-process: SQLAlchemy Core against the read path (issue 21)

Command: `{command_line()}`. One process, one statement at a time, {args.rounds} interleaved rounds of
{args.calls} calls per case; CPU time of the process per call, medians over rounds ({who}). Machine: {machine()}.

{text}

"core" is what the hot reads ran before (a SQLAlchemy `AsyncConnection` in autocommit, `execute`, `all()`);
"read path" is `ReadConnection.all` (services/common/db.py) as the routes call it: the pool's own checkout, the
statement, compiled once, as an asyncpg prepared statement on the pooled connection's raw asyncpg connection, and the return; "fetch" is that statement alone on a held connection and "checkout" the
pool's checkout and return alone. Both paths return the same rows (checked before timing).
""",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
