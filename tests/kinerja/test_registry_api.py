"""Units and employees through the API: the tree, object-level access, reporting-line refusals, history
and ETags. Real PostgreSQL, the app in-process."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.common.auth import Role
from services.common.settings import normalise_database_url
from services.kinerja_api.employees import service
from tests.support.fixtures import Tokens

HEAD = "197503121999031002"
BOSS = "198001012005011001"
STAFF = "199001012015011001"
STAFF2 = "199202022016022001"
OTHER = "198505052010051001"


async def make_unit(
    client: httpx.AsyncClient, admin: dict[str, str], code: str, parent: str | None = None
) -> str:
    resp = await client.post(
        "/v1/units", json={"code": code, "name": f"Unit {code}", "parent_id": parent}, headers=admin
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def person(nip: str, unit_id: str, supervisor: str | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "nip": nip,
        "name": f"Pegawai {nip[-4:]}",
        "unit_id": unit_id,
        "position": "Analis",
        "position_type": "PELAKSANA",
        "rank": "III/a",
        "employment": "PNS",
        "supervisor_nip": supervisor,
    }
    body.update(extra)
    return body


async def make_employee(
    client: httpx.AsyncClient, admin: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    resp = await client.post("/v1/employees", json=body, headers=admin)
    assert resp.status_code == 201, resp.text
    return resp


async def org(client: httpx.AsyncClient, admin: dict[str, str]) -> str:
    """HEAD <- BOSS <- {STAFF, STAFF2}; OTHER under HEAD."""
    unit = await make_unit(client, admin, "BKD")
    await make_employee(client, admin, person(HEAD, unit, None, position_type="JPT", rank="IV/c"))
    await make_employee(client, admin, person(BOSS, unit, HEAD, position_type="PENGAWAS"))
    await make_employee(client, admin, person(STAFF, unit, BOSS))
    await make_employee(client, admin, person(STAFF2, unit, BOSS))
    await make_employee(client, admin, person(OTHER, unit, HEAD))
    return unit


async def test_unit_tree(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens) -> None:
    root = await make_unit(client, admin, "BKD")
    child = await make_unit(client, admin, "BKD.MUT", root)
    await make_unit(client, admin, "BKD.PENG", root)
    await make_unit(client, admin, "DINKES")
    dup = await client.post("/v1/units", json={"code": "BKD", "name": "again"}, headers=admin)
    assert dup.status_code == 409
    assert dup.headers["content-type"] == "application/problem+json"
    orphan = await client.post(
        "/v1/units",
        json={"code": "X", "name": "x", "parent_id": "00000000-0000-0000-0000-000000000001"},
        headers=admin,
    )
    assert orphan.status_code == 422
    staff = tokens.pegawai(STAFF)
    forbidden = await client.post("/v1/units", json={"code": "Y", "name": "y"}, headers=staff)
    assert forbidden.status_code == 403
    assert (await client.get("/v1/units")).status_code == 401
    got = await client.get(f"/v1/units/{child}", headers=staff)
    assert got.json() == {"id": child, "code": "BKD.MUT", "name": "Unit BKD.MUT", "parent_id": root}
    kids = await client.get("/v1/units", params={"parent_id": root}, headers=staff)
    assert [u["code"] for u in kids.json()["items"]] == ["BKD.MUT", "BKD.PENG"]
    page1 = await client.get("/v1/units", params={"limit": 3}, headers=staff)
    assert [u["code"] for u in page1.json()["items"]] == ["BKD", "BKD.MUT", "BKD.PENG"]
    page2 = await client.get(
        "/v1/units", params={"limit": 3, "cursor": page1.json()["next_cursor"]}, headers=staff
    )
    assert [u["code"] for u in page2.json()["items"]] == ["DINKES"]
    assert page2.json()["next_cursor"] is None
    missing = await client.get("/v1/units/00000000-0000-0000-0000-000000000002", headers=staff)
    assert missing.status_code == 404


async def test_employee_access(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens) -> None:
    unit = await org(client, admin)
    # The employee reads themself; their supervisor reads them; a colleague and the head's other reports do not.
    assert (await client.get(f"/v1/employees/{STAFF}", headers=tokens.pegawai(STAFF))).status_code == 200
    assert (await client.get(f"/v1/employees/{STAFF}", headers=tokens.pegawai(BOSS))).status_code == 200
    assert (await client.get(f"/v1/employees/{STAFF}", headers=tokens.pegawai(STAFF2))).status_code == 404
    assert (await client.get(f"/v1/employees/{STAFF}", headers=tokens.pegawai(OTHER))).status_code == 404
    # Only the direct supervisor, not the supervisor's supervisor.
    assert (await client.get(f"/v1/employees/{STAFF}", headers=tokens.pegawai(HEAD))).status_code == 404
    integrator = tokens.headers("client-1", [Role.INTEGRATOR], scope="kinerja:individual")
    got = await client.get(f"/v1/employees/{STAFF}", headers=integrator)
    assert got.status_code == 200
    assert got.json() == {
        "nip": STAFF,
        "name": f"Pegawai {STAFF[-4:]}",
        "unit_id": unit,
        "position": "Analis",
        "position_type": "PELAKSANA",
        "rank": "III/a",
        "employment": "PNS",
        "supervisor_nip": BOSS,
        "active": True,
        # Issue 17: the functional level, a PPPK's contract and the SIASN person id.
        "jenjang": None,
        "contract_start": None,
        "contract_end": None,
        "siasn_id": None,
    }
    assert got.headers["etag"] == '"1"'
    create = await client.post(
        "/v1/employees", json=person(STAFF[:-1] + "9", unit, BOSS), headers=tokens.pegawai(BOSS)
    )
    assert create.status_code == 403
    assert (
        await client.post("/v1/employees", json=person(STAFF, unit, BOSS), headers=admin)
    ).status_code == 409
    # Lists: a pegawai sees themself and their direct reports; admin sees all, with filters and pages.
    mine = await client.get("/v1/employees", headers=tokens.pegawai(BOSS))
    assert [e["nip"] for e in mine.json()["items"]] == sorted([BOSS, STAFF, STAFF2])
    alone = await client.get("/v1/employees", headers=tokens.pegawai(STAFF))
    assert [e["nip"] for e in alone.json()["items"]] == [STAFF]
    everyone = await client.get("/v1/employees", params={"limit": 2}, headers=integrator)
    assert len(everyone.json()["items"]) == 2
    assert everyone.json()["next_cursor"]
    reports = await client.get("/v1/employees", params={"supervisor_nip": HEAD}, headers=admin)
    assert [e["nip"] for e in reports.json()["items"]] == sorted([BOSS, OTHER])
    by_unit = await client.get(
        "/v1/employees", params={"unit_id": unit, "active": "true", "limit": 200}, headers=admin
    )
    assert len(by_unit.json()["items"]) == 5


async def test_bad_input_is_refused(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    unit = await org(client, admin)
    bad_nip = await client.post("/v1/employees", json=person("198613312015051001", unit, BOSS), headers=admin)
    assert bad_nip.status_code == 422
    assert "NIP birth date 19861331 is not a real date" in bad_nip.text
    bad_rank = await client.post(
        "/v1/employees", json=person("199101012015011001", unit, BOSS, rank="IX"), headers=admin
    )
    assert bad_rank.status_code == 422
    assert "PPPK golongan" in bad_rank.text
    no_ie = await client.post(
        "/v1/employees", json=person("199101012015011001", unit, BOSS, rank="I/e"), headers=admin
    )
    assert no_ie.status_code == 422
    pppk = person("199001012021211001", unit, BOSS, employment="PPPK", rank="IX")
    assert (await client.post("/v1/employees", json=pppk, headers=admin)).status_code == 201


async def test_reporting_line_refusals(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    unit = await org(client, admin)
    selfish = await client.patch(f"/v1/employees/{BOSS}", json={"supervisor_nip": BOSS}, headers=admin)
    assert selfish.status_code == 422
    assert "own supervisor" in selfish.json()["detail"]
    created_self = await client.post(
        "/v1/employees", json=person("199303032017031001", unit, "199303032017031001"), headers=admin
    )
    assert created_self.status_code == 422
    cycle = await client.patch(f"/v1/employees/{HEAD}", json={"supervisor_nip": STAFF}, headers=admin)
    assert cycle.status_code == 409
    assert cycle.json()["detail"].endswith(f"{HEAD} → {STAFF} → {BOSS} → {HEAD}")
    unknown = await client.patch(
        f"/v1/employees/{STAFF}", json={"supervisor_nip": "199912312020121999"}, headers=admin
    )
    assert unknown.status_code == 422
    assert "not a known employee" in unknown.json()["detail"]
    # Deactivating someone who still supervises active staff is refused until they are reassigned.
    busy = await client.patch(f"/v1/employees/{BOSS}", json={"active": False}, headers=admin)
    assert busy.status_code == 409
    assert "reassign" in busy.json()["detail"]
    for nip in (STAFF, STAFF2):
        moved = await client.patch(f"/v1/employees/{nip}", json={"supervisor_nip": OTHER}, headers=admin)
        assert moved.status_code == 200, moved.text
    gone = await client.patch(f"/v1/employees/{BOSS}", json={"active": False}, headers=admin)
    assert gone.status_code == 200
    assert gone.json()["active"] is False
    inactive = await client.patch(f"/v1/employees/{STAFF}", json={"supervisor_nip": BOSS}, headers=admin)
    assert inactive.status_code == 409
    assert "inactive" in inactive.json()["detail"]


async def test_if_match(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    await org(client, admin)
    first = await client.get(f"/v1/employees/{STAFF}", headers=admin)
    etag = first.headers["etag"]
    ok = await client.patch(
        f"/v1/employees/{STAFF}", json={"name": "Siti Rahmawati"}, headers={**admin, "If-Match": etag}
    )
    assert ok.status_code == 200
    assert ok.headers["etag"] != etag
    stale = await client.patch(
        f"/v1/employees/{STAFF}", json={"name": "Other"}, headers={**admin, "If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    same = await client.patch(f"/v1/employees/{STAFF}", json={"name": "Siti Rahmawati"}, headers=admin)
    assert same.headers["etag"] == ok.headers["etag"]  # no change, no new version


async def test_history_transfer_mid_quarter(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens, db: str
) -> None:
    unit = await make_unit(client, admin, "BKD")
    other_unit = await make_unit(client, admin, "BKD.MUT", unit)
    await make_employee(
        client, admin, person(HEAD, unit, None, position_type="JPT", rank="IV/c", effective_on="2026-01-01")
    )
    await make_employee(client, admin, person(BOSS, unit, HEAD, effective_on="2026-01-01"))
    await make_employee(client, admin, person(OTHER, unit, HEAD, effective_on="2026-01-01"))
    await make_employee(client, admin, person(STAFF, unit, BOSS, effective_on="2026-07-01"))
    moved = await client.patch(
        f"/v1/employees/{STAFF}",
        json={"supervisor_nip": OTHER, "unit_id": other_unit, "effective_on": "2026-08-16"},
        headers=admin,
    )
    assert moved.status_code == 200, moved.text
    svc = tokens.service("svc-pelatihan")
    before = await client.get(f"/v1/employees/{STAFF}/supervisor", params={"on": "2026-08-15"}, headers=svc)
    assert before.json() == {"nip": STAFF, "on": "2026-08-15", "supervisor_nip": BOSS, "unit_id": unit}
    after = await client.get(f"/v1/employees/{STAFF}/supervisor", params={"on": "2026-08-16"}, headers=svc)
    assert after.json()["supervisor_nip"] == OTHER
    assert after.json()["unit_id"] == other_unit
    # The former supervisor may still ask about the day they were in charge; a stranger may not.
    assert (
        await client.get(
            f"/v1/employees/{STAFF}/supervisor", params={"on": "2026-08-01"}, headers=tokens.pegawai(BOSS)
        )
    ).status_code == 200
    assert (
        await client.get(
            f"/v1/employees/{STAFF}/supervisor", params={"on": "2026-08-01"}, headers=tokens.pegawai(HEAD)
        )
    ).status_code == 404
    before_start = await client.get(
        f"/v1/employees/{STAFF}/supervisor", params={"on": "2026-06-30"}, headers=svc
    )
    assert before_start.status_code == 404
    backdated = await client.patch(
        f"/v1/employees/{STAFF}", json={"supervisor_nip": BOSS, "effective_on": "2026-08-01"}, headers=admin
    )
    assert backdated.status_code == 422
    future = await client.patch(
        f"/v1/employees/{STAFF}", json={"supervisor_nip": BOSS, "effective_on": "2999-01-01"}, headers=admin
    )
    assert future.status_code == 422

    engine = create_async_engine(normalise_database_url(db))
    try:
        async with AsyncSession(engine) as session:
            q3 = await service.supervisor_during(session, STAFF, date(2026, 7, 1), date(2026, 9, 30))
            assert q3 == [
                (BOSS, date(2026, 7, 1), date(2026, 8, 15)),
                (OTHER, date(2026, 8, 16), date(2026, 9, 30)),
            ]
            on = await service.supervisor_on(session, STAFF, date(2026, 9, 30))
            assert on is not None
            assert on.supervisor_nip == OTHER
    finally:
        await engine.dispose()


async def test_json_routes_keep_small_body_limit(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    big = b'{"code": "' + b"A" * 2_000_000 + b'", "name": "x"}'
    resp = await client.post("/v1/units", content=big, headers={**admin, "Content-Type": "application/json"})
    assert resp.status_code == 413


async def test_concurrent_changes_cannot_close_a_cycle(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    """STAFF under STAFF2 and STAFF2 under STAFF at the same moment: each alone is fine, together a loop."""
    import asyncio

    await org(client, admin)
    for _ in range(5):
        one, two = await asyncio.gather(
            client.patch(f"/v1/employees/{STAFF}", json={"supervisor_nip": STAFF2}, headers=admin),
            client.patch(f"/v1/employees/{STAFF2}", json={"supervisor_nip": STAFF}, headers=admin),
        )
        assert sorted([one.status_code, two.status_code]) == [200, 409], (one.text, two.text)
        for nip in (STAFF, STAFF2):
            reset = await client.patch(f"/v1/employees/{nip}", json={"supervisor_nip": BOSS}, headers=admin)
            assert reset.status_code == 200


async def test_who_may_ask_for_a_supervisor(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    """employees.service.may_ask_supervisor: admins, services, the employee and the supervisor may ask;
    integrators (who read every employee) may not, nor may a colleague."""
    await org(client, admin)
    url = f"/v1/employees/{STAFF}/supervisor"
    for who, code in (
        (admin, 200),
        (tokens.service("svc-pelatihan"), 200),
        (tokens.pegawai(STAFF), 200),
        (tokens.pegawai(BOSS), 200),
        (tokens.headers("client-1", [Role.INTEGRATOR]), 404),
        (tokens.pegawai(STAFF2), 404),
    ):
        resp = await client.get(url, headers=who)
        assert resp.status_code == code, (who, resp.text)
    assert (
        await client.get(
            f"/v1/employees/{STAFF}",
            headers=tokens.headers("client-1", [Role.INTEGRATOR], scope="kinerja:individual"),
        )
    ).status_code == 200
