"""Two-phase flows (services/pelatihan_api/txn.py): a change made while kinerja is being asked is detected
(409 ``changed-meanwhile``), and the outbox is woken only once the events are committed."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg
import httpx

from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app
from services.pelatihan_api.state import pelatihan_state
from tests.pelatihan.helpers import (
    Headers,
    at_end,
    enrol_and_approve,
    make_institution,
    make_program,
    make_session,
    nip,
)
from tests.pelatihan.kinerja_standin import StandIn
from tests.support.fixtures import plain_dsn, running

BOSS = nip(900)
UNIT = str(uuid.uuid4())


def meanwhile(
    kinerja: StandIn, path_part: str, change: Callable[[], Coroutine[Any, Any, httpx.Response]]
) -> list[int]:
    """While kinerja is asked for a path containing ``path_part`` (once), run ``change`` on the test's loop
    and wait for it, before kinerja answers. Returns the status codes of the changes made."""
    loop = asyncio.get_running_loop()
    done: list[int] = []

    def hook(path: str) -> None:
        if path_part in path and not done:
            done.append(asyncio.run_coroutine_threadsafe(change(), loop).result(timeout=10).status_code)

    kinerja.on_call = hook
    return done


async def _mirror(api: httpx.AsyncClient, h: Headers, who: str) -> None:
    """kinerja's employee event, so the roster knows the employee's unit."""
    envelope = {
        "id": str(uuid.uuid4()),
        "type": "kinerja.employee",
        "source": "kinerja",
        "occurred_at": "2026-04-15T03:00:00Z",
        "data": {"nip": who, "unit_id": UNIT, "employment": "PNS"},
    }
    assert (await api.post("/internal/v1/events", json=envelope, headers=h.service())).status_code == 200


async def _participant(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn, who: str
) -> tuple[str, str, dict[str, Any]]:
    """A confirmed participant of a new session, mirrored in the roster; returns (enrolment id, institution,
    session)."""
    inst = await make_institution(api, h)
    s = await make_session(api, h, await make_program(api, h, inst, jp=10, mode="NONKLASIKAL"), capacity=5)
    kinerja.add(who, supervisor_nip=BOSS, unit_id=UNIT)
    kinerja.units[UNIT] = "Badan Kepegawaian Daerah"
    await _mirror(api, h, who)
    return str((await enrol_and_approve(api, h, s["id"], who, BOSS))["id"]), inst, s


async def test_session_rules_changed_while_kinerja_is_asked(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn
) -> None:
    inst = await make_institution(api, h)
    s = await make_session(
        api, h, await make_program(api, h, inst), eligible_position_types=["PELAKSANA", "FUNGSIONAL"]
    )
    first, second = nip(11), nip(12)
    for who in (first, second):
        kinerja.add(
            who, supervisor_nip=BOSS, position_type="PELAKSANA"
        )  # not in the roster: kinerja is asked

    # Unchanged between the phases: the request goes through.
    r = await api.post(f"/v1/sessions/{s['id']}/enrolments", json={"nip": first}, headers=h.pegawai(first))
    assert r.status_code == 201, r.text

    # An admin narrows the rules to FUNGSIONAL while kinerja answers for the second employee.
    async def narrow() -> httpx.Response:
        tag = (await api.get(f"/v1/sessions/{s['id']}", headers=h.training_admin())).headers["etag"]
        return await api.patch(
            f"/v1/sessions/{s['id']}",
            json={"eligible_position_types": ["FUNGSIONAL"]},
            headers={**h.training_admin(), "If-Match": tag},
        )

    changes = meanwhile(kinerja, f"/v1/employees/{second}", narrow)
    r = await api.post(f"/v1/sessions/{s['id']}/enrolments", json={"nip": second}, headers=h.pegawai(second))
    assert changes == [200]
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/changed-meanwhile")
    mine = (await api.get(f"/v1/employees/{second}/enrolments", headers=h.pegawai(second))).json()["items"]
    assert mine == []
    # Asked again, the current rules decide: a PELAKSANA is no longer eligible.
    kinerja.on_call = None
    r = await api.post(f"/v1/sessions/{s['id']}/enrolments", json={"nip": second}, headers=h.pegawai(second))
    assert r.status_code == 409
    assert r.json()["type"].endswith("/not-eligible")


async def test_enrolment_cancelled_while_completing(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn
) -> None:
    who = nip(21)
    enrolment, inst, s = await _participant(api, h, kinerja, who)

    async def cancel() -> httpx.Response:
        return await api.post(f"/v1/enrolments/{enrolment}/cancel", headers=h.pegawai(who))

    changes = meanwhile(kinerja, "/v1/units/", cancel)  # the unit's name is asked between the phases
    with at_end(s):
        r = await api.post(
            f"/v1/enrolments/{enrolment}/complete", json={"passed": True}, headers=h.mitra(inst)
        )
    assert changes == [200]
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/changed-meanwhile")
    got = (await api.get(f"/v1/enrolments/{enrolment}", headers=h.pegawai(who))).json()
    assert got["status"] == "CANCELLED"
    ledger = (await api.get(f"/v1/employees/{who}/jp?year=2026", headers=h.pegawai(who))).json()
    assert ledger["entries"] == []


async def test_supervisor_rejects_after_an_admin_approved_meanwhile(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn
) -> None:
    inst = await make_institution(api, h)
    s = await make_session(api, h, await make_program(api, h, inst, mode="NONKLASIKAL"), capacity=5)
    who = nip(31)
    kinerja.add(who, supervisor_nip=BOSS)
    r = await api.post(f"/v1/sessions/{s['id']}/enrolments", json={"nip": who}, headers=h.pegawai(who))
    enrolment = r.json()["id"]

    async def approve() -> httpx.Response:
        return await api.post(f"/v1/enrolments/{enrolment}/approve", headers=h.training_admin())

    changes = meanwhile(kinerja, "/supervisor", approve)
    r = await api.post(f"/v1/enrolments/{enrolment}/reject", headers=h.pegawai(BOSS))
    assert changes == [200]
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/changed-meanwhile")
    got = (await api.get(f"/v1/enrolments/{enrolment}", headers=h.pegawai(who))).json()
    assert got["status"] == "CONFIRMED"


async def test_the_outbox_is_woken_after_the_commit(
    db: str, settings_for: Callable[..., Any], kinerja: StandIn, h: Headers
) -> None:
    app = create_app(settings_for(PelatihanSettings, kinerja_url=kinerja.url, gateway_url=kinerja.url))
    async with running(app) as api:
        who = nip(41)
        enrolment, inst, s = await _participant(api, h, kinerja, who)
        seen_at_wake: list[int] = []

        async def committed_events() -> int:
            conn = await asyncpg.connect(plain_dsn(db))
            try:
                return int(
                    await conn.fetchval(
                        "SELECT count(*) FROM pelatihan.outbox_event "
                        "WHERE event_type = 'pelatihan.training_completed' AND payload::text LIKE $1",
                        f"%{enrolment}%",
                    )
                )
            finally:
                await conn.close()

        def wake() -> None:
            # Looks from another connection at the moment of the wake, holding the app's loop meanwhile, so
            # a commit still to come cannot slip in before the look.
            result: list[int] = []
            thread = threading.Thread(target=lambda: result.append(asyncio.run(committed_events())))
            thread.start()
            thread.join(10)
            seen_at_wake.append(result[0])

        outbox = pelatihan_state(app).outbox
        assert outbox is not None
        outbox.wake = wake  # type: ignore[method-assign]
        with at_end(s):
            r = await api.post(
                f"/v1/enrolments/{enrolment}/complete", json={"passed": True}, headers=h.mitra(inst)
            )
        assert r.status_code == 200, r.text
        assert seen_at_wake == [1]
