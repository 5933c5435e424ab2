"""Data generator at realistic scale, for the load and scale benchmarks.

Builds a scratch database on the test server (``tests.support.fixtures.postgres_server``), runs every
app's migrations, and fills it with set-based SQL (``generate_series``, ``INSERT ... SELECT``; no ORM rows):

- kinerja: ``--units`` units (every fifth an OPD, the four after it its sub-units), ``--employees`` employees
  with valid 18-digit NIPs (birth date YYYYMMDD, TMT YYYYMM, sex 1/2, a 3-digit sequence) and a real reporting
  line (OPD head -> governor, sub-unit head -> OPD head, 24 pengawas per unit -> unit head, staff -> a
  pengawas), the open assignment of each, and per employee the four 2026 quarters plus the 2026 annual
  evaluation (FINAL with the matrix predikat; 10% of Q4 and annual still DRAFT), evaluated by the supervisor;
- pelatihan: institutions, programmes, past sessions, five COMPLETED enrolments per employee with the JP
  ledger entry of each, seat counters, and the roster mirror of kinerja's employees;
- publik: the units, SKM survey responses (500 per unit for 2026), and publik's demo publications so that
  the feed has content.

Default: 50,000 employees in 40 units (250,000 evaluations). ``--national``: 200,000 employees in 400 units
(1,000,000 evaluations). Prints rows and seconds per table. ``--keep`` leaves the database (and publik's data
folder, which holds the snapshot signing key) for other benchmarks and prints both; otherwise both are
removed.

    .venv/bin/python -m bench.datagen [--employees 50000] [--units 40] [--national] [--keep] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from bench._util import DOC, command_line, machine, table, write_section
from bench.targets import write_targets
from tests.support.fixtures import (
    create_database,
    drop_database,
    migrate_all,
    plain_dsn,
    postgres_server,
)

SECTION = "datagen"
PERIODS: tuple[tuple[str, str, str], ...] = (
    ("2026-Q1", "2026-01-01", "2026-03-31"),
    ("2026-Q2", "2026-04-01", "2026-06-30"),
    ("2026-Q3", "2026-07-01", "2026-09-30"),
    ("2026-Q4", "2026-10-01", "2026-12-31"),
    ("2026", "2026-01-01", "2026-12-31"),
)
PENGAWAS_PER_UNIT = 24
COMPLETIONS = 5
SESSION_FILL = 125
SURVEYS_PER_UNIT = 500

# Employee i (0-based) of unit u = i / per_unit, position k = i % per_unit in it. The NIP:
#   birth = 1965-01-01 + (i * 37 mod 12000) days  (1965..1997; 37 is prime to 12000, so a bijection mod 12000)
#   TMT   = the year they turned 22..29 (at most 2025), month 1..12
#   sex   = 1 + i mod 2, sequence = 1 + i / 12000
# (birth, sequence) is unique for every i, so the NIP is too.
_NIP = """
    to_char(date '1965-01-01' + ((i::bigint * 37) % 12000)::int, 'YYYYMMDD')
    || lpad(least(extract(year FROM date '1965-01-01' + ((i::bigint * 37) % 12000)::int)::int + 22 + i % 8,
                  2025)::text, 4, '0')
    || lpad((1 + (i * 7) % 12)::text, 2, '0')
    || (1 + i % 2)::text
    || lpad((1 + i / 12000)::text, 3, '0')
"""

_KINERJA: list[tuple[str, str]] = [
    (
        "kinerja.unit",
        """
        INSERT INTO kinerja.unit (id, code, name, parent_id)
        SELECT md5('bench-unit-' || u)::uuid,
               CASE WHEN u % 5 = 0 THEN 'OPD' || lpad((u / 5)::text, 3, '0')
                    ELSE 'OPD' || lpad((u / 5)::text, 3, '0') || '.' || (u % 5) END,
               CASE WHEN u % 5 = 0 THEN 'Dinas ' || (u / 5) ELSE 'Bidang ' || (u % 5) || ' Dinas ' || (u / 5) END,
               CASE WHEN u % 5 = 0 THEN NULL ELSE md5('bench-unit-' || (u - u % 5))::uuid END
        FROM generate_series(0, :units - 1) u
        """,
    ),
    (
        "bench_idx (scratch)",
        f"""
        CREATE UNLOGGED TABLE public.bench_idx AS
        SELECT i, i / :per_unit AS u, i % :per_unit AS k, {_NIP} AS nip
        FROM generate_series(0, :employees - 1) i
        """,
    ),
    (
        "kinerja.employee",
        f"""
        INSERT INTO kinerja.employee (nip, name, unit_id, position, position_type, rank, employment,
                                      supervisor_nip)
        SELECT t.nip, 'Pegawai ' || t.i, md5('bench-unit-' || t.u)::uuid,
               CASE WHEN t.k = 0 AND t.u % 5 = 0 THEN 'Kepala Dinas'
                    WHEN t.k = 0 THEN 'Kepala Bidang'
                    WHEN t.k <= {PENGAWAS_PER_UNIT} THEN 'Kepala Seksi'
                    WHEN t.i % 3 = 0 THEN 'Analis Kebijakan' ELSE 'Pengelola Data' END,
               CASE WHEN t.k = 0 AND t.u % 5 = 0 THEN 'JPT'
                    WHEN t.k = 0 THEN 'ADMINISTRATOR'
                    WHEN t.k <= {PENGAWAS_PER_UNIT} THEN 'PENGAWAS'
                    WHEN t.i % 3 = 0 THEN 'FUNGSIONAL' ELSE 'PELAKSANA' END,
               CASE WHEN t.k = 0 AND t.u % 5 = 0 THEN 'IV/c'
                    WHEN t.k = 0 THEN 'IV/a'
                    WHEN t.k <= {PENGAWAS_PER_UNIT} THEN 'III/d'
                    WHEN t.i % 20 = 7 THEN 'IX'
                    ELSE (ARRAY['II/c','II/d','III/a','III/b','III/c'])[1 + t.i % 5] END,
               CASE WHEN t.k > {PENGAWAS_PER_UNIT} AND t.i % 20 = 7 THEN 'PPPK' ELSE 'PNS' END,
               s.nip
        FROM public.bench_idx t
        LEFT JOIN public.bench_idx s ON s.i = CASE
            WHEN t.k = 0 AND t.u % 5 = 0 THEN NULL
            WHEN t.k = 0 THEN (t.u - t.u % 5) * :per_unit
            WHEN t.k <= {PENGAWAS_PER_UNIT} THEN t.u * :per_unit
            ELSE t.u * :per_unit + 1 + t.k % {PENGAWAS_PER_UNIT} END
        """,
    ),
    (
        "kinerja.employee_assignment",
        """
        INSERT INTO kinerja.employee_assignment (nip, supervisor_nip, unit_id, valid_from, valid_to, position)
        SELECT nip, supervisor_nip, unit_id, date '2024-01-02', NULL, position FROM kinerja.employee
        """,
    ),
    (
        "kinerja.evaluation",
        """
        INSERT INTO kinerja.evaluation (id, nip, unit_id, period, period_start, period_end, evaluator_nip,
            on_behalf, status, result_rating, behavior_rating, predikat, finalized_at)
        SELECT gen_random_uuid(), e.nip, e.unit_id, p.period, p.s, p.e, e.supervisor_nip,
               CASE WHEN e.supervisor_nip IS NULL THEN 'GUBERNUR' END,
               CASE WHEN r.draft THEN 'DRAFT' ELSE 'FINAL' END,
               CASE WHEN NOT r.draft THEN r.h END, CASE WHEN NOT r.draft THEN r.b END,
               CASE WHEN r.draft THEN NULL
                    WHEN r.b = 'DI_BAWAH_EKSPEKTASI' THEN
                        CASE WHEN r.h = 'DI_BAWAH_EKSPEKTASI' THEN 'SANGAT_KURANG' ELSE 'KURANG' END
                    WHEN r.h = 'DI_BAWAH_EKSPEKTASI' THEN 'BUTUH_PERBAIKAN'
                    WHEN r.h = 'DI_ATAS_EKSPEKTASI' AND r.b = 'DI_ATAS_EKSPEKTASI' THEN 'SANGAT_BAIK'
                    ELSE 'BAIK' END,
               CASE WHEN NOT r.draft THEN p.e + interval '20 days' END
        FROM kinerja.employee e
        CROSS JOIN (VALUES :periods) AS p(period, s, e)
        CROSS JOIN LATERAL (SELECT
            (ARRAY['DI_ATAS_EKSPEKTASI','SESUAI_EKSPEKTASI','SESUAI_EKSPEKTASI','SESUAI_EKSPEKTASI',
                   'DI_BAWAH_EKSPEKTASI'])[1 + floor(random() * 5 + length(e.nip || p.period) * 0)::int] AS h,
            (ARRAY['DI_ATAS_EKSPEKTASI','SESUAI_EKSPEKTASI','SESUAI_EKSPEKTASI','SESUAI_EKSPEKTASI',
                   'DI_BAWAH_EKSPEKTASI'])[1 + floor(random() * 5 + length(e.nip || p.period) * 0)::int] AS b,
            (p.period IN ('2026-Q4', '2026') AND random() < 0.1 + length(e.nip) * 0) AS draft) r
        """,
    ),
]

_PELATIHAN: list[tuple[str, str]] = [
    (
        "pelatihan.institution",
        """
        INSERT INTO pelatihan.institution (id, name, kind)
        VALUES (md5('bench-inst-0')::uuid, 'BPSDM Provinsi Bengkulu (bench)', 'BPSDM'),
               (md5('bench-inst-1')::uuid, 'Universitas Bengkulu (bench)', 'UNIVERSITAS'),
               (md5('bench-inst-2')::uuid, 'LAN RI (bench)', 'LAN'),
               (md5('bench-inst-3')::uuid, 'Lembaga Mitra (bench)', 'LAINNYA')
        """,
    ),
    (
        "pelatihan.program",
        """
        INSERT INTO pelatihan.program (id, institution_id, title, competency, tags, jp, mode)
        SELECT md5('bench-prog-' || g)::uuid, md5('bench-inst-' || (g % 4))::uuid, 'Program ' || g,
               (ARRAY['TEKNIS','MANAJERIAL','SOSIAL_KULTURAL'])[1 + g % 3],
               ARRAY[(ARRAY['AKUNTABEL','KOMPETEN','HARMONIS','LOYAL','ADAPTIF','KOLABORATIF'])[1 + g % 6]],
               (ARRAY[2, 3, 4, 5, 6, 8])[1 + g % 6],
               CASE WHEN g % 2 = 0 THEN 'KLASIKAL' ELSE 'NONKLASIKAL' END
        FROM generate_series(0, 39) g
        """,
    ),
    (
        "pelatihan.training_session",
        """
        INSERT INTO pelatihan.training_session (id, program_id, institution_id, starts_on, ends_on, capacity,
            enrol_opens_at, enrol_closes_at, location)
        SELECT md5('bench-sess-' || g)::uuid, md5('bench-prog-' || (g % 40))::uuid,
               md5('bench-inst-' || ((g % 40) % 4))::uuid,
               date '2026-01-05' + (g * 7) % 280, date '2026-01-05' + (g * 7) % 280 + 2, 150,
               timestamptz '2025-12-01 00:00+07', (date '2026-01-05' + (g * 7) % 280)::timestamptz - interval '1 day',
               'Aula ' || (g % 10)
        FROM generate_series(0, :sessions - 1) g
        """,
    ),
    (
        "pelatihan.enrolment",
        """
        INSERT INTO pelatihan.enrolment (id, session_id, nip, status, requested_by, decided_by, decided_at,
            passed, score, completed_at)
        SELECT md5('bench-enr-' || t.i || '-' || c)::uuid, md5('bench-sess-' || ((t.i * 5 + c) % :sessions))::uuid,
               t.nip, 'COMPLETED', t.nip, 'bench-admin', timestamptz '2025-12-15 09:00+07', true,
               70 + (t.i + c) % 30, (date '2026-01-05' + (((t.i * 5 + c) % :sessions) * 7) % 280 + 2)::timestamptz
        FROM public.bench_idx t CROSS JOIN generate_series(0, 4) c
        """,
    ),
    (
        "pelatihan.jp_entry",
        """
        INSERT INTO pelatihan.jp_entry (id, nip, year, jp, enrolment_id, program_title, mode, completed_on)
        SELECT gen_random_uuid(), e.nip, 2026, p.jp, e.id, p.title, p.mode, s.ends_on
        FROM pelatihan.enrolment e
        JOIN pelatihan.training_session s ON s.id = e.session_id
        JOIN pelatihan.program p ON p.id = s.program_id
        WHERE e.status = 'COMPLETED'
        """,
    ),
    (
        "pelatihan.training_session (seats)",
        """
        UPDATE pelatihan.training_session t SET seats_taken = c.n
        FROM (SELECT session_id, count(*) AS n FROM pelatihan.enrolment GROUP BY session_id) c
        WHERE c.session_id = t.id
        """,
    ),
    (
        "pelatihan.roster_employee",
        """
        INSERT INTO pelatihan.roster_employee (nip, unit_id, employment, position_type, rank, supervisor_nip,
            active, as_of)
        SELECT nip, unit_id, employment, position_type, rank, supervisor_nip, active, now()
        FROM kinerja.employee
        """,
    ),
]

_PUBLIK: list[tuple[str, str]] = [
    (
        "publik.unit",
        """
        INSERT INTO publik.unit (id, code, name, parent_id, active, service_population)
        SELECT id, code, name, parent_id, true, 2000 + (abs(hashtext(code)) % 20) * 500 FROM kinerja.unit
        """,
    ),
    (
        "publik.survey_response",
        f"""
        INSERT INTO publik.survey_response (id, unit_id, year, u1, u2, u3, u4, u5, u6, u7, u8, u9, submitted_at)
        SELECT gen_random_uuid(), u.id, 2026,
               2 + (random() * 2)::int, 2 + (random() * 2)::int, 1 + (random() * 3)::int,
               2 + (random() * 2)::int, 2 + (random() * 2)::int, 2 + (random() * 2)::int,
               1 + (random() * 3)::int, 2 + (random() * 2)::int, 2 + (random() * 2)::int,
               timestamptz '2026-01-01 08:00+07' + ((g * 13) % 7200) * interval '1 hour'
        FROM publik.unit u CROSS JOIN generate_series(1, {SURVEYS_PER_UNIT}) g
        """,
    ),
]


@dataclass
class Dataset:
    """A generated database: where it is, and a few keys the load benchmarks pick requests from."""

    server_url: str
    database_url: str
    data_dir: Path
    employees: int
    units: int
    unit_ids: list[str] = field(default_factory=list)
    opd_ids: list[str] = field(default_factory=list)
    sample_nips: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=lambda: [p for p, _, _ in PERIODS])
    timings: list[tuple[str, int, float]] = field(default_factory=list)


def _sql(template: str, employees: int, units: int) -> str:
    per_unit = max(1, employees // units)
    sessions = max(1, -(-employees * COMPLETIONS // SESSION_FILL))
    periods = ", ".join(f"('{p}', date '{s}', date '{e}')" for p, s, e in PERIODS)
    return (
        template.replace(":per_unit", str(per_unit))
        .replace(":employees", str(employees))
        .replace(":units", str(units))
        .replace(":sessions", str(sessions))
        .replace(":periods", periods)
    )


def _rows(status: str) -> int:
    match = re.search(r"(\d+)$", status)
    return int(match.group(1)) if match else 0


async def _has_tables(conn: asyncpg.Connection, names: list[str]) -> list[str]:
    """The given ``schema.table`` names that do not exist."""
    missing = []
    for name in names:
        if await conn.fetchval("SELECT to_regclass($1)", name) is None:
            missing.append(name)
    return missing


async def fill(
    database_url: str, *, employees: int, units: int, data_dir: Path, verbose: bool = True
) -> list[tuple[str, int, float]]:
    """Fill a migrated database; returns (table, rows, seconds) per step."""
    if employees % units:
        raise ValueError("--employees must be a multiple of --units")
    timings: list[tuple[str, int, float]] = []
    conn = await asyncpg.connect(plain_dsn(database_url))

    async def run(steps: list[tuple[str, str]]) -> None:
        for name, template in steps:
            started = time.perf_counter()
            status = await conn.execute(_sql(template, employees, units))
            seconds = time.perf_counter() - started
            timings.append((name, _rows(status), seconds))
            if verbose:
                print(f"{name:<38} {_rows(status):>10,} rows {seconds:7.2f} s", flush=True)

    try:
        await run(_KINERJA)
        groups = [
            (
                "pelatihan",
                _PELATIHAN,
                [
                    "pelatihan.institution",
                    "pelatihan.program",
                    "pelatihan.training_session",
                    "pelatihan.enrolment",
                    "pelatihan.jp_entry",
                    "pelatihan.roster_employee",
                ],
            ),
            ("publik", _PUBLIK, ["publik.unit", "publik.survey_response"]),
        ]
        for app, steps, tables in groups:
            missing = await _has_tables(conn, tables)
            if missing:
                print(f"note: {app} skipped, tables missing: {', '.join(missing)}", flush=True)
                continue
            await run(steps)
        await conn.execute("DROP TABLE public.bench_idx")
        started = time.perf_counter()
        await _publik_demo(database_url, data_dir)
        timings.append(("publik demo (feed items)", 0, time.perf_counter() - started))
        started = time.perf_counter()
        # The steady state autovacuum keeps: statistics and the visibility map (index-only scans).
        await conn.execute("VACUUM ANALYZE")
        timings.append(("VACUUM ANALYZE", 0, time.perf_counter() - started))
    finally:
        await conn.close()
    await _verify(database_url, employees)
    return timings


async def _publik_demo(database_url: str, data_dir: Path) -> None:
    """publik's own demo publications, so the feed has real items (signed with a key in ``data_dir``)."""
    from asn_cli.seed import app_session
    from services.publik_api import demo

    os.environ["PUBLIK_DATA_DIR"] = str(data_dir)
    context: dict[str, Any] = {}
    async with app_session(database_url) as session:
        await demo.seed_demo(session, context)


async def _verify(database_url: str, employees: int) -> None:
    """Every NIP is well formed (a real date of birth, a TMT month, sex 1 or 2), and the line has no cycle."""
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        bad = await conn.fetchval(
            """
            SELECT count(*) FROM kinerja.employee
            WHERE to_char(to_date(substr(nip, 1, 8), 'YYYYMMDD'), 'YYYYMMDD') <> substr(nip, 1, 8)
               OR substr(nip, 13, 2)::int NOT BETWEEN 1 AND 12
               OR substr(nip, 15, 1) NOT IN ('1', '2')
               OR substr(nip, 9, 4)::int < extract(year FROM to_date(substr(nip, 1, 8), 'YYYYMMDD')) + 18
            """
        )
        heads = await conn.fetchval("SELECT count(*) FROM kinerja.employee WHERE supervisor_nip IS NULL")
        depth = await conn.fetchval(
            """
            WITH RECURSIVE up(nip, sup, d) AS (
                SELECT nip, supervisor_nip, 0 FROM kinerja.employee
                UNION ALL
                SELECT up.nip, e.supervisor_nip, up.d + 1 FROM up JOIN kinerja.employee e ON e.nip = up.sup
                WHERE up.d < 10)
            SELECT max(d) FROM up
            """
        )
    finally:
        await conn.close()
    if bad:
        raise AssertionError(f"{bad} malformed NIPs")
    if depth is None or depth >= 10:
        raise AssertionError("the reporting line has a cycle")
    print(f"checked: {employees:,} NIPs well formed; {heads} OPD heads; reporting line depth {depth}")


async def sample(dataset: Dataset, n: int = 1000) -> None:
    """Pick the keys load benchmarks draw requests from."""
    conn = await asyncpg.connect(plain_dsn(dataset.database_url))
    try:
        dataset.unit_ids = [str(r[0]) for r in await conn.fetch("SELECT id FROM kinerja.unit ORDER BY code")]
        dataset.opd_ids = [
            str(r[0])
            for r in await conn.fetch("SELECT id FROM kinerja.unit WHERE parent_id IS NULL ORDER BY code")
        ]
        dataset.sample_nips = [
            r[0] for r in await conn.fetch("SELECT nip FROM kinerja.employee ORDER BY md5(nip) LIMIT $1", n)
        ]
    finally:
        await conn.close()


async def create(
    server_url: str, *, employees: int = 50_000, units: int = 40, data_dir: Path, verbose: bool = True
) -> Dataset:
    """A new scratch database on ``server_url``, migrated and filled; the caller drops it."""
    url = await create_database(server_url, prefix="asn_bench_data")
    dataset = Dataset(server_url, url, data_dir, employees, units)
    try:
        started = time.perf_counter()
        await asyncio.to_thread(migrate_all, url)
        dataset.timings.append(("migrate (4 schemas)", 0, time.perf_counter() - started))
        dataset.timings += await fill(
            url, employees=employees, units=units, data_dir=data_dir, verbose=verbose
        )
        await sample(dataset)
    except BaseException:
        await drop_database(server_url, url)
        raise
    return dataset


REPORTS = (
    ("kinerja", "predikat distribution, province", "/v1/reports/predikat-distribution?period=2026-Q1"),
    (
        "kinerja",
        "predikat distribution, one OPD",
        "/v1/reports/predikat-distribution?period=2026-Q1&unit_id={opd}",
    ),
    ("kinerja", "compliance, province", "/v1/reports/compliance?period=2026-Q1"),
    ("kinerja", "compliance, one OPD", "/v1/reports/compliance?period=2026-Q1&unit_id={opd}"),
    ("pelatihan", "JP compliance, province", "/v1/reports/jp-compliance?year=2026"),
    ("pelatihan", "JP compliance, one unit", "/v1/reports/jp-compliance?year=2026&unit_id={unit}"),
)


async def time_reports(dataset: Dataset, runs: int = 5) -> list[tuple[str, float, float]]:
    """Each report endpoint end to end (every statement it runs, serialisation included) in-process on the
    ASGI app, admin token; (report, median ms, max ms)."""

    from tests.support.fixtures import Tokens, new_signer, running

    tokens = Tokens(new_signer())
    for prefix in ("KINERJA", "PELATIHAN"):
        os.environ[f"{prefix}_DATABASE_URL"] = dataset.database_url
        os.environ[f"{prefix}_JWT_PUBLIC_KEYS_PEM"] = tokens.signer.public_pem
        os.environ[f"{prefix}_ENVIRONMENT"] = "test"
        os.environ[f"{prefix}_LOG_LEVEL"] = "WARNING"
        os.environ[f"{prefix}_OUTBOX_ENABLED"] = "false"
    from services.kinerja_api.main import create_app as kinerja_app
    from services.pelatihan_api.main import create_app as pelatihan_app

    opd = dataset.opd_ids[0]
    unit = next(u for u in dataset.unit_ids if u not in dataset.opd_ids)
    headers = tokens.admin()
    out: list[tuple[str, float, float]] = []
    for app_name, factory in (("kinerja", kinerja_app), ("pelatihan", pelatihan_app)):
        async with running(factory()) as client:
            for owner, name, template in REPORTS:
                if owner != app_name:
                    continue
                path = template.format(opd=opd, unit=unit)
                first = await client.get(path, headers=headers, timeout=60.0)
                if first.status_code != 200:
                    # A failing report is a finding, not a reason to lose the other figures: kept as -status.
                    print(f"{name}: HTTP {first.status_code} {first.text[:300]}", flush=True)
                    out.append((name, -float(first.status_code), -float(first.status_code)))
                    continue
                times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    await client.get(path, headers=headers, timeout=60.0)
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                out.append((name, times[len(times) // 2], times[-1]))
                print(
                    f"{name:<36} median {times[len(times) // 2]:8.1f} ms  max {times[-1]:8.1f} ms", flush=True
                )
    return out


def render(timings: list[tuple[str, int, float]]) -> str:
    """Rows and seconds per table, with a total."""
    rows: list[list[object]] = [
        [name, f"{n:,}" if n else "", f"{s:.2f}", f"{n / s:,.0f}" if n and s > 0 else ""]
        for name, n, s in timings
    ]
    total = sum(s for _, _, s in timings)
    rows.append(["total", f"{sum(n for name, n, _ in timings if 'seats' not in name):,}", f"{total:.2f}", ""])
    return table(["table", "rows", "seconds", "rows/s"], rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument(
        "--national", action="store_true", help="200,000 employees in 400 units: 1,000,000 evaluations"
    )
    parser.add_argument("--keep", action="store_true", help="leave the database; print its URL")
    parser.add_argument(
        "--time-reports",
        action="store_true",
        help="also time the report endpoints end to end (in-process) on the generated data",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    if args.national:
        args.employees, args.units = 200_000, 400
    data_dir = Path(tempfile.mkdtemp(prefix="asn-bench-data-"))
    keep = False
    with postgres_server() as server_url:
        dataset = asyncio.run(
            create(server_url, employees=args.employees, units=args.units, data_dir=data_dir)
        )
        try:
            text = render(dataset.timings)
            print()
            print(text)
            evaluations = next(n for name, n, _ in dataset.timings if name == "kinerja.evaluation")
            print(f"{args.employees:,} employees in {args.units} units, {evaluations:,} evaluations")
            reports = asyncio.run(time_reports(dataset)) if args.time_reports else []
            if not args.no_write:
                write_section(SECTION, _section(args, text, evaluations, reports))
                if reports:
                    write_targets()
            if args.keep:
                keep = True
                print(f"kept: database {dataset.database_url}")
                print(f"      publik data dir (PUBLIK_DATA_DIR) {data_dir}")
        finally:
            if not keep:
                asyncio.run(drop_database(server_url, dataset.database_url))
                shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def _section(
    args: argparse.Namespace, text: str, evaluations: int, reports: list[tuple[str, float, float]]
) -> str:
    """The section, keeping the last figures of the other mode (province or national) found in the file."""
    mode = "national" if args.national else "province"
    timed = ""
    if reports:
        report_table = table(
            ["report endpoint (period 2026-Q1, year 2026)", "median ms", "max ms"],
            [
                [name, f"{med:.1f}", f"{worst:.1f}"] if med >= 0 else [name, f"HTTP {-med:.0f}", "-"]
                for name, med, worst in reports
            ],
        )
        figures = {"evaluations": evaluations, "reports": {name: round(med, 1) for name, med, _ in reports}}
        timed = (
            "\n\nThe report endpoints end to end on this data (in-process ASGI with an admin token, every "
            "statement the endpoint runs and the serialisation; median of 5 after a warm-up):\n\n"
            f"{report_table}\n\n<!-- report-figures: {json.dumps(figures)} -->"
        )
    block = (
        f"<!-- datagen:{mode} -->\n### {mode} scale: {args.employees:,} employees in {args.units} units, "
        f"{evaluations:,} evaluations\n\nCommand: `{command_line()}`\n\n{text}{timed}\n\nMachine: {machine()}.\n"
        f"<!-- /datagen:{mode} -->"
    )
    blocks = {mode: block}
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    for other in ("province", "national"):
        found = re.search(rf"<!-- datagen:{other} -->.*?<!-- /datagen:{other} -->", current, re.S)
        if other != mode and found:
            blocks[other] = found.group(0)
    ordered = "\n\n".join(blocks[m] for m in ("province", "national") if m in blocks)
    return f"""## Data generator

`.venv/bin/python -m bench.datagen` (province scale) and `--national` (200,000 employees in 400 units,
1,000,000 evaluations); `--keep` leaves the database for other benchmarks and prints its URL.

Units: every fifth an OPD, the four after it its sub-units. Valid 18-digit NIPs (birth date, TMT, sex,
sequence; checked after generation) and a reporting line OPD head -> governor, sub-unit head -> OPD head,
24 pengawas per unit -> unit head, staff -> a pengawas. Evaluations: 2026-Q1..Q4 and 2026 per employee,
evaluator = supervisor, 10% of Q4 and annual still DRAFT. pelatihan: {COMPLETIONS} COMPLETED enrolments per
employee in past sessions of at most 150 seats, each with its JP ledger entry, and the roster mirror. publik:
{SURVEYS_PER_UNIT} SKM responses per unit and publik's demo publications (the feed's items). Set-based SQL
(`INSERT ... SELECT` over `generate_series`) into a database built by the migrations, all indexes in place
(as in production), then `VACUUM ANALYZE`.

{ordered}
"""


if __name__ == "__main__":
    sys.exit(main())
