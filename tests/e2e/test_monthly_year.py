"""A monthly year through the gateway with real logins on the test clock (issue 17 item 1, domain.md §11.1):
in December 2026 the admin makes 2027 monthly; in January Siti reports January's realisation (a quarter is
refused); in February her supervisor sees the January evaluation in /me/tasks, writes and finalises it; the
cadence is locked; the gateway's unit scorecard and kinerja's SIASN export (periodikId 1 = bulanan) take the
month."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.kinerja_api.samples import numbered_nip
from tests.support.stack import Stack, running_on_clock

pytestmark = pytest.mark.e2e

HEAD, SITI = numbered_nip(41), numbered_nip(42)
PASSWORD = "monthly-password-123"
S, DA = "SESUAI_EKSPEKTASI", "DI_ATAS_EKSPEKTASI"
BERAKHLAK = ("BERORIENTASI_PELAYANAN", "AKUNTABEL", "KOMPETEN", "HARMONIS", "LOYAL", "ADAPTIF", "KOLABORATIF")


@pytest.fixture(scope="module")
def stack(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_on_clock(
        e2e_database, Path(tmp_path_factory.mktemp("e2e-monthly")), "2026-12-10T10:00:00+07:00"
    ) as s:
        yield s


def _ok(resp: httpx.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.request.method, str(resp.request.url), resp.text)
    return resp.json()


def _problem(resp: httpx.Response, status: int, slug: str) -> None:
    assert resp.status_code == status, (resp.request.method, str(resp.request.url), resp.text)
    assert resp.json()["type"].endswith(slug), resp.text


def _at(stack: Stack, admin: dict[str, str], instant: str | None) -> None:
    """Move the clock of every process (on each, never through the gateway)."""
    for procs in stack.procs.values():
        for proc in procs:
            r = httpx.put(proc.url + "/internal/v1/clock", json={"now": instant}, headers=admin, timeout=10)
            assert r.status_code == 200, (proc.app, r.text)


def test_a_monthly_year(stack: Stack) -> None:
    admin = {"Authorization": f"Bearer {stack.token()}"}
    try:
        with httpx.Client(base_url=stack.url + "/kinerja/v1", timeout=20) as k:
            _year(stack, k, admin)
    finally:
        _at(stack, admin, None)


def _year(stack: Stack, k: httpx.Client, admin: dict[str, str]) -> None:
    # December 2026: 2027 becomes monthly (2026 has started: its cadence stays).
    _ok(k.put("/calendar/2027/rules", json={"cadence": "MONTHLY"}, headers=admin))
    _problem(k.put("/calendar/2026/rules", json={"cadence": "MONTHLY"}, headers=admin), 409, "cadence-locked")
    cal = _ok(k.get("/calendar/2027", headers=admin))
    assert (cal["cadence"], len(cal["periods"])) == ("MONTHLY", 13)

    unit = _ok(k.post("/units", json={"code": "BULAN", "name": "Bidang Bulanan"}, headers=admin), 201)["id"]
    auth: dict[str, dict[str, str]] = {}
    for nip, boss, kind in ((HEAD, None, "JPT"), (SITI, HEAD, "PELAKSANA")):
        body = {
            "nip": nip,
            "name": f"Pegawai {nip[-4:]}",
            "unit_id": unit,
            "position": "Kepala Badan" if kind == "JPT" else "Analis",
            "position_type": kind,
            "rank": "III/b",
            "employment": "PNS",
            "supervisor_nip": boss,
            "effective_on": "2026-01-01",
            "siasn_id": hashlib.md5(nip.encode()).hexdigest().upper(),
        }
        _ok(k.post("/employees", json=body, headers=admin), 201)
        account = {"username": f"u{nip}", "password": PASSWORD, "roles": ["pegawai"], "nip": nip}
        _ok(httpx.post(stack.url + "/auth/accounts", json=account, headers=admin, timeout=20), 201)
        auth[nip] = {"Authorization": f"Bearer {stack.token(f'u{nip}', PASSWORD)}"}

    # January 2027: the SKPs, and Siti reports January (a quarter does not exist in a monthly year).
    _at(stack, admin, "2027-01-06T09:00:00+07:00")

    def skp(nip: str, result: dict[str, Any], approver: dict[str, str]) -> dict[str, Any]:
        made = _ok(k.post("/skp", json={"year": 2027}, headers=auth[nip]), 201)
        rhk = {"kind": "UTAMA", "indicators": [{"text": "IKI", "target": "100%"}], **result}
        _ok(k.post(f"/skp/{made['id']}/results", json=rhk, headers=auth[nip]), 201)
        _ok(k.post(f"/skp/{made['id']}/submit", headers=auth[nip]))
        out: dict[str, Any] = _ok(k.post(f"/skp/{made['id']}/approve", headers=approver))
        return out

    top = skp(HEAD, {"text": "Layanan", "perspective": "PENERIMA_LAYANAN"}, admin)["results"][0]["id"]
    mine = skp(SITI, {"text": "Berkas", "parent_result_id": top}, auth[HEAD])
    report = {"indicator_id": mine["results"][0]["indicators"][0]["id"], "realization": "40 berkas"}
    _ok(
        k.post(f"/skp/{mine['id']}/realizations", json={**report, "period": "2027-01"}, headers=auth[SITI]),
        201,
    )
    _problem(
        k.post(f"/skp/{mine['id']}/realizations", json={**report, "period": "2027-Q1"}, headers=auth[SITI]),
        409,
        "period-not-in-cadence",
    )

    # 3 February: January's evaluation is on the supervisor's list, due 15 February; it is written and final.
    _at(stack, admin, "2027-02-03T09:00:00+07:00")
    tasks = _ok(k.get("/me/tasks", headers=auth[HEAD]))["items"]
    offered = [t for t in tasks if t["kind"] == "EVALUATION_TO_WRITE" and t["subject_nip"] == SITI]
    assert {t["period"] for t in offered} >= {"2027-01", "2027-02"}, offered
    assert not [t for t in offered if t["period"] == "2027-Q1"]
    jan = next(t for t in offered if t["period"] == "2027-01")
    assert (jan["due_on"], jan["create_body"]) == ("2027-02-15", {"nip": SITI, "period": "2027-01"})
    opened = _ok(k.post("/evaluations", json=jan["create_body"], headers=auth[HEAD]), 201)
    mains = _ok(k.get(f"/evaluations/{opened['id']}/main-results", headers=auth[HEAD]))["items"]
    rating = {
        "result_rating": DA,
        "behavior_rating": S,
        "main_ratings": {m["skp_result_id"]: {"rating": DA} for m in mains},
        "behavior_notes": {v: {"level": S} for v in BERAKHLAK},
    }
    headers = {**auth[HEAD], "If-Match": f'"{opened["version"]}"'}
    _ok(k.patch(f"/evaluations/{opened['id']}", json=rating, headers=headers))
    done = _ok(k.post(f"/evaluations/{opened['id']}/finalize", headers=auth[HEAD]))
    assert (done["period"], done["status"], done["predikat"]) == ("2027-01", "FINAL", "BAIK")
    _problem(
        k.put("/calendar/2027/rules", json={"cadence": "QUARTERLY"}, headers=admin), 409, "cadence-locked"
    )

    # The month in the reports: the gateway's scorecard and the SIASN export (periodikId 1).
    card = httpx.get(
        stack.url + "/reports/unit-scorecard",
        params={"unit_id": unit, "period": "2027-01"},
        headers=admin,
        timeout=20,
    )
    kinerja = _ok(card)["kinerja"]
    assert (kinerja["total"], kinerja["counts"]["BAIK"]) == (1, 1), kinerja
    assert kinerja["compliance"]["realization_reported"] >= 1, kinerja
    siasn = _ok(k.get("/reports/siasn-kinerja", params={"period": "2027-01"}, headers=admin))
    (item,) = siasn["items"]
    assert (
        item["periodikId"],
        item["bulanMulaiPenilaian"],
        item["bulanSelesaiPenilaian"],
        item["tahun"],
    ) == (
        1,
        1,
        1,
        2027,
    )
    bad = httpx.get(
        stack.url + "/reports/unit-scorecard", params={"unit_id": unit, "period": "2027-13"}, headers=admin
    )
    assert bad.status_code == 422, bad.text
