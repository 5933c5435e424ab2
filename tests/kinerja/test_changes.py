"""Incremental sync: a random run of creates, updates and deletes, read back page by page with small
limits, rebuilds exactly the final state; the cursor survives a restart of the service; concurrent writers
leave no gaps for a reader that pages while they write."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import selectinload

from services.common.changelog import stored_data
from services.common.settings import normalise_database_url
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.employees.changes import employee_state
from services.kinerja_api.evaluations.service import synced_data
from services.kinerja_api.main import create_app
from services.kinerja_api.samples import numbered_nip
from services.kinerja_api.skp.models import Skp, SkpResult
from services.kinerja_api.skp.service import skp_data
from services.kinerja_api.tables.employees import Employee
from services.kinerja_api.tables.evaluations import Evaluation
from tests.kinerja.test_registry_api import make_unit, person
from tests.support.changes import State, read_all, rebuild
from tests.support.fixtures import Tokens, running


async def actual_state(db: str) -> State:
    engine = create_async_engine(normalise_database_url(db))
    try:
        async with AsyncSession(engine) as s:
            state: State = {}
            for emp in (await s.scalars(select(Employee))).all():
                state[("employee", emp.nip)] = employee_state(emp)
            skps = await s.scalars(
                select(Skp).options(selectinload(Skp.results).selectinload(SkpResult.indicators))
            )
            for skp in skps.all():
                state[("skp", str(skp.id))] = skp_data(skp)
            for ev in (await s.scalars(select(Evaluation))).all():
                state[("evaluation", str(ev.id))] = synced_data(ev)
            # Compare through JSON, as the API carries it.
            return {k: stored_data(v) for k, v in state.items()}
    finally:
        await engine.dispose()


async def test_random_changes_rebuild_the_final_state(
    db: str, client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    rng = random.Random(20261128)
    unit = await make_unit(client, admin, "SYNC")
    head, boss = numbered_nip(1), numbered_nip(2)
    for body in (
        person(head, unit, None, position_type="JPT", rank="IV/c"),
        person(boss, unit, head, position_type="ADMINISTRATOR", rank="IV/a"),
    ):
        assert (await client.post("/v1/employees", json=body, headers=admin)).status_code == 201
    staff: list[str] = []
    skps: dict[str, str] = {}
    evaluations: dict[str, str] = {}
    boss_h = tokens.pegawai(boss)
    for step in range(60):
        action = rng.choice(["employee", "patch", "skp", "skp_delete", "eval", "eval_patch", "eval_delete"])
        if action == "employee" or not staff:
            nip = numbered_nip(100 + step)
            resp = await client.post("/v1/employees", json=person(nip, unit, boss), headers=admin)
            assert resp.status_code == 201, resp.text
            staff.append(nip)
        elif action == "patch":
            nip = rng.choice(staff)
            resp = await client.patch(
                f"/v1/employees/{nip}", json={"position": f"Analis {step}"}, headers=admin
            )
            assert resp.status_code == 200, resp.text
        elif action == "skp":
            nip = rng.choice(staff)
            if nip not in skps:
                resp = await client.post("/v1/skp", json={"year": 2026}, headers=tokens.pegawai(nip))
                assert resp.status_code == 201, resp.text
                skps[nip] = resp.json()["id"]
        elif action == "skp_delete" and skps:
            nip = rng.choice(sorted(skps))
            resp = await client.delete(f"/v1/skp/{skps.pop(nip)}", headers=tokens.pegawai(nip))
            assert resp.status_code == 204, resp.text
        elif action == "eval":
            nip = rng.choice(staff)
            if nip not in evaluations:
                resp = await client.post(
                    "/v1/evaluations", json={"nip": nip, "period": "2026-Q4"}, headers=boss_h
                )
                assert resp.status_code == 201, resp.text
                evaluations[nip] = resp.json()["id"]
        elif action == "eval_patch" and evaluations:
            eid = evaluations[rng.choice(sorted(evaluations))]
            current = await client.get(f"/v1/evaluations/{eid}", headers=boss_h)
            resp = await client.patch(
                f"/v1/evaluations/{eid}",
                json={"result_rating": rng.choice(["DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI"])},
                headers={**boss_h, "If-Match": current.headers["etag"]},
            )
            assert resp.status_code == 200, resp.text
        elif action == "eval_delete" and evaluations:
            nip = rng.choice(sorted(evaluations))
            resp = await client.delete(f"/v1/evaluations/{evaluations.pop(nip)}", headers=boss_h)
            assert resp.status_code == 204, resp.text

    integrator = tokens.headers("tpp-system", ["integrator"], scope="kinerja:individual")
    entries, _ = await read_all(client, integrator, None, limit=3)
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs)
    assert len(seqs) == len(set(seqs))  # no duplicates across pages
    assert any(e["op"] == "DELETE" for e in entries) or not (set(skps) or evaluations)
    assert rebuild(entries) == await actual_state(db)


async def test_cursor_survives_a_restart_and_returns_exactly_what_changed(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    admin, integrator = tokens.admin(), tokens.headers("portal", ["integrator"], scope="kinerja:individual")
    async with running(create_app(settings_for(KinerjaSettings))) as client:
        unit = await make_unit(client, admin, "A")
        await client.post(
            "/v1/employees",
            json=person(numbered_nip(1), unit, None, position_type="JPT", rank="IV/c"),
            headers=admin,
        )
        first, cursor = await read_all(client, integrator, None, limit=50)
        assert [e["id"] for e in first] == [numbered_nip(1)]
    async with running(create_app(settings_for(KinerjaSettings))) as client:  # "a week later"
        await client.post("/v1/employees", json=person(numbered_nip(2), unit, numbered_nip(1)), headers=admin)
        later, again = await read_all(client, integrator, cursor, limit=50)
        assert [e["id"] for e in later] == [numbered_nip(2)]
        nothing, same = await read_all(client, integrator, again, limit=50)
        assert nothing == []
        assert same == again
        bad = await client.get("/v1/changes", params={"cursor": "not-a-cursor"}, headers=integrator)
        assert bad.status_code == 422
        assert (await client.get("/v1/changes", headers=tokens.pegawai(numbered_nip(1)))).status_code == 403


async def test_concurrent_writers_leave_no_gap_for_a_paging_reader(
    db: str, client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    unit = await make_unit(client, admin, "C")
    head = numbered_nip(1)
    await client.post(
        "/v1/employees", json=person(head, unit, None, position_type="JPT", rank="IV/c"), headers=admin
    )
    integrator = tokens.headers("portal", ["integrator"], scope="kinerja:individual")
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    done = asyncio.Event()

    async def reader() -> None:
        nonlocal cursor
        while True:
            finished = done.is_set()
            entries, cursor = await read_all(client, integrator, cursor, limit=2)
            seen.extend(entries)
            if finished:
                return
            await asyncio.sleep(0.01)

    async def writer(i: int) -> None:
        resp = await client.post(
            "/v1/employees", json=person(numbered_nip(1000 + i), unit, head), headers=admin
        )
        assert resp.status_code == 201, resp.text

    task = asyncio.create_task(reader())
    await asyncio.gather(*(writer(i) for i in range(40)))
    done.set()
    await task
    ids = [e["id"] for e in seen]
    assert len(ids) == len(set(ids))
    assert {numbered_nip(1000 + i) for i in range(40)} | {head} == set(ids)
