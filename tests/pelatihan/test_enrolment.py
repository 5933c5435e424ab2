"""Enrolment: refusals (window, eligibility, duplicate), supervisor approval, waitlist and promotion."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from services.pelatihan_api.state import pelatihan_state
from tests.pelatihan.helpers import (
    Headers,
    enrol_and_approve,
    make_institution,
    make_program,
    make_session,
    nip,
    window,
)
from tests.pelatihan.kinerja_standin import StandIn

BOSS = nip(900)


async def _session(
    api: httpx.AsyncClient, h: Headers, capacity: int = 30, **extra: object
) -> dict[str, object]:
    inst = await make_institution(api, h)
    prog = await make_program(api, h, inst)
    return await make_session(api, h, prog, capacity=capacity, **extra)


async def test_request_approve_and_waitlist(api: httpx.AsyncClient, h: Headers, kinerja: StandIn) -> None:
    for i in range(3):
        kinerja.add(nip(i), supervisor_nip=BOSS)
    s = await _session(api, h, capacity=2)
    first = await enrol_and_approve(api, h, str(s["id"]), nip(0), BOSS)
    second = await enrol_and_approve(api, h, str(s["id"]), nip(1), BOSS)
    third = await enrol_and_approve(api, h, str(s["id"]), nip(2), BOSS)
    assert [first["status"], second["status"], third["status"]] == ["CONFIRMED", "CONFIRMED", "WAITLISTED"]
    assert third["waitlist_position"] == 1
    got = (await api.get(f"/v1/sessions/{s['id']}", headers=h.pegawai(nip(0)))).json()
    assert (got["seats_taken"], got["waitlist_length"]) == (2, 1)


async def test_refusals(api: httpx.AsyncClient, h: Headers, kinerja: StandIn) -> None:
    kinerja.add(nip(1), supervisor_nip=BOSS, position_type="PELAKSANA", rank="II/c")
    kinerja.add(nip(2), supervisor_nip=BOSS, position_type="PENGAWAS", rank="III/d")
    closed = await _session(api, h, **window(opens_in=timedelta(days=-3), closes_in=timedelta(days=-1)))
    r = await api.post(
        f"/v1/sessions/{closed['id']}/enrolments", json={"nip": nip(1)}, headers=h.pegawai(nip(1))
    )
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/enrolment-window-closed")
    not_yet = await _session(api, h, **window(opens_in=timedelta(days=1), closes_in=timedelta(days=2)))
    r = await api.post(
        f"/v1/sessions/{not_yet['id']}/enrolments", json={"nip": nip(1)}, headers=h.pegawai(nip(1))
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith("/enrolment-window-closed")

    ruled = await _session(api, h, eligible_position_types=["PENGAWAS", "ADMINISTRATOR"], min_rank="III/a")
    r = await api.post(
        f"/v1/sessions/{ruled['id']}/enrolments", json={"nip": nip(1)}, headers=h.pegawai(nip(1))
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith("/not-eligible")
    assert "II/c" in r.json()["detail"]
    r = await api.post(
        f"/v1/sessions/{ruled['id']}/enrolments", json={"nip": nip(2)}, headers=h.pegawai(nip(2))
    )
    assert r.status_code == 201, r.text

    r = await api.post(
        f"/v1/sessions/{ruled['id']}/enrolments", json={"nip": nip(2)}, headers=h.pegawai(nip(2))
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith("/already-enrolled")
    # The supervisor nominating at the same time as the employee: the partial unique index lets one through.
    open_s = await _session(api, h)
    results = await asyncio.gather(
        *[
            api.post(f"/v1/sessions/{open_s['id']}/enrolments", json={"nip": nip(1)}, headers=hd)
            for hd in (h.pegawai(nip(1)), h.pegawai(BOSS), h.training_admin(), h.pegawai(nip(1)))
        ]
    )
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409]

    # Someone else (not the supervisor) cannot ask for another employee.
    r = await api.post(
        f"/v1/sessions/{open_s['id']}/enrolments", json={"nip": nip(2)}, headers=h.pegawai(nip(1))
    )
    assert r.status_code == 403
    # A malformed NIP is a 422, an unknown session a 404.
    r = await api.post(
        f"/v1/sessions/{open_s['id']}/enrolments", json={"nip": "123"}, headers=h.pegawai(nip(1))
    )
    assert r.status_code == 422
    r = await api.post(
        "/v1/sessions/00000000-0000-0000-0000-000000000000/enrolments",
        json={"nip": nip(1)},
        headers=h.pegawai(nip(1)),
    )
    assert r.status_code == 404


async def test_only_direct_supervisor_approves(api: httpx.AsyncClient, h: Headers, kinerja: StandIn) -> None:
    kinerja.add(nip(1), supervisor_nip=BOSS)
    kinerja.add(nip(2), supervisor_nip=nip(3))
    s = await _session(api, h)
    e = (
        await api.post(f"/v1/sessions/{s['id']}/enrolments", json={"nip": nip(1)}, headers=h.pegawai(nip(1)))
    ).json()
    for who in (nip(1), nip(3)):
        r = await api.post(f"/v1/enrolments/{e['id']}/approve", headers=h.pegawai(who))
        assert r.status_code == 403, who
    r = await api.post(f"/v1/enrolments/{e['id']}/reject", headers=h.pegawai(nip(3)))
    assert r.status_code == 403
    r = await api.post(f"/v1/enrolments/{e['id']}/approve", json={"reason": "ok"}, headers=h.pegawai(BOSS))
    assert r.status_code == 200
    assert r.json()["status"] == "CONFIRMED"
    assert r.json()["decided_by"] == BOSS
    r = await api.post(f"/v1/enrolments/{e['id']}/approve", headers=h.pegawai(BOSS))
    assert r.status_code == 409
    # Rejection by the supervisor; a training admin may also decide.
    e2 = (
        await api.post(f"/v1/sessions/{s['id']}/enrolments", json={"nip": nip(2)}, headers=h.training_admin())
    ).json()
    r = await api.post(
        f"/v1/enrolments/{e2['id']}/reject", json={"reason": "beban kerja"}, headers=h.pegawai(nip(3))
    )
    assert r.status_code == 200
    assert r.json()["status"] == "REJECTED"
    # After a rejection the employee may ask again (no live enrolment).
    r = await api.post(f"/v1/sessions/{s['id']}/enrolments", json={"nip": nip(2)}, headers=h.pegawai(nip(2)))
    assert r.status_code == 201
    r = await api.post(f"/v1/enrolments/{r.json()['id']}/approve", headers=h.training_admin())
    assert r.json()["status"] == "CONFIRMED"


async def test_cancel_promotes_first_five_in_order(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn
) -> None:
    for i in range(20):
        kinerja.add(nip(i), supervisor_nip=BOSS)
    s = await _session(api, h, capacity=10)
    done = [await enrol_and_approve(api, h, str(s["id"]), nip(i), BOSS) for i in range(20)]
    assert [d["status"] for d in done] == ["CONFIRMED"] * 10 + ["WAITLISTED"] * 10
    assert [d["waitlist_position"] for d in done[10:]] == list(range(1, 11))
    cancels = await asyncio.gather(
        *[api.post(f"/v1/enrolments/{d['id']}/cancel", headers=h.pegawai(d["nip"])) for d in done[:5]]
    )
    assert all(c.status_code == 200 and c.json()["status"] == "CANCELLED" for c in cancels)
    after = [(await api.get(f"/v1/enrolments/{d['id']}", headers=h.training_admin())).json() for d in done]
    assert [a["status"] for a in after[10:15]] == ["CONFIRMED"] * 5
    assert [a["status"] for a in after[15:]] == ["WAITLISTED"] * 5
    assert [a["waitlist_position"] for a in after[15:]] == [1, 2, 3, 4, 5]
    got = (await api.get(f"/v1/sessions/{s['id']}", headers=h.training_admin())).json()
    assert (got["seats_taken"], got["waitlist_length"]) == (10, 5)
    # Cancelling a waitlisted request moves the ones behind it up; someone else's enrolment is invisible.
    r = await api.post(f"/v1/enrolments/{done[15]['id']}/cancel", headers=h.pegawai(nip(1)))
    assert r.status_code == 404
    r = await api.post(f"/v1/enrolments/{done[15]['id']}/cancel", headers=h.pegawai(nip(15)))
    assert r.status_code == 200
    listed = (
        await api.get(f"/v1/sessions/{s['id']}/enrolments?status=WAITLISTED", headers=h.training_admin())
    ).json()
    assert [(e["nip"], e["waitlist_position"]) for e in listed["items"]] == [
        (nip(i), p) for p, i in enumerate(range(16, 20), start=1)
    ]


async def test_kinerja_down_gives_503(api: httpx.AsyncClient, h: Headers, kinerja: StandIn) -> None:
    """With kinerja unreachable the supervisor cannot be checked: 503, and nothing is approved."""
    kinerja.add(nip(1), supervisor_nip=BOSS)
    s = await _session(api, h)
    e = (
        await api.post(f"/v1/sessions/{s['id']}/enrolments", json={"nip": nip(1)}, headers=h.pegawai(nip(1)))
    ).json()
    app = api._transport.app  # type: ignore[attr-defined]
    real = pelatihan_state(app).kinerja_client
    from services.common.http import make_client
    from tests.support.fixtures import free_port

    pelatihan_state(app).kinerja_client = make_client(f"http://127.0.0.1:{free_port()}", timeout_s=1.0)
    try:
        r = await api.post(f"/v1/enrolments/{e['id']}/approve", headers=h.pegawai(BOSS))
        assert r.status_code == 503
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("/kinerja-unavailable")
        assert "retry-after" in r.headers
    finally:
        await pelatihan_state(app).kinerja_client.aclose()
        pelatihan_state(app).kinerja_client = real
    got = (await api.get(f"/v1/enrolments/{e['id']}", headers=h.training_admin())).json()
    assert got["status"] == "PENDING_APPROVAL"


async def test_employee_lists_own_enrolments(api: httpx.AsyncClient, h: Headers, kinerja: StandIn) -> None:
    for i in range(3):
        kinerja.add(nip(i), supervisor_nip=BOSS)
    s = await _session(api, h, capacity=1)
    for i in range(3):
        await enrol_and_approve(api, h, str(s["id"]), nip(i), BOSS)
    s2 = await _session(api, h, capacity=5)
    await enrol_and_approve(api, h, str(s2["id"]), nip(2), BOSS)
    page = (await api.get(f"/v1/employees/{nip(2)}/enrolments?limit=1", headers=h.pegawai(nip(2)))).json()
    assert [(e["session_id"], e["status"]) for e in page["items"]] == [(s2["id"], "CONFIRMED")]
    page = (
        await api.get(
            f"/v1/employees/{nip(2)}/enrolments?limit=1&cursor={page['next_cursor']}", headers=h.pegawai(BOSS)
        )
    ).json()
    assert [(e["status"], e["waitlist_position"]) for e in page["items"]] == [("WAITLISTED", 2)]
    assert page["next_cursor"] is None
    r = await api.get(f"/v1/employees/{nip(2)}/enrolments", headers=h.pegawai(nip(1)))
    assert r.status_code == 403
