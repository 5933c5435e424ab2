"""Issue 16 through the gateway with real logins: the penilai's rank (a pelaksana coordinator is refused
409 ``penilai-rank-required`` until the admin records a delegation), each refusal and each success.

The reporting line: HEAD (JPT) <- SUP (ADMINISTRATOR) <- COORD (PELAKSANA coordinator) <- STAFF. The clock
reads 6 April 2026, after the first quarter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.kinerja_api.samples import numbered_nip
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

HEAD, SUP, COORD, STAFF = (numbered_nip(i) for i in (41, 42, 43, 44))
PASSWORD = "anchoring-password-123"
NOW = "2026-04-06T10:00:00+07:00"
A, S, B = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"
BERAKHLAK = ("BERORIENTASI_PELAYANAN", "AKUNTABEL", "KOMPETEN", "HARMONIS", "LOYAL", "ADAPTIF", "KOLABORATIF")


def _ok(resp: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _problem(resp: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    assert body["type"].rstrip("/").endswith(slug), body
    return body


@pytest.fixture(scope="module")
def world(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    stack = Stack(
        database_url=e2e_database,
        workdir=Path(tmp_path_factory.mktemp("anchoring")),
        extra_env={"ASN_FAKE_NOW": NOW},
    )
    stack.start()
    try:
        with httpx.Client(base_url=stack.url, timeout=15) as client:
            yield {**_build(stack, client), "stack": stack}
    finally:
        stack.stop()


def _build(stack: Stack, client: httpx.Client) -> dict[str, Any]:
    admin = {"Authorization": f"Bearer {stack.token()}"}
    unit = _ok(
        client.post("/kinerja/v1/units", json={"code": "ANC", "name": "Unit Jangkar"}, headers=admin), 201
    )
    people = [
        (HEAD, None, "JPT", "IV/c"),
        (SUP, HEAD, "ADMINISTRATOR", "IV/a"),
        (COORD, SUP, "PELAKSANA", "III/c"),
        (STAFF, COORD, "PELAKSANA", "III/a"),
    ]
    for nip, boss, kind, rank in people:
        body = {
            "nip": nip,
            "name": f"Pegawai {nip[-4:]}",
            "unit_id": unit["id"],
            "position": kind.title(),
            "position_type": kind,
            "rank": rank,
            "employment": "PNS",
            "supervisor_nip": boss,
            "effective_on": "2026-01-01",
        }
        _ok(client.post("/kinerja/v1/employees", json=body, headers=admin), 201)
        account = {"username": f"u{nip}", "password": PASSWORD, "roles": ["pegawai"], "nip": nip}
        _ok(client.post("/auth/accounts", json=account, headers=admin), 201)
    h: dict[str, dict[str, str]] = {"admin": admin}
    for name, nip in (("head", HEAD), ("sup", SUP), ("coord", COORD), ("staff", STAFF)):
        h[name] = {"Authorization": f"Bearer {stack.token(f'u{nip}', PASSWORD)}"}
    return {"client": client, "h": h, "unit": unit["id"]}


def _mains(client: httpx.Client, who: dict[str, str], evaluation_id: str, rating: str) -> dict[str, Any]:
    """Every main result of the SKP the evaluation is rated on, rated ``rating``."""
    body = _ok(client.get(f"/kinerja/v1/evaluations/{evaluation_id}/main-results", headers=who))
    assert body["covered"] is True, body
    return {m["skp_result_id"]: {"rating": rating, "note": "bukti dukung"} for m in body["items"]}


def _patch(
    client: httpx.Client,
    who: dict[str, str],
    ev: dict[str, Any],
    mains: dict[str, Any],
    result: str,
    behavior: str,
    levels: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Rate: the main results, the overall ratings and the seven BerAKHLAK levels (``levels``, default the
    behaviour rating), plus any reasons."""
    body = {
        "result_rating": result,
        "behavior_rating": behavior,
        "main_ratings": mains,
        "behavior_notes": {v: {"level": levels or behavior} for v in BERAKHLAK},
        **extra,
    }
    url = f"/kinerja/v1/evaluations/{ev['id']}"
    return _ok(client.patch(url, json=body, headers={**who, "If-Match": f'"{ev["version"]}"'}))


def _skp(
    client: httpx.Client, owner: dict[str, str], approver: dict[str, str], parent: str | None
) -> dict[str, Any]:
    """An SKP with one main result, submitted; approved by ``approver`` when it may."""
    skp = _ok(client.post("/kinerja/v1/skp", json={"year": 2026}, headers=owner), 201)
    result: dict[str, Any] = {
        "kind": "UTAMA",
        "text": "Hasil kerja utama",
        "indicators": [{"text": "Indikator", "target": "100%"}],
    }
    if parent is None:
        result["perspective"] = "PENERIMA_LAYANAN"
    else:
        result["parent_result_id"] = parent
        result["aspect"] = "KUANTITAS"
    added = _ok(client.post(f"/kinerja/v1/skp/{skp['id']}/results", json=result, headers=owner), 201)
    _ok(client.post(f"/kinerja/v1/skp/{skp['id']}/submit", headers=owner))
    return {"id": skp["id"], "result": added["id"]}


def test_a_pelaksana_supervisor_is_refused_until_the_admin_records_a_delegation(
    world: dict[str, Any],
) -> None:
    client: httpx.Client = world["client"]
    h = world["h"]
    head = _skp(client, h["head"], h["admin"], None)
    _ok(client.post(f"/kinerja/v1/skp/{head['id']}/approve", headers=h["admin"]))
    sup = _skp(client, h["sup"], h["head"], head["result"])
    _ok(client.post(f"/kinerja/v1/skp/{sup['id']}/approve", headers=h["head"]))
    coord = _skp(client, h["coord"], h["sup"], sup["result"])
    # An ADMINISTRATOR approves their pelaksana coordinator's SKP.
    _ok(client.post(f"/kinerja/v1/skp/{coord['id']}/approve", headers=h["sup"]))
    staff = _skp(client, h["staff"], h["coord"], coord["result"])
    world["staff_skp"] = staff

    # The coordinator is STAFF's direct supervisor but a PELAKSANA: approving is refused, saying what to do.
    refused = client.post(f"/kinerja/v1/skp/{staff['id']}/approve", headers=h["coord"])
    body = _problem(refused, 409, "penilai-rank-required")
    assert "/v1/penilai-delegations" in body["detail"]

    # So is finalising a result (opening and rating it is not: the rule is checked when acting).
    ev = _ok(
        client.post("/kinerja/v1/evaluations", json={"nip": STAFF, "period": "2026-Q1"}, headers=h["coord"]),
        201,
    )
    url = f"/kinerja/v1/evaluations/{ev['id']}"
    ev = _patch(client, h["coord"], ev, {}, S, S)
    _problem(client.post(f"{url}/finalize", headers=h["coord"]), 409, "penilai-rank-required")

    # Only an admin records a delegation; a pegawai gets 403.
    delegation = {
        "delegate_nip": COORD,
        "for_nip": STAFF,
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "decree_number": "800/16/BKD/2026",
    }
    assert (
        client.post("/kinerja/v1/penilai-delegations", json=delegation, headers=h["sup"]).status_code == 403
    )
    bad = {**delegation, "valid_to": "2025-12-31"}
    assert client.post("/kinerja/v1/penilai-delegations", json=bad, headers=h["admin"]).status_code == 422
    created = _ok(client.post("/kinerja/v1/penilai-delegations", json=delegation, headers=h["admin"]), 201)
    assert created["decree_number"] == "800/16/BKD/2026"
    listed = _ok(client.get(f"/kinerja/v1/penilai-delegations?for_nip={STAFF}", headers=h["admin"]))
    assert [d["id"] for d in listed["items"]] == [created["id"]]
    # Audited.
    audit = _ok(
        client.get(
            f"/kinerja/v1/audit?entity=penilai_delegation&entity_id={created['id']}", headers=h["admin"]
        )
    )
    assert [e["action"] for e in audit["items"]] == ["penilai_delegation.create"]

    # With the delegation, the coordinator approves.
    approved = _ok(client.post(f"/kinerja/v1/skp/{staff['id']}/approve", headers=h["coord"]))
    assert approved["status"] == "APPROVED"
    assert approved["approver_nip"] == COORD
    ev = _patch(client, h["coord"], ev, _mains(client, h["coord"], ev["id"], S), S, S)
    final = _ok(client.post(f"{url}/finalize", headers=h["coord"]))
    assert final["status"] == "FINAL"

    # Withdrawn (audited with a reason), the delegation no longer covers the coordinator.
    withdrawn = client.post(
        f"/kinerja/v1/penilai-delegations/{created['id']}/withdraw",
        json={"reason": "SK dicabut"},
        headers=h["admin"],
    )
    assert withdrawn.status_code == 204, withdrawn.text
    assert (
        _ok(client.get(f"/kinerja/v1/penilai-delegations?for_nip={STAFF}", headers=h["admin"]))["items"] == []
    )
    missing = client.post(
        f"/kinerja/v1/penilai-delegations/{created['id']}/withdraw",
        json={"reason": "lagi"},
        headers=h["admin"],
    )
    _problem(missing, 404, "penilai-delegation-not-found")


def test_ratings_are_anchored_to_the_skp(world: dict[str, Any]) -> None:
    client: httpx.Client = world["client"]
    h = world["h"]
    sup = h["sup"]
    # COORD (approved SKP, one main result) is rated by SUP, an ADMINISTRATOR.
    ev = _ok(
        client.post("/kinerja/v1/evaluations", json={"nip": COORD, "period": "2026-Q1"}, headers=sup), 201
    )
    url = f"/kinerja/v1/evaluations/{ev['id']}"
    listed = _ok(client.get(f"{url}/main-results", headers=sup))
    assert listed["covered"] is True
    assert [m["text"] for m in listed["items"]] == ["Hasil kerja utama"]
    assert listed["items"][0]["rating"] is None
    # The evaluated employee reads what they are rated on; a stranger does not.
    assert client.get(f"{url}/main-results", headers=h["coord"]).status_code == 200
    assert client.get(f"{url}/main-results", headers=h["staff"]).status_code == 404

    # Main results not rated yet.
    ev = _patch(client, sup, ev, {}, S, S)
    body = _problem(client.post(f"{url}/finalize", headers=sup), 409, "evaluation-incomplete")
    assert "Hasil kerja utama" in body["detail"]
    # DI_ATAS overall while a main result is DI_BAWAH.
    ev = _patch(client, sup, ev, _mains(client, sup, ev["id"], B), A, S)
    _problem(client.post(f"{url}/finalize", headers=sup), 409, "rating-contradicts-main-results")
    # DI_BAWAH overall without a written reason.
    ev = _patch(client, sup, ev, _mains(client, sup, ev["id"], B), B, S)
    _problem(client.post(f"{url}/finalize", headers=sup), 409, "rating-reason-required")
    # A behaviour rating departing from the median of the seven levels, without a reason.
    ev = _patch(client, sup, ev, _mains(client, sup, ev["id"], S), S, A, levels=S)
    body = _problem(client.post(f"{url}/finalize", headers=sup), 409, "rating-reason-required")
    assert S in body["detail"]
    # A DI_BAWAH behaviour rating without a reason.
    ev = _patch(client, sup, ev, _mains(client, sup, ev["id"], S), S, B)
    _problem(client.post(f"{url}/finalize", headers=sup), 409, "rating-reason-required")
    # With the reasons written, both pass.
    ev = _patch(
        client,
        sup,
        ev,
        _mains(client, sup, ev["id"], B),
        B,
        A,
        levels=S,
        result_reason="Target utama tidak tercapai.",
        behavior_reason="Inisiatif luar biasa dalam krisis banjir.",
    )
    final = _ok(client.post(f"{url}/finalize", headers=sup))
    assert (final["status"], final["predikat"]) == ("FINAL", "BUTUH_PERBAIKAN")
    assert final["main_ratings"][listed["items"][0]["skp_result_id"]]["rating"] == B


def test_no_approved_skp_no_final_result(world: dict[str, Any]) -> None:
    client: httpx.Client = world["client"]
    h = world["h"]
    # HEAD's SKP is approved; SUP's too. A new report of SUP without an SKP cannot be finalised.
    newcomer = numbered_nip(45)
    body = {
        "nip": newcomer,
        "name": "Pegawai Baru",
        "unit_id": world["unit"],
        "position": "Analis",
        "position_type": "PELAKSANA",
        "rank": "III/a",
        "employment": "PNS",
        "supervisor_nip": SUP,
        "effective_on": "2026-01-01",
    }
    _ok(client.post("/kinerja/v1/employees", json=body, headers=h["admin"]), 201)
    ev = _ok(
        client.post("/kinerja/v1/evaluations", json={"nip": newcomer, "period": "2026-Q1"}, headers=h["sup"]),
        201,
    )
    assert (
        _ok(client.get(f"/kinerja/v1/evaluations/{ev['id']}/main-results", headers=h["sup"]))["covered"]
        is False
    )
    ev = _patch(client, h["sup"], ev, {}, S, S)
    body = _problem(
        client.post(f"/kinerja/v1/evaluations/{ev['id']}/finalize", headers=h["sup"]),
        409,
        "evaluation-needs-approved-skp",
    )
    assert newcomer in body["detail"]


def test_finalisation_waits_for_the_period_to_end(world: dict[str, Any]) -> None:
    """Issue 16: a quarter is finalised from its last day, the year from 31 December or the day the admin set
    (`annual_final_from`), province dates; before that 409 `period-not-ended` naming the day. Every process's
    clock is moved, and put back to the module's NOW."""
    client: httpx.Client = world["client"]
    stack: Stack = world["stack"]
    h = world["h"]
    sup = h["sup"]
    try:
        # 6 April: Q2 runs. Opening and rating are fine; finalising is not.
        ev = _ok(
            client.post("/kinerja/v1/evaluations", json={"nip": COORD, "period": "2026-Q2"}, headers=sup), 201
        )
        url = f"/kinerja/v1/evaluations/{ev['id']}/finalize"
        ev = _patch(client, sup, ev, _mains(client, sup, ev["id"], S), S, S)
        body = _problem(client.post(url, headers=sup), 409, "period-not-ended")
        assert "2026-06-30" in body["detail"]
        # On the quarter's last day (WIB) it passes.
        stack.move_clock("2026-06-30T08:00:00+07:00")
        assert _ok(client.post(url, headers=sup))["status"] == "FINAL"

        # The annual result before 31 December: refused until the admin sets an earlier day for 2026.
        stack.move_clock("2026-12-20T10:00:00+07:00")
        annual = _ok(
            client.post("/kinerja/v1/evaluations", json={"nip": COORD, "period": "2026"}, headers=sup), 201
        )
        annual = _patch(client, sup, annual, {}, S, S)
        url = f"/kinerja/v1/evaluations/{annual['id']}/finalize"
        body = _problem(client.post(url, headers=sup), 409, "period-not-ended")
        assert "2026-12-31" in body["detail"]
        rules = _ok(
            client.put(
                "/kinerja/v1/calendar/2026/rules",
                json={"annual_final_from": "2026-12-15"},
                headers=h["admin"],
            )
        )
        assert (rules["annual_final_from"], rules["objection_days"]) == ("2026-12-15", 14)
        calendar = _ok(client.get("/kinerja/v1/calendar/2026", headers=sup))["periods"]
        assert [p["finalisable_from"] for p in calendar if p["period"] == "2026"] == ["2026-12-15"]
        assert _ok(client.post(url, headers=sup))["status"] == "FINAL"
    finally:
        stack.move_clock(NOW)
