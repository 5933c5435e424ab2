"""Publication through the outbox on real PostgreSQL.

- Finalising a whole unit enqueues exactly one ``kinerja.unit_performance`` aggregate (counts only: no NIP,
  name or individual rating) and one ``kinerja.development_needs`` per evaluation.
- With publik stopped the events stay PENDING; when the real publik app comes up (uvicorn on a free port),
  every aggregate arrives exactly once.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from fastapi import FastAPI, Request

from services.common.auth import Role
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app as create_publik
from tests.kinerja.test_evaluations_seed import Seeder, evaluate, plain
from tests.support.anchoring import anchored_body, main_results
from tests.support.fixtures import Tokens, free_port, running, wait_until

A, S, B = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"
AGGREGATE_KEYS = {
    "unit_id",
    "unit_name",
    "period",
    "headcount",
    "evaluated",
    "counts",
    "compliance",
    "policy_version",
    "data_as_of",
}
PERSONAL = {"nip", "name", "nama", "rating", "predikat", "result_rating", "behavior_rating", "evaluator_nip"}


async def team(seed: Seeder, code: str, base: int, size: int = 3, anchor: bool = True) -> dict[str, Any]:
    """An OPD with its head (the boss) and a sub-unit of ``size`` staff under the boss (with ``anchor``, everyone
    gets an approved SKP for 2025 and 2026)."""
    opd = await seed.unit(code)
    unit = await seed.unit(f"{code}.SUB", opd)
    boss = await seed.employee(seed.nip(base), opd, None, position_type="JPT")
    staff = [await seed.employee(seed.nip(base + 1 + i), unit, boss) for i in range(size)]
    if anchor:
        await seed.anchor()
    return {"opd": opd, "unit": unit, "boss": boss, "staff": staff}


async def outbox(db: str, event_type: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(plain(db))
    try:
        rows = await conn.fetch(
            "SELECT id, destination, payload::text AS payload, status, attempts, last_error FROM kinerja.outbox_event"
            " WHERE event_type = $1 ORDER BY created_at",
            event_type,
        )
    finally:
        await conn.close()
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]


def keys_deep(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_deep(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_deep(v)}
    return set()


async def test_a_whole_unit_enqueues_one_aggregate_and_development_needs(
    client: httpx.AsyncClient, tokens: Tokens, db: str, seed: Seeder
) -> None:
    t = await team(seed, "DISPORA", 400)
    boss = tokens.pegawai(t["boss"])
    gaps = {"KOLABORATIF": {"level": B, "note": "Jarang berbagi."}, "LOYAL": "Baik.", "ADAPTIF": {"level": A}}
    first = await evaluate(client, boss, t["staff"][0], B, S, notes=gaps)
    await evaluate(client, boss, t["staff"][1], A, A)
    assert await outbox(db, "kinerja.unit_performance") == []
    last = await evaluate(client, boss, t["staff"][2], S, B)
    aggregates = await outbox(db, "kinerja.unit_performance")
    assert len(aggregates) == 1
    event = aggregates[0]
    assert event["destination"] == "publik"
    assert event["status"] == "PENDING"
    data = event["payload"]
    assert set(data) == AGGREGATE_KEYS
    assert not keys_deep(data) & PERSONAL
    text = json.dumps(data)
    for nip in [t["boss"], *t["staff"]]:
        assert nip not in text
    assert data["unit_id"] == str(t["unit"])
    assert data["period"] == "2026-Q1"
    assert data["headcount"] == 3
    assert data["evaluated"] == 3
    assert data["counts"] == {
        "SANGAT_BAIK": 1,
        "BAIK": 0,
        "BUTUH_PERBAIKAN": 1,
        "KURANG": 1,
        "SANGAT_KURANG": 0,
    }
    # Each was rated on an approved SKP (issue 16).
    assert data["compliance"] == {"skp_approved": 3, "realization_reported": 0, "evaluated": 3}
    # One development_needs per finalisation, to pelatihan.
    needs = await outbox(db, "kinerja.development_needs")
    assert [n["destination"] for n in needs] == ["pelatihan"] * 3
    by_eval = {n["payload"]["evaluation_id"]: n["payload"] for n in needs}
    assert by_eval[first["id"]] == {
        "nip": t["staff"][0],
        "evaluation_id": first["id"],
        "period": "2026-Q1",
        "behavior_gaps": ["KOLABORATIF"],
        "result_below_expectation": True,
        "behaviour_rating": "SESUAI_EKSPEKTASI",
    }
    # A DI_BAWAH behaviour rating is the median of the seven BerAKHLAK levels (issue 16): here all seven.
    assert len(by_eval[last["id"]]["behavior_gaps"]) == 7
    # Issue 18: the overall behaviour rating goes along too.
    assert by_eval[last["id"]]["behaviour_rating"] == "DI_BAWAH_EKSPEKTASI"
    # A reopen and re-finalisation sends a corrected aggregate.
    reopened = await client.post(
        f"/v1/evaluations/{last['id']}/reopen", json={"reason": "Koreksi perilaku."}, headers=tokens.admin()
    )
    assert reopened.status_code == 200
    resp = await client.patch(
        f"/v1/evaluations/{last['id']}",
        json=anchored_body(await main_results(client, boss, last["id"]), S, S),
        headers={**boss, "If-Match": reopened.headers["etag"]},
    )
    assert resp.status_code == 200
    assert (await client.post(f"/v1/evaluations/{last['id']}/finalize", headers=boss)).status_code == 200
    aggregates = await outbox(db, "kinerja.unit_performance")
    assert len(aggregates) == 2
    assert aggregates[1]["payload"]["counts"]["BAIK"] == 1
    assert aggregates[1]["payload"]["counts"]["KURANG"] == 0
    # The admin can publish what is final now; others cannot.
    url = f"/v1/publication/units/{t['unit']}/periods/2026-Q1"
    assert (await client.post(url, headers=boss)).status_code == 403
    published = await client.post(url, headers=tokens.admin())
    assert published.status_code == 202, published.text
    assert published.json()["revision"] == 3
    unknown = await client.post(
        f"/v1/publication/units/{uuid.uuid4()}/periods/2026-Q1", headers=tokens.admin()
    )
    assert unknown.status_code == 404


async def test_the_unit_heads_targets_go_to_publik_by_unit_only(
    client: httpx.AsyncClient, tokens: Tokens, db: str, seed: Seeder
) -> None:
    """Capaian kinerja organisasi: the approved SKP results of whoever heads the unit at the period's end, with
    their realisations up to the period; no NIP, name, position or rating of the head, and nobody else's SKP."""
    t = await team(seed, "DUKCAPIL", 500, anchor=False)
    skp_id, indicators = await seed.approved_skp(t["boss"], 2026, indicators=2)
    await seed.realization(skp_id, indicators[0], "2026-Q1")
    await seed.realization(skp_id, indicators[1], "2026-Q2")  # after the period: not sent for Q1
    staff_skp, staff_ind = await seed.approved_skp(t["staff"][0], 2026)
    await seed.realization(staff_skp, staff_ind[0], "2026-Q1")
    published = await client.post(f"/v1/publication/units/{t['opd']}/periods/2026-Q1", headers=tokens.admin())
    assert published.status_code == 202, published.text
    events = await outbox(db, "kinerja.organisation_performance")
    assert [e["destination"] for e in events] == ["publik"]
    data = events[0]["payload"]
    assert set(data) == {"unit_id", "unit_name", "period", "results", "data_as_of"}
    assert data["unit_id"] == str(t["opd"])
    assert data["period"] == "2026-Q1"
    assert data["results"] == [
        {
            "kind": "UTAMA",
            "text": "RHK",
            "indicators": [
                {
                    "text": "IKI",
                    "target": "100%",
                    "realizations": [{"period": "2026-Q1", "realization": "selesai"}],
                },
                {"text": "IKI", "target": "100%", "realizations": []},
            ],
        }
    ]
    assert not keys_deep(data) & PERSONAL
    text = json.dumps(data)
    for nip in [t["boss"], *t["staff"]]:
        assert nip not in text
    assert "Kepala" not in text  # not even the head's position
    # A sub-unit nobody heads (its staff answer to the OPD's head) publishes no targets: never a member's SKP.
    sub = await client.post(f"/v1/publication/units/{t['unit']}/periods/2026-Q1", headers=tokens.admin())
    assert sub.status_code == 202
    assert len(await outbox(db, "kinerja.organisation_performance")) == 1
    # The year's publication carries every quarter's realisation.
    year = await client.post(f"/v1/publication/units/{t['opd']}/periods/2026", headers=tokens.admin())
    assert year.status_code == 202
    annual = (await outbox(db, "kinerja.organisation_performance"))[-1]["payload"]
    assert [len(i["realizations"]) for i in annual["results"][0]["indicators"]] == [1, 1]


class Receiver:
    """A stand-in for the gateway's token endpoint and pelatihan's event endpoint."""

    def __init__(self, tokens: Tokens) -> None:
        self.events: list[dict[str, Any]] = []
        self.app = FastAPI()

        @self.app.post("/auth/token")
        async def token() -> dict[str, Any]:
            access = tokens.token("svc-kinerja", [Role.SERVICE], ttl_s=600)
            return {"access_token": access, "token_type": "bearer", "expires_in": 600}

        @self.app.post("/internal/v1/events", status_code=202)
        async def receive(request: Request) -> dict[str, str]:
            self.events.append(await request.json())
            return {"status": "stored"}


async def serve(app: Any, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    assert await wait_until(lambda: _started(server), timeout_s=15)
    return server, task


async def _started(server: uvicorn.Server) -> bool:
    return bool(server.started)


async def stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await asyncio.wait_for(task, timeout=15)


async def test_publik_down_loses_nothing_and_each_aggregate_arrives_once(
    db: str, settings_for: Callable[..., Any], tokens: Tokens, seed: Seeder, tmp_path: Path
) -> None:
    one = await team(seed, "DINSOS", 500)
    two = await team(seed, "DISHUB", 600, size=2)
    helper = Receiver(tokens)
    helper_port, publik_port = free_port(), free_port()
    helper_server = await serve(helper.app, helper_port)
    kinerja = create_app(
        settings_for(
            KinerjaSettings,
            outbox_enabled=True,
            outbox_poll_interval_s=0.1,
            gateway_url=f"http://127.0.0.1:{helper_port}",
            pelatihan_url=f"http://127.0.0.1:{helper_port}",
            publik_url=f"http://127.0.0.1:{publik_port}",
        )
    )
    try:
        async with running(kinerja) as client:
            # publik is not running: finalise both units.
            for t in (one, two):
                boss = tokens.pegawai(t["boss"])
                for nip in t["staff"]:
                    await evaluate(client, boss, nip, S, S)

            async def publik_tried() -> bool:
                rows = await outbox(db, "kinerja.unit_performance")
                return len(rows) == 2 and all(r["attempts"] >= 1 for r in rows)

            assert await wait_until(publik_tried, timeout_s=10)
            rows = await outbox(db, "kinerja.unit_performance")
            assert {r["status"] for r in rows} == {"PENDING"}
            # pelatihan was up all along: every development need arrived.
            assert await wait_until(lambda: _count(helper.events, 5), timeout_s=10)

            publik = create_publik(settings_for(PublikSettings, data_dir=tmp_path, outbox_enabled=False))
            publik_server = await serve(publik, publik_port)
            try:

                async def delivered() -> bool:
                    rows = await outbox(db, "kinerja.unit_performance")
                    return all(r["status"] == "DELIVERED" for r in rows)

                assert await wait_until(delivered, timeout_s=40), [
                    (r["status"], r["last_error"]) for r in await outbox(db, "kinerja.unit_performance")
                ]
            finally:
                await stop(*publik_server)
    finally:
        await stop(*helper_server)
    conn = await asyncpg.connect(plain(db))
    try:
        inbox = await conn.fetch(
            "SELECT event_id FROM publik.inbox_event WHERE event_type = 'kinerja.unit_performance'"
        )
    finally:
        await conn.close()
    sent = {r["id"] for r in await outbox(db, "kinerja.unit_performance")}
    assert sorted(r["event_id"] for r in inbox) == sorted(sent)
    assert len(sent) == 2
    needs = [e for e in helper.events if e["type"] == "kinerja.development_needs"]
    assert len({e["id"] for e in needs}) == 5


async def _count(events: list[dict[str, Any]], n: int) -> bool:
    return len(events) >= n
