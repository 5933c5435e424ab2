"""Each unit's services catalogue (jenis layanan): kept by the admin, named by answers and innovations."""

from __future__ import annotations

import uuid

import httpx

from tests.publik.conftest import envelope, send_event, submit_survey
from tests.support.fixtures import Tokens


async def _unit(client: httpx.AsyncClient, tokens: Tokens, name: str = "Dinas Dukcapil") -> uuid.UUID:
    unit = uuid.uuid4()
    data = {"unit_id": str(unit), "code": "U" + unit.hex[:6], "name": name, "parent_id": None, "active": True}
    assert (await send_event(client, tokens, envelope("kinerja.unit", data))).status_code == 202
    return unit


async def test_admin_keeps_a_units_services_and_anyone_reads_them(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = await _unit(publik, tokens)
    path = f"/v1/units/{unit}/services"
    body = {"name": "Pendaftaran dokumen kependudukan daring", "description": "Dari rumah."}
    assert (await publik.post(path, json=body)).status_code == 401
    assert (
        await publik.post(path, json=body, headers=tokens.pegawai("198609262015051001"))
    ).status_code == 403
    online = await publik.post(path, json=body, headers=tokens.admin())
    assert online.status_code == 201, online.text
    counter = await publik.post(path, json={"name": "Layanan loket"}, headers=tokens.admin())
    assert counter.status_code == 201
    # Names are unique in a unit (whatever the case); the same name in another unit is fine.
    dup = await publik.post(path, json={"name": "LAYANAN LOKET"}, headers=tokens.admin())
    assert dup.status_code == 409
    other = await _unit(publik, tokens, "Dinas Sosial")
    assert (
        await publik.post(
            f"/v1/units/{other}/services", json={"name": "Layanan loket"}, headers=tokens.admin()
        )
    ).status_code == 201
    # Personal data never enters the catalogue (it is public).
    nip = await publik.post(path, json={"name": "Loket Bapak 198609262015051001"}, headers=tokens.admin())
    assert (nip.status_code, nip.json()["type"].rsplit("/", 1)[-1]) == (422, "personal-data")
    assert (
        await publik.post(f"/v1/units/{uuid.uuid4()}/services", json=body, headers=tokens.admin())
    ).status_code in (
        404,
        503,
    )
    listed = (await publik.get(path)).json()["items"]
    assert [s["name"] for s in listed] == ["Layanan loket", "Pendaftaran dokumen kependudukan daring"]
    # Deactivated: gone from the form's list at once (the cache is rebuilt), kept for what names it.
    sid = counter.json()["id"]
    off = await publik.patch(f"/v1/services/{sid}", json={"active": False}, headers=tokens.admin())
    assert (off.status_code, off.json()["active"]) == (200, False)
    assert [s["name"] for s in (await publik.get(path)).json()["items"]] == [
        "Pendaftaran dokumen kependudukan daring"
    ]
    assert len((await publik.get(path + "?include_inactive=true")).json()["items"]) == 2
    assert (await publik.get(f"/v1/services/{sid}")).json()["active"] is False
    renamed = await publik.patch(
        f"/v1/services/{online.json()['id']}", json={"name": "Layanan loket"}, headers=tokens.admin()
    )
    assert renamed.status_code == 409
    # A service nobody named can be deleted; one an answer names cannot (deactivate it instead).
    assert (await publik.delete(f"/v1/services/{sid}", headers=tokens.admin())).status_code == 204
    assert (await publik.get(f"/v1/services/{sid}")).status_code == 404
    used = online.json()["id"]
    assert (await submit_survey(publik, unit, [4] * 9, service_id=used)).status_code == 201
    assert (await publik.delete(f"/v1/services/{used}", headers=tokens.admin())).status_code == 409


async def test_answers_and_innovations_name_a_service_of_their_unit(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = await _unit(publik, tokens)
    other = await _unit(publik, tokens, "Dinas Sosial")
    svc = (
        await publik.post(
            f"/v1/units/{unit}/services", json={"name": "Layanan daring"}, headers=tokens.admin()
        )
    ).json()
    foreign = (
        await publik.post(
            f"/v1/units/{other}/services", json={"name": "Layanan loket"}, headers=tokens.admin()
        )
    ).json()
    refused = await submit_survey(publik, unit, [4] * 9, service_id=foreign["id"])
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "service_id"]
    assert (await submit_survey(publik, unit, [4] * 9, service_id=svc["id"])).status_code == 201
    innovation = {
        "unit_id": str(unit),
        "title": "Pendaftaran dokumen kependudukan daring",
        "description": "Warga mengurus KK dari rumah.",
        "launched_on": "2026-03-01",
        "service_id": svc["id"],
    }
    created = await publik.post("/v1/innovations", json=innovation, headers=tokens.admin())
    assert created.status_code == 201, created.text
    assert (created.json()["service_id"], created.json()["service_name"]) == (svc["id"], "Layanan daring")
    assert created.json()["launched_on"] == "2026-03-01"
    wrong = await publik.post(
        "/v1/innovations", json={**innovation, "service_id": foreign["id"]}, headers=tokens.admin()
    )
    assert wrong.status_code == 422
    listed = (await publik.get(f"/v1/innovations?unit_id={unit}")).json()["items"]
    assert listed[0]["service_name"] == "Layanan daring"
