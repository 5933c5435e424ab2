"""Attendance, results, certificates and the JP ledger — with the mitra scope."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx

from services.pelatihan_api.certificates.numbers import check_char, well_formed
from services.pelatihan_api.completion.service import credited_jp
from tests.pelatihan.helpers import (
    Headers,
    at_end,
    enrol_and_approve,
    make_institution,
    make_program,
    make_session,
    nip,
    on_day,
)
from tests.pelatihan.kinerja_standin import StandIn
from tests.support.fixtures import plain_dsn

BOSS = nip(900)
UNIT = str(uuid.uuid4())


async def _event(api: httpx.AsyncClient, h: Headers, type_: str, data: dict[str, Any]) -> httpx.Response:
    envelope = {
        "id": str(uuid.uuid4()),
        "type": type_,
        "source": "kinerja",
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": data,
    }
    return await api.post("/internal/v1/events", json=envelope, headers=h.service())


async def _confirmed(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn, program_id: str, people: list[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    s = await make_session(api, h, program_id, capacity=len(people))
    done = []
    for p in people:
        kinerja.add(p, supervisor_nip=BOSS, unit_id=UNIT)
        done.append(await enrol_and_approve(api, h, s["id"], p, BOSS))
    return s, done


async def test_mitra_scope(api: httpx.AsyncClient, h: Headers, kinerja: StandIn) -> None:
    a = await make_institution(api, h, kind="UNIVERSITAS")
    b = await make_institution(api, h, kind="LAN")
    sa, ea = await _confirmed(api, h, kinerja, await make_program(api, h, a), [nip(1)])
    sb, eb = await _confirmed(api, h, kinerja, await make_program(api, h, b), [nip(2)])
    mitra_a = h.mitra(a)
    assert (await api.get(f"/v1/sessions/{sa['id']}", headers=mitra_a)).status_code == 200
    listed = (await api.get("/v1/sessions", headers=mitra_a)).json()["items"]
    assert [x["id"] for x in listed] == [sa["id"]]
    # Institution B's session, enrolment, attendance and results are invisible to A's mitra: 404 everywhere.
    assert (await api.get(f"/v1/sessions/{sb['id']}", headers=mitra_a)).status_code == 404
    assert (await api.get(f"/v1/sessions/{sb['id']}/enrolments", headers=mitra_a)).status_code == 404
    r = await api.post(
        f"/v1/sessions/{sb['id']}/attendance",
        json={"on": sb["starts_on"], "present": [nip(2)]},
        headers=mitra_a,
    )
    assert r.status_code == 404
    r = await api.post(f"/v1/enrolments/{eb[0]['id']}/complete", json={"passed": True}, headers=mitra_a)
    assert r.status_code == 404
    assert (await api.get(f"/v1/enrolments/{eb[0]['id']}", headers=mitra_a)).status_code == 404
    # Its own session works; a mitra cannot create sessions; an employee cannot record results.
    with at_end(sa):
        r = await api.post(
            f"/v1/sessions/{sa['id']}/attendance",
            json={"on": sa["starts_on"], "present": [nip(1)]},
            headers=mitra_a,
        )
        assert r.status_code == 200, r.text
        assert r.json() == {"session_id": sa["id"], "on": sa["starts_on"], "present": 1, "absent": 0}
        r = await api.post(
            f"/v1/enrolments/{ea[0]['id']}/complete", json={"passed": True}, headers=h.pegawai(nip(1))
        )
        assert r.status_code == 403
        r = await api.post(
            f"/v1/enrolments/{ea[0]['id']}/complete", json={"passed": True, "score": 90}, headers=mitra_a
        )
        assert r.status_code == 200, r.text


async def test_certificates_and_ledger(api: httpx.AsyncClient, h: Headers, kinerja: StandIn, db: str) -> None:
    inst = await make_institution(api, h, name="BPSDM Provinsi Bengkulu")
    mitra = h.mitra(inst)
    emp, other = nip(1), nip(2)
    assert (
        await _event(api, h, "kinerja.employee", {"nip": emp, "unit_id": UNIT, "employment": "PNS"})
    ).status_code == 200
    kinerja.units[UNIT] = "Badan Kepegawaian Daerah"
    jps = [8, 11, 1]  # 8, then 19 (not met), then exactly 20 (met)
    numbers: list[str] = []
    year = 0
    for jp in jps:
        prog = await make_program(api, h, inst, jp=jp, mode="NONKLASIKAL")
        s, (e, o) = await _confirmed(api, h, kinerja, prog, [emp, other])
        year = date.fromisoformat(s["ends_on"]).year
        with at_end(s):
            r = await api.post(
                f"/v1/enrolments/{e['id']}/complete", json={"passed": True, "score": 80}, headers=mitra
            )
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["enrolment"]["status"] == "COMPLETED"
            assert body["jp_credited"] == jp
            numbers.append(body["certificate"]["number"])
            r = await api.post(
                f"/v1/enrolments/{o['id']}/complete", json={"passed": False, "score": 40}, headers=mitra
            )
            assert r.json()["enrolment"]["status"] == "FAILED"
            assert r.json()["certificate"] is None
            r = await api.post(f"/v1/enrolments/{e['id']}/complete", json={"passed": True}, headers=mitra)
            assert r.status_code == 409
        ledger = (await api.get(f"/v1/employees/{emp}/jp?year={year}", headers=h.pegawai(emp))).json()
        assert ledger["jp_total"] == sum(jps[: len(numbers)])
        assert ledger["jp_required"] == 20
        assert ledger["met"] is (ledger["jp_total"] >= 20)
        assert len(ledger["entries"]) == len(numbers)
    assert ledger["jp_total"] == 20
    assert ledger["met"] is True
    assert [e["certificate_number"] for e in ledger["entries"]] == numbers
    failed = (await api.get(f"/v1/employees/{other}/jp?year={year}", headers=h.admin())).json()
    assert (failed["jp_total"], failed["met"], failed["entries"]) == (0, False, [])

    # Numbers are unique, well formed, verifiable without a token, and not guessable from each other.
    assert len(set(numbers)) == 3
    assert all(well_formed(n) for n in numbers)
    r = await api.get(f"/v1/certificates/{numbers[0]}")
    assert r.status_code == 200
    cert = r.json()
    assert (cert["valid"], cert["revoked"], cert["jp"]) == (True, False, 8)
    assert cert["institution_name"] == "BPSDM Provinsi Bengkulu"
    assert emp not in r.text
    # Issue 18: no NIP digit at all (the first eight are the holder's birth date, the last ones a sequence).
    assert not any(ch.isdigit() for ch in cert["holder_nip"]), cert["holder_nip"]
    assert emp[:8] not in r.text
    body = numbers[0][9:19]
    wrong = "BGK-" + numbers[0][4:9] + body + ("0" if check_char(body) != "0" else "1")
    assert (await api.get(f"/v1/certificates/{wrong}")).status_code == 404
    assert (await api.get("/v1/certificates/BGK-2026-00000000000")).status_code == 404

    # Revocation: admin only; verification shows it; its JP leave the ledger (the flag flips back).
    r = await api.post(
        f"/v1/certificates/{numbers[2]}/revoke",
        json={"reason": "issued in error"},
        headers=h.training_admin(),
    )
    assert r.status_code == 403
    r = await api.post(
        f"/v1/certificates/{numbers[2]}/revoke", json={"reason": "issued in error"}, headers=h.admin()
    )
    assert r.status_code == 200, r.text
    shown = (await api.get(f"/v1/certificates/{numbers[2]}")).json()
    assert (shown["valid"], shown["revoked"], shown["revoked_reason"]) == (False, True, "issued in error")
    r = await api.post(f"/v1/certificates/{numbers[2]}/revoke", json={"reason": "again"}, headers=h.admin())
    assert r.status_code == 409
    ledger = (await api.get(f"/v1/employees/{emp}/jp?year={year}", headers=h.pegawai(emp))).json()
    assert (ledger["jp_total"], ledger["met"]) == (19, False)

    # Each pass queued the unit's statistics for publik, with no NIP anywhere in them.
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        rows = await conn.fetch(
            "SELECT payload::text AS p FROM pelatihan.outbox_event WHERE event_type = 'pelatihan.training_stats' "
            "ORDER BY created_at"
        )
    finally:
        await conn.close()
    assert len(rows) == 4  # three passes and one revocation
    # The year's total the compliance report reads followed the credits and the revocation (issue 21).
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        total = await conn.fetchval(
            "SELECT jp_total FROM pelatihan.jp_total WHERE nip = $1 AND year = $2", emp, year
        )
    finally:
        await conn.close()
    assert total == 19
    assert all(emp not in r["p"] and other not in r["p"] for r in rows)
    import json

    last = json.loads(rows[2]["p"])
    assert last["unit_id"] == UNIT
    assert last["unit_name"] == "Badan Kepegawaian Daerah"
    assert (last["participants"], last["jp_delivered"], last["pns_total"], last["pns_meeting_20jp"]) == (
        1,
        20,
        1,
        1,
    )
    assert last["share_meeting_20jp"] == 1.0


async def test_partial_attendance_and_feedback(api: httpx.AsyncClient, h: Headers, kinerja: StandIn) -> None:
    inst = await make_institution(api, h)
    prog = await make_program(api, h, inst, jp=30)
    people = [nip(i) for i in range(1, 4)]
    s, enrolled = await _confirmed(api, h, kinerja, prog, people)
    days = _days(s)
    mitra = h.mitra(inst)
    # Day 1: all three; day 2: the first two; day 3: the first only (each recorded on its day).
    for i, day in enumerate(days):
        with on_day(day):
            r = await api.post(
                f"/v1/sessions/{s['id']}/attendance",
                json={"on": day, "present": people[: 3 - i]},
                headers=mitra,
            )
        assert r.status_code == 200, r.text
    with at_end(s):
        r = await api.post(
            f"/v1/sessions/{s['id']}/attendance", json={"on": "2001-01-01", "present": []}, headers=mitra
        )
        assert r.status_code == 422
        r = await api.post(
            f"/v1/sessions/{s['id']}/attendance", json={"on": days[0], "present": [nip(77)]}, headers=mitra
        )
        assert r.status_code == 422
        credited = []
        for e in enrolled:
            r = await api.post(f"/v1/enrolments/{e['id']}/complete", json={"passed": True}, headers=mitra)
            credited.append((r.json()["days_present"], r.json()["jp_credited"]))
    # 3/3 days -> 30 JP; 2/3 (below 80%) -> floor(30*2/3) = 20; 1/3 -> 10.
    assert credited == [(3, 30), (2, 20), (1, 10)]
    assert credited_jp(30, None, 3) == 30
    assert credited_jp(30, 3, 4) == 22
    assert credited_jp(10, 4, 5) == 10

    # Feedback: attendees only, once each; the summary is anonymous.
    kinerja.add(nip(50), supervisor_nip=BOSS)
    r = await api.post(f"/v1/sessions/{s['id']}/feedback", json={"rating": 5}, headers=h.pegawai(nip(50)))
    assert r.status_code == 403
    r = await api.post(
        f"/v1/sessions/{s['id']}/feedback",
        json={"rating": 5, "comment": "bagus"},
        headers=h.pegawai(people[2]),
    )
    assert r.status_code == 204
    r = await api.post(f"/v1/sessions/{s['id']}/feedback", json={"rating": 4}, headers=h.pegawai(people[2]))
    assert r.status_code == 409
    r = await api.post(f"/v1/sessions/{s['id']}/feedback", json={"rating": 3}, headers=h.pegawai(people[0]))
    assert r.status_code == 204
    summary = (await api.get(f"/v1/sessions/{s['id']}/feedback", headers=mitra)).json()
    assert summary == {"session_id": s["id"], "responses": 2, "average_rating": 4.0}


async def test_attendance_and_results_only_on_or_after_the_day(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn, db: str
) -> None:
    """Issue 11: a partner institution recorded attendance and results for a session that had not started,
    and the certificate carried a future date."""
    inst = await make_institution(api, h)
    mitra = h.mitra(inst)
    s, (e,) = await _confirmed(api, h, kinerja, await make_program(api, h, inst, jp=12), [nip(1)])
    days = _days(s)
    # Today (real clock) is before the session: neither its first day nor a result is accepted yet.
    r = await api.post(
        f"/v1/sessions/{s['id']}/attendance", json={"on": days[0], "present": [nip(1)]}, headers=mitra
    )
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("/too-early")
    assert days[0] in r.json()["detail"]
    r = await api.post(f"/v1/enrolments/{e['id']}/complete", json={"passed": True}, headers=mitra)
    assert (r.status_code, r.json()["type"].split("/")[-1]) == (409, "too-early")
    # On the first day: that day's attendance, not the next day's, and still no result (nor for the admin).
    with on_day(days[0]):
        ok = await api.post(
            f"/v1/sessions/{s['id']}/attendance", json={"on": days[0], "present": [nip(1)]}, headers=mitra
        )
        assert ok.status_code == 200, ok.text
        r = await api.post(
            f"/v1/sessions/{s['id']}/attendance", json={"on": days[1], "present": [nip(1)]}, headers=mitra
        )
        assert r.status_code == 409
        r = await api.post(
            f"/v1/enrolments/{e['id']}/complete", json={"passed": True}, headers=h.training_admin()
        )
        assert r.status_code == 409
    # The enrolment is untouched by the refused result.
    assert (await api.get(f"/v1/enrolments/{e['id']}", headers=mitra)).json()["status"] == "CONFIRMED"
    # On the last day the result goes through; the certificate's date is that day, not a future one.
    with at_end(s):
        for day in days[1:]:
            r = await api.post(
                f"/v1/sessions/{s['id']}/attendance", json={"on": day, "present": [nip(1)]}, headers=mitra
            )
            assert r.status_code == 200, r.text
        r = await api.post(f"/v1/enrolments/{e['id']}/complete", json={"passed": True}, headers=mitra)
        assert r.status_code == 200, r.text
        number = r.json()["certificate"]["number"]
    shown = (await api.get(f"/v1/certificates/{number}")).json()
    assert shown["completed_on"] == s["ends_on"]


def _days(s: dict[str, Any]) -> list[str]:
    from datetime import timedelta

    start, end = date.fromisoformat(s["starts_on"]), date.fromisoformat(s["ends_on"])
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def test_certificate_check_shows_no_nip_digit() -> None:
    """Issue 18: the public check showed the first eight NIP digits, the holder's birth date."""
    from services.pelatihan_api.certificates.service import mask_nip

    shown = mask_nip("198609262015051001")
    assert shown == "*" * 18
    assert not any(ch.isdigit() for ch in shown)
