"""Migration kinerja_0007_xfer_parts on today's shapes (issue 15): build the per-supervisor evaluations the
old rule made after a transfer, migrate, and compare counts, the curve and the SIASN rows before and after:
each person is counted once per period, and no evaluation is lost."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

from asn_cli.database import asyncpg_dsn, migrate
from tests.support.fixtures import create_database, drop_database

BEFORE = "kinerja_0006_chg_outbox_ver"
CURVE = (
    "SELECT predikat, count(*) FROM kinerja.evaluation WHERE period = $1 AND predikat IS NOT NULL GROUP BY 1"
)
# The SIASN export's rows (reports/repository.py siasn_page, before and after its own change).
SIASN_OLD = "SELECT nip FROM kinerja.evaluation WHERE period = $1 AND status = 'FINAL' ORDER BY nip"
SIASN_NEW = SIASN_OLD.replace("status = 'FINAL'", "status = 'FINAL' AND kind = 'RESULT'")


@pytest.fixture
async def fresh_db(pg_server: str) -> AsyncIterator[str]:
    url = await create_database(pg_server, prefix="asn_xfer")
    try:
        yield url
    finally:
        await drop_database(pg_server, url)


def nip(i: int) -> str:
    return f"19800101200501{i:04d}"


async def _evaluation(
    conn: asyncpg.Connection, who: str, unit: uuid.UUID, start: date, end: date, evaluator: str, predikat: str
) -> uuid.UUID:
    eid = uuid.uuid4()
    await conn.execute(
        "INSERT INTO kinerja.evaluation (id, nip, unit_id, period, period_start, period_end, evaluator_nip,"
        " status, result_rating, behavior_rating, predikat, finalized_at)"
        " VALUES ($1, $2, $3, '2026-Q1', $4, $5, $6, 'FINAL', 'SESUAI_EKSPEKTASI', 'SESUAI_EKSPEKTASI', $7, now())",
        eid,
        who,
        unit,
        start,
        end,
        evaluator,
        predikat,
    )
    return eid


async def test_old_shapes_become_one_result_per_person_and_period(fresh_db: str) -> None:
    await asyncio.to_thread(migrate, "kinerja", fresh_db, BEFORE)
    conn = await asyncpg.connect(asyncpg_dsn(fresh_db))
    try:
        unit = uuid.uuid4()
        await conn.execute("INSERT INTO kinerja.unit (id, code, name) VALUES ($1, 'BKD', 'BKD')", unit)
        head, a, b, x, y = (nip(i) for i in range(1, 6))
        for who, sup in ((head, None), (a, head), (b, head), (x, a), (y, a)):
            await conn.execute(
                "INSERT INTO kinerja.employee (nip, name, unit_id, position, position_type, rank, employment,"
                " supervisor_nip) VALUES ($1, 'N', $2, 'P', 'PELAKSANA', 'III/b', 'PNS', $3)",
                who,
                unit,
                sup,
            )
            await conn.execute(
                "INSERT INTO kinerja.employee_assignment (nip, supervisor_nip, unit_id, valid_from, valid_to)"
                " VALUES ($1, $2, $3, '2025-01-01', $4)",
                who,
                sup,
                unit,
                date(2026, 2, 15) if who in (x, y) else None,
            )
        # X moved A -> B on 15 Feb, both evaluated: the old rule's two FINAL results.
        # Y moved A -> B too, but only A evaluated (nothing covers the period's end).
        for who in (x, y):
            await conn.execute(
                "INSERT INTO kinerja.employee_assignment (nip, supervisor_nip, unit_id, valid_from)"
                " VALUES ($1, $2, $3, '2026-02-15')",
                who,
                b,
                unit,
            )
        x_a = await _evaluation(conn, x, unit, date(2026, 1, 1), date(2026, 2, 14), a, "BAIK")
        x_b = await _evaluation(conn, x, unit, date(2026, 2, 15), date(2026, 3, 31), b, "SANGAT_BAIK")
        y_a = await _evaluation(conn, y, unit, date(2026, 1, 1), date(2026, 2, 14), a, "KURANG")
        await conn.execute(
            "INSERT INTO kinerja.objection (id, evaluation_id, nip, reason) VALUES (gen_random_uuid(), $1, $2, 'r')",
            x_a,
            x,
        )
        before_rows = await conn.fetchval("SELECT count(*) FROM kinerja.evaluation")
        before_curve = dict(await conn.fetch(CURVE, "2026-Q1"))
        before_siasn = [r[0] for r in await conn.fetch(SIASN_OLD, "2026-Q1")]
        assert before_curve == {"BAIK": 1, "SANGAT_BAIK": 1, "KURANG": 1}
        assert before_siasn == [x, x, y]

        await asyncio.to_thread(migrate, "kinerja", fresh_db)

        # Nothing lost: every evaluation is still there, plus one DRAFT result for Y.
        assert await conn.fetchval("SELECT count(*) FROM kinerja.evaluation") == before_rows + 1
        rows = {
            r["id"]: r
            for r in await conn.fetch("SELECT id, kind, result_id, status, predikat FROM kinerja.evaluation")
        }
        assert (rows[x_b]["kind"], rows[x_b]["predikat"]) == ("RESULT", "SANGAT_BAIK")
        assert (rows[x_a]["kind"], rows[x_a]["result_id"], rows[x_a]["predikat"]) == ("PART", x_b, None)
        assert rows[x_a]["status"] == "FINAL"
        y_result = await conn.fetchrow(
            "SELECT id, status, evaluator_nip, period_start FROM kinerja.evaluation WHERE nip = $1 AND kind = 'RESULT'",
            y,
        )
        assert (y_result["status"], y_result["evaluator_nip"]) == ("DRAFT", b)
        assert y_result["period_start"] == date(2026, 2, 15)
        assert rows[y_a]["result_id"] == y_result["id"]
        # Counted once per person: the curve keeps only results, SIASN exports X once and Y not yet.
        assert dict(await conn.fetch(CURVE, "2026-Q1")) == {"SANGAT_BAIK": 1}
        assert [r[0] for r in await conn.fetch(SIASN_NEW, "2026-Q1")] == [x]
        # The objection lodged against what is now a part stays on it.
        assert (
            await conn.fetchval("SELECT count(*) FROM kinerja.objection WHERE evaluation_id = $1", x_a) == 1
        )
        assert await conn.fetchval("SELECT decider_nip FROM kinerja.evaluation WHERE id = $1", x_b) == head
    finally:
        await conn.close()
