"""GET /v1/employees?q= (issue 11): by the start of the name's words (any case) or NIP prefix, within what the caller may
list, and served by indexes on a realistically sized table (EXPLAIN shows no sequential scan)."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from services.kinerja_api.employees.repository import list_statement
from tests.kinerja.test_registry_api import make_employee, make_unit, person
from tests.support.fixtures import Tokens, plain_dsn

BOSS, ANI, BUDI, DEWI, OTHER = (f"1986092620150510{i:02d}" for i in range(1, 6))


async def test_search_by_name_or_nip_prefix(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    unit = await make_unit(client, admin, "BKD")
    await make_employee(
        client, admin, person(BOSS, unit, None, name="Kepala Bidang", position_type="ADMINISTRATOR")
    )
    await make_employee(client, admin, person(ANI, unit, BOSS, name="Ani Sartika Sari"))
    await make_employee(client, admin, person(BUDI, unit, BOSS, name="Budi Santoso"))
    await make_employee(client, admin, person(DEWI, unit, None, name="Dewi SARI Lestari"))
    await make_employee(client, admin, person(OTHER, unit, None, name="100%_Sari"))

    async def found(q: str, headers: dict[str, str]) -> list[str]:
        r = await client.get("/v1/employees", params={"q": q}, headers=headers)
        assert r.status_code == 200, r.text
        return [e["nip"] for e in r.json()["items"]]

    assert await found("sari", admin) == [ANI, DEWI, OTHER]
    assert await found("SANTO", admin) == [BUDI]
    assert await found("sar", admin) == [ANI, DEWI, OTHER]  # the start of any word, any case
    assert await found("sari ani", admin) == [ANI]  # every word must match, in any order
    assert await found("tika", admin) == []  # not the start of a word
    assert await found("198609262015051", admin) == [BOSS, ANI, BUDI, DEWI, OTHER]
    assert await found("1986092620150510", admin) == [BOSS, ANI, BUDI, DEWI, OTHER]
    assert await found("1986092620150510013", admin) == []  # longer than a NIP: nobody
    # tsquery and LIKE syntax are plain characters in q: they separate words or match nothing.
    assert await found("sari:*|!", admin) == [ANI, DEWI, OTHER]
    assert await found("%_", admin) == []
    assert (await client.get("/v1/employees", params={"q": "s"}, headers=admin)).status_code == 422
    # Integrators granted kinerja:individual may list, so they may search; a supervisor searches only within
    # their own view.
    assert await found("sari", tokens.headers("client-1", ["integrator"], scope="kinerja:individual")) == [
        ANI,
        DEWI,
        OTHER,
    ]
    assert await found("sari", tokens.pegawai(BOSS)) == [ANI]
    assert await found("sari", tokens.pegawai(BUDI)) == []


def _explain(**filters: Any) -> tuple[str, list[Any]]:
    """EXPLAIN of the statement the repository runs, with its bind values, for asyncpg."""
    stmt, params = list_statement(
        unit_id=None, supervisor_nip=None, active=None, visible_to=None, after_nip=None, limit=51, **filters
    )
    compiled = stmt.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
    assert compiled.positiontup is not None
    values = compiled.construct_params(params)
    return "EXPLAIN " + str(compiled), [values[name] for name in compiled.positiontup]


async def test_search_uses_the_indexes(db: str, client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    unit = await make_unit(client, admin, "BIG")
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        # 30,000 employees, names from a small vocabulary: a province's registry, roughly.
        await conn.execute(
            """
            INSERT INTO kinerja.employee (nip, name, unit_id, position, position_type, rank, employment, active)
            SELECT lpad((197001012000010000 + g)::text, 18, '0'),
                   (ARRAY['Ani','Budi','Citra','Dedi','Eka','Fitri','Gita','Hadi'])[1 + g % 8] || ' ' ||
                   (ARRAY['Saputra','Lestari','Pratama','Wulandari','Hidayat','Kurniawan'])[1 + g % 6] || ' ' || g,
                   $1::uuid, 'Analis', 'PELAKSANA', 'III/a', 'PNS', true
            FROM generate_series(1, 30000) AS g
            """,
            unit,
        )
        # As autovacuum would: statistics, and the GIN pending list merged into the index.
        await conn.execute("VACUUM ANALYZE kinerja.employee")
        plans = {}
        for q in ("kurniawan 2999", "1970010120000129"):
            sql, args = _explain(q=q)
            rows = await conn.fetch(sql, *args)
            plans[q] = "\n".join(r[0] for r in rows)
    finally:
        await conn.close()
    assert all("Seq Scan" not in plan for plan in plans.values()), plans
    assert "ix_employee_name_words" in plans["kurniawan 2999"], plans
    assert "ix_employee_nip_pattern" in plans["1970010120000129"], plans
