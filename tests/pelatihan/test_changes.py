"""pelatihan's incremental sync: a random run of creates, updates and deletes of sessions, enrolments and
completions, read back page by page with small limits, rebuilds exactly the final state; the cursor survives
a restart of the service; concurrent writers leave no gaps for a reader that pages while they write."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.common.changelog import stored_data
from services.common.settings import normalise_database_url
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app
from services.pelatihan_api.models.enrolments import Enrolment
from services.pelatihan_api.models.sessions import TrainingSession
from services.pelatihan_api.sync.service import completion_state, enrolment_data, session_data
from tests.pelatihan.helpers import Headers, at_end, make_institution, make_program, make_session, nip
from tests.pelatihan.kinerja_standin import StandIn
from tests.support.changes import read_all, rebuild
from tests.support.fixtures import running

State = dict[tuple[str, str], dict[str, Any]]


async def actual_state(db: str) -> State:
    engine = create_async_engine(normalise_database_url(db))
    try:
        async with AsyncSession(engine) as s:
            state: State = {}
            for ts in (await s.scalars(select(TrainingSession))).all():
                state[("session", str(ts.id))] = session_data(ts)
            for e in (await s.scalars(select(Enrolment))).all():
                state[("enrolment", str(e.id))] = enrolment_data(e)
                done = await completion_state(s, e.id)
                if done is not None:
                    state[("completion", str(e.id))] = done
            return {k: stored_data(v) for k, v in state.items()}
    finally:
        await engine.dispose()


async def test_random_changes_rebuild_the_final_state(db: str, api: httpx.AsyncClient, h: Headers) -> None:
    rng = random.Random(20261128)
    admin = h.training_admin()
    program = await make_program(api, h, await make_institution(api, h), mode="NONKLASIKAL")
    sessions: list[dict[str, Any]] = [await make_session(api, h, program, capacity=2)]
    live: dict[str, str] = {}  # enrolment id -> status
    n = 0
    for step in range(70):
        action = rng.choice(
            ["session", "patch", "delete", "enrol", "enrol", "approve", "reject", "cancel", "complete"]
        )
        if action == "session" or not sessions:
            sessions.append(await make_session(api, h, program, capacity=rng.randint(1, 3)))
        elif action == "patch":
            ts = rng.choice(sessions)
            current = await api.get(f"/v1/sessions/{ts['id']}", headers=admin)
            resp = await api.patch(
                f"/v1/sessions/{ts['id']}",
                json={"location": f"Ruang {step}", "capacity": max(current.json()["seats_taken"], 1) + 1},
                headers={**admin, "If-Match": current.headers["etag"]},
            )
            assert resp.status_code == 200, resp.text
        elif action == "delete":
            ts = rng.choice(sessions)
            resp = await api.delete(f"/v1/sessions/{ts['id']}", headers=admin)
            assert resp.status_code in (204, 409), resp.text
            if resp.status_code == 204:
                sessions.remove(ts)
        elif action == "enrol":
            ts = rng.choice(sessions)
            n += 1
            resp = await api.post(f"/v1/sessions/{ts['id']}/enrolments", json={"nip": nip(n)}, headers=admin)
            assert resp.status_code == 201, resp.text
            live[resp.json()["id"]] = "PENDING_APPROVAL"
        else:
            wanted = {
                "approve": ["PENDING_APPROVAL"],
                "reject": ["PENDING_APPROVAL", "WAITLISTED"],
                "cancel": ["PENDING_APPROVAL", "CONFIRMED", "WAITLISTED"],
                "complete": ["CONFIRMED"],
            }[action]
            candidates = sorted(e for e, s in live.items() if s in wanted)
            if not candidates:
                continue
            eid = rng.choice(candidates)
            body: dict[str, Any] = {"passed": rng.random() < 0.7, "score": 75} if action == "complete" else {}
            when: AbstractContextManager[None] = nullcontext()
            if action == "complete":  # results are taken from the session's last day on
                sid = (await api.get(f"/v1/enrolments/{eid}", headers=admin)).json()["session_id"]
                when = at_end((await api.get(f"/v1/sessions/{sid}", headers=admin)).json())
            with when:
                resp = await api.post(f"/v1/enrolments/{eid}/{action}", json=body, headers=admin)
            assert resp.status_code == 200, resp.text
        # Promotions from the waitlist change other enrolments: refresh what the test believes.
        for eid in list(live):
            got = await api.get(f"/v1/enrolments/{eid}", headers=admin)
            if got.status_code == 404:
                live.pop(eid)
            else:
                live[eid] = got.json()["status"]

    entries, _ = await read_all(api, h.integrator(), None, limit=3)
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs)
    assert len(seqs) == len(set(seqs))
    kinds = {(e["entity"], e["op"]) for e in entries}
    assert {("session", "UPSERT"), ("enrolment", "UPSERT")} <= kinds
    assert rebuild(entries) == await actual_state(db)


async def test_deleting_a_session_is_logged_and_refused_while_enrolments_live(
    db: str, api: httpx.AsyncClient, h: Headers
) -> None:
    admin = h.training_admin()
    program = await make_program(api, h, await make_institution(api, h))
    ts = await make_session(api, h, program)
    enrolment = (
        await api.post(f"/v1/sessions/{ts['id']}/enrolments", json={"nip": nip(1)}, headers=admin)
    ).json()
    assert (await api.delete(f"/v1/sessions/{ts['id']}", headers=h.pegawai(nip(1)))).status_code == 403
    refused = await api.delete(f"/v1/sessions/{ts['id']}", headers=admin)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    await api.post(f"/v1/enrolments/{enrolment['id']}/cancel", json={}, headers=admin)
    stale = await api.delete(f"/v1/sessions/{ts['id']}", headers={**admin, "If-Match": '"999"'})
    assert stale.status_code == 412
    assert (await api.delete(f"/v1/sessions/{ts['id']}", headers=admin)).status_code == 204
    assert (await api.get(f"/v1/sessions/{ts['id']}", headers=admin)).status_code == 404
    assert (await api.delete(f"/v1/sessions/{ts['id']}", headers=admin)).status_code == 404
    entries, _ = await read_all(api, h.integrator(), None, limit=50)
    tail = [(e["entity"], e["id"], e["op"]) for e in entries[-2:]]
    assert tail == [("session", ts["id"], "DELETE"), ("enrolment", enrolment["id"], "DELETE")]
    assert rebuild(entries) == await actual_state(db)


async def test_cursor_survives_a_restart_and_returns_exactly_what_changed(
    db: str, settings_for: Callable[..., Any], kinerja: StandIn, h: Headers
) -> None:
    def app() -> Any:
        return create_app(settings_for(PelatihanSettings, kinerja_url=kinerja.url, gateway_url=kinerja.url))

    async with running(app()) as client:
        program = await make_program(client, h, await make_institution(client, h))
        first_session = await make_session(client, h, program)
        first, cursor = await read_all(client, h.integrator(), None, limit=50)
        assert [e["id"] for e in first] == [first_session["id"]]
    async with running(app()) as client:  # "a week later"
        second = await make_session(client, h, program)
        later, again = await read_all(client, h.integrator(), cursor, limit=50)
        assert [(e["entity"], e["id"]) for e in later] == [("session", second["id"])]
        assert later[0]["data"]["id"] == second["id"]
        nothing, same = await read_all(client, h.integrator(), again, limit=50)
        assert nothing == []
        assert same == again
        bad = await client.get("/v1/changes", params={"cursor": "not-a-cursor"}, headers=h.integrator())
        assert bad.status_code == 422
        assert (await client.get("/v1/changes", headers=h.pegawai(nip(1)))).status_code == 403
        assert (await client.get("/v1/changes")).status_code == 401


async def test_concurrent_writers_leave_no_gap_for_a_paging_reader(
    db: str, api: httpx.AsyncClient, h: Headers
) -> None:
    admin = h.training_admin()
    program = await make_program(api, h, await make_institution(api, h))
    ts = await make_session(api, h, program, capacity=5)
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    done = asyncio.Event()

    async def reader() -> None:
        nonlocal cursor
        while True:
            finished = done.is_set()
            entries, cursor = await read_all(api, h.integrator(), cursor, limit=2)
            seen.extend(entries)
            if finished:
                return
            await asyncio.sleep(0.01)

    async def writer(i: int) -> str:
        resp = await api.post(
            f"/v1/sessions/{ts['id']}/enrolments", json={"nip": nip(500 + i)}, headers=admin
        )
        assert resp.status_code == 201, resp.text
        approved = await api.post(f"/v1/enrolments/{resp.json()['id']}/approve", json={}, headers=admin)
        assert approved.status_code == 200, approved.text
        return str(resp.json()["id"])

    task = asyncio.create_task(reader())
    ids = await asyncio.gather(*(writer(i) for i in range(30)))
    done.set()
    await task
    seqs = [e["seq"] for e in seen]
    assert seqs == sorted(seqs)
    assert len(seqs) == len(set(seqs))
    assert set(ids) <= {e["id"] for e in seen if e["entity"] == "enrolment"}
    final = rebuild(seen)
    assert final[("session", ts["id"])]["seats_taken"] == 5
    assert final[("session", ts["id"])]["waitlist_length"] == 25
