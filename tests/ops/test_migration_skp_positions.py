"""Migration kinerja_0009_xfer2_skp_positions on today's shapes (issue 15): existing SKPs cover their whole
year in the employee's position, the assignment history learns the position, a year may then hold one SKP
per position, and the downgrade keeps the first SKP of each year."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

from asn_cli.database import asyncpg_dsn, downgrade, migrate
from tests.support.fixtures import create_database, drop_database

BEFORE = "kinerja_0007_xfer_parts"
AFTER = "kinerja_0009_xfer2_skp_positions"


@pytest.fixture
async def fresh_db(pg_server: str) -> AsyncIterator[str]:
    url = await create_database(pg_server, prefix="asn_skppos")
    try:
        yield url
    finally:
        await drop_database(pg_server, url)


async def test_existing_skps_cover_their_year_and_a_year_then_holds_one_per_position(fresh_db: str) -> None:
    await asyncio.to_thread(migrate, "kinerja", fresh_db, BEFORE)
    conn = await asyncpg.connect(asyncpg_dsn(fresh_db))
    try:
        unit, nip, skp = uuid.uuid4(), "198001012005011001", uuid.uuid4()
        await conn.execute("INSERT INTO kinerja.unit (id, code, name) VALUES ($1, 'BKD', 'BKD')", unit)
        await conn.execute(
            "INSERT INTO kinerja.employee (nip, name, unit_id, position, position_type, rank, employment)"
            " VALUES ($1, 'N', $2, 'Analis Kepegawaian', 'PELAKSANA', 'III/b', 'PNS')",
            nip,
            unit,
        )
        await conn.execute(
            "INSERT INTO kinerja.employee_assignment (nip, unit_id, valid_from) VALUES ($1, $2, '2025-01-02')",
            nip,
            unit,
        )
        await conn.execute(
            "INSERT INTO kinerja.skp (id, nip, year, status) VALUES ($1, $2, 2026, 'APPROVED')", skp, nip
        )
        await conn.close()
        await asyncio.to_thread(migrate, "kinerja", fresh_db, AFTER)
        conn = await asyncpg.connect(asyncpg_dsn(fresh_db))
        row = await conn.fetchrow("SELECT valid_from, valid_to, position FROM kinerja.skp WHERE id = $1", skp)
        assert tuple(row) == (date(2026, 1, 1), date(2027, 1, 1), "Analis Kepegawaian")
        assert await conn.fetchval("SELECT position FROM kinerja.employee_assignment") == "Analis Kepegawaian"
        # One SKP per position: closing the first on 15 March leaves room for the second.
        await conn.execute("UPDATE kinerja.skp SET valid_to = '2026-03-15' WHERE id = $1", skp)
        await conn.execute(
            "INSERT INTO kinerja.skp (id, nip, year, status, valid_from, valid_to, position)"
            " VALUES ($1, $2, 2026, 'DRAFT', '2026-03-15', '2027-01-01', 'Analis Kebijakan')",
            uuid.uuid4(),
            nip,
        )
        # Dates outside the year are refused.
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "INSERT INTO kinerja.skp (id, nip, year, status, valid_from, valid_to, position)"
                " VALUES ($1, $2, 2025, 'DRAFT', '2025-06-01', '2026-02-01', 'X')",
                uuid.uuid4(),
                nip,
            )
        await conn.close()
        await asyncio.to_thread(downgrade, "kinerja", fresh_db, BEFORE)
        conn = await asyncpg.connect(asyncpg_dsn(fresh_db))
        assert [r["id"] for r in await conn.fetch("SELECT id FROM kinerja.skp")] == [skp]
    finally:
        await conn.close()
