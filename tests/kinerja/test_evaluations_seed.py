"""Seeding helpers for the evaluation, report, task and publication tests: units, employees and their
assignment history written straight into PostgreSQL (the registry API has its own tests), plus small API
helpers. The one test here checks the seed itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import httpx

from services.kinerja_api.samples import numbered_nip
from tests.support.anchoring import anchor_all, anchored_body, main_results
from tests.support.fixtures import Tokens

SINCE = date(2025, 1, 1)


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@dataclass
class Seeder:
    """Writes registry rows; ``nip(i)`` hands out valid NIPs."""

    conn: Any

    @staticmethod
    def nip(i: int) -> str:
        return numbered_nip(i)

    async def unit(self, code: str, parent: uuid.UUID | None = None) -> uuid.UUID:
        uid = uuid.uuid4()
        await self.conn.execute(
            "INSERT INTO kinerja.unit (id, code, name, parent_id) VALUES ($1, $2, $3, $4)",
            uid,
            code,
            f"Unit {code}",
            parent,
        )
        return uid

    async def employee(
        self,
        nip: str,
        unit: uuid.UUID,
        supervisor: str | None,
        *,
        position_type: str = "PELAKSANA",
        since: date = SINCE,
        active: bool = True,
        name: str | None = None,
    ) -> str:
        await self.conn.execute(
            "INSERT INTO kinerja.employee (nip, name, unit_id, position, position_type, rank, employment,"
            " supervisor_nip, active) VALUES ($1, $2, $3, $4, $5, 'III/b', 'PNS', $6, $7)",
            nip,
            name or f"Pegawai {nip[-6:]}",
            unit,
            "Kepala" if position_type == "JPT" else "Analis",
            position_type,
            supervisor,
            active,
        )
        await self.conn.execute(
            "INSERT INTO kinerja.employee_assignment (nip, supervisor_nip, unit_id, valid_from, position)"
            " VALUES ($1::varchar, $2, $3, $4, (SELECT e.position FROM kinerja.employee e WHERE e.nip = $1::varchar))",
            nip,
            supervisor,
            unit,
            since,
        )
        return nip

    async def employees(self, nips: list[str], unit: uuid.UUID, supervisor: str | None) -> None:
        """Many at once (a supervisor with 30 reports)."""
        await self.conn.execute(
            "INSERT INTO kinerja.employee (nip, name, unit_id, position, position_type, rank, employment,"
            " supervisor_nip) SELECT n, 'Pegawai ' || right(n, 6), $2, 'Analis', 'PELAKSANA', 'III/a', 'PNS', $3"
            " FROM unnest($1::varchar[]) AS n",
            nips,
            unit,
            supervisor,
        )
        await self.conn.execute(
            "INSERT INTO kinerja.employee_assignment (nip, supervisor_nip, unit_id, valid_from, position)"
            " SELECT n, $3, $2, $4, 'Analis' FROM unnest($1::varchar[]) AS n",
            nips,
            unit,
            supervisor,
            SINCE,
        )

    async def transfer(self, nip: str, supervisor: str | None, unit: uuid.UUID, on: date) -> None:
        """Close the open assignment on ``on`` and open a new one (a mutasi mid-period)."""
        await self.conn.execute(
            "UPDATE kinerja.employee_assignment SET valid_to = $2 WHERE nip = $1 AND valid_to IS NULL",
            nip,
            on,
        )
        await self.conn.execute(
            "INSERT INTO kinerja.employee_assignment (nip, supervisor_nip, unit_id, valid_from, position)"
            " VALUES ($1::varchar, $2, $3, $4, (SELECT e.position FROM kinerja.employee e WHERE e.nip = $1::varchar))",
            nip,
            supervisor,
            unit,
            on,
        )
        await self.conn.execute(
            "UPDATE kinerja.employee SET supervisor_nip = $2, unit_id = $3 WHERE nip = $1",
            nip,
            supervisor,
            unit,
        )

    async def approved_skp(
        self, nip: str, year: int, indicators: int = 1
    ) -> tuple[uuid.UUID, list[uuid.UUID]]:
        """An APPROVED SKP with one result and ``indicators`` indicators."""
        skp_id, result_id = uuid.uuid4(), uuid.uuid4()
        await self.conn.execute(
            "INSERT INTO kinerja.skp (id, nip, year, status, valid_from, valid_to, position)"
            " VALUES ($1, $2, $3, 'APPROVED', make_date($3, 1, 1), make_date($3 + 1, 1, 1), 'Analis')",
            skp_id,
            nip,
            year,
        )
        await self.conn.execute(
            "INSERT INTO kinerja.skp_result (id, skp_id, kind, text, position) VALUES ($1, $2, 'UTAMA', 'RHK', 0)",
            result_id,
            skp_id,
        )
        ids = []
        for i in range(indicators):
            ind = uuid.uuid4()
            ids.append(ind)
            await self.conn.execute(
                "INSERT INTO kinerja.skp_indicator (id, result_id, text, target, position)"
                " VALUES ($1, $2, 'IKI', '100%', $3)",
                ind,
                result_id,
                i,
            )
        return skp_id, ids

    async def anchor(self) -> None:
        """An approved 2025 and 2026 SKP for everyone who has none (issue 16: results are rated on them)."""
        await anchor_all(self.conn)

    async def skp(self, nip: str, year: int, status: str) -> uuid.UUID:
        skp_id = uuid.uuid4()
        await self.conn.execute(
            "INSERT INTO kinerja.skp (id, nip, year, status, valid_from, valid_to, position)"
            " VALUES ($1, $2, $3, $4, make_date($3, 1, 1), make_date($3 + 1, 1, 1), 'Analis')",
            skp_id,
            nip,
            year,
            status,
        )
        return skp_id

    async def realization(self, skp_id: uuid.UUID, indicator: uuid.UUID, period: str) -> None:
        await self.conn.execute(
            "INSERT INTO kinerja.realization (skp_id, indicator_id, period, realization, id)"
            " VALUES ($1, $2, $3, 'selesai', gen_random_uuid())",
            skp_id,
            indicator,
            period,
        )


async def connect(db: str) -> Seeder:
    return Seeder(await asyncpg.connect(plain(db)))


async def new_evaluation(
    client: httpx.AsyncClient, headers: dict[str, str], nip: str, period: str = "2026-Q1"
) -> dict[str, Any]:
    resp = await client.post("/v1/evaluations", json={"nip": nip, "period": period}, headers=headers)
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def rate(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    evaluation: dict[str, Any],
    result: str,
    behavior: str,
    notes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Rate a DRAFT anchored to the SKP (tests.support.anchoring): every main result, the seven BerAKHLAK
    levels and the reasons a DI_BAWAH rating needs."""
    body = anchored_body(await main_results(client, headers, evaluation["id"]), result, behavior, notes)
    resp = await client.patch(
        f"/v1/evaluations/{evaluation['id']}",
        json=body,
        headers={**headers, "If-Match": f'"{evaluation["version"]}"'},
    )
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()
    return out


async def evaluate(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    nip: str,
    result: str,
    behavior: str,
    period: str = "2026-Q1",
    notes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Create, rate and finalise; returns the FINAL evaluation."""
    ev = await new_evaluation(client, headers, nip, period)
    ev = await rate(client, headers, ev, result, behavior, notes)
    resp = await client.post(f"/v1/evaluations/{ev['id']}/finalize", headers=headers)
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()
    return out


async def test_seed_builds_a_reporting_line(db: str, tokens: Tokens) -> None:
    s = await connect(db)
    try:
        unit = await s.unit("SEED")
        head = await s.employee(s.nip(0), unit, None, position_type="JPT")
        await s.employee(s.nip(1), unit, head)
        count = await s.conn.fetchval("SELECT count(*) FROM kinerja.employee_assignment")
        assert count == 2
    finally:
        await s.conn.close()
