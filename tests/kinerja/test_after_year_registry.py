"""Issue 17 item 5 and the employee fields: jenjang dated on the assignment, PPPK contract dates, the SIASN
person id (API, CSV import, ``kinerja.employee`` event), and the admin-only follow-up flags and report."""

from __future__ import annotations

import csv
import io
import json

import httpx

from tests.support.after_year import HEAD, JF, PPPK, SIASN_JF, STAFF, annual_result, fetch, team
from tests.support.fixtures import Tokens

CSV = {"Content-Type": "text/csv; charset=utf-8"}


async def test_fields_are_validated_and_published(
    client: httpx.AsyncClient, admin: dict[str, str], db: str
) -> None:
    t = await team(client, admin)
    jf = (await client.get(f"/v1/employees/{JF}", headers=admin)).json()
    assert (jf["jenjang"], jf["siasn_id"], jf["contract_start"]) == ("AHLI_PERTAMA", SIASN_JF, None)
    pppk = (await client.get(f"/v1/employees/{PPPK}", headers=admin)).json()
    assert (pppk["contract_start"], pppk["contract_end"]) == ("2024-03-01", "2029-02-28")

    base = {
        "nip": "198703032012031003",
        "name": "Baru",
        "unit_id": t["unit"],
        "position": "Analis",
        "position_type": "FUNGSIONAL",
        "rank": "III/b",
        "employment": "PNS",
        "supervisor_nip": HEAD,
    }
    for bad in (
        {"siasn_id": "198703032012031003"},  # a NIP pasted in the wrong column
        {"siasn_id": "A8ACA7397AEB3912E040640A040269BZ"},
        {"jenjang": "AHLI_SUPER"},
        {"jenjang": "AHLI_MUDA", "position_type": "PELAKSANA"},
        {"contract_start": "2024-01-01", "contract_end": "2028-12-31"},  # a PNS has no contract
    ):
        resp = await client.post("/v1/employees", json={**base, **bad}, headers=admin)
        assert resp.status_code == 422, (bad, resp.text)
    taken = await client.post("/v1/employees", json={**base, "siasn_id": SIASN_JF}, headers=admin)
    assert taken.status_code == 409
    assert taken.json()["type"].endswith("siasn-id-taken")
    backwards = await client.patch(
        f"/v1/employees/{PPPK}", json={"contract_start": "2030-01-01"}, headers=admin
    )
    assert backwards.status_code == 422
    assert (
        await client.patch(f"/v1/employees/{JF}", json={"siasn_id": "x"}, headers=admin)
    ).status_code == 422

    # A level change mid-year is dated on the assignment; the current one is on the employee.
    moved = await client.patch(
        f"/v1/employees/{JF}", json={"jenjang": "AHLI_MUDA", "effective_on": "2026-07-01"}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["jenjang"] == "AHLI_MUDA"
    history = await fetch(
        db,
        "SELECT jenjang, valid_from, valid_to FROM kinerja.employee_assignment WHERE nip = $1 ORDER BY valid_from",
        JF,
    )
    assert [(h["jenjang"], str(h["valid_from"]), str(h["valid_to"])) for h in history] == [
        ("AHLI_PERTAMA", "2026-01-01", "2026-07-01"),
        ("AHLI_MUDA", "2026-07-01", "None"),
    ]
    events = await fetch(
        db,
        "SELECT payload FROM kinerja.outbox_event WHERE event_type = 'kinerja.employee' AND destination = 'pelatihan'"
        " ORDER BY created_at",
    )
    payloads = [json.loads(e["payload"]) if isinstance(e["payload"], str) else e["payload"] for e in events]
    last_jf = [p for p in payloads if p["nip"] == JF][-1]
    assert (last_jf["jenjang"], last_jf["siasn_id"], last_jf["contract_start"]) == (
        "AHLI_MUDA",
        SIASN_JF,
        None,
    )
    last_pppk = [p for p in payloads if p["nip"] == PPPK][-1]
    assert (last_pppk["contract_start"], last_pppk["contract_end"]) == ("2024-03-01", "2029-02-28")
    assert "name" not in last_pppk  # still no name in the roster event (UU 27/2022)


async def test_csv_import_optional_columns(client: httpx.AsyncClient, admin: dict[str, str], db: str) -> None:
    await team(client, admin)
    header = "nip,name,unit_code,position,position_type,rank,employment,supervisor_nip,active"
    ok = (
        f"{header},jenjang,contract_start,contract_end,siasn_id\n"
        f"198703032012031003,Analis Baru,BKD,Pranata Komputer,FUNGSIONAL,III/b,PNS,{HEAD},true,"
        "AHLI_PERTAMA,,,0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d\n"
        f"199202022024212002,Kontrak Baru,BKD,Pengadministrasi,PELAKSANA,VII,PPPK,{HEAD},true,,2024-02-01,2026-01-31,\n"
    )
    resp = await client.post("/v1/employees/import", content=ok.encode(), headers={**admin, **CSV})
    assert resp.status_code == 200, resp.text
    assert resp.json()["created"] == 2
    rows = await fetch(
        db,
        "SELECT nip, jenjang, contract_start, contract_end, siasn_id FROM kinerja.employee"
        " WHERE nip IN ('198703032012031003', '199202022024212002') ORDER BY nip",
    )
    assert rows[0]["jenjang"] == "AHLI_PERTAMA"
    assert rows[0]["siasn_id"].startswith("0a1b2c3d")
    assert str(rows[1]["contract_end"]) == "2026-01-31"
    # A file without the optional columns keeps what is stored.
    plain = (
        f"{header}\n198703032012031003,Analis Baru,BKD,Pranata Komputer,FUNGSIONAL,III/b,PNS,{HEAD},true\n"
    )
    again = await client.post("/v1/employees/import", content=plain.encode(), headers={**admin, **CSV})
    assert again.json()["unchanged"] == 1, again.text
    bad = (
        f"{header},siasn_id,jenjang\n"
        f"198703032012031003,Analis Baru,BKD,Pranata Komputer,FUNGSIONAL,III/b,PNS,{HEAD},true,12345,AHLI_SUPER\n"
        f"{STAFF},Staf Umum,BKD,Pengadministrasi Umum,PELAKSANA,II/c,PNS,{HEAD},true,{SIASN_JF},\n"
    )
    refused = await client.post("/v1/employees/import", content=bad.encode(), headers={**admin, **CSV})
    assert refused.status_code == 422
    errors = {e["line"]: e["msg"] for e in refused.json()["errors"]}
    assert "siasn_id" in errors[2]
    assert "jenjang" in errors[2]
    assert f"also given to {JF}" in errors[3]


async def test_follow_up_flags_and_report(
    client: httpx.AsyncClient, admin: dict[str, str], db: str, tokens: Tokens
) -> None:
    t = await team(client, admin)
    await annual_result(db, JF, t["unit"], 2025, "SANGAT_BAIK")
    await annual_result(db, JF, t["unit"], 2026, "SANGAT_BAIK")
    await annual_result(db, STAFF, t["unit"], 2026, "BUTUH_PERBAIKAN")
    await annual_result(db, PPPK, t["unit"], 2024, "BAIK")
    await annual_result(db, PPPK, t["unit"], 2025, "SANGAT_BAIK")
    await annual_result(db, PPPK, t["unit"], 2026, "BAIK", status="DRAFT")

    jf = (await client.get(f"/v1/employees/{JF}/follow-up?year=2026", headers=admin)).json()
    assert (jf["reward_candidate"], jf["development_plan_required"], jf["contract_years"]) == (
        True,
        False,
        [],
    )
    staff = (await client.get(f"/v1/employees/{STAFF}/follow-up?year=2026", headers=admin)).json()
    assert (staff["reward_candidate"], staff["development_plan_required"]) == (False, True)
    pppk = (await client.get(f"/v1/employees/{PPPK}/follow-up?year=2026", headers=admin)).json()
    assert pppk["predikat"] is None  # the 2026 result is still a DRAFT
    assert pppk["contract_years"] == [
        {"year": 2024, "predikat": "BAIK"},
        {"year": 2025, "predikat": "SANGAT_BAIK"},
        {"year": 2026, "predikat": None},
        {"year": 2027, "predikat": None},
        {"year": 2028, "predikat": None},
        {"year": 2029, "predikat": None},
    ]
    # Admin only: the employee, their supervisor and integrators (even with the scope) get 403.
    for who in (
        tokens.pegawai(JF),
        tokens.pegawai(HEAD),
        tokens.headers("tpp", ["integrator"], scope="kinerja:individual"),
    ):
        assert (await client.get(f"/v1/employees/{JF}/follow-up?year=2026", headers=who)).status_code == 403
        assert (await client.get("/v1/reports/follow-up?year=2026", headers=who)).status_code == 403
    unknown = await client.get("/v1/employees/199901012020011001/follow-up?year=2026", headers=admin)
    assert unknown.status_code == 404

    report = await client.get(f"/v1/reports/follow-up?year=2026&unit_id={t['unit']}&limit=2", headers=admin)
    assert report.status_code == 200, report.text
    body = report.json()
    assert [i["nip"] for i in body["items"]] == sorted([HEAD, JF, PPPK, STAFF])[:2]
    rest = await client.get(
        f"/v1/reports/follow-up?year=2026&unit_id={t['unit']}&cursor={body['next_cursor']}", headers=admin
    )
    everyone = body["items"] + rest.json()["items"]
    assert {i["nip"]: i["reward_candidate"] for i in everyone}[JF] is True
    as_csv = await client.get(
        f"/v1/reports/follow-up?year=2026&unit_id={t['unit']}", headers={**admin, "Accept": "text/csv"}
    )
    lines = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["nip"]: r["development_plan_required"] for r in lines}[STAFF] == "true"
    book = await client.get("/v1/reports/follow-up?year=2026&format=xlsx", headers=admin)
    assert book.status_code == 200
    assert book.content[:2] == b"PK"
