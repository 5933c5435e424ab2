"""Who may do what in kinerja, through the gateway with real logins: admin, the employee, the direct
supervisor, another supervisor, another employee and an integrator, object-level checks included."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.kinerja_api.samples import numbered_nip
from tests.e2e.links import SERVICE_PREFIXES, Links, Received
from tests.support.clock import on_day
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

HEAD, SUP, STAFF, OTHER_SUP, OTHER = (numbered_nip(i) for i in (11, 12, 13, 14, 15))
PASSWORD = "matrix-password-123"
CALLERS = ("admin", "staff", "sup", "other_sup", "other", "integrator")
DENIED = {403, 404}


@pytest.fixture(scope="module")
def world(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    stack = Stack(database_url=e2e_database, workdir=Path(tmp_path_factory.mktemp("matrix")))
    stack.start()
    links = Links()
    try:
        with httpx.Client(base_url=stack.url, timeout=15, event_hooks={"response": [links.hook]}) as client:
            yield {**_build(stack, client), "links": links, "stack": stack}
    finally:
        stack.stop()


def _ok(resp: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _build(stack: Stack, client: httpx.Client) -> dict[str, Any]:
    admin = {"Authorization": f"Bearer {stack.token()}"}
    unit = _ok(
        client.post("/kinerja/v1/units", json={"code": "MTX", "name": "Unit Matriks"}, headers=admin), 201
    )
    people = [
        (HEAD, None, "JPT", "IV/c"),
        (SUP, HEAD, "ADMINISTRATOR", "IV/a"),
        (STAFF, SUP, "PELAKSANA", "III/a"),
        (OTHER_SUP, HEAD, "ADMINISTRATOR", "IV/a"),
        (OTHER, OTHER_SUP, "PELAKSANA", "III/a"),
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
        }
        _ok(client.post("/kinerja/v1/employees", json=body, headers=admin), 201)
        account = {"username": f"u{nip}", "password": PASSWORD, "roles": ["pegawai"], "nip": nip}
        _ok(client.post("/auth/accounts", json=account, headers=admin), 201)
    integrator = _ok(
        client.post(
            "/auth/clients",
            json={"name": "TPP", "roles": ["integrator"], "scopes": ["kinerja:individual"]},
            headers=admin,
        ),
        201,
    )
    token = _ok(
        client.post(
            "/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": integrator["client_id"],
                "client_secret": integrator["client_secret"],
            },
        )
    )["access_token"]
    headers = {"admin": admin, "integrator": {"Authorization": f"Bearer {token}"}}
    for name, nip in (
        ("head", HEAD),
        ("sup", SUP),
        ("staff", STAFF),
        ("other_sup", OTHER_SUP),
        ("other", OTHER),
    ):
        headers[name] = {"Authorization": f"Bearer {stack.token(f'u{nip}', PASSWORD)}"}

    # The cascade: HEAD's SKP (JPT, approved by the admin for the governor), then SUP's supporting it.
    head_skp = _ok(client.post("/kinerja/v1/skp", json={"year": 2026}, headers=headers["head"]), 201)
    result = {
        "kind": "UTAMA",
        "text": "Meningkatnya kualitas layanan kepegawaian",
        "perspective": "PENERIMA_LAYANAN",
        "indicators": [{"text": "Indeks kepuasan layanan", "target": "85"}],
    }
    head_result = _ok(
        client.post(f"/kinerja/v1/skp/{head_skp['id']}/results", json=result, headers=headers["head"]), 201
    )
    _ok(client.post(f"/kinerja/v1/skp/{head_skp['id']}/submit", headers=headers["head"]))
    _ok(client.post(f"/kinerja/v1/skp/{head_skp['id']}/approve", headers=admin))
    sup_skp = _ok(client.post("/kinerja/v1/skp", json={"year": 2026}, headers=headers["sup"]), 201)
    support = {
        "kind": "UTAMA",
        "text": "Tersusunnya rencana pengembangan kompetensi",
        "parent_result_id": head_result["id"],
        "aspect": "KUANTITAS",
        "indicators": [{"text": "Dokumen rencana", "target": "1 dokumen"}],
    }
    sup_result = _ok(
        client.post(f"/kinerja/v1/skp/{sup_skp['id']}/results", json=support, headers=headers["sup"]), 201
    )
    _ok(client.post(f"/kinerja/v1/skp/{sup_skp['id']}/submit", headers=headers["sup"]))
    staff_skp = _ok(client.post("/kinerja/v1/skp", json={"year": 2026}, headers=headers["staff"]), 201)
    return {
        "client": client,
        "h": headers,
        "sup_skp": sup_skp["id"],
        "sup_result": sup_result["id"],
        "staff_skp": staff_skp["id"],
    }


def _matrix(world: dict[str, Any], method: str, path: str, expected: dict[str, set[int]], **kw: Any) -> None:
    client: httpx.Client = world["client"]
    wrong = {}
    for caller in CALLERS:
        status = client.request(method, path, headers=world["h"][caller], **kw).status_code
        if status not in expected[caller]:
            wrong[caller] = (status, sorted(expected[caller]))
    assert not wrong, f"{method} {path}: {wrong}"


def _e(admin: Any, staff: Any, sup: Any, other_sup: Any, other: Any, integrator: Any) -> dict[str, set[int]]:
    values = (admin, staff, sup, other_sup, other, integrator)
    return {c: (v if isinstance(v, set) else {v}) for c, v in zip(CALLERS, values, strict=True)}


def test_employee_records(world: dict[str, Any]) -> None:
    _matrix(world, "GET", f"/kinerja/v1/employees/{STAFF}", _e(200, 200, 200, 404, 404, 200))
    _matrix(
        world,
        "GET",
        f"/kinerja/v1/employees/{STAFF}/supervisor",
        _e(200, 200, 200, DENIED, DENIED, DENIED),
    )
    _matrix(
        world,
        "PATCH",
        f"/kinerja/v1/employees/{STAFF}",
        _e(200, 403, 403, 403, 403, 403),
        # Not the position: a new position would close STAFF's SKP, which test_evaluations rates on.
        json={"name": "Pegawai Matriks"},
    )
    _matrix(
        world,
        "POST",
        "/kinerja/v1/units",
        _e({201, 409}, 403, 403, 403, 403, 403),
        json={"code": "MTX2", "name": "X"},
    )


def test_skp_visibility_and_approval(world: dict[str, Any]) -> None:
    _matrix(world, "GET", f"/kinerja/v1/skp/{world['staff_skp']}", _e(200, 200, 200, 404, 404, 200))
    # Only SUP's direct supervisor (HEAD, not in CALLERS) may approve; everyone in the matrix is refused.
    _matrix(
        world,
        "POST",
        f"/kinerja/v1/skp/{world['sup_skp']}/approve",
        _e(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED),
    )
    resp = world["client"].post(f"/kinerja/v1/skp/{world['sup_skp']}/approve", headers=world["h"]["head"])
    assert resp.status_code == 200, resp.text
    # Frozen once approved.
    frozen = world["client"].post(
        f"/kinerja/v1/skp/{world['sup_skp']}/results",
        json={"kind": "TAMBAHAN", "text": "x", "indicators": [{"text": "i", "target": "1"}]},
        headers=world["h"]["sup"],
    )
    assert frozen.status_code == 409


def test_evaluations(world: dict[str, Any]) -> None:
    client: httpx.Client = world["client"]
    body = {"nip": STAFF, "period": "2026-Q4"}
    _matrix(world, "POST", "/kinerja/v1/evaluations", _e(403, 403, {201}, 403, 403, 403), json=body)
    listed = client.get(
        f"/kinerja/v1/evaluations?nip={STAFF}&period=2026-Q4", headers=world["h"]["sup"]
    ).json()
    evaluation = listed["items"][0]["id"]
    _matrix(world, "GET", f"/kinerja/v1/evaluations/{evaluation}", _e(200, 200, 200, 404, 404, 200))
    etag = client.get(f"/kinerja/v1/evaluations/{evaluation}", headers=world["h"]["sup"]).headers["etag"]
    # Rated on STAFF's approved SKP (issue 16): one main result supporting SUP's, approved by SUP.
    staff_skp = world["staff_skp"]
    result = {
        "kind": "UTAMA",
        "text": "Teragendanya berkas",
        "parent_result_id": world["sup_result"],
        "aspect": "KUANTITAS",
        "indicators": [{"text": "Berkas teragenda", "target": "100 berkas"}],
    }
    _ok(client.post(f"/kinerja/v1/skp/{staff_skp}/results", json=result, headers=world["h"]["staff"]), 201)
    _ok(client.post(f"/kinerja/v1/skp/{staff_skp}/submit", headers=world["h"]["staff"]))
    _ok(client.post(f"/kinerja/v1/skp/{staff_skp}/approve", headers=world["h"]["sup"]))
    mains = _ok(client.get(f"/kinerja/v1/evaluations/{evaluation}/main-results", headers=world["h"]["sup"]))
    change = {
        "result_rating": "SESUAI_EKSPEKTASI",
        "behavior_rating": "SESUAI_EKSPEKTASI",
        "main_ratings": {m["skp_result_id"]: {"rating": "SESUAI_EKSPEKTASI"} for m in mains["items"]},
        "behavior_notes": {
            v: {"level": "SESUAI_EKSPEKTASI"}
            for v in (
                "BERORIENTASI_PELAYANAN",
                "AKUNTABEL",
                "KOMPETEN",
                "HARMONIS",
                "LOYAL",
                "ADAPTIF",
                "KOLABORATIF",
            )
        },
    }
    for caller in ("admin", "staff", "other_sup", "other", "integrator"):
        resp = client.patch(
            f"/kinerja/v1/evaluations/{evaluation}",
            json=change,
            headers={**world["h"][caller], "If-Match": etag},
        )
        assert resp.status_code in DENIED, (caller, resp.status_code)
    ok = client.patch(
        f"/kinerja/v1/evaluations/{evaluation}", json=change, headers={**world["h"]["sup"], "If-Match": etag}
    )
    assert ok.status_code == 200, ok.text
    for caller in ("staff", "other_sup", "other", "integrator"):
        resp = client.post(f"/kinerja/v1/evaluations/{evaluation}/finalize", headers=world["h"][caller])
        assert resp.status_code in DENIED, (caller, resp.status_code)
    # Finalised from the quarter's last day (issue 16): kinerja's clock visits it.
    with on_day(world["stack"], date(2026, 12, 31), apps=("kinerja",)):
        final = client.post(f"/kinerja/v1/evaluations/{evaluation}/finalize", headers=world["h"]["sup"])
    assert final.status_code == 200, final.text
    assert final.json()["predikat"] == "BAIK"
    # Others' lists never show it.
    for caller in ("other_sup", "other"):
        seen = client.get(f"/kinerja/v1/evaluations?nip={STAFF}", headers=world["h"][caller]).json()["items"]
        assert seen == [], caller


def test_reports_audit_and_changes(world: dict[str, Any]) -> None:
    _matrix(world, "GET", "/kinerja/v1/reports/compliance?period=2026-Q4", _e(200, 403, 403, 403, 403, 200))
    _matrix(world, "GET", "/kinerja/v1/audit", _e(200, 403, 403, 403, 403, 403))
    _matrix(world, "GET", "/kinerja/v1/changes", _e(200, 403, 403, 403, 403, 200))


def test_every_link_received_through_the_gateway_leads_somewhere(world: dict[str, Any]) -> None:
    """Every Location, task link and problem instance this module received (tests above included) is a path
    the client can follow through the gateway: the service built it from X-Forwarded-Prefix."""
    client: httpx.Client = world["client"]
    links: Links = world["links"]
    for caller in CALLERS:
        assert client.get("/kinerja/v1/me/tasks", headers=world["h"][caller]).status_code == 200
    kinds = {r.kind for r in links.seen.values()}
    assert {"location", "instance", "link"} <= kinds, kinds
    broken: list[tuple[Received, str | int]] = []
    for r in list(links.seen.values()):
        if not r.path.startswith(SERVICE_PREFIXES):
            broken.append((r, "not below a service prefix"))
            continue
        followed = client.get(r.path, headers=world["h"]["admin"])
        if r.kind in ("location", "link"):
            if followed.status_code != 200:
                broken.append((r, followed.status_code))
        elif followed.status_code == 404 and (r.status != 404 or followed.json().get("instance") != r.path):
            # A problem about a missing (or hidden) resource may point at something that does not exist;
            # the service must still have answered for exactly that path, prefix included.
            broken.append((r, followed.status_code))
    assert not broken, broken
