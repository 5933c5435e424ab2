"""Benchmark: importing 10,000 employees from CSV (issue 3: "imports in seconds").

Builds a scratch database with the kinerja migrations, then times
  1. the service function (the code behind both the endpoint and ``asn import-employees``) on an empty
     registry (10,000 created), and again with the same file (10,000 unchanged);
  2. ``POST /v1/employees/import`` on the app in-process (httpx ASGITransport), on an emptied registry.
Prints a table and writes it, with the command, into docs/benchmarks.md between
``<!-- bench:kinerja-import -->`` and ``<!-- /bench:kinerja-import -->`` (other sections are left alone).

``--compare REV`` also times the service function of git revision REV (its tree from ``git archive``, its
own migrations on a second scratch database) and of the current code, each in a worker process of its own,
rounds interleaved, and reports the import's CPU per row (user+system of the worker during the import, the
database's own CPU not counted) old against new: the median of ``--rounds``.

Run: .venv/bin/python -m bench.kinerja_import [--rows 10000] [--compare REV [--rounds 3]] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench._util import ROOT, command_line, export_revision, migrate_revision
from services.common.settings import normalise_database_url
from services.kinerja_api import clock
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.employees.importer import ImportCounts, import_employees
from services.kinerja_api.main import create_app
from services.kinerja_api.samples import employees_csv
from tests.support.fixtures import (
    Tokens,
    create_database,
    drop_database,
    migrate_all,
    new_signer,
    postgres_server,
    running,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
START, END = "<!-- bench:kinerja-import -->", "<!-- /bench:kinerja-import -->"


def plain_dsn(url: str) -> str:
    return normalise_database_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def _reset(url: str) -> None:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        await conn.execute("TRUNCATE kinerja.employee_assignment, kinerja.employee CASCADE")
    finally:
        await conn.close()


async def _service_import(url: str, data: bytes) -> tuple[ImportCounts, float]:
    engine = create_async_engine(normalise_database_url(url))
    try:
        started = time.perf_counter()
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            counts = await import_employees(session, data, today=clock.today(), actor="bench")
        return counts, time.perf_counter() - started
    finally:
        await engine.dispose()


async def run(rows: int) -> list[tuple[str, int, float, str]]:
    data = employees_csv(rows, "BKD").encode()
    results: list[tuple[str, int, float, str]] = []
    with postgres_server() as server:
        url = await create_database(server, prefix="bench_kinerja")
        try:
            await asyncio.to_thread(migrate_all, url, ("kinerja",))
            conn = await asyncpg.connect(plain_dsn(url))
            await conn.execute(
                "INSERT INTO kinerja.unit (id, code, name) VALUES (gen_random_uuid(), 'BKD', 'BKD')"
            )
            await conn.close()

            counts, seconds = await _service_import(url, data)
            results.append(("service function, empty registry", rows, seconds, f"{counts.created} created"))
            counts, seconds = await _service_import(url, data)
            results.append(
                ("service function, same file again", rows, seconds, f"{counts.unchanged} unchanged")
            )

            await _reset(url)
            tokens = Tokens(new_signer())
            settings = KinerjaSettings(
                environment="test",
                database_url=url,
                jwt_public_keys_pem=tokens.signer.public_pem,
                outbox_enabled=False,
                log_level="WARNING",
            )
            async with running(create_app(settings)) as client:
                headers = {**tokens.admin(), "Content-Type": "text/csv"}
                started = time.perf_counter()
                resp = await client.post("/v1/employees/import", content=data, headers=headers, timeout=120)
                seconds = time.perf_counter() - started
                resp.raise_for_status()
                results.append(
                    (
                        "POST /v1/employees/import (in-process)",
                        rows,
                        seconds,
                        f"{resp.json()['created']} created",
                    )
                )
                started = time.perf_counter()
                resp = await client.post("/v1/employees/import", content=data, headers=headers, timeout=120)
                seconds = time.perf_counter() - started
                results.append(
                    (
                        "POST /v1/employees/import, again",
                        rows,
                        seconds,
                        f"{resp.json()['unchanged']} unchanged",
                    )
                )
        finally:
            await drop_database(server, url)
    return results


# Run in a worker process whose cwd is the code to time (the current tree or an exported revision), so it
# imports that code; written against what both have (import_employees, employees_csv, the WIB clock).
_WORKER = """
import asyncio, json, sys, time
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from services.common.settings import normalise_database_url
from services.kinerja_api import clock
from services.kinerja_api.employees.importer import import_employees
from services.kinerja_api.samples import employees_csv

async def main(url, rows):
    data = employees_csv(rows, "BKD").encode()
    engine = create_async_engine(normalise_database_url(url))
    out = {}
    try:
        for label in ("created", "unchanged"):
            cpu, wall = time.process_time(), time.perf_counter()
            async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
                counts = await import_employees(session, data, today=clock.today(), actor="bench")
            out[label] = [time.process_time() - cpu, time.perf_counter() - wall, getattr(counts, label)]
    finally:
        await engine.dispose()
    print(json.dumps(out))

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def _worker(code: Path, url: str, rows: int) -> dict[str, list[float]]:
    """{"created"|"unchanged": [cpu s, wall s, count]} of one import into an emptied registry by the code
    at ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, url, str(rows)], cwd=code, check=True, capture_output=True, text=True
    )
    result: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def _prepare(url: str, code: Path | None) -> None:
    """The kinerja schema by the migrations of ``code`` (None: the current tree) and the unit BKD."""
    if code is None:
        await asyncio.to_thread(migrate_all, url, ("kinerja",))
    else:
        await asyncio.to_thread(migrate_revision, code, "kinerja", url)
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        await conn.execute(
            "INSERT INTO kinerja.unit (id, code, name) VALUES (gen_random_uuid(), 'BKD', 'BKD')"
        )
    finally:
        await conn.close()


async def compare(rows: int, rev: str, rounds: int) -> str:
    """The service function of the current code and of ``rev``, rounds interleaved: CPU ms per row."""
    runs: dict[str, list[dict[str, list[float]]]] = {"current": [], rev: []}
    with postgres_server() as server, tempfile.TemporaryDirectory(prefix="asn-bench-") as tmp:
        urls = {name: await create_database(server, prefix="bench_kinerja_cmp") for name in runs}
        try:
            codes = {"current": ROOT, rev: await asyncio.to_thread(export_revision, rev, Path(tmp))}
            for name in runs:
                await _prepare(urls[name], None if name == "current" else codes[name])
            names = list(runs)
            for r in range(rounds):
                # Alternate which code goes first, so neither always meets the machine as the other left it.
                for name in names if r % 2 == 0 else names[::-1]:
                    await _reset(urls[name])
                    runs[name].append(await asyncio.to_thread(_worker, codes[name], urls[name], rows))
        finally:
            for url in urls.values():
                await drop_database(server, url)
    lines = [
        f"Service function, {rows:,} rows, current code against `{rev}`, each in its own worker process, "
        f"{rounds} interleaved rounds (median; CPU = user+system of the worker during the import, PostgreSQL's "
        "own CPU not counted). Wall seconds follow whatever else the machine runs; the CPU columns compare the code.",
        "",
        "| import | code | CPU ms per row | wall s | rows |",
        "|---|---|---:|---:|---:|",
    ]
    medians: dict[tuple[str, str], float] = {}
    for label in ("created", "unchanged"):
        for name in names:
            cpu = statistics.median(x[label][0] for x in runs[name]) * 1000 / rows
            wall = statistics.median(x[label][1] for x in runs[name])
            medians[label, name] = cpu
            count = int(runs[name][-1][label][2])
            lines.append(f"| {label} | {name} | {cpu:.3f} | {wall:.2f} | {count:,} |")
    for label in ("created", "unchanged"):
        ratio = medians[label, "current"] / medians[label, rev]
        lines.append(f"| {label}: current / `{rev}` | | x{ratio:.2f} | | |")
    return "\n".join(lines)


def table(results: list[tuple[str, int, float, str]], rows: int, size: int) -> str:
    lines = [
        f"Import of {rows:,} employees from one CSV ({size / 1e6:.1f} MB), one transaction, "
        f"measured {time.strftime('%Y-%m-%d')} on {platform.machine()} / Python {platform.python_version()}, "
        "PostgreSQL on loopback.",
        "",
        "| path | rows | seconds | rows/s | result |",
        "|---|---:|---:|---:|---|",
    ]
    for what, n, seconds, result in results:
        lines.append(f"| {what} | {n:,} | {seconds:.2f} | {n / seconds:,.0f} | {result} |")
    return "\n".join(lines)


def write_section(body: str, command: str = ".venv/bin/python -m bench.kinerja_import") -> None:
    section = f"{START}\n## kinerja: employee CSV import\n\nCommand: `{command}`\n\n{body}\n{END}"
    # Re-read right before writing: other sections of this file belong to other benchmarks.
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--compare", metavar="REV", help="also time the import of this git revision")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of --compare")
    args = parser.parse_args()
    results = asyncio.run(run(args.rows))
    body = table(results, args.rows, len(employees_csv(args.rows, "BKD").encode()))
    if args.compare:
        body += "\n\n" + asyncio.run(compare(args.rows, args.compare, args.rounds))
    print(body)
    if not args.no_write:
        write_section(body, command_line())
        print(f"\nwritten to {DOC}")


if __name__ == "__main__":
    main()
