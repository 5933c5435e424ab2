"""The JP compliance report's SQL (issue 21, reports at scale): ``jp_total`` stays exactly the plain sum of the
live ledger under every kind of write (credits, revocations and their undoing, corrections, moves, deletes,
truncation, bulk statements), a roster move changes nothing there, the report gives what the plain definition
(the queries before jp_total, kept here) gives, and one unit's plan probes indexes instead of reading the
province's ledger."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.ledger import repository
from services.pelatihan_api.ledger.service import JP_CEILING_PPPK, JP_REQUIRED_PNS
from services.pelatihan_api.main import create_app
from tests.pelatihan.kinerja_standin import StandIn
from tests.support.fixtures import plain_dsn, running, wait_until

EMPLOYEES = 3000
UNITS = 20

# 20 units; one in four PPPK (contracts from 2021 to 2026, some on 29 February, some ended, some without
# dates), some inactive, some without a unit; 3 to 11 entries each from October 2024 to June 2027 with 0 to 12 JP, some revoked,
# some dated in another year than their ``year`` (as the demo's late-December sessions are).
_FIXTURE = [
    "INSERT INTO pelatihan.roster_employee (nip, unit_id, employment, active, as_of, contract_start, contract_end)"
    " SELECT (198001012005011000 + g)::text,"
    "  CASE WHEN g % 97 = 0 THEN NULL ELSE md5('unit' || (g % :units))::uuid END,"
    "  CASE WHEN g % 4 = 1 THEN 'PPPK' ELSE 'PNS' END, g % 23 <> 0, now(),"
    "  CASE WHEN g % 4 <> 1 OR g % 29 = 0 THEN NULL"
    "       WHEN g % 31 = 0 THEN date '2024-02-29'"
    "       ELSE date '2021-01-01' + (g * 37 % 2000) END,"
    "  CASE WHEN g % 4 = 1 AND g % 13 = 0 THEN date '2026-05-31' END"
    " FROM generate_series(1, :employees) g",
    "INSERT INTO pelatihan.jp_entry (id, nip, year, jp, program_title, mode, completed_on, revoked_at)"
    " SELECT gen_random_uuid(), (198001012005011000 + g)::text, extract(year FROM d)::int"
    "  + CASE WHEN g % 41 = 0 THEN -1 ELSE 0 END, (g * k) % 13, 'Program ' || k, 'KLASIKAL', d,"
    "  CASE WHEN (g + k) % 11 = 0 THEN now() END"
    " FROM generate_series(1, :employees) g, generate_series(1, 3 + g % 9) k,"
    "  LATERAL (SELECT date '2024-10-01' + ((g * 53 + k * 211) % 1000) AS d) dd",
    "VACUUM ANALYZE pelatihan.roster_employee",
    "VACUUM ANALYZE pelatihan.jp_entry",
    "VACUUM ANALYZE pelatihan.jp_total",
]

# The report before jp_total (main as of issue 18's PPPK figures): the plain definition.
_PNS = """
WITH jp AS (
    SELECT nip, SUM(jp)::int AS jp_total FROM pelatihan.jp_entry
    WHERE year = $1 AND revoked_at IS NULL GROUP BY nip
)
SELECT r.unit_id, COUNT(*) AS pns_total,
       COUNT(*) FILTER (WHERE COALESCE(jp.jp_total, 0) >= $2) AS meeting,
       COALESCE(SUM(jp.jp_total), 0)::int AS jp_delivered
FROM pelatihan.roster_employee r LEFT JOIN jp ON jp.nip = r.nip
WHERE r.active AND r.employment = 'PNS' AND r.unit_id IS NOT NULL
GROUP BY r.unit_id
"""
_PPPK = """
WITH jp AS (
    SELECT nip, SUM(jp)::int AS jp_total FROM pelatihan.jp_entry
    WHERE year = $1 AND revoked_at IS NULL GROUP BY nip
), per_contract_year AS (
    SELECT r.nip, r.contract_start,
           EXTRACT(YEAR FROM age(e.completed_on, r.contract_start))::int AS k, SUM(e.jp) AS jp
    FROM pelatihan.roster_employee r
    JOIN pelatihan.jp_entry e ON e.nip = r.nip AND e.revoked_at IS NULL
    WHERE r.active AND r.employment = 'PPPK' AND r.contract_start IS NOT NULL
      AND e.completed_on >= r.contract_start
      AND (r.contract_end IS NULL OR e.completed_on <= r.contract_end)
    GROUP BY r.nip, r.contract_start, k
), above AS (
    SELECT DISTINCT nip FROM per_contract_year
    WHERE jp > $2
      AND contract_start + make_interval(years => k) <= make_date($1, 12, 31)
      AND contract_start + make_interval(years => k + 1) > make_date($1, 1, 1)
)
SELECT r.unit_id, COUNT(*) AS pppk_total, COALESCE(SUM(jp.jp_total), 0)::int AS pppk_jp_delivered,
       COUNT(*) FILTER (WHERE r.nip IN (SELECT nip FROM above)) AS pppk_above
FROM pelatihan.roster_employee r LEFT JOIN jp ON jp.nip = r.nip
WHERE r.active AND r.employment = 'PPPK' AND r.unit_id IS NOT NULL
GROUP BY r.unit_id
"""
_BELOW = """
SELECT r.nip, COALESCE(SUM(e.jp), 0)::int AS jp_total
FROM pelatihan.roster_employee r
LEFT JOIN pelatihan.jp_entry e ON e.nip = r.nip AND e.year = $1 AND e.revoked_at IS NULL
WHERE r.active AND r.employment = 'PNS' AND r.unit_id = $3
GROUP BY r.nip HAVING COALESCE(SUM(e.jp), 0) < $2
ORDER BY jp_total, r.nip
"""
# Every (year, nip) either side has, with what the other side says (0 where it has no row).
_MISMATCH = """
SELECT coalesce(t.year, s.year) AS year, coalesce(t.nip, s.nip) AS nip, t.jp_total, s.jp
FROM pelatihan.jp_total t
FULL JOIN (SELECT year, nip, SUM(jp)::int AS jp FROM pelatihan.jp_entry WHERE revoked_at IS NULL
           GROUP BY year, nip) s ON s.year = t.year AND s.nip = t.nip
WHERE coalesce(t.jp_total, 0) <> coalesce(s.jp, 0)
"""


def _unit(i: int) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"unit{i}".encode()).hexdigest())


@pytest.fixture
async def conn(db: str) -> AsyncIterator[asyncpg.Connection]:
    c = await asyncpg.connect(plain_dsn(db))
    try:
        for sql in _FIXTURE:
            await c.execute(sql.replace(":units", str(UNITS)).replace(":employees", str(EMPLOYEES)))
        yield c
    finally:
        await c.close()


async def _mismatches(conn: asyncpg.Connection) -> list[Any]:
    return [tuple(r) for r in await conn.fetch(_MISMATCH)]


async def _definition(conn: asyncpg.Connection, year: int, unit: uuid.UUID | None) -> list[dict[str, Any]]:
    pns = {r["unit_id"]: dict(r) for r in await conn.fetch(_PNS, year, JP_REQUIRED_PNS)}
    pppk = {r["unit_id"]: dict(r) for r in await conn.fetch(_PPPK, year, JP_CEILING_PPPK)}
    out = []
    for key in sorted(pns.keys() | pppk.keys(), key=str):
        if unit is not None and key != unit:
            continue
        r = pns.get(key, {"pns_total": 0, "meeting": 0, "jp_delivered": 0})
        p = pppk.get(key, {"pppk_total": 0, "pppk_jp_delivered": 0, "pppk_above": 0})
        out.append({**r, **p, "unit_id": key})
    return out


async def _assert_report_matches(conn: asyncpg.Connection, engine: AsyncEngine, year: int) -> None:
    async with AsyncSession(engine) as session:
        for unit in (None, _unit(3), _unit(7)):
            want = await _definition(conn, year, unit)
            got = await repository.unit_figures(session, year, JP_REQUIRED_PNS, JP_CEILING_PPPK, unit)
            assert got == want, (year, unit)
            if unit is not None:
                below = await repository.below(session, year, JP_REQUIRED_PNS, unit)
                assert below == [dict(r) for r in await conn.fetch(_BELOW, year, JP_REQUIRED_PNS, unit)]


async def test_jp_total_is_the_plain_sum_after_every_kind_of_write(conn: asyncpg.Connection) -> None:
    # The bulk INSERT of the fixture (one statement, many rows per total).
    assert await conn.fetchval("SELECT count(*) FROM pelatihan.jp_total") > EMPLOYEES
    assert await _mismatches(conn) == []
    nip = "198001012005011005"
    steps = [
        # A credit, one row per statement as the app writes it.
        "INSERT INTO pelatihan.jp_entry (id, nip, year, jp, program_title, mode, completed_on)"
        f" VALUES (gen_random_uuid(), '{nip}', 2026, 9, 'x', 'KLASIKAL', '2026-03-03')",
        # A credit already revoked (counts nothing) and one for someone the roster does not know.
        "INSERT INTO pelatihan.jp_entry (id, nip, year, jp, program_title, mode, completed_on, revoked_at)"
        f" VALUES (gen_random_uuid(), '{nip}', 2026, 4, 'x', 'KLASIKAL', '2026-03-04', now()),"
        " (gen_random_uuid(), '199912312020121999', 2026, 6, 'x', 'KLASIKAL', '2026-03-04', NULL)",
        # Revocations (a certificate, a claim), many rows at once, and their undoing.
        f"UPDATE pelatihan.jp_entry SET revoked_at = now() WHERE nip = '{nip}' AND jp = 9",
        "UPDATE pelatihan.jp_entry SET revoked_at = now() WHERE revoked_at IS NULL AND right(nip, 2) = '17'",
        "UPDATE pelatihan.jp_entry SET revoked_at = NULL WHERE right(nip, 3) = '117'",
        # Corrections: the JP, the year, the NIP; and an update that touches no counted column.
        "UPDATE pelatihan.jp_entry SET jp = jp + 3 WHERE right(nip, 2) = '42'",
        "UPDATE pelatihan.jp_entry SET year = year + 1 WHERE right(nip, 2) = '43' AND year = 2026",
        "UPDATE pelatihan.jp_entry SET nip = '198001012005011044' WHERE nip = '198001012005011045'",
        "UPDATE pelatihan.jp_entry SET certificate_number = 'BGK-1' WHERE right(nip, 2) = '46'",
        # Both sides of a swap in one statement.
        "UPDATE pelatihan.jp_entry SET jp = CASE WHEN jp > 5 THEN jp - 5 ELSE jp + 5 END WHERE right(nip, 1) = '8'",
        "DELETE FROM pelatihan.jp_entry WHERE right(nip, 2) = '51'",
        # A roster move changes no total (they follow the NIP, the unit is joined when read).
        "UPDATE pelatihan.roster_employee SET unit_id = md5('unit3')::uuid WHERE right(nip, 2) IN ('60', '61')",
        "UPDATE pelatihan.roster_employee SET employment = 'PPPK', contract_start = date '2025-07-01'"
        " WHERE right(nip, 2) = '62'",
    ]
    for sql in steps:
        await conn.execute(sql)
        assert await _mismatches(conn) == [], sql
    # Two statements in one transaction, the second undoing the first; and a rolled-back write.
    async with conn.transaction():
        await conn.execute("UPDATE pelatihan.jp_entry SET jp = jp * 2 WHERE right(nip, 2) = '70'")
        await conn.execute("UPDATE pelatihan.jp_entry SET jp = jp / 2 WHERE right(nip, 2) = '70'")

    async def rolled_back() -> None:
        async with conn.transaction():
            await conn.execute("UPDATE pelatihan.jp_entry SET jp = jp + 100 WHERE right(nip, 2) = '71'")
            await conn.execute("UPDATE pelatihan.jp_entry SET jp = -1 WHERE right(nip, 2) = '72'")

    with pytest.raises(asyncpg.CheckViolationError):
        await rolled_back()
    assert await _mismatches(conn) == []
    await conn.execute("TRUNCATE pelatihan.jp_entry")
    assert await conn.fetchval("SELECT count(*) FROM pelatihan.jp_total") == 0


@pytest.mark.parametrize("year", [2025, 2026, 2027])
async def test_report_matches_the_plain_definition(
    conn: asyncpg.Connection, engine: AsyncEngine, year: int
) -> None:
    everyone = await _definition(conn, year, None)
    # The fixture covers each figure: some units with PNS meeting and not, PPPK above the ceiling and not.
    assert len(everyone) == UNITS
    assert 0 < sum(u["meeting"] for u in everyone) < sum(u["pns_total"] for u in everyone), everyone
    assert 0 < sum(u["pppk_above"] for u in everyone) < sum(u["pppk_total"] for u in everyone)
    await _assert_report_matches(conn, engine, year)
    # After revocations, corrections and roster moves, still the same.
    await conn.execute("UPDATE pelatihan.jp_entry SET revoked_at = now() WHERE right(nip, 1) = '3'")
    await conn.execute("UPDATE pelatihan.jp_entry SET jp = jp + 7 WHERE right(nip, 1) = '4'")
    await conn.execute(
        "UPDATE pelatihan.roster_employee SET unit_id = md5('unit7')::uuid WHERE right(nip, 2) IN ('05', '15')"
    )
    await conn.execute("UPDATE pelatihan.roster_employee SET active = false WHERE right(nip, 2) = '25'")
    await _assert_report_matches(conn, engine, year)


async def test_a_units_plan_probes_indexes_and_never_reads_the_provinces_ledger(
    conn: asyncpg.Connection, engine: AsyncEngine
) -> None:
    captured: list[tuple[str, Any]] = []

    def grab(c: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        captured.append((statement, params))

    event.listen(engine.sync_engine, "before_cursor_execute", grab)
    async with AsyncSession(engine) as session:
        await repository.unit_figures(session, 2026, JP_REQUIRED_PNS, JP_CEILING_PPPK, _unit(7))
        await repository.below(session, 2026, JP_REQUIRED_PNS, _unit(7))
    event.remove(engine.sync_engine, "before_cursor_execute", grab)
    statements = [c for c in captured if c[0].lstrip().upper().startswith(("WITH", "SELECT"))]
    assert len(statements) == 2
    for statement, params in statements:
        plan = json.loads(await conn.fetchval("EXPLAIN (FORMAT JSON) " + statement, *params))
        nodes = list(_nodes(plan))
        scanned = {n.get("Relation Name") for n in nodes if "Seq Scan" in n["Node Type"]}
        # The year's totals and the ledger grow with the province: never read whole for one unit.
        assert not scanned & {"jp_entry", "jp_total", "roster_employee"}, (scanned, statement)
        probed = {n.get("Index Name") for n in nodes if "Index" in n["Node Type"]}
        read = {n.get("Relation Name") for n in nodes} - {None}
        if "jp_unit_delta" in statement:
            # The figures: the unit's rows of what the triggers keep, nothing per employee.
            assert read == {"jp_unit_delta"}, read
        else:
            assert {"ix_roster_employee_unit_id_employment", "pk_jp_total"} <= probed, probed


def _nodes(plan: Any) -> Iterator[dict[str, Any]]:
    if isinstance(plan, dict):
        if "Node Type" in plan:
            yield plan
        for v in plan.values():
            yield from _nodes(v)
    elif isinstance(plan, list):
        for v in plan:
            yield from _nodes(v)


# The province reads what the triggers keep (jp_unit_delta, jp_pppk_above; migration 0013). After every kind
# of write, for the years around the data, it must give what the plain definition gives.
_YEARS = (2024, 2025, 2026, 2027)


async def _assert_province_matches(conn: asyncpg.Connection, engine: AsyncEngine, label: str) -> None:
    async with AsyncSession(engine) as session:
        for year in _YEARS:
            for unit in (None, _unit(3), _unit(4)):
                got = await repository.unit_figures(session, year, JP_REQUIRED_PNS, JP_CEILING_PPPK, unit)
                assert got == await _definition(conn, year, unit), (label, year, unit)


async def _compact(engine: AsyncEngine) -> int | None:
    async with AsyncSession(engine) as session, session.begin():
        return await repository.compact_unit_deltas(session)


_NIP = "198001012005011{:03d}"


async def test_province_counters_equal_the_plain_definition_after_every_kind_of_write(
    conn: asyncpg.Connection, engine: AsyncEngine
) -> None:
    # NIPs by role in the fixture: g % 4 == 1 PPPK (dated unless g % 29 == 0), else PNS.
    pns, pppk = _NIP.format(8), _NIP.format(9)
    assert (
        await conn.fetchval("SELECT employment FROM pelatihan.roster_employee WHERE nip = $1", pns) == "PNS"
    )
    assert (
        await conn.fetchval("SELECT employment FROM pelatihan.roster_employee WHERE nip = $1", pppk) == "PPPK"
    )
    entry = "INSERT INTO pelatihan.jp_entry (id, nip, year, jp, program_title, mode, completed_on) VALUES"
    steps = [
        # Credits, one row per statement as the app writes them: a PNS crossing 20 JP, a PPPK crossing 24 JP in
        # a contract year, someone the roster does not know; then a bulk one.
        f"{entry} (gen_random_uuid(), '{pns}', 2026, 19, 'x', 'KLASIKAL', '2026-03-03')",
        f"{entry} (gen_random_uuid(), '{pppk}', 2026, 25, 'x', 'KLASIKAL', '2026-03-03')",
        f"{entry} (gen_random_uuid(), '199912312020121999', 2026, 30, 'x', 'KLASIKAL', '2026-03-04')",
        f"{entry.replace(' VALUES', '')} SELECT gen_random_uuid(), nip, 2026, 7, 'y', 'DARING', '2026-09-09'"
        " FROM pelatihan.roster_employee WHERE right(nip, 2) IN ('11', '12', '13')",
        # Revocations and their undoing, corrections (JP, year, date, NIP), deletes.
        f"UPDATE pelatihan.jp_entry SET revoked_at = now() WHERE nip = '{pns}' AND jp = 19",
        "UPDATE pelatihan.jp_entry SET revoked_at = now() WHERE revoked_at IS NULL AND right(nip, 2) = '17'",
        "UPDATE pelatihan.jp_entry SET revoked_at = NULL WHERE right(nip, 3) = '117'",
        "UPDATE pelatihan.jp_entry SET jp = jp + 9 WHERE right(nip, 2) IN ('21', '42')",
        "UPDATE pelatihan.jp_entry SET year = year + 1 WHERE right(nip, 2) = '43' AND year = 2026",
        "UPDATE pelatihan.jp_entry SET completed_on = completed_on + 200 WHERE right(nip, 2) IN ('33', '37')",
        "UPDATE pelatihan.jp_entry SET nip = '198001012005011044' WHERE nip = '198001012005011045'",
        "UPDATE pelatihan.jp_entry SET certificate_number = 'BGK-1' WHERE right(nip, 2) = '46'",
        "DELETE FROM pelatihan.jp_entry WHERE right(nip, 2) IN ('51', '53')",
        # Roster imports: moves to another unit (one, many), out of any unit and back, deactivation and return.
        f"UPDATE pelatihan.roster_employee SET unit_id = md5('unit3')::uuid WHERE nip IN ('{pns}', '{pppk}')",
        "UPDATE pelatihan.roster_employee SET unit_id = md5('unit7')::uuid WHERE right(nip, 2) IN ('60', '61')",
        "UPDATE pelatihan.roster_employee SET unit_id = NULL WHERE right(nip, 2) = '63'",
        "UPDATE pelatihan.roster_employee SET unit_id = md5('unit1')::uuid WHERE right(nip, 2) = '63'",
        "UPDATE pelatihan.roster_employee SET active = NOT active WHERE right(nip, 2) IN ('64', '65')",
        # Employment changes both ways, with and without contract dates.
        "UPDATE pelatihan.roster_employee SET employment = 'PPPK', contract_start = date '2025-07-01'"
        " WHERE right(nip, 2) = '62' AND employment = 'PNS'",
        "UPDATE pelatihan.roster_employee SET employment = 'PNS', contract_start = NULL, contract_end = NULL"
        " WHERE right(nip, 2) = '66' AND employment = 'PPPK'",
        # Contract dates: moved, ended early, a start on 29 February, removed.
        "UPDATE pelatihan.roster_employee SET contract_start = contract_start - 90"
        " WHERE employment = 'PPPK' AND right(nip, 2) IN ('69', '73', '77')",
        "UPDATE pelatihan.roster_employee SET contract_end = date '2025-12-31'"
        " WHERE employment = 'PPPK' AND right(nip, 2) IN ('81', '85')",
        "UPDATE pelatihan.roster_employee SET contract_start = date '2024-02-29' WHERE right(nip, 2) = '89'",
        "UPDATE pelatihan.roster_employee SET contract_start = NULL WHERE right(nip, 2) = '93'",
        # An employee new to the roster whose ledger is already there, one leaving it, and an upsert as the
        # event ingest writes it (insert or update in one statement).
        "INSERT INTO pelatihan.roster_employee (nip, unit_id, employment, active, as_of)"
        " VALUES ('199912312020121999', md5('unit5')::uuid, 'PNS', true, now())",
        "DELETE FROM pelatihan.roster_employee WHERE right(nip, 2) = '97'",
        "INSERT INTO pelatihan.roster_employee (nip, unit_id, employment, active, as_of, contract_start)"
        " VALUES ('198001012005011101', md5('unit9')::uuid, 'PPPK', true, now(), date '2023-05-05'),"
        " ('199912312020121998', md5('unit9')::uuid, 'PNS', true, now(), NULL)"
        " ON CONFLICT (nip) DO UPDATE SET unit_id = EXCLUDED.unit_id, employment = EXCLUDED.employment,"
        " contract_start = EXCLUDED.contract_start",
        # An update that changes nothing the report reads.
        "UPDATE pelatihan.roster_employee SET rank = 'III/b' WHERE right(nip, 1) = '5'",
    ]
    await _assert_province_matches(conn, engine, "fixture")
    for i, sql in enumerate(steps):
        await conn.execute(sql)
        await _assert_province_matches(conn, engine, sql)
        if i % 6 == 5:
            await _compact(engine)
            await _assert_province_matches(conn, engine, "compacted after " + sql)

    # A rolled-back move leaves nothing behind.
    async def rolled_back() -> None:
        async with conn.transaction():
            await conn.execute("UPDATE pelatihan.roster_employee SET unit_id = md5('unit2')::uuid")
            await conn.execute("UPDATE pelatihan.jp_entry SET jp = -1 WHERE right(nip, 2) = '72'")

    with pytest.raises(asyncpg.CheckViolationError):
        await rolled_back()
    await _assert_province_matches(conn, engine, "rolled back")
    # Compaction leaves one row per key, and the same figures.
    assert await _compact(engine)
    keys = await conn.fetch(
        "SELECT year, unit_id, employment, count(*) FROM pelatihan.jp_unit_delta GROUP BY 1, 2, 3"
        " HAVING count(*) > 1"
    )
    assert keys == []
    await _assert_province_matches(conn, engine, "compacted")
    # Truncations clear what they must.
    await conn.execute("TRUNCATE pelatihan.jp_entry")
    await _assert_province_matches(conn, engine, "ledger truncated")
    await conn.execute("TRUNCATE pelatihan.roster_employee")
    assert await conn.fetchval("SELECT count(*) FROM pelatihan.jp_unit_delta") == 0
    assert await _definition(conn, 2026, None) == []
    await _assert_province_matches(conn, engine, "roster truncated")


async def _unit_of(conn: asyncpg.Connection, nip: str) -> uuid.UUID:
    unit: uuid.UUID = await conn.fetchval("SELECT unit_id FROM pelatihan.roster_employee WHERE nip = $1", nip)
    return unit


async def test_two_credits_in_one_unit_commit_without_waiting_for_each_other(
    conn: asyncpg.Connection, engine: AsyncEngine, db: str
) -> None:
    first, second = _NIP.format(20), _NIP.format(40)
    assert await _unit_of(conn, first) == await _unit_of(conn, second)
    other = await asyncpg.connect(plain_dsn(db))
    try:
        await other.execute("SET lock_timeout = '300ms'")
        credit = (
            "INSERT INTO pelatihan.jp_entry (id, nip, year, jp, program_title, mode, completed_on)"
            " VALUES (gen_random_uuid(), $1, 2026, 21, 'x', 'KLASIKAL', '2026-05-05')"
        )
        async with conn.transaction():
            await conn.execute(credit, first)
            # The first is not committed: the second neither waits for it (lock_timeout) nor fails.
            async with other.transaction():
                await other.execute(credit, second)
                # A roster move of a third employee of the unit does not wait either.
                await other.execute(
                    "UPDATE pelatihan.roster_employee SET unit_id = md5('unit4')::uuid WHERE nip = $1",
                    _NIP.format(60),
                )
        await _assert_province_matches(conn, engine, "both committed")
    finally:
        await other.close()


@pytest.mark.parametrize("credit_first", [True, False])
@pytest.mark.parametrize("roster_write", ["move", "employment", "contract", "insert", "delete"])
async def test_a_credit_and_a_roster_write_for_one_employee_in_either_order(
    conn: asyncpg.Connection, engine: AsyncEngine, db: str, credit_first: bool, roster_write: str
) -> None:
    # The second writer waits for the first's commit, then reads what it committed: no figure lost either way.
    nip = "199912312020121999" if roster_write == "insert" else _NIP.format(9)
    roster_sql = {
        "move": "UPDATE pelatihan.roster_employee SET unit_id = md5('unit4')::uuid WHERE nip = $1",
        "employment": "UPDATE pelatihan.roster_employee SET employment = 'PNS', contract_start = NULL WHERE nip = $1",
        "contract": "UPDATE pelatihan.roster_employee SET contract_start = date '2025-12-01' WHERE nip = $1",
        "insert": "INSERT INTO pelatihan.roster_employee (nip, unit_id, employment, active, as_of, contract_start)"
        " VALUES ($1, md5('unit4')::uuid, 'PPPK', true, now(), date '2025-06-01')",
        "delete": "DELETE FROM pelatihan.roster_employee WHERE nip = $1",
    }[roster_write]
    credit_sql = (
        "INSERT INTO pelatihan.jp_entry (id, nip, year, jp, program_title, mode, completed_on)"
        " VALUES (gen_random_uuid(), $1, 2026, 26, 'x', 'KLASIKAL', '2026-02-02')"
    )
    first_sql, second_sql = (credit_sql, roster_sql) if credit_first else (roster_sql, credit_sql)
    other = await asyncpg.connect(plain_dsn(db))
    try:
        tx = conn.transaction()
        await tx.start()
        await conn.execute(first_sql, nip)

        async def second() -> None:
            async with other.transaction():
                await other.execute(second_sql, nip)

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await tx.commit()
        await asyncio.wait_for(waiting, 10)
        await _assert_province_matches(conn, engine, f"{first_sql} then {second_sql}")
    finally:
        await other.close()


async def test_the_running_app_folds_the_deltas_in_the_background(
    conn: asyncpg.Connection, settings_for: Callable[..., Any], kinerja: StandIn
) -> None:
    # Single credits leave one delta row each until the periodic compaction folds them (GETs never write).
    for i in range(10):
        await conn.execute(
            "INSERT INTO pelatihan.jp_entry (id, nip, year, jp, program_title, mode, completed_on)"
            " VALUES (gen_random_uuid(), $1, 2026, 4, 'x', 'KLASIKAL', '2026-06-06')",
            _NIP.format(20 + 20 * i),
        )
    duplicated = (
        "SELECT count(*) FROM (SELECT 1 FROM pelatihan.jp_unit_delta GROUP BY year, unit_id, employment"
        " HAVING count(*) > 1) AS d"
    )
    assert await conn.fetchval(duplicated) > 0
    app = create_app(
        settings_for(
            PelatihanSettings, kinerja_url=kinerja.url, gateway_url=kinerja.url, jp_compaction_interval_s=0.05
        )
    )

    async def folded() -> bool:
        return bool(await conn.fetchval(duplicated) == 0)

    async with running(app):
        assert await wait_until(folded)
