"""Benchmark: the kinerja reports at 10,000 / 100,000 / 1,000,000 evaluations.

Builds a scratch database with the kinerja migrations and, per size, generates in SQL (generate_series):
120 units (20 OPD with 5 sub-units each), size/10 employees spread over them, one FINAL evaluation per
employee for each of 10 periods (2025-Q1..Q4, 2025, 2026-Q1..Q4, 2026) with random ratings and the matrix
predikat, an approved 2026 SKP with one indicator for 80% of employees and a 2026-Q1 realisation for 70%.
Then times the report code itself (services.kinerja_api.reports.repository, the SQL the endpoints run):
  - predikat distribution for one period, whole province and one OPD with its sub-units (the report's one
    statement: the subtree, the counts, the newest change, the organisation predikat);
  - compliance for one period: the summary counts plus the first page (50) of missing employees, whole
    province and one OPD.
The load runs in one transaction with the secondary indexes dropped and rebuilt after it, and the
foreign-key triggers skipped (``generate``): 10,000,000 evaluations load in about 4 minutes (before, the same
load had not finished in 12.5). Median of several runs each; EXPLAIN names the indexes. Writes the table and its command into
docs/benchmarks.md between ``<!-- bench:kinerja-reports -->`` and ``<!-- /bench:kinerja-reports -->``.
The scratch database is dropped afterwards.

Run: .venv/bin/python -m bench.kinerja_reports [--sizes 10000,100000,1000000] [--runs 5] [--no-write] [--keep]
     [--reuse URL] [--compare REV]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench._util import ROOT, command_line, machine, table, write_section
from services.common.settings import normalise_database_url
from services.kinerja_api.reports import repository as reports
from tests.support.fixtures import create_database, drop_database, migrate_all, postgres_server

PERIOD_RANGES = [
    ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31)),
    ("2025-Q2", date(2025, 4, 1), date(2025, 6, 30)),
    ("2025-Q3", date(2025, 7, 1), date(2025, 9, 30)),
    ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31)),
    ("2025", date(2025, 1, 1), date(2025, 12, 31)),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
]
PERIODS = [p for p, _, _ in PERIOD_RANGES]
UNITS = 120

_GENERATE = [
    "TRUNCATE kinerja.realization, kinerja.skp_indicator, kinerja.skp_result, kinerja.skp, kinerja.evaluation,"
    " kinerja.employee_assignment, kinerja.employee, kinerja.unit CASCADE",
    # 20 OPD, then 5 sub-units under each.
    "INSERT INTO kinerja.unit (id, code, name, parent_id)"
    " SELECT md5('opd' || g)::uuid, 'OPD' || g, 'OPD ' || g, NULL FROM generate_series(0, 19) g",
    "INSERT INTO kinerja.unit (id, code, name, parent_id)"
    " SELECT md5('sub' || g)::uuid, 'OPD' || (g / 5) || '.' || (g % 5), 'Sub ' || g, md5('opd' || (g / 5))::uuid"
    " FROM generate_series(0, 99) g",
    # Employees round-robin over the 120 units.
    "INSERT INTO kinerja.employee (nip, name, unit_id, position, position_type, rank, employment)"
    " SELECT '19' || lpad(i::text, 16, '0'), 'Pegawai ' || i,"
    "  CASE WHEN i % 120 < 20 THEN md5('opd' || (i % 120)) ELSE md5('sub' || (i % 120 - 20)) END::uuid,"
    "  'Analis', 'PELAKSANA', 'III/a', 'PNS'"
    " FROM generate_series(1, :employees) i",
    # (the evaluations follow, period by period)
]

_GENERATE_SKP = [
    # The owner's unit is given (as the SKP's owner and year on the realisations below): the triggers that copy
    # them do not fire during the load.
    "INSERT INTO kinerja.skp (id, nip, year, status, valid_from, valid_to, position, owner_unit_id)"
    " SELECT md5('skp' || nip)::uuid, nip, 2026, 'APPROVED', date '2026-01-01', date '2027-01-01', position,"
    " unit_id FROM kinerja.employee WHERE random() < 0.8",
    "INSERT INTO kinerja.skp_result (id, skp_id, kind, text, position)"
    " SELECT md5('res' || id)::uuid, id, 'UTAMA', 'RHK', 0 FROM kinerja.skp",
    "INSERT INTO kinerja.skp_indicator (id, result_id, text, target, position)"
    " SELECT md5('ind' || id)::uuid, id, 'IKI', '100%', 0 FROM kinerja.skp_result",
    "INSERT INTO kinerja.realization (id, skp_id, indicator_id, period, realization, skp_nip, skp_year,"
    " skp_unit_id)"
    " SELECT gen_random_uuid(), s.id, md5('ind' || md5('res' || s.id)::uuid)::uuid, '2026-Q1', 'selesai',"
    " s.nip, s.year, s.owner_unit_id"
    " FROM kinerja.skp s WHERE random() < 0.875",
]

# One FINAL evaluation per employee for one period ($1, from $2 to $3; $4 its position in PERIODS); ratings
# random, predikat from the matrix. One statement per period, for progress. The id is ordered (period, then
# NIP), so the primary key is appended to instead of written at random places: with random uuids the 10,000,000
# row load crawled once the key outgrew shared_buffers.
_EVALUATIONS = """
    INSERT INTO kinerja.evaluation (id, nip, unit_id, period, period_start, period_end, evaluator_nip,
        on_behalf, status, result_rating, behavior_rating, predikat, finalized_at)
    SELECT (lpad(to_hex($4::int), 14, '0') || '00' || substr(e.nip, 3, 16))::uuid, e.nip, e.unit_id, $1, $2, $3,
        NULL, 'GUBERNUR', 'FINAL', r.h, r.b,
        CASE WHEN r.b = 'DI_BAWAH_EKSPEKTASI' THEN
                  CASE WHEN r.h = 'DI_BAWAH_EKSPEKTASI' THEN 'SANGAT_KURANG' ELSE 'KURANG' END
             WHEN r.h = 'DI_BAWAH_EKSPEKTASI' THEN 'BUTUH_PERBAIKAN'
             WHEN r.h = 'DI_ATAS_EKSPEKTASI' AND r.b = 'DI_ATAS_EKSPEKTASI' THEN 'SANGAT_BAIK'
             ELSE 'BAIK' END,
        now()
    FROM kinerja.employee e
    CROSS JOIN LATERAL (SELECT
        (ARRAY['DI_ATAS_EKSPEKTASI','SESUAI_EKSPEKTASI','SESUAI_EKSPEKTASI','SESUAI_EKSPEKTASI','DI_BAWAH_EKSPEKTASI'])
            [1 + floor(random() * 5 + length(e.nip) * 0)::int] AS h,
        (ARRAY['DI_ATAS_EKSPEKTASI','SESUAI_EKSPEKTASI','SESUAI_EKSPEKTASI','SESUAI_EKSPEKTASI','DI_BAWAH_EKSPEKTASI'])
            [1 + floor(random() * 5 + length(e.nip) * 0)::int] AS b) r
"""

# The indexes of the loaded tables that back no constraint (the primary and unique keys stay).
_SECONDARY_INDEXES = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'kinerja' AND c.relname = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
"""
_LOADED = ["unit", "employee", "evaluation", "skp", "skp_result", "skp_indicator", "realization"]


def _plain(url: str) -> str:
    return normalise_database_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def generate(url: str, evaluations: int) -> float:
    """Fill the tables for ``evaluations`` evaluations in one transaction. For the load only (a rollback puts
    everything back): per-row foreign-key checks are skipped (``session_replication_role = replica``; the rows
    are consistent by construction) and the secondary indexes are dropped, then rebuilt once each from sorted
    input, instead of being updated row by row (ten indexes on the evaluations)."""
    employees = evaluations // len(PERIODS)
    started = time.perf_counter()
    conn = await asyncpg.connect(_plain(url))

    async def step(label: str, sql: str, *args: Any) -> None:
        t = time.perf_counter()
        await conn.execute(sql, *args)
        print(f"  generate {evaluations:,}: {label} {time.perf_counter() - t:.1f} s", flush=True)

    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
            indexes = await conn.fetch(_SECONDARY_INDEXES, _LOADED)
            for name, _ in indexes:
                await conn.execute(f"DROP INDEX {name}")
            for i, sql in enumerate(_GENERATE):
                await step(f"step {i}", sql.replace(":employees", str(employees)))
            for k, (period, start, end) in enumerate(PERIOD_RANGES):
                await step(f"evaluations {period}", _EVALUATIONS, period, start, end, k)
            for i, sql in enumerate(_GENERATE_SKP):
                await step(f"skp step {i}", sql)
            for name, definition in indexes:
                await step(f"index {name}", definition)
        count = await conn.fetchval("SELECT count(*) FROM kinerja.evaluation")
        assert count == employees * len(PERIODS), count
        # The steady state autovacuum keeps: statistics and the visibility map (index-only scans).
        await step("vacuum analyze", "VACUUM ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - started


def _indexes(plan: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(plan, dict):
        if "Index Name" in plan:
            found.add(f"{plan['Index Name']} ({plan.get('Node Type', '')})")
        for v in plan.values():
            found |= _indexes(v)
    elif isinstance(plan, list):
        for v in plan:
            found |= _indexes(v)
    return found


async def measure(
    session: AsyncSession, engine: Any, raw: Any, runs: int, call: Callable[[AsyncSession], Awaitable[Any]]
) -> tuple[float, set[str]]:
    """Median wall time (ms) of ``call`` and the indexes its statements use (EXPLAIN)."""
    captured: list[tuple[str, Any]] = []

    def grab(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", grab)
    await call(session)  # warm-up, and the statements to explain
    event.remove(engine.sync_engine, "before_cursor_execute", grab)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call(session)
        times.append((time.perf_counter() - started) * 1000)
    used: set[str] = set()
    for statement, params in captured:
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            continue  # SET LOCAL and the like: nothing to explain
        plan = await raw.fetchval("EXPLAIN (FORMAT JSON) " + statement, *(params or ()))
        used |= _indexes(json.loads(plan))
    return statistics.median(times), used


async def interleaved(
    session: AsyncSession,
    runs: int,
    new: Callable[[AsyncSession], Awaitable[Any]],
    old: Callable[[AsyncSession], Awaitable[Any]],
) -> tuple[float, float]:
    """Median wall times (ms) of ``new`` and ``old``, run alternately (the order swapping each round) after one
    warm-up each, so both see the same machine; their results must be equal."""
    times: dict[int, list[float]] = {0: [], 1: []}
    calls = (new, old)
    results = [await calls[0](session), await calls[1](session)]
    assert results[0] == results[1], results
    for i in range(runs):
        for k in (0, 1) if i % 2 == 0 else (1, 0):
            started = time.perf_counter()
            await calls[k](session)
            times[k].append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def load_revision(rev: str) -> Any:
    """``services/kinerja_api/reports/repository.py`` as it was at ``rev``, imported under another name."""
    source = subprocess.run(
        ["git", "show", f"{rev}:services/kinerja_api/reports/repository.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with tempfile.TemporaryDirectory(prefix="kinerja_reports_") as tmp:
        path = Path(tmp) / f"reports_{rev}.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(f"reports_{rev}", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # read and run now: the file is not needed afterwards
    return module


async def run(
    sizes: list[int], runs: int, keep: bool = False, reuse: str | None = None, compare: str | None = None
) -> tuple[list[list[object]], dict[str, set[str]], list[str]]:
    rows: list[list[object]] = []
    indexes: dict[str, set[str]] = {}
    notes: list[str] = []
    old = load_revision(compare) if compare else None
    with postgres_server() as server:
        url = reuse or await create_database(server, prefix="bench_kinerja_reports")
        try:
            # Idempotent: on a kept database this applies only the migrations added since.
            await asyncio.to_thread(migrate_all, url, ["kinerja"])
            engine = create_async_engine(normalise_database_url(url), pool_size=2)
            raw = await asyncpg.connect(_plain(url))
            try:
                for size in sizes:
                    have = await raw.fetchval("SELECT count(*) FROM kinerja.evaluation")
                    if reuse and have == size // len(PERIODS) * len(PERIODS):
                        await raw.execute("VACUUM ANALYZE")
                        notes.append(f"{size:,} evaluations reused (kept database)")
                    else:
                        gen_s = await generate(url, size)
                        notes.append(f"{size:,} evaluations generated in {gen_s:.1f} s")
                    opd = uuid.UUID(bytes=bytes.fromhex(await raw.fetchval("SELECT md5('opd3')")))
                    async with AsyncSession(engine) as session:
                        units = await reports.subtree(session, opd)
                        cases = _cases(reports, opd, units)
                        old_cases = _cases(old, opd, units) if old is not None else {}
                        for name, call in cases.items():
                            ms, used = await measure(session, engine, raw, runs, call)
                            indexes.setdefault(name, set()).update(used)
                            if name not in old_cases:
                                rows.append([f"{size:,}", name, f"{ms:.1f}"])
                                print(f"{size:>9,}  {name:<40} {ms:8.1f} ms", flush=True)
                                continue
                            ms, old_ms = await interleaved(session, runs, call, old_cases[name])
                            rows.append(
                                [f"{size:,}", name, f"{ms:.1f}", f"{old_ms:.1f}", f"{ms / old_ms:.2f}"]
                            )
                            print(
                                f"{size:>9,}  {name:<40} {ms:8.1f} ms  {compare}: {old_ms:8.1f} ms",
                                flush=True,
                            )
            finally:
                await raw.close()
                await engine.dispose()
        finally:
            if keep or reuse:
                print(f"kept: {url}")
            else:
                await drop_database(server, url)
    return rows, indexes, notes


def _cases(
    module: Any, opd: uuid.UUID, units: list[uuid.UUID]
) -> dict[str, Callable[[AsyncSession], Awaitable[Any]]]:
    rp = ["2026-Q1"]
    return {
        "distribution, province": lambda s: _distribution(module, s, None, units),
        "distribution, one OPD (6 units)": lambda s: _distribution(module, s, opd, units),
        "compliance, province (counts + page)": lambda s: _compliance(module, s, rp, None),
        "compliance, one OPD (counts + page)": lambda s: _compliance(module, s, rp, units),
    }


async def _distribution(
    module: Any, session: AsyncSession, opd: uuid.UUID | None, units: list[uuid.UUID]
) -> Any:
    """The report's statement (the subtree, the counts, the newest change, the organisation predikat); a revision
    before it (--compare) ran only the count, over the subtree's units it was given. The counts are compared."""
    if hasattr(module, "distribution"):
        return (await module.distribution(session, "2026-Q1", opd, True)).counts
    return await module.predikat_counts(session, "2026-Q1", units if opd is not None else None)


async def _compliance(
    module: Any, session: AsyncSession, rp: list[str], units: list[uuid.UUID] | None
) -> Any:
    summary, rows = await module.compliance(session, 2026, "2026-Q1", rp, units, after_nip=None, limit=51)
    return tuple(summary), [tuple(r) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    parser.add_argument("--keep", action="store_true", help="Leave the database (last size) for EXPLAIN.")
    parser.add_argument(
        "--reuse",
        metavar="URL",
        help="A database kept by --keep: migrate it, and generate only when its size differs; never dropped.",
    )
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="Also time the report code of git revision REV, alternately with this one, on the same data.",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, indexes, notes = asyncio.run(
        run(sizes, args.runs, keep=args.keep, reuse=args.reuse, compare=args.compare)
    )
    headers = ["evaluations", "report (period 2026-Q1)", "median ms"]
    if args.compare:
        headers += [f"{args.compare} median ms", "ratio"]
        rows = [[*r, "", ""] if len(r) == 3 else r for r in rows]
    result = table(headers, rows)
    index_lines = "\n".join(
        f"- {name}: {', '.join(sorted(used)) or 'none'}" for name, used in indexes.items()
    )
    compare_note = (
        f"With `--compare {args.compare}`: the same reports from `{args.compare}`'s repository.py, run alternately"
        " with this code (order swapped each round) on the same data; ratio = this / that; results checked equal"
        " (the distribution's counts: a revision before the report's one statement is timed on its count alone).\n"
        if args.compare
        else ""
    )
    body = f"""## kinerja reports at scale

`{command_line()}`

Each size: 120 units (20 OPD x 5 sub-units), evaluations/10 employees, one FINAL evaluation per employee for
each of 10 periods, 80% with an approved 2026 SKP, 70% with a 2026-Q1 realisation; generated in SQL.
Timed: the report queries of `services/kinerja_api/reports/repository.py` (what the endpoints run), median of
{args.runs} runs after a warm-up. "Compliance" is the counts plus the first page of 50 employees (one statement).
{compare_note}
{result}

Indexes in the plans (EXPLAIN):
{index_lines}

Compliance, province: each count is one index-only pass in NIP order — the active employees; the NIPs with
an approved SKP of the year (`ix_skp_nip_year_status`, grouped); the NIPs with a realisation of the period on
an SKP of the year (`ix_realization_period_skp_nip`, on the SKP owner that kinerja_0026's triggers copy onto
each realisation); the period's FINAL evaluations (`ix_evaluation_period_nip_final`) — each minus the inactive
employees by an anti-join; the page walks the employees in NIP order, probing until it is full. One OPD: its
employees read once through the unit index; the approved and reported counts from one index-only range per unit
of `ix_skp_owner_unit_id_year_nip` and `ix_realization_period_skp_unit_id` (the owner's current unit, copied onto
each SKP and realisation by kinerja_0027's triggers); the evaluated count from the unit's range of
`ix_evaluation_period_unit_id_predikat` joined with its employees; the page over them sorted, probing until it
is full (issue 21; the before/after figures are in the Issue 21 section, rounds 4 and 5).

{"; ".join(notes)}. {machine()}.
"""
    print()
    print(result)
    print(index_lines)
    if not args.no_write:
        write_section("kinerja-reports", body)


if __name__ == "__main__":
    main()
