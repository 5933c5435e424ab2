"""kinerja's events end to end: the roster and development needs arrive at /internal/v1/events (idempotent),
recommendations follow from a behaviour gap, and the JP compliance report counts the roster in SQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

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

BOSS = nip(900)


def envelope(type_: str, data: dict[str, Any], *, at: datetime | None = None) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "source": "kinerja",
        "occurred_at": (at or datetime.now(UTC)).isoformat(),
        "data": data,
    }


async def test_development_needs_lead_to_recommendations(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn
) -> None:
    emp = nip(1)
    kinerja.add(emp, supervisor_nip=BOSS)
    inst = await make_institution(api, h, name="Universitas Bengkulu", kind="UNIVERSITAS")
    kolab = await make_program(api, h, inst, tags=["KOLABORATIF", "HARMONIS"])
    other = await make_program(api, h, inst, tags=["ADAPTIF"])
    kinerja_prog = await make_program(api, h, inst, tags=["KINERJA"])
    open_kolab = await make_session(api, h, kolab)
    await make_session(api, h, other)
    await make_session(api, h, kinerja_prog)
    closed: dict[str, Any] = {
        "enrol_opens_at": (datetime.now(UTC) - timedelta(days=5)).isoformat(),
        "enrol_closes_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
    }
    await make_session(api, h, kolab, **closed)

    assert (await api.get(f"/v1/recommendations?nip={emp}", headers=h.pegawai(emp))).json()["items"] == []
    event = envelope(
        "kinerja.development_needs",
        {
            "nip": emp,
            "evaluation_id": str(uuid.uuid4()),
            "period": "2026-Q2",
            "behavior_gaps": ["KOLABORATIF"],
            "result_below_expectation": False,
        },
    )
    r = await api.post("/internal/v1/events", json=event, headers=h.service())
    assert r.status_code == 200
    assert r.json()["status"] == "applied"
    r = await api.post("/internal/v1/events", json=event, headers=h.service())
    assert r.status_code == 200
    assert r.json()["status"] == "duplicate"
    # Only services may deliver events; unknown types and bad payloads are refused for good (422).
    assert (await api.post("/internal/v1/events", json=event, headers=h.admin())).status_code == 403
    bad = envelope("kinerja.something_else", {})
    assert (await api.post("/internal/v1/events", json=bad, headers=h.service())).status_code == 422
    bad = envelope("kinerja.development_needs", {"nip": "x"})
    assert (await api.post("/internal/v1/events", json=bad, headers=h.service())).status_code == 422

    rec = (await api.get(f"/v1/recommendations?nip={emp}", headers=h.pegawai(emp))).json()
    assert rec["based_on"]["period"] == "2026-Q2"
    assert [i["session_id"] for i in rec["items"]] == [open_kolab["id"]]
    item = rec["items"][0]
    assert item["matched_tags"] == ["KOLABORATIF"]
    assert "KOLABORATIF" in item["reason"]
    assert "2026-Q2" in item["reason"]
    # The supervisor (per kinerja) sees them too; a colleague does not.
    assert (await api.get(f"/v1/recommendations?nip={emp}", headers=h.pegawai(BOSS))).status_code == 200
    assert (await api.get(f"/v1/recommendations?nip={emp}", headers=h.pegawai(nip(2)))).status_code == 403

    # A later evaluation replaces the gaps: result below expectation -> KINERJA programmes.
    later = envelope(
        "kinerja.development_needs",
        {
            "nip": emp,
            "evaluation_id": str(uuid.uuid4()),
            "period": "2026-Q3",
            "behavior_gaps": [],
            "result_below_expectation": True,
        },
        at=datetime.now(UTC) + timedelta(seconds=5),
    )
    assert (await api.post("/internal/v1/events", json=later, headers=h.service())).status_code == 200
    rec = (await api.get(f"/v1/recommendations?nip={emp}", headers=h.pegawai(emp))).json()
    assert [i["matched_tags"] for i in rec["items"]] == [["KINERJA"]]
    # Once enrolled, a session is no longer recommended.
    await enrol_and_approve(api, h, rec["items"][0]["session_id"], emp, BOSS)
    assert (await api.get(f"/v1/recommendations?nip={emp}", headers=h.pegawai(emp))).json()["items"] == []


async def test_roster_and_compliance_report(api: httpx.AsyncClient, h: Headers, kinerja: StandIn) -> None:
    unit_a, unit_b = str(uuid.uuid4()), str(uuid.uuid4())
    people = {nip(i): unit_a for i in range(1, 5)} | {nip(i): unit_b for i in range(5, 7)}
    for p, unit in people.items():
        r = await api.post(
            "/internal/v1/events",
            json=envelope(
                "kinerja.employee",
                {
                    "nip": p,
                    "unit_id": unit,
                    "employment": "PNS",
                    "position_type": "PELAKSANA",
                    "rank": "III/a",
                    "active": True,
                    "supervisor_nip": BOSS,
                },
            ),
            headers=h.service(),
        )
        assert r.status_code == 200
    # A PPPK is not counted among PNS; an older event never overwrites a newer one; an inactive one drops out.
    pppk = nip(7)
    await api.post(
        "/internal/v1/events",
        json=envelope(
            "kinerja.employee",
            # The contract dates are optional fields of the event (issue 18).
            {
                "nip": pppk,
                "unit_id": unit_a,
                "employment": "PPPK",
                "contract_start": "2020-01-01",
                "contract_end": None,
            },
        ),
        headers=h.service(),
    )
    stale = envelope(
        "kinerja.employee",
        {"nip": nip(4), "unit_id": unit_b, "employment": "PNS"},
        at=datetime.now(UTC) - timedelta(days=1),
    )
    await api.post("/internal/v1/events", json=stale, headers=h.service())
    gone = envelope(
        "kinerja.employee", {"nip": nip(6), "unit_id": unit_b, "employment": "PNS", "active": False}
    )
    await api.post("/internal/v1/events", json=gone, headers=h.service())

    inst = await make_institution(api, h)
    prog20 = await make_program(api, h, inst, jp=20, mode="NONKLASIKAL")
    prog12 = await make_program(api, h, inst, jp=12, mode="NONKLASIKAL")
    s20, s12 = await make_session(api, h, prog20), await make_session(api, h, prog12)
    year = int(s20["ends_on"][:4])
    for sess, who in ((s20, [nip(1), nip(2), pppk]), (s12, [nip(3)])):
        for p in who:
            kinerja.add(p, supervisor_nip=BOSS)
            e = await enrol_and_approve(api, h, sess["id"], p, BOSS)
            with at_end(sess):
                r = await api.post(
                    f"/v1/enrolments/{e['id']}/complete", json={"passed": True}, headers=h.training_admin()
                )
            assert r.status_code == 200, r.text

    assert (
        await api.get(f"/v1/reports/jp-compliance?year={year}", headers=h.pegawai(nip(1)))
    ).status_code == 403
    report = (await api.get(f"/v1/reports/jp-compliance?year={year}", headers=h.integrator())).json()
    units = {u["unit_id"]: u for u in report["units"]}
    assert (
        units[unit_a]["pns_total"],
        units[unit_a]["pns_meeting_20jp"],
        units[unit_a]["pns_below_20jp"],
    ) == (4, 2, 2)
    assert units[unit_a]["share_meeting_20jp"] == 0.5
    assert units[unit_a]["jp_delivered"] == 52
    assert (units[unit_b]["pns_total"], units[unit_b]["pns_meeting_20jp"]) == (1, 0)
    assert report["below"] is None
    one = (await api.get(f"/v1/reports/jp-compliance?year={year}&unit_id={unit_a}", headers=h.admin())).json()
    assert [u["unit_id"] for u in one["units"]] == [unit_a]
    assert one["below"] == [{"nip": nip(4), "jp_total": 0}, {"nip": nip(3), "jp_total": 12}]
    # Issue 18: PPPK are apart from PNS: no 20 JP target (null), their JP and the 24 JP ceiling per contract year.
    assert (
        units[unit_a]["pppk_total"],
        units[unit_a]["pppk_jp_delivered"],
        units[unit_a]["pppk_above_24jp"],
    ) == (
        1,
        20,
        0,
    )
    ledger = (await api.get(f"/v1/employees/{pppk}/jp?year={year}", headers=h.pegawai(pppk))).json()
    assert (ledger["employment"], ledger["jp_required"], ledger["met"]) == ("PPPK", None, None)
    assert ledger["contract_years"] == [
        {
            "starts_on": f"{year}-01-01",
            "ends_on": f"{year}-12-31",
            "jp_total": 20,
            "jp_ceiling": 24,
            "above_ceiling": False,
        }
    ]
    # Eight JP more in the same contract year pass the ceiling: flagged in the ledger and the report.
    s8 = await make_session(api, h, await make_program(api, h, inst, jp=8, mode="NONKLASIKAL"))
    e = await enrol_and_approve(api, h, s8["id"], pppk, BOSS)
    with at_end(s8):
        r = await api.post(
            f"/v1/enrolments/{e['id']}/complete", json={"passed": True}, headers=h.training_admin()
        )
    assert r.status_code == 200, r.text
    year8 = int(s8["ends_on"][:4])
    if year8 == year:
        ledger = (await api.get(f"/v1/employees/{pppk}/jp?year={year}", headers=h.admin())).json()
        assert (ledger["contract_years"][0]["jp_total"], ledger["contract_years"][0]["above_ceiling"]) == (
            28,
            True,
        )
        report = (await api.get(f"/v1/reports/jp-compliance?year={year}", headers=h.admin())).json()
        assert {u["unit_id"]: u for u in report["units"]}[unit_a]["pppk_above_24jp"] == 1
    pns = (await api.get(f"/v1/employees/{nip(1)}/jp?year={year}", headers=h.admin())).json()
    assert (pns["jp_required"], pns["met"], pns["contract_years"]) == (20, True, None)
