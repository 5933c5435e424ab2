"""Transfers and the SKP (issue 15, domain.md §11.1) through the API on real PostgreSQL, on the test clock:
a move to another position closes the SKP (readable, frozen: 409) and the new position gets its own; a
change of supervisor alone keeps the SKP and moves its approval; the cascade follows the new supervisor's
SKP; an earlier supervisor who wrote a part reads the SKP, realisations and evidence of the dates they
assessed and nothing newer; the task list offers them a part; the CSV import refuses a reporting-line
change inside a FINAL period; a stale DRAFT result is re-homed to the supervisor of record."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from tests.kinerja.test_evaluations_seed import Seeder, new_evaluation, rate
from tests.support import clock as clock_helpers
from tests.support.anchoring import anchored_body, main_results
from tests.support.clock import on_day
from tests.support.fixtures import Tokens
from tests.support.kinerja_seed import reporting_line

S = "SESUAI_EKSPEKTASI"
CSV = {"Content-Type": "text/csv; charset=utf-8"}
CSV_HEADER = "nip,name,unit_code,position,position_type,rank,employment,supervisor_nip,active\n"


def set_today(day: date) -> None:
    """Move the province clock to 10:00 WIB on ``day``."""
    clock_helpers.set_today(None, day)


@pytest.fixture(autouse=True)
def test_clock() -> Iterator[None]:
    with on_day(None, date(2026, 2, 2)):
        yield


@pytest.fixture
async def line(seed: Seeder) -> dict[str, Any]:
    """HEAD <- {BOSS, OTHER_BOSS}; BOSS <- STAFF; BOSS and OTHER_BOSS have approved 2026 SKPs."""
    base = await reporting_line(seed, "BKD", staff=(3,), anchor=False)
    unit, head, boss, (staff,) = base["unit"], base["head"], base["boss"], base["staff"]
    other = await seed.employee(seed.nip(5), unit, head, position_type="ADMINISTRATOR")
    parents = {}
    for nip in (boss, other):
        skp_id, _ = await seed.approved_skp(nip, 2026)
        parents[nip] = str(
            await seed.conn.fetchval("SELECT id FROM kinerja.skp_result WHERE skp_id = $1", skp_id)
        )
    return {"unit": unit, "head": head, "boss": boss, "other": other, "staff": staff, "parents": parents}


async def _ok(resp: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def _approved_skp(
    client: httpx.AsyncClient, tokens: Tokens, staff: str, approver: str, parent: str
) -> tuple[dict[str, Any], str]:
    """The staff's SKP for the position held today, with one main result, approved; returns the SKP and
    its indicator id."""
    me = tokens.pegawai(staff)
    skp = await _ok(await client.post("/v1/skp", json={"year": 2026}, headers=me), 201)
    result = {
        "kind": "UTAMA",
        "text": "Layanan mutasi tepat waktu",
        "parent_result_id": parent,
        "indicators": [{"text": "Usulan diproses", "target": "95%"}],
    }
    added = await _ok(await client.post(f"/v1/skp/{skp['id']}/results", json=result, headers=me), 201)
    indicator = added["indicators"][0]["id"] if "indicators" in added else None
    await _ok(await client.post(f"/v1/skp/{skp['id']}/submit", headers=me))
    approved = await _ok(await client.post(f"/v1/skp/{skp['id']}/approve", headers=tokens.pegawai(approver)))
    if indicator is None:
        indicator = approved["results"][0]["indicators"][0]["id"]
    return approved, indicator


async def _patch(client: httpx.AsyncClient, tokens: Tokens, nip: str, **body: Any) -> httpx.Response:
    admin = tokens.admin()
    etag = (await client.get(f"/v1/employees/{nip}", headers=admin)).headers["ETag"]
    return await client.patch(f"/v1/employees/{nip}", json=body, headers={**admin, "If-Match": etag})


async def test_new_position_new_skp_earlier_one_frozen_and_visible_in_time(
    client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any]
) -> None:
    staff, boss, other = line["staff"], line["boss"], line["other"]
    me, b, o = tokens.pegawai(staff), tokens.pegawai(boss), tokens.pegawai(other)
    first, indicator = await _approved_skp(client, tokens, staff, boss, line["parents"][boss])
    assert (first["valid_from"], first["valid_to"], first["position"]) == (
        "2026-01-01",
        "2027-01-01",
        "Analis",
    )
    evidence = "https://drive.bengkuluprov.go.id/bkd/q1.pdf"
    report = {"period": "2026-Q1", "indicator_id": indicator, "realization": "95%", "evidence_url": evidence}
    await _ok(await client.post(f"/v1/skp/{first['id']}/realizations", json=report, headers=me), 201)

    # Transferred to a new position under another supervisor on 15 March.
    set_today(date(2026, 3, 20))
    moved = await _patch(
        client, tokens, staff, position="Analis Kebijakan", supervisor_nip=other, effective_on="2026-03-15"
    )
    assert moved.status_code == 200, moved.text
    closed = await _ok(await client.get(f"/v1/skp/{first['id']}", headers=me))
    assert (closed["valid_to"], closed["status"], closed["position"]) == ("2026-03-15", "APPROVED", "Analis")
    late = await client.post(f"/v1/skp/{first['id']}/realizations", json=report, headers=me)
    assert late.status_code == 409
    assert late.json()["type"].endswith("skp-closed")

    second = await _ok(await client.post("/v1/skp", json={"year": 2026}, headers=me), 201)
    assert (second["valid_from"], second["valid_to"], second["position"]) == (
        "2026-03-15",
        "2027-01-01",
        "Analis Kebijakan",
    )
    assert (await client.post("/v1/skp", json={"year": 2026}, headers=me)).status_code == 409
    listed = await _ok(await client.get(f"/v1/skp?nip={staff}&year=2026", headers=me))
    assert [s["id"] for s in listed["items"]] == [first["id"], second["id"]]

    # The cascade follows the supervisor of record today: the old boss's result no longer qualifies.
    result = {"kind": "UTAMA", "text": "Kajian kebijakan", "indicators": [{"text": "Kajian", "target": "2"}]}
    wrong = await client.post(
        f"/v1/skp/{second['id']}/results",
        json={**result, "parent_result_id": line["parents"][boss]},
        headers=me,
    )
    assert wrong.status_code == 422, wrong.text
    right = await client.post(
        f"/v1/skp/{second['id']}/results",
        json={**result, "parent_result_id": line["parents"][other]},
        headers=me,
    )
    assert right.status_code == 201, right.text

    # The former supervisor reads nothing until they assess their part ...
    assert (await client.get(f"/v1/skp/{first['id']}", headers=b)).status_code == 404
    set_today(date(2026, 4, 2))
    # Q2 realisations are not asked for on the closed SKP (the new one is not approved yet).
    due = (await _ok(await client.get("/v1/me/tasks", headers=me)))["items"]
    assert not [t for t in due if t["kind"] == "REALIZATION_DUE"], due
    q1 = await new_evaluation(client, o, staff, "2026-Q1")
    part = await _ok(await client.post(f"/v1/evaluations/{q1['id']}/parts", json={}, headers=b), 201)
    assert (part["period_start"], part["period_end"]) == ("2026-01-01", "2026-03-14")
    # ... then the SKP covering the dates they assess, its Q1 realisations and evidence, nothing newer.
    assert (await client.get(f"/v1/skp/{first['id']}", headers=b)).status_code == 200
    reals = await _ok(await client.get(f"/v1/skp/{first['id']}/realizations?period=2026-Q1", headers=b))
    assert [r["evidence_url"] for r in reals["items"]] == [evidence]
    for later in ("2026-Q2", "2026"):
        hidden = await client.get(f"/v1/skp/{first['id']}/realizations?period={later}", headers=b)
        assert hidden.status_code == 404, (later, hidden.text)
    assert (await client.get(f"/v1/skp/{second['id']}", headers=b)).status_code == 404
    theirs = await _ok(await client.get(f"/v1/skp?nip={staff}", headers=b))
    assert [s["id"] for s in theirs["items"]] == [first["id"]]
    # The employee and the result's evaluator see all.
    assert (
        await client.get(f"/v1/skp/{first['id']}/realizations?period=2026", headers=me)
    ).status_code == 200
    assert (await client.get(f"/v1/skp/{first['id']}", headers=o)).status_code == 200


async def test_supervisor_change_alone_keeps_the_skp_and_moves_its_approval(
    client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any]
) -> None:
    staff, boss, other = line["staff"], line["boss"], line["other"]
    me = tokens.pegawai(staff)
    skp = await _ok(await client.post("/v1/skp", json={"year": 2026}, headers=me), 201)
    result = {
        "kind": "UTAMA",
        "text": "Layanan mutasi",
        "parent_result_id": line["parents"][boss],
        "indicators": [{"text": "Usulan", "target": "95%"}],
    }
    await _ok(await client.post(f"/v1/skp/{skp['id']}/results", json=result, headers=me), 201)
    await _ok(await client.post(f"/v1/skp/{skp['id']}/submit", headers=me))
    set_today(date(2026, 2, 10))
    assert (
        await _patch(client, tokens, staff, supervisor_nip=other, effective_on="2026-02-10")
    ).status_code == 200
    same = await _ok(await client.get(f"/v1/skp?nip={staff}&year=2026", headers=me))
    assert [(s["id"], s["valid_to"]) for s in same["items"]] == [(skp["id"], "2027-01-01")]
    # The link made before the change stays; the new supervisor decides, the old one no longer.
    assert (
        await client.post(f"/v1/skp/{skp['id']}/approve", headers=tokens.pegawai(boss))
    ).status_code == 403
    assert (await client.get(f"/v1/skp/{skp['id']}", headers=tokens.pegawai(boss))).status_code == 404
    approved = await _ok(await client.post(f"/v1/skp/{skp['id']}/approve", headers=tokens.pegawai(other)))
    assert approved["approver_nip"] == other
    assert approved["results"][0]["parent_result_id"] == line["parents"][boss]


async def test_earlier_supervisor_is_offered_a_part_not_a_result(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, line: dict[str, Any]
) -> None:
    staff, boss, other = line["staff"], line["boss"], line["other"]
    await seed.approved_skp(staff, 2026)
    await seed.transfer(staff, other, line["unit"], date(2026, 3, 15))
    set_today(date(2026, 4, 2))
    b, o = tokens.pegawai(boss), tokens.pegawai(other)

    async def tasks(who: dict[str, str]) -> list[dict[str, Any]]:
        body = await _ok(await client.get("/v1/me/tasks", headers=who))
        return [t for t in body["items"] if t["subject_nip"] == staff and t["period"] == "2026-Q1"]

    assert [t["kind"] for t in await tasks(o)] == ["EVALUATION_TO_WRITE"]
    before = await tasks(b)
    assert [(t["kind"], t["method"]) for t in before] == [("PART_TO_WRITE", "POST")]
    result = await new_evaluation(client, o, staff, "2026-Q1")
    offered = await tasks(b)
    assert [(t["kind"], t["method"], t["link"]) for t in offered] == [
        ("PART_TO_WRITE", "POST", f"/v1/evaluations/{result['id']}/parts")
    ]
    part = await _ok(await client.post(offered[0]["link"], json=offered[0]["create_body"], headers=b), 201)
    opened = await tasks(b)
    assert [(t["kind"], t["link"]) for t in opened] == [
        ("PART_TO_WRITE", f"/v1/evaluations/{result['id']}/parts/{part['id']}")
    ]
    url = f"/v1/evaluations/{result['id']}/parts/{part['id']}"
    await _ok(
        await client.patch(
            url,
            json=anchored_body(await main_results(client, b, part["id"]), S, S),
            headers={**b, "If-Match": f'"{part["version"]}"'},
        )
    )
    await _ok(await client.post(f"{url}/finalize", headers=b))
    assert await tasks(b) == []


async def test_import_refuses_a_line_change_inside_a_final_period(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, line: dict[str, Any]
) -> None:
    staff, boss, other = line["staff"], line["boss"], line["other"]
    await seed.approved_skp(staff, 2026)
    set_today(date(2026, 3, 31))  # Q1's last day: the first day its result may be finalised
    b = tokens.pegawai(boss)
    result = await rate(client, b, await new_evaluation(client, b, staff, "2026-Q1"), S, S)
    assert (await client.post(f"/v1/evaluations/{result['id']}/finalize", headers=b)).status_code == 200
    name = await seed.conn.fetchval("SELECT name FROM kinerja.employee WHERE nip = $1", staff)
    csv = CSV_HEADER + f"{staff},{name},BKD,Analis,PELAKSANA,III/b,PNS,{other},true\n"
    admin = tokens.admin()
    refused = await client.post("/v1/employees/import", content=csv.encode(), headers={**admin, **CSV})
    assert refused.status_code == 409, refused.text
    assert [e["line"] for e in refused.json()["errors"]] == [2]
    assert "2026-Q1" in refused.json()["errors"][0]["msg"]
    assert (
        await seed.conn.fetchval("SELECT supervisor_nip FROM kinerja.employee WHERE nip = $1", staff) == boss
    )
    assert (
        await seed.conn.fetchval("SELECT count(*) FROM kinerja.employee_assignment WHERE nip = $1", staff)
        == 1
    )


async def test_stale_draft_result_is_rehomed_to_the_supervisor_of_record(
    client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any]
) -> None:
    staff, boss, other = line["staff"], line["boss"], line["other"]
    set_today(date(2026, 3, 10))
    b, o = tokens.pegawai(boss), tokens.pegawai(other)
    draft = await rate(client, b, await new_evaluation(client, b, staff, "2026-Q1"), S, S)
    set_today(date(2026, 3, 20))
    assert (
        await _patch(client, tokens, staff, supervisor_nip=other, effective_on="2026-03-15")
    ).status_code == 200
    admin = tokens.admin()
    items = (await _ok(await client.get(f"/v1/evaluations?period=2026-Q1&nip={staff}", headers=admin)))[
        "items"
    ]
    assert len(items) == 1
    result = items[0]
    assert result["id"] != draft["id"]
    assert (result["evaluator_nip"], result["period_start"], result["status"]) == (
        other,
        "2026-03-15",
        "DRAFT",
    )
    # The boss's draft became their part, ratings kept.
    listed = await client.get(f"/v1/evaluations/{result['id']}/parts", headers=o)
    assert listed.status_code == 200, listed.text
    parts: list[dict[str, Any]] = listed.json()["items"]
    assert [(p["id"], p["evaluator_nip"], p["period_end"], p["result_rating"]) for p in parts] == [
        (draft["id"], boss, "2026-03-14", S)
    ]
    assert uuid.UUID(parts[0]["result_id"]) == uuid.UUID(result["id"])
