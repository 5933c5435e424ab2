"""Benchmark: pelatihan enrolment under contention, and the JP compliance report at scale.

1. Enrolment: pelatihan runs as a real uvicorn process on a scratch database built by its migrations.
   Per round, 500 concurrent clients each ask for a seat in the same session (as the employee) and then
   have it approved (as the training admin, so every approval goes through the one-statement seat/waitlist
   update on the session row, without a kinerja look-up). Reports throughput over all requests, p50/p99
   latency per request, server CPU per request (user+system of the uvicorn process, from /proc), and checks
   that confirmed seats equal the capacity exactly. ``--compare REV`` also runs the pelatihan of git
   revision REV (its tree from ``git archive``, migrated by its own migrations on a second scratch database)
   with the same load, its rounds interleaved with the current code's, so the two CPU figures come from one
   run on one machine state.
2. Compliance report: ``--employees`` roster employees over 120 units (one in ten PPPK, with contract dates)
   and 5 completions each (5 x employees ledger rows), generated in SQL; times the report code
   (services.pelatihan_api.ledger.service.compliance) for the whole province and for one unit (with its
   below-20-JP list): ``--runs`` calls per scope and round. ``--compare REV`` also times REV's report code in a
   worker process on the same database, ``--report-rounds`` rounds interleaved, and fails unless both reports
   are the same. Before timing, ``--delta-backlog`` entries are revoked and restored one statement at a time,
   so the report reads the per-unit deltas (migration pelatihan_0013) as they stand between two compactions.
   ``--keep`` leaves the database for EXPLAIN; ``--reuse URL`` runs on a kept one (migrated,
   regenerated only when its size differs, never dropped). ``--rounds 0`` skips part 1.

Writes part 1 into docs/benchmarks.md between ``<!-- bench:pelatihan -->`` and ``<!-- /bench:pelatihan -->``
(when it ran) and part 2 between ``<!-- bench:pelatihan-report -->`` and its end marker, each with its command.
The scratch databases are dropped afterwards unless kept.

Run: .venv/bin/python -m bench.pelatihan [--clients 500] [--capacity 50] [--rounds 3] [--employees 50000]
     [--runs 5] [--report-rounds 1] [--compare REV] [--delta-backlog 2000] [--keep | --reuse URL] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from bench._util import (
    ROOT,
    command_line,
    cpu_seconds,
    export_revision,
    free_port,
    machine,
    migrate_revision,
    percentile,
    process,
    table,
    write_section,
)
from services.common.auth import Role
from services.common.settings import normalise_database_url
from services.pelatihan_api.ledger import service as ledger
from tests.support.fixtures import (
    Tokens,
    create_database,
    drop_database,
    migrate_all,
    new_signer,
    plain_dsn,
    postgres_server,
)

UNITS = 120


async def _catalogue(client: httpx.AsyncClient, admin: dict[str, str], capacity: int) -> str:
    inst = await client.post(
        "/v1/institutions", json={"name": f"Bench {uuid.uuid4().hex[:6]}", "kind": "BPSDM"}, headers=admin
    )
    prog = await client.post(
        "/v1/programs",
        json={
            "institution_id": inst.json()["id"],
            "title": "Bench programme",
            "competency": "TEKNIS",
            "tags": [],
            "jp": 20,
            "mode": "KLASIKAL",
        },
        headers=admin,
    )
    now = datetime.now(UTC)
    start = (now + timedelta(days=3)).date()
    sess = await client.post(
        "/v1/sessions",
        json={
            "program_id": prog.json()["id"],
            "capacity": capacity,
            "location": "Aula",
            "enrol_opens_at": (now - timedelta(hours=1)).isoformat(),
            "enrol_closes_at": (now + timedelta(days=1)).isoformat(),
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=2)).isoformat(),
        },
        headers=admin,
    )
    assert sess.status_code == 201, sess.text
    return str(sess.json()["id"])


async def enrolment_round(
    url: str, tokens: Tokens, clients: int, capacity: int, offset: int
) -> dict[str, Any]:
    """One round: ``clients`` concurrent request+approve pairs on one fresh session.

    The load is generated with aiohttp: httpx's pool costs too much CPU at 500 connections and would measure
    the client instead of the server.
    """
    admin = tokens.headers("bench-admin", [Role.PELATIHAN_ADMIN])
    async with httpx.AsyncClient(base_url=url, timeout=60.0) as setup:
        session_id = await _catalogue(setup, admin, capacity)
    headers = [tokens.pegawai(str(198001012005011000 + offset + i)) for i in range(clients)]
    latencies: list[float] = []
    statuses: list[int] = []
    outcome: list[str] = []
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(
        base_url=url, connector=connector, timeout=aiohttp.ClientTimeout(total=120)
    ) as client:

        async def one(i: int) -> None:
            nip = str(198001012005011000 + offset + i)
            t0 = time.perf_counter()
            async with client.post(
                f"/v1/sessions/{session_id}/enrolments", json={"nip": nip}, headers=headers[i]
            ) as r:
                body = await r.json(content_type=None)
                latencies.append(time.perf_counter() - t0)
                statuses.append(r.status)
            if r.status != 201:
                return
            t0 = time.perf_counter()
            async with client.post(f"/v1/enrolments/{body['id']}/approve", headers=admin) as r:
                body = await r.json(content_type=None)
                latencies.append(time.perf_counter() - t0)
                statuses.append(r.status)
            if r.status == 200:
                outcome.append(body["status"])

        started = time.perf_counter()
        await asyncio.gather(*[one(i) for i in range(clients)])
        wall = time.perf_counter() - started
    lat = sorted(latencies)
    return {
        "requests": len(statuses),
        "rps": len(statuses) / wall,
        "p50": percentile(lat, 50) * 1000,
        "p99": percentile(lat, 99) * 1000,
        "errors": sum(1 for s in statuses if s >= 400),
        "error_codes": sorted({s for s in statuses if s >= 400}),
        "confirmed": outcome.count("CONFIRMED"),
        "waitlisted": outcome.count("WAITLISTED"),
    }


_GENERATE = [
    "TRUNCATE pelatihan.jp_entry, pelatihan.roster_employee",
    # :employees employees over 120 units; one in ten is PPPK, on a contract that began 2019-2024.
    "INSERT INTO pelatihan.roster_employee (nip, unit_id, employment, position_type, rank, active, as_of,"
    " contract_start)"
    " SELECT (198001012005011000 + g)::text, md5('unit' || (g % :units))::uuid,"
    " CASE WHEN (g / :units) % 10 = 0 THEN 'PPPK' ELSE 'PNS' END, 'PELAKSANA', 'III/a', true, now(),"
    " CASE WHEN (g / :units) % 10 = 0 THEN date '2019-01-01' + (g % 2000) END"
    " FROM generate_series(1, :employees) g",
    # Five completions each in 2026 with 1..8 JP, so totals spread around the 20 JP line.
    "INSERT INTO pelatihan.jp_entry (id, nip, year, jp, program_title, mode, completed_on)"
    " SELECT gen_random_uuid(), (198001012005011000 + g)::text, 2026, 1 + floor(random() * 8)::int,"
    " 'Program ' || k, 'KLASIKAL', date '2026-01-01' + (k * 60)"
    " FROM generate_series(1, :employees) g, generate_series(1, 5) k",
]
# The steady state autovacuum keeps: statistics and the visibility map (index-only scans).
_SETTLE = (
    "VACUUM ANALYZE pelatihan.roster_employee, pelatihan.jp_entry, pelatihan.jp_total, pelatihan.jp_unit_delta,"
    " pelatihan.jp_pppk_above"
)

# Run in a worker process whose cwd is the code to time (an exported revision), so it imports that code; written
# against what every revision since issue 18 has (ledger.service.compliance(session, year, unit_id)).
_REPORT_WORKER = """
import asyncio, json, sys, time, uuid
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from services.common.settings import normalise_database_url
from services.pelatihan_api.ledger import service

async def main(url, unit, runs):
    engine = create_async_engine(normalise_database_url(url), pool_size=1)
    out = {}
    try:
        for label, scope in (("province", None), ("unit", uuid.UUID(unit))):
            times = []
            for _ in range(runs):
                async with AsyncSession(engine) as session:
                    t = time.perf_counter()
                    report = await service.compliance(session, 2026, scope)
                    times.append((time.perf_counter() - t) * 1000)
            out[label] = {"ms": times, "summary": report.model_dump(mode="json", exclude={"generated_at", "data_as_of"})}
    finally:
        await engine.dispose()
    print(json.dumps(out))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def _report_worker(code: Path, url: str, unit: uuid.UUID, runs: int) -> dict[str, Any]:
    """{"province"|"unit": {"ms": [...], "summary": the last report}} from the code at ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", _REPORT_WORKER, url, str(unit), str(runs)],
        cwd=code,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def _current_reports(engine: AsyncEngine, unit: uuid.UUID, runs: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, scope in (("province", None), ("unit", unit)):
        times = []
        report = None
        for _ in range(runs):
            async with AsyncSession(engine) as session:
                t = time.perf_counter()
                report = await ledger.compliance(session, 2026, scope)
                times.append((time.perf_counter() - t) * 1000)
        assert report is not None
        out[label] = {
            "ms": times,
            "summary": report.model_dump(mode="json", exclude={"generated_at", "data_as_of"}),
        }
    return out


async def _prepare_compliance_data(url: str, employees: int, reuse: bool) -> str:
    """The bench's roster and ledger on ``url``: generated, or (``reuse``) left as they are when a kept
    database already holds this size. Returns a note for the table."""
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        if reuse:
            have = await conn.fetchval("SELECT count(*) FROM pelatihan.roster_employee")
            rows = await conn.fetchval("SELECT count(*) FROM pelatihan.jp_entry")
            if (have, rows) == (employees, employees * 5):
                await conn.execute(_SETTLE)
                return f"{employees:,} employees x 5 completions reused (kept database)"
        started = time.perf_counter()
        for sql in _GENERATE:
            await conn.execute(sql.replace(":units", str(UNITS)).replace(":employees", str(employees)))
        await conn.execute(_SETTLE)
        return f"{employees:,} employees x 5 completions generated in SQL in {time.perf_counter() - started:.1f} s"
    finally:
        await conn.close()


async def _delta_backlog(url: str, pairs: int) -> str | None:
    """What the report reads between two compactions: ``pairs`` entries revoked and restored one statement at
    a time, as single credits and revocations arrive (the ledger's figures end as generated; each statement
    appends its jp_unit_delta rows, which nothing folds during the bench). None on a revision without them."""
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        if await conn.fetchval("SELECT to_regclass('pelatihan.jp_unit_delta')") is None:
            return None
        ids = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM pelatihan.jp_entry WHERE revoked_at IS NULL ORDER BY id LIMIT $1", pairs
            )
        ]
        for revoked in ("now()", "NULL"):
            await conn.executemany(
                f"UPDATE pelatihan.jp_entry SET revoked_at = {revoked} WHERE id = $1", [(i,) for i in ids]
            )
        await conn.execute(_SETTLE)
        rows = await conn.fetchval("SELECT count(*) FROM pelatihan.jp_unit_delta")
        return f"jp_unit_delta: {rows:,} rows read uncompacted ({len(ids):,} entries revoked and restored one by one)"
    finally:
        await conn.close()


async def compliance_bench(url: str, args: argparse.Namespace, old_code: Path | None) -> list[list[object]]:
    """The report for the province and for one unit: median of ``args.runs`` calls per round. With
    ``old_code``, the same database is read by that revision's report in a worker process, rounds
    interleaved, and both answers must agree."""
    note = await _prepare_compliance_data(url, args.employees, reuse=bool(args.reuse))
    backlog = await _delta_backlog(url, args.delta_backlog)
    one_unit = uuid.UUID(hashlib.md5(b"unit7").hexdigest())
    engine = create_async_engine(normalise_database_url(url), pool_size=1)
    names = ["current"] + ([args.compare] if old_code else [])
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    try:
        for r in range(args.report_rounds):
            for name in names if r % 2 == 0 else names[::-1]:
                if name == "current":
                    results[name].append(await _current_reports(engine, one_unit, args.runs))
                else:
                    assert old_code is not None
                    results[name].append(
                        await asyncio.to_thread(_report_worker, old_code, url, one_unit, args.runs)
                    )
    finally:
        await engine.dispose()
    rows: list[list[object]] = []
    medians: dict[tuple[str, str], float] = {}
    for name in names:
        for label, scope in (
            ("province", "whole province (120 units)"),
            ("unit", "one unit, with its below-20 list"),
        ):
            times = [t for res in results[name] for t in res[label]["ms"]]
            medians[name, label] = statistics.median(times)
            report = results[name][-1][label]["summary"]
            pns = sum(u["pns_total"] for u in report["units"])
            meeting = sum(u["pns_meeting_20jp"] for u in report["units"])
            pppk_above = sum(u["pppk_above_24jp"] for u in report["units"])
            extra = f", {len(report['below'] or [])} listed below" if label == "unit" else ""
            prefix = "" if name == "current" else f"{name}: "
            rows.append(
                [
                    f"{prefix}JP compliance, {scope}",
                    f"{medians[name, label]:.1f} ms (min {min(times):.1f})",
                    f"{pns} PNS, {meeting} at >= 20 JP, {pppk_above} PPPK above 24{extra}",
                ]
            )
    if old_code:
        for label in ("province", "unit"):
            same = all(
                a[label]["summary"] == b[label]["summary"]
                for a, b in zip(results["current"], results[args.compare], strict=True)
            )
            assert same, f"the {label} reports of current and {args.compare} differ"
            now, then = medians["current", label], medians[args.compare, label]
            rows.append(
                [
                    f"JP compliance {label}, current vs {args.compare}",
                    f"{now:.1f} vs {then:.1f} ms (x{now / then:.3f})",
                    f"medians of {args.report_rounds} interleaved rounds x {args.runs} calls; identical reports",
                ]
            )
    rows.append([note, "", ""])
    if backlog is not None:
        rows.append([backlog, "", ""])
    return rows


@contextlib.contextmanager
def _server(code: Path, url: str, tokens: Tokens, pool_wait_s: float) -> Iterator[tuple[str, int]]:
    """pelatihan of the checkout at ``code`` as one uvicorn process: (its URL, its pid)."""
    port = free_port()
    env = {
        "PELATIHAN_DATABASE_URL": url,
        "PELATIHAN_DB_POOL_TIMEOUT_S": str(pool_wait_s),
        # The admission gate in front of the pool (newer than some --compare revisions, which ignore these)
        # lets every request wait its turn too, rather than refuse it with a cheap 503.
        "PELATIHAN_DB_ADMISSION_QUEUE": "100000",
        "PELATIHAN_DB_ADMISSION_MAX_WAIT_S": str(pool_wait_s),
        "PELATIHAN_JWT_PUBLIC_KEYS_PEM": tokens.signer.public_pem,
        "PELATIHAN_ENVIRONMENT": "test",
        "PELATIHAN_OUTBOX_ENABLED": "false",
        "PELATIHAN_LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "uvicorn", "services.pelatihan_api.main:create_app", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--backlog", "2048",
           "--timeout-keep-alive", "120"]  # fmt: skip
    with process(cmd, port=port, env=env, cwd=code) as proc:
        yield f"http://127.0.0.1:{port}", proc.pid


async def _measured_round(
    url: str, pid: int, tokens: Tokens, args: argparse.Namespace, offset: int
) -> dict[str, Any]:
    before = cpu_seconds(pid)
    res = await enrolment_round(url, tokens, args.clients, args.capacity, offset)
    res["cpu_ms"] = (cpu_seconds(pid) - before) * 1000 / max(1, res["requests"])
    assert res["confirmed"] == args.capacity, res
    return res


def _round_row(label: str, args: argparse.Namespace, res: dict[str, Any]) -> list[object]:
    return [
        f"{label}: {args.clients} clients, request + approve, one {args.capacity}-seat session",
        f"{res['rps']:.0f} req/s; p50 {res['p50']:.0f} ms, p99 {res['p99']:.0f} ms; "
        f"{res['cpu_ms']:.2f} server CPU ms/req",
        f"{res['requests']} requests, {res['errors']} errors{' ' + str(res['error_codes']) if res['errors'] else ''}, "
        f"{res['confirmed']} CONFIRMED, {res['waitlisted']} WAITLISTED",
    ]  # fmt: skip


async def main_async(args: argparse.Namespace) -> tuple[str, str]:
    with postgres_server() as server, tempfile.TemporaryDirectory(prefix="asn-bench-") as tmp:
        url = args.reuse or await create_database(server, "asn_bench_pelatihan")
        # The old code's enrolment rounds need its own schema; its report reads this run's database.
        old_url = (
            await create_database(server, "asn_bench_pelatihan_old") if args.compare and args.rounds else None
        )
        try:
            # Idempotent: on a kept database this applies only the migrations added since.
            await asyncio.to_thread(migrate_all, url, ["pelatihan"])
            old_code = (
                await asyncio.to_thread(export_revision, args.compare, Path(tmp)) if args.compare else None
            )
            codes = {"current": ROOT}
            urls = {"current": url}
            if old_code and old_url:
                codes[args.compare] = old_code
                urls[args.compare] = old_url
                await asyncio.to_thread(migrate_revision, old_code, "pelatihan", old_url)
            tokens = Tokens(new_signer())
            rows: list[list[object]] = []
            results: dict[str, list[dict[str, Any]]] = {name: [] for name in codes}
            if args.rounds:
                with contextlib.ExitStack() as stack:
                    servers = {
                        name: stack.enter_context(_server(codes[name], urls[name], tokens, args.pool_wait))
                        for name in codes
                    }
                    await asyncio.sleep(0.5)
                    names = list(codes)
                    for r in range(args.rounds):
                        # Alternate which code goes first, so neither always meets the machine as the other left it.
                        for name in names if r % 2 == 0 else names[::-1]:
                            served, pid = servers[name]
                            results[name].append(
                                await _measured_round(served, pid, tokens, args, r * args.clients)
                            )
            for name, runs in results.items():
                label = "enrolment round" if name == "current" else f"{name}: enrolment round"
                rows.extend(_round_row(f"{label} {r}", args, res) for r, res in enumerate(runs, start=1))
            if args.compare and args.rounds:
                now, then = (
                    statistics.median(x["cpu_ms"] for x in results[n]) for n in ("current", args.compare)
                )
                rows.append(
                    [
                        f"server CPU per enrolment request, current vs {args.compare}",
                        f"{now:.2f} vs {then:.2f} ms (x{now / then:.2f})",
                        "median of the rounds",
                    ]
                )
            report_rows = await compliance_bench(url, args, old_code)
        finally:
            if args.keep or args.reuse:
                print(f"kept: {url}")
            else:
                await drop_database(server, url)
            if old_url:
                await drop_database(server, old_url)
    headers = ["what", "measured", "notes"]
    return table(headers, rows) if rows else "", table(headers, report_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5, help="report calls per round and scope")
    parser.add_argument(
        "--report-rounds", type=int, default=1, help="rounds of the report (interleaved with --compare's)"
    )
    parser.add_argument("--keep", action="store_true", help="leave the database for EXPLAIN (prints its URL)")
    parser.add_argument(
        "--reuse",
        metavar="URL",
        help="a database kept by --keep: migrate it, generate only when its size differs; never dropped",
    )
    parser.add_argument(
        "--pool-wait",
        type=float,
        default=60.0,
        help="seconds a request waits for a pooled connection (production: 5, then 503)",
    )
    parser.add_argument(
        "--compare", metavar="REV", help="also run pelatihan as of this git revision, rounds interleaved"
    )
    parser.add_argument(
        "--delta-backlog",
        type=int,
        default=2000,
        help="entries revoked and restored one by one before the report is timed (uncompacted deltas)",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    enrolment, report = asyncio.run(main_async(args))
    print(enrolment + "\n\n" + report if enrolment else report)
    print(f"(took {time.perf_counter() - started:.0f} s)")
    if args.no_write:
        return
    if enrolment:
        body = (
            "## pelatihan: enrolment under contention\n\n"
            f"Command: `{command_line()}`\n\n"
            f"Machine: {machine()}. pelatihan as one uvicorn process (default pool: 10 + 10 connections, a "
            f"request waits up to {args.pool_wait:g} s for one instead of production's 5 s, so on a loaded "
            "machine every request does its work rather than a cheap 503 and the CPU per request compares like "
            "with like); the load generator is an aiohttp client in another process on the same machine. "
            "Server CPU ms/req: user+system CPU of the uvicorn process during the round (from /proc) over the "
            "requests answered.\n\n"
            + (
                f"Rows marked `{args.compare}` run pelatihan as of that git revision (its tree from `git archive`, "
                "migrated by its own migrations on a second scratch database) under the same load, its rounds "
                "interleaved with the current code's.\n\n"
                if args.compare
                else ""
            )
            + enrolment
            + "\n\nEvery approval is one SQL statement that locks the session row, takes a seat only while "
            "`seats_taken < capacity` (CHECK-constrained) or draws a waitlist ticket, so approvals on one "
            "session are serialised by PostgreSQL; the enrolment p99 is that queue. The JP compliance report "
            "of the same run is in the next section.\n"
        )
        write_section("pelatihan", body)
    body = (
        "## pelatihan: the JP compliance report at scale\n\n"
        f"Command: `{command_line()}`\n\n"
        f"Machine: {machine()}. {args.employees:,} roster employees over {UNITS} units (one in ten PPPK, on "
        f"contracts begun 2019-2024) with 5 completions each in 2026 ({args.employees * 5:,} ledger rows), "
        "generated in SQL, then VACUUM ANALYZE (the steady state autovacuum keeps). The report code "
        "(`services.pelatihan_api.ledger.service.compliance`) for the province and for one unit (with its "
        "below-20-JP list), each call in a fresh session on one pooled connection; medians over all calls.\n\n"
        + (
            f"Rows marked `{args.compare}` are that revision's report code (its tree from `git archive`) in a "
            "worker process reading the same database, rounds interleaved with the current code's; the run "
            "fails unless both give the same report.\n\n"
            if args.compare
            else ""
        )
        + report
        + "\n"
    )
    write_section("pelatihan-report", body)


if __name__ == "__main__":
    main()
