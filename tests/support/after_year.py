"""Helpers of the "after the year" tests (issue 17): a unit with employees registered through the API, and
FINAL results written straight to the table (the evaluation flow has its own tests)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import asyncpg
import httpx

from tests.support.anchoring import anchor_all, anchored_body, main_results
from tests.support.fixtures import plain_dsn

A, S, B = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"
CELL = {  # a rating pair that gives each predikat
    "SANGAT_BAIK": (A, A),
    "BAIK": (S, S),
    "BUTUH_PERBAIKAN": (B, S),
    "KURANG": (S, B),
    "SANGAT_KURANG": (B, B),
}
HEAD = "197001011995031001"
JF = "198001012005011001"
PPPK = "199001012023212001"
STAFF = "198502022010012002"
SIASN_JF = "A8ACA7397AEB3912E040640A040269BB"


async def register(client: httpx.AsyncClient, admin: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/employees, asserting 201."""
    resp = await client.post("/v1/employees", json=body, headers=admin)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def team(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    """A unit with a JPT head, a JF (Ahli Pertama since 1 January 2026, with a SIASN id), a PPPK on a contract
    from March 2024 to February 2029, and a PNS pelaksana."""
    unit = await client.post(
        "/v1/units", json={"code": "BKD", "name": "Badan Kepegawaian Daerah"}, headers=admin
    )
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["id"]
    common = {"unit_id": unit_id, "effective_on": "2024-01-01"}
    await register(
        client,
        admin,
        {
            **common,
            "nip": HEAD,
            "name": "Kepala Badan",
            "position": "Kepala Badan",
            "position_type": "JPT",
            "rank": "IV/c",
            "employment": "PNS",
        },
    )
    await register(
        client,
        admin,
        {
            **common,
            "nip": JF,
            "name": "Analis Kepegawaian",
            "position": "Analis SDM Aparatur Ahli Pertama",
            "position_type": "FUNGSIONAL",
            "rank": "III/a",
            "employment": "PNS",
            "supervisor_nip": HEAD,
            "jenjang": "AHLI_PERTAMA",
            "siasn_id": SIASN_JF,
            "effective_on": "2026-01-01",
        },
    )
    await register(
        client,
        admin,
        {
            **common,
            "nip": PPPK,
            "name": "Pengelola Kontrak",
            "position": "Pengadministrasi",
            "position_type": "PELAKSANA",
            "rank": "IX",
            "employment": "PPPK",
            "supervisor_nip": HEAD,
            "contract_start": "2024-03-01",
            "contract_end": "2029-02-28",
        },
    )
    await register(
        client,
        admin,
        {
            **common,
            "nip": STAFF,
            "name": "Staf Umum",
            "position": "Pengadministrasi Umum",
            "position_type": "PELAKSANA",
            "rank": "II/c",
            "employment": "PNS",
            "supervisor_nip": HEAD,
        },
    )
    return {"unit": unit_id}


async def annual_result(
    db: str,
    nip: str,
    unit: str,
    year: int,
    predikat: str,
    evaluator: str | None = HEAD,
    status: str = "FINAL",
) -> uuid.UUID:
    """A FINAL (or DRAFT) annual RESULT row."""
    result, behavior = CELL[predikat]
    final = status == "FINAL"
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        return uuid.UUID(
            str(
                await conn.fetchval(
                    "INSERT INTO kinerja.evaluation (id, nip, unit_id, period, period_start, period_end,"
                    " evaluator_nip, status, result_rating, behavior_rating, predikat, finalized_at,"
                    " behavior_notes)"
                    " VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                    " CASE WHEN $11 THEN now() END, $12::jsonb) RETURNING id",
                    nip,
                    uuid.UUID(unit),
                    str(year),
                    date(year, 1, 1),
                    date(year, 12, 31),
                    evaluator,
                    status,
                    result,
                    behavior,
                    predikat if final else None,
                    final,
                    '{"AKUNTABEL": "Teliti dan tepat waktu"}',
                )
            )
        )
    finally:
        await conn.close()


async def fetch(db: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of a query, as dicts."""
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        return [dict(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


async def finalise(db: str, evaluation: uuid.UUID, predikat: str) -> None:
    """Make a DRAFT result FINAL with ``predikat``."""
    await fetch(
        db,
        "UPDATE kinerja.evaluation SET status = 'FINAL', predikat = $2, finalized_at = now() WHERE id = $1",
        evaluation,
        predikat,
    )


async def evaluate(
    db: str,
    client: httpx.AsyncClient,
    headers: dict[str, str],
    nip: str,
    period: str,
    result: str,
    behavior: str,
) -> dict[str, Any]:
    """Open, rate and finalise a result through the API (finalising takes the identity snapshot). The result is
    anchored to an approved SKP (issue 16): everyone without one gets one, and every main result is rated."""
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        await anchor_all(conn)
    finally:
        await conn.close()
    opened = await client.post("/v1/evaluations", json={"nip": nip, "period": period}, headers=headers)
    assert opened.status_code == 201, opened.text
    ev = opened.json()
    body = anchored_body(await main_results(client, headers, ev["id"]), result, behavior)
    rated = await client.patch(
        f"/v1/evaluations/{ev['id']}", json=body, headers={**headers, "If-Match": f'"{ev["version"]}"'}
    )
    assert rated.status_code == 200, rated.text
    done = await client.post(f"/v1/evaluations/{ev['id']}/finalize", headers=headers)
    assert done.status_code == 200, done.text
    return dict(done.json())
