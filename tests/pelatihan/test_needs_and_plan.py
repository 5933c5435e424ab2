"""Needs and recommendations (issue 18, item 4): the overall behaviour rating and the missing 20 JP lead to
recommendations, and the yearly development plan per unit lists who needs what, as JSON, CSV and XLSX."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime
from typing import Any

import httpx

from services.common.reports import parse_csv
from tests.pelatihan.helpers import Headers, make_institution, make_program, make_session, nip
from tests.pelatihan.kinerja_standin import StandIn

BOSS = nip(900)


def envelope(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "source": "kinerja",
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": data,
    }


async def _employee(api: httpx.AsyncClient, h: Headers, who: str, unit: str, employment: str = "PNS") -> None:
    data = {"nip": who, "unit_id": unit, "employment": employment, "supervisor_nip": BOSS}
    r = await api.post("/internal/v1/events", json=envelope("kinerja.employee", data), headers=h.service())
    assert r.status_code == 200, r.text


async def _needs(api: httpx.AsyncClient, h: Headers, who: str, **data: Any) -> None:
    body = {"nip": who, "evaluation_id": str(uuid.uuid4()), "period": "2026-Q2", **data}
    r = await api.post(
        "/internal/v1/events", json=envelope("kinerja.development_needs", body), headers=h.service()
    )
    assert r.status_code == 200, r.text


async def test_behaviour_rating_and_jp_gap_recommend(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn
) -> None:
    unit = str(uuid.uuid4())
    low, fine, contract = nip(1), nip(2), nip(3)
    for who in (low, fine):
        await _employee(api, h, who, unit)
        kinerja.add(who, supervisor_nip=BOSS, unit_id=unit)
    await _employee(api, h, contract, unit, "PPPK")
    kinerja.add(contract, supervisor_nip=BOSS, unit_id=unit, employment="PPPK")
    inst = await make_institution(api, h)
    behaviour = await make_session(api, h, await make_program(api, h, inst, tags=["BERORIENTASI_PELAYANAN"]))
    general = await make_session(api, h, await make_program(api, h, inst, tags=["TIK"]))

    # Below expectation on behaviour overall, no value tagged: BerAKHLAK programmes first, then the JP gap.
    await _needs(
        api, h, low, behavior_gaps=[], result_below_expectation=False, behaviour_rating="DI_BAWAH_EKSPEKTASI"
    )
    rec = (await api.get(f"/v1/recommendations?nip={low}", headers=h.pegawai(low))).json()
    assert rec["based_on"]["behaviour_rating"] == "DI_BAWAH_EKSPEKTASI"
    assert rec["based_on"]["jp_gap"] == 20
    ids = [i["session_id"] for i in rec["items"]]
    assert ids[0] == behaviour["id"]
    assert general["id"] in ids
    first = rec["items"][0]
    assert first["matched_tags"] == ["BERORIENTASI_PELAYANAN"]
    assert "keseluruhan" in first["reason"]
    assert "Kurang 20 JP" in next(i for i in rec["items"] if i["session_id"] == general["id"])["reason"]
    # An older sender without the field is still accepted; no behaviour rating -> no behaviour programme.
    await _needs(api, h, fine, behavior_gaps=[], result_below_expectation=False)
    rec = (await api.get(f"/v1/recommendations?nip={fine}", headers=h.pegawai(fine))).json()
    assert all(not i["matched_tags"] for i in rec["items"])
    # A PPPK has no 20 JP target: nothing to recommend without a gap.
    rec = (await api.get(f"/v1/recommendations?nip={contract}", headers=h.pegawai(contract))).json()
    assert rec["items"] == []

    # The yearly development plan of the unit.
    year = datetime.now(UTC).year
    url = f"/v1/reports/development-plan?year={year}&unit_id={unit}"
    r = await api.get(url, headers=h.training_admin())
    assert r.status_code == 200, r.text
    plan = r.json()
    assert (plan["people_total"], plan["people_needing_jp"], plan["people_with_gaps"]) == (3, 2, 1)
    rows = {p["nip"]: p for p in plan["people"]}
    assert set(rows) == {low, fine}
    assert (rows[low]["jp_gap"], rows[low]["needs"][0], rows[low]["behaviour_rating"]) == (
        20,
        "BERORIENTASI_PELAYANAN",
        "DI_BAWAH_EKSPEKTASI",
    )
    starts = {behaviour["starts_on"], general["starts_on"]}
    if all(s.startswith(str(year)) for s in starts):
        assert rows[low]["sessions"][0]["session_id"] == behaviour["id"]
        assert rows[low]["sessions"][0]["seats_left"] == 30
    # CSV and XLSX carry the same rows; an integrator without pelatihan:individual gets the counts only.
    r = await api.get(url, headers={**h.admin(), "Accept": "text/csv"})
    assert r.status_code == 200, r.text
    header, lines = parse_csv(r.text)
    assert header[:3] == ["nip", "employment", "jp_total"]
    assert {line["nip"] for line in lines} == {low, fine}
    r = await api.get(url + "&format=xlsx", headers=h.admin())
    assert r.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    withheld = (await api.get(url, headers=h.integrator(""))).json()
    assert (withheld["people"], withheld["individuals_withheld"], withheld["people_needing_jp"]) == (
        None,
        True,
        2,
    )
    assert low not in str(withheld)
    assert (await api.get(url, headers=h.integrator())).json()["people"]
    assert (await api.get(url, headers=h.pegawai(low))).status_code == 403
    assert (await api.get(f"/v1/reports/development-plan?year={year}", headers=h.admin())).status_code == 422
