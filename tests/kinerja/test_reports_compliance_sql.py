"""The compliance report's SQL (issue 21, reports at scale): the merge-joined province counts and the probed
unit counts give what the plain definition gives (one EXISTS per employee and flag), page by page; and a
unit's plan probes indexes instead of reading the province's rows."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from services.common.settings import normalise_database_url
from services.kinerja_api.reports import repository
from tests.support.fixtures import plain_dsn

EMPLOYEES = 3000

# Five units (two OPD, three sub-units); a mix of every case each flag has: inactive employees, SKPs not
# approved, of another year, two in one year, realisations in another period or on an unapproved SKP,
# results not final, of another period, or recorded under another unit than the employee's.
_FIXTURE = [
    "INSERT INTO kinerja.unit (id, code, name, parent_id) VALUES"
    " (md5('A')::uuid, 'A', 'OPD A', NULL), (md5('B')::uuid, 'B', 'OPD B', NULL),"
    " (md5('A1')::uuid, 'A.1', 'Sub A1', md5('A')::uuid), (md5('A2')::uuid, 'A.2', 'Sub A2', md5('A')::uuid),"
    " (md5('B1')::uuid, 'B.1', 'Sub B1', md5('B')::uuid)",
    "INSERT INTO kinerja.employee (nip, name, unit_id, position, position_type, rank, employment, active)"
    " SELECT '19' || lpad(i::text, 16, '0'), 'Pegawai ' || i,"
    "  md5((ARRAY['A', 'A1', 'A2', 'B', 'B1'])[1 + i % 5])::uuid, 'Analis', 'PELAKSANA', 'III/a', 'PNS', i % 17 <> 0"
    f" FROM generate_series(1, {EMPLOYEES}) i",
    "INSERT INTO kinerja.skp (id, nip, year, status, valid_from, valid_to, position)"
    " SELECT md5('skp' || nip)::uuid, nip, CASE WHEN i % 11 = 0 THEN 2025 ELSE 2026 END,"
    "  (ARRAY['APPROVED', 'APPROVED', 'DRAFT', 'SUBMITTED', 'RETURNED', 'APPROVED'])[1 + i % 6],"
    "  CASE WHEN i % 11 = 0 THEN date '2025-01-01' ELSE date '2026-01-01' END,"
    "  CASE WHEN i % 11 = 0 THEN date '2025-07-01' ELSE date '2026-07-01' END, position"
    " FROM (SELECT nip, position, right(nip, 6)::int AS i FROM kinerja.employee) e WHERE i % 7 <> 0",
    # A second SKP of 2026 (from July) for some: approved when the first is not, and the other way round.
    "INSERT INTO kinerja.skp (id, nip, year, status, valid_from, valid_to, position)"
    " SELECT md5('skp2' || nip)::uuid, nip, 2026, CASE WHEN i % 2 = 0 THEN 'APPROVED' ELSE 'DRAFT' END,"
    "  date '2026-07-01', date '2027-01-01', position"
    " FROM (SELECT nip, position, right(nip, 6)::int AS i FROM kinerja.employee) e WHERE i % 9 = 0",
    "INSERT INTO kinerja.skp_result (id, skp_id, kind, text, position)"
    " SELECT md5('res' || id)::uuid, id, 'UTAMA', 'RHK', 0 FROM kinerja.skp",
    "INSERT INTO kinerja.skp_indicator (id, result_id, text, target, position)"
    " SELECT md5('ind' || id || k)::uuid, id, 'IKI', '100%', k FROM kinerja.skp_result, generate_series(0, 1) k",
    "INSERT INTO kinerja.realization (id, skp_id, indicator_id, period, realization)"
    " SELECT gen_random_uuid(), r.skp_id, i.id, p, 'selesai'"
    " FROM kinerja.skp_indicator i JOIN kinerja.skp_result r ON r.id = i.result_id"
    " JOIN kinerja.skp s ON s.id = r.skp_id, unnest(ARRAY['2026-Q1', '2026-Q2']) p"
    " WHERE (p = '2026-Q1' AND right(s.nip, 6)::int % 3 <> 1) OR (p = '2026-Q2' AND right(s.nip, 6)::int % 4 = 1)",
    """
    INSERT INTO kinerja.evaluation (id, nip, unit_id, period, period_start, period_end, status, result_rating,
        behavior_rating, predikat, finalized_at)
    SELECT gen_random_uuid(), e.nip, CASE WHEN i % 10 = 1 THEN md5('B1')::uuid ELSE e.unit_id END, p.period,
        p.s, p.e, CASE WHEN i % 8 = 3 THEN 'DRAFT' ELSE 'FINAL' END,
        CASE WHEN i % 8 = 3 THEN NULL ELSE 'SESUAI_EKSPEKTASI' END,
        CASE WHEN i % 8 = 3 THEN NULL ELSE 'SESUAI_EKSPEKTASI' END,
        CASE WHEN i % 8 = 3 THEN NULL ELSE 'BAIK' END, CASE WHEN i % 8 = 3 THEN NULL ELSE now() END
    FROM (SELECT nip, unit_id, right(nip, 6)::int AS i FROM kinerja.employee) e
    CROSS JOIN (VALUES ('2025-Q4', date '2025-10-01', date '2025-12-31'),
        ('2026-Q1', date '2026-01-01', date '2026-03-31'), ('2026-Q2', date '2026-04-01', date '2026-06-30'))
        AS p(period, s, e)
    WHERE i % 13 <> 0 OR p.period <> '2026-Q1'
    """,
    "VACUUM ANALYZE",
]

_DEFINITION = """
    SELECT e.nip, e.name, e.unit_id,
        EXISTS (SELECT 1 FROM kinerja.skp s WHERE s.nip = e.nip AND s.year = $1 AND s.status = 'APPROVED'),
        EXISTS (SELECT 1 FROM kinerja.skp s JOIN kinerja.realization r ON r.skp_id = s.id
                WHERE s.nip = e.nip AND s.year = $1 AND r.period = ANY($3::varchar[])),
        EXISTS (SELECT 1 FROM kinerja.evaluation v WHERE v.nip = e.nip AND v.period = $2 AND v.predikat IS NOT NULL)
    FROM kinerja.employee e
    WHERE e.active AND ($4::uuid[] IS NULL OR e.unit_id = ANY($4::uuid[]))
    ORDER BY e.nip
"""


@pytest.fixture
async def engine(db: str) -> AsyncIterator[AsyncEngine]:
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        for sql in _FIXTURE:
            await conn.execute(sql)
    finally:
        await conn.close()
    eng = create_async_engine(normalise_database_url(db))
    try:
        yield eng
    finally:
        await eng.dispose()


def _units(*codes: str) -> list[uuid.UUID]:
    return [uuid.UUID(hashlib.md5(c.encode()).hexdigest()) for c in codes]


async def _definition(
    db_url: str, rperiods: list[str], units: list[uuid.UUID] | None
) -> list[repository.ComplianceRow]:
    conn = await asyncpg.connect(plain_dsn(db_url))
    try:
        rows = await conn.fetch(_DEFINITION, 2026, "2026-Q1", rperiods, units)
    finally:
        await conn.close()
    return [repository.ComplianceRow(r[0], r[1], uuid.UUID(str(r[2])), r[3], r[4], r[5]) for r in rows]


@pytest.mark.parametrize("rperiods", [["2026-Q1"], ["2026-Q1", "2026-Q2"]])
@pytest.mark.parametrize("scope", [None, ("A", "A1", "A2"), ("B1",)])
async def test_counts_and_pages_match_the_definition(
    db: str, engine: AsyncEngine, rperiods: list[str], scope: tuple[str, ...] | None
) -> None:
    units = _units(*scope) if scope else None
    everyone = await _definition(db, rperiods, units)
    missing = [r for r in everyone if not (r.skp_approved and r.realization_reported and r.evaluated)]
    # The fixture covers each case: some with and some without each flag, some complete.
    for i in (3, 4, 5):
        assert 0 < sum(1 for r in everyone if r[i]) < len(everyone)
    assert 0 < len(missing) < len(everyone)
    pages: list[repository.ComplianceRow] = []
    after: str | None = None
    async with AsyncSession(engine) as session:
        while True:
            summary, rows = await repository.compliance(
                session, 2026, "2026-Q1", rperiods, units, after_nip=after, limit=97
            )
            assert summary == repository.ComplianceSummary(
                len(everyone),
                sum(r.skp_approved for r in everyone),
                sum(r.realization_reported for r in everyone),
                sum(r.evaluated for r in everyone),
            )
            pages += rows
            if len(rows) < 97:
                break
            after = rows[-1].nip
        assert await repository.compliance_summary(session, 2026, "2026-Q1", rperiods, units) == summary
    assert pages == missing


async def test_a_units_plan_probes_indexes_and_never_scans_the_province(db: str, engine: AsyncEngine) -> None:
    captured: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        captured.append((statement, params))

    event.listen(engine.sync_engine, "before_cursor_execute", grab)
    async with AsyncSession(engine) as session:
        await repository.compliance(
            session, 2026, "2026-Q1", ["2026-Q1"], _units("B1"), after_nip=None, limit=51
        )
    event.remove(engine.sync_engine, "before_cursor_execute", grab)
    [(statement, params)] = [c for c in captured if c[0].lstrip().startswith("WITH")]
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        plan = json.loads(await conn.fetchval("EXPLAIN (FORMAT JSON) " + statement, *params))
    finally:
        await conn.close()
    nodes: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Node Type" in node:
                nodes.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(plan)
    # The employee table may be read whole at this size (the unit is a fifth of it); the year's SKPs, their
    # realisations and the period's evaluations, which grow with the province, never are.
    seq = {n.get("Relation Name") for n in nodes if n["Node Type"] == "Seq Scan"}
    assert not seq & {"evaluation", "skp", "realization"}, seq
    probed = {n.get("Index Name") for n in nodes if n["Node Type"] in ("Index Only Scan", "Index Scan")}
    assert {"ix_skp_nip_year_status", "ix_realization_skp_id_period"} <= probed, probed
    # The counts read the unit's own ranges of SKPs and realisations (kinerja_0027), not a probe per employee.
    assert {"ix_skp_owner_unit_id_year_nip", "ix_realization_period_skp_unit_id"} <= probed, probed
    assert probed & {"ix_evaluation_period_nip_final", "ix_evaluation_nip_period_final"}, probed
    # The page sorts the unit's employees; it does not walk the province's primary key.
    assert "pk_employee" not in probed, probed


async def _summary_matches(db: str, engine: AsyncEngine, rperiods: list[str]) -> None:
    for units in (None, _units("A", "A1", "A2"), _units("B1")):
        everyone = await _definition(db, rperiods, units)
        async with AsyncSession(engine) as session:
            summary = await repository.compliance_summary(session, 2026, "2026-Q1", rperiods, units)
        assert summary == repository.ComplianceSummary(
            len(everyone),
            sum(r.skp_approved for r in everyone),
            sum(r.realization_reported for r in everyone),
            sum(r.evaluated for r in everyone),
        )


async def test_the_realisation_owner_follows_every_write(db: str, engine: AsyncEngine) -> None:
    """``realization.skp_nip`` / ``skp_year`` (kinerja_0026) are copies the report counts by: whatever writes a
    realisation or changes an SKP's owner or year, they stay the SKP's, and the counts stay the definition's."""
    conn = await asyncpg.connect(plain_dsn(db))
    drift = (
        "SELECT count(*) FROM kinerja.realization r JOIN kinerja.skp s ON s.id = r.skp_id"
        " WHERE r.skp_nip <> s.nip OR r.skp_year <> s.year"
    )
    try:
        assert await conn.fetchval(drift) == 0
        assert await conn.fetchval("SELECT count(*) FROM kinerja.realization") > 0
        # An SKP with a 2026-Q1 realisation changes owner, to an employee without an SKP (i % 7 = 0) in
        # another unit; another moves to 2025.
        moved, to_nip = "19" + "2".zfill(16), "19" + "14".zfill(16)
        assert await conn.fetchval(
            "SELECT count(*) FROM kinerja.realization r JOIN kinerja.skp s ON s.id = r.skp_id"
            " WHERE s.nip = $1 AND r.period = '2026-Q1'",
            moved,
        )
        await conn.execute("UPDATE kinerja.skp SET nip = $2 WHERE nip = $1 AND year = 2026", moved, to_nip)
        await conn.execute(
            "UPDATE kinerja.skp SET year = 2025, valid_from = valid_from - 365, valid_to = valid_to - 365"
            " WHERE nip = $1 AND year = 2026",
            "19" + "5".zfill(16),
        )
        # A realisation written with wrong copies gets the SKP's; one moved to another SKP takes its owner.
        await conn.execute(
            "INSERT INTO kinerja.realization (id, skp_id, indicator_id, period, realization, skp_nip, skp_year)"
            " SELECT gen_random_uuid(), r.skp_id, i.id, '2026-Q1', 'x', '190000000000000000', 1999"
            " FROM kinerja.skp_indicator i JOIN kinerja.skp_result r ON r.id = i.result_id"
            " JOIN kinerja.skp s ON s.id = r.skp_id"
            " WHERE s.year = 2026 AND NOT EXISTS (SELECT 1 FROM kinerja.realization z WHERE z.skp_id = s.id)"
            " LIMIT 5"
        )
        await conn.execute(
            "UPDATE kinerja.realization SET skp_nip = '190000000000000000' WHERE id IN"
            " (SELECT id FROM kinerja.realization ORDER BY id LIMIT 3)"
        )
        await conn.execute(
            "UPDATE kinerja.realization SET skp_id = (SELECT id FROM kinerja.skp WHERE nip = $1 AND year = 2026"
            " ORDER BY valid_from LIMIT 1) WHERE id = (SELECT id FROM kinerja.realization ORDER BY id DESC LIMIT 1)",
            "19" + "3".zfill(16),
        )
        await conn.execute("DELETE FROM kinerja.skp WHERE nip = $1", "19" + "4".zfill(16))
        assert await conn.fetchval(drift) == 0
        await conn.execute("VACUUM ANALYZE kinerja.realization")
    finally:
        await conn.close()
    for rperiods in (["2026-Q1"], ["2026-Q1", "2026-Q2"]):
        await _summary_matches(db, engine, rperiods)


_UNIT_DRIFT = (
    "SELECT (SELECT count(*) FROM kinerja.skp s JOIN kinerja.employee e ON e.nip = s.nip"
    " WHERE s.owner_unit_id <> e.unit_id)"
    " + (SELECT count(*) FROM kinerja.realization r JOIN kinerja.skp s ON s.id = r.skp_id"
    " WHERE r.skp_unit_id <> s.owner_unit_id OR r.skp_nip <> s.nip OR r.skp_year <> s.year)"
)


async def test_the_owner_unit_follows_every_write(db: str, engine: AsyncEngine) -> None:
    """``skp.owner_unit_id`` and ``realization.skp_unit_id`` (kinerja_0027) are copies a unit's counts read by:
    whatever moves an employee, changes an SKP's owner or writes an SKP or a realisation with wrong copies, they
    stay the owner's current unit, and the counts of every scope stay the definition's."""
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        assert await conn.fetchval(_UNIT_DRIFT) == 0
        # Employees with SKPs and 2026-Q1 realisations move between the OPDs, one way and the other.
        movers = await conn.fetch(
            "SELECT DISTINCT s.nip FROM kinerja.skp s JOIN kinerja.realization r ON r.skp_id = s.id"
            " WHERE s.year = 2026 AND r.period = '2026-Q1' ORDER BY s.nip LIMIT 40"
        )
        assert len(movers) == 40
        await conn.execute(
            "UPDATE kinerja.employee SET unit_id = CASE WHEN unit_id IN (md5('B')::uuid, md5('B1')::uuid)"
            " THEN md5('A2')::uuid ELSE md5('B1')::uuid END WHERE nip = ANY($1::varchar[])",
            [r["nip"] for r in movers],
        )
        # An SKP given to an employee of another unit; an SKP and a realisation written with a wrong unit.
        await conn.execute(
            "UPDATE kinerja.skp SET nip = $2 WHERE nip = $1 AND year = 2026",
            "19" + "8".zfill(16),
            "19" + "7".zfill(16),
        )
        await conn.execute(
            "INSERT INTO kinerja.skp (id, nip, year, status, valid_from, valid_to, position, owner_unit_id)"
            " VALUES (gen_random_uuid(), $1, 2026, 'APPROVED', date '2026-01-01', date '2026-07-01', 'Analis',"
            " md5('B')::uuid)",
            "19" + "35".zfill(16),
        )
        await conn.execute(
            "UPDATE kinerja.skp SET owner_unit_id = md5('A')::uuid WHERE id IN"
            " (SELECT id FROM kinerja.skp ORDER BY id LIMIT 5)"
        )
        await conn.execute(
            "UPDATE kinerja.realization SET skp_unit_id = md5('B1')::uuid WHERE id IN"
            " (SELECT id FROM kinerja.realization ORDER BY id LIMIT 5)"
        )
        assert await conn.fetchval(_UNIT_DRIFT) == 0
        await conn.execute("VACUUM ANALYZE kinerja.skp")
        await conn.execute("VACUUM ANALYZE kinerja.realization")
    finally:
        await conn.close()
    for rperiods in (["2026-Q1"], ["2026-Q1", "2026-Q2"]):
        await _summary_matches(db, engine, rperiods)


async def test_the_realisation_reported_through_the_api_carries_its_owner(
    db: str, engine: AsyncEngine
) -> None:
    """The API's write path (``upsert_realization``) sets no copies itself (owner, year, unit); the trigger does."""
    from services.kinerja_api.skp import repository as skp_repository

    conn = await asyncpg.connect(plain_dsn(db))
    try:
        row = await conn.fetchrow(
            "SELECT i.id AS indicator_id, r.skp_id, s.nip, s.year, e.unit_id FROM kinerja.skp_indicator i"
            " JOIN kinerja.skp_result r ON r.id = i.result_id JOIN kinerja.skp s ON s.id = r.skp_id"
            " JOIN kinerja.employee e ON e.nip = s.nip"
            " WHERE s.year = 2026 AND NOT EXISTS (SELECT 1 FROM kinerja.realization z WHERE z.skp_id = s.id)"
            " ORDER BY i.id LIMIT 1"
        )
    finally:
        await conn.close()
    async with AsyncSession(engine) as session, session.begin():
        made = await skp_repository.upsert_realization(
            session,
            {
                "skp_id": row["skp_id"],
                "indicator_id": row["indicator_id"],
                "period": "2026-Q1",
                "realization": "selesai",
            },
        )
        assert (made.skp_nip, made.skp_year, made.skp_unit_id) == (row["nip"], row["year"], row["unit_id"])
    await _summary_matches(db, engine, ["2026-Q1"])
