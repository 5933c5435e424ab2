"""GET /v1/evaluations?unit_id=&period= (an admin's or an integrator's page) reads one index range in id order
(issue 21): ix_evaluation_period_unit_id_id, not the period's whole id index with every other unit filtered out,
on a realistically shaped table (EXPLAIN ANALYZE of the statement the repository runs)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from services.kinerja_api.evaluations.repository import list_page_statement
from tests.support.fixtures import plain_dsn

UNITS, PER_UNIT = 40, 150  # 6,000 employees, one result each for four periods

_FIXTURE = [
    "INSERT INTO kinerja.unit (id, code, name) SELECT md5('u' || u)::uuid, 'U' || u, 'Unit ' || u"
    f" FROM generate_series(1, {UNITS}) u",
    "INSERT INTO kinerja.employee (nip, name, unit_id, position, position_type, rank, employment, active)"
    " SELECT '19' || lpad(i::text, 16, '0'), 'Pegawai ' || i,"
    f" md5('u' || (1 + i % {UNITS}))::uuid, 'Analis', 'PELAKSANA', 'III/a', 'PNS', true"
    f" FROM generate_series(1, {UNITS * PER_UNIT}) i",
    """
    INSERT INTO kinerja.evaluation (id, nip, unit_id, period, period_start, period_end, status, result_rating,
        behavior_rating, predikat, finalized_at)
    SELECT gen_random_uuid(), e.nip, e.unit_id, p.period, p.s, p.e, 'FINAL', 'SESUAI_EKSPEKTASI',
        'SESUAI_EKSPEKTASI', 'BAIK', now()
    FROM kinerja.employee e
    CROSS JOIN (VALUES ('2026-Q1', date '2026-01-01', date '2026-03-31'),
        ('2026-Q2', date '2026-04-01', date '2026-06-30'), ('2026-Q3', date '2026-07-01', date '2026-09-30'),
        ('2026-Q4', date '2026-10-01', date '2026-12-31')) AS p(period, s, e)
    """,
    "VACUUM ANALYZE",
]


def _explain(**filters: Any) -> tuple[str, list[Any]]:
    """EXPLAIN ANALYZE (JSON) of the page statement, with its bind values, for asyncpg."""
    values: dict[str, Any] = {
        "visible_to": None, "nip": None, "predikat": None, "status": None, "after_id": None, "limit": 51,
    }  # fmt: skip
    stmt, params = list_page_statement(**{**values, **filters})
    compiled = stmt.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
    assert compiled.positiontup is not None
    bound = compiled.construct_params(params)
    return "EXPLAIN (ANALYZE, FORMAT JSON) " + str(compiled), [bound[name] for name in compiled.positiontup]


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(n for child in plan.get("Plans", []) for n in _nodes(child))]


async def test_a_units_page_of_a_period_reads_one_index_range(db: str) -> None:
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        for sql in _FIXTURE:
            await conn.execute(sql)
        unit = uuid.UUID(str(await conn.fetchval("SELECT md5('u7')::uuid")))
        first = None
        for after in (None, "first page's last id"):
            sql, args = _explain(unit_id=unit, period="2026-Q3", after_id=first)
            plan = json.loads(await conn.fetchval(sql, *args))[0]["Plan"]
            nodes = _nodes(plan)
            scans = {n.get("Index Name") for n in nodes if "Index Name" in n}
            assert scans == {"ix_evaluation_period_unit_id_id"}, (after, json.dumps(plan, indent=1))
            # Only the page's rows are read: nothing of the other 39 units is filtered out.
            assert sum(n.get("Rows Removed by Filter", 0) for n in nodes) == 0, json.dumps(plan, indent=1)
            assert plan["Actual Rows"] == 51
            if first is None:
                page = await conn.fetch(
                    "SELECT id FROM kinerja.evaluation WHERE unit_id = $1 AND period = '2026-Q3' ORDER BY id LIMIT 51",
                    unit,
                )
                first = page[-1]["id"]
    finally:
        await conn.close()


async def test_a_supervisors_page_is_index_probes(db: str) -> None:
    """A pegawai's page (``visible_to``, kinerja_0030). The branch "results my direct reports evaluate, no
    decider yet" probes ix_evaluation_undecided_evaluator_nip once per report (it read the unit's whole period
    and hash-joined it to the team), and the branch "results I wrote a part of" reads
    ix_evaluation_part_evaluator_nip (it read every result the viewer evaluated). Whether PostgreSQL then keeps
    the prepared statement's generic plan depends on the statistics: measured on the bench dataset
    (docs/benchmarks.md round 10), not asserted here."""
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        for sql in _FIXTURE[:-1]:
            await conn.execute(sql)
        # The first employee of each unit supervises and evaluates the unit's others; the results of a
        # quarter still being rated are drafts, with no decider.
        await conn.execute(
            "UPDATE kinerja.employee e SET supervisor_nip = h.nip FROM (SELECT unit_id, min(nip) AS nip"
            " FROM kinerja.employee GROUP BY unit_id) h WHERE e.unit_id = h.unit_id AND e.nip <> h.nip"
        )
        await conn.execute(
            "UPDATE kinerja.evaluation v SET evaluator_nip = e.supervisor_nip,"
            " status = CASE WHEN v.period = '2026-Q4' THEN 'DRAFT' ELSE 'FINAL' END,"
            " decider_nip = CASE WHEN v.period = '2026-Q4' THEN NULL ELSE '190000000000000001' END,"
            " predikat = CASE WHEN v.period = '2026-Q4' THEN NULL ELSE v.predikat END,"
            " finalized_at = CASE WHEN v.period = '2026-Q4' THEN NULL ELSE v.finalized_at END"
            " FROM kinerja.employee e WHERE e.nip = v.nip"
        )
        await conn.execute("VACUUM ANALYZE")
        unit = uuid.UUID(str(await conn.fetchval("SELECT md5('u7')::uuid")))
        head = await conn.fetchval("SELECT min(nip) FROM kinerja.employee WHERE unit_id = $1", unit)
        for period in ("2026-Q4", "2026-Q3"):
            sql, args = _explain(unit_id=unit, period=period, visible_to=head)
            plan = json.loads(await conn.fetchval(sql, *args))[0]["Plan"]
            nodes = _nodes(plan)
            dump = json.dumps(plan, indent=1)
            # The head sees their own result and the 149 they evaluate: a full page.
            assert plan["Actual Rows"] == 51, dump
            scans = {n.get("Index Name") for n in nodes}
            assert {"ix_evaluation_undecided_evaluator_nip", "ix_evaluation_part_evaluator_nip"} <= scans, (
                dump
            )
            assert not [n for n in nodes if n["Node Type"] == "Hash Join"], dump
    finally:
        await conn.close()
