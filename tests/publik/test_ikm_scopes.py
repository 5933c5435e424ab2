"""IKM per service and per SKM period (the province's periods, an admin table), the respondent profile and
before/after an innovation's launch, all under the disclosure rules (k = 5)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.publik.conftest import envelope, send_event, submit_survey
from tests.support.fixtures import Tokens


async def _unit(client: httpx.AsyncClient, tokens: Tokens) -> uuid.UUID:
    unit = uuid.uuid4()
    data = {
        "unit_id": str(unit),
        "code": "U" + unit.hex[:6],
        "name": "Dinas Dukcapil",
        "parent_id": None,
        "active": True,
    }
    assert (await send_event(client, tokens, envelope("kinerja.unit", data))).status_code == 202
    return unit


async def _at(client: httpx.AsyncClient, tokens: Tokens, instant: str | None) -> None:
    moved = await client.put("/internal/v1/clock", json={"now": instant}, headers=tokens.admin())
    assert moved.status_code == 200, moved.text


async def _answers(
    client: httpx.AsyncClient, unit: uuid.UUID, n: int, value: int, service: str, **profile: Any
) -> None:
    for i in range(n):
        headers = {"X-Forwarded-For": f"10.7.{value}.{i + 1}"}
        resp = await submit_survey(client, unit, [value] * 9, headers, service_id=service, **profile)
        assert resp.status_code == 201, resp.text
    # Cached reads follow the refresher's batch (every 50 ms here) and the version poll, not each survey.
    await asyncio.sleep(0.3)


async def test_skm_periods_are_an_admin_table(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    assert (await publik.post("/v1/skm-periods", json={"code": "2025-S1"})).status_code == 401
    made = await publik.post("/v1/skm-periods", json={"code": "2025-S1"}, headers=tokens.admin())
    assert made.status_code == 201
    assert made.json() == {
        "code": "2025-S1",
        "kind": "SEMESTER",
        "starts_on": "2025-01-01",
        "ends_on": "2025-06-30",
    }
    # A year runs by semesters or as one period, not both; codes are checked.
    assert (
        await publik.post("/v1/skm-periods", json={"code": "2025"}, headers=tokens.admin())
    ).status_code == 409
    assert (
        await publik.post("/v1/skm-periods", json={"code": "2025-S1"}, headers=tokens.admin())
    ).status_code == 409
    assert (
        await publik.post("/v1/skm-periods", json={"code": "2025-S3"}, headers=tokens.admin())
    ).status_code == 422
    # Year 0000 has no calendar dates: refused as input (the fuzzer found a 500 here).
    for code in ("0000", "0000-S1"):
        assert (
            await publik.post("/v1/skm-periods", json={"code": code}, headers=tokens.admin())
        ).status_code == 422
    assert (
        await publik.post("/v1/skm-periods", json={"code": "2026"}, headers=tokens.admin())
    ).status_code == 201
    assert [p["code"] for p in (await publik.get("/v1/skm-periods")).json()["items"]] == ["2026", "2025-S1"]
    unit = await _unit(publik, tokens)
    unknown = await publik.get(f"/v1/ikm?unit_id={unit}&period=2024-S2")
    assert unknown.status_code == 422
    assert (await publik.delete("/v1/skm-periods/2026", headers=tokens.admin())).status_code == 204


async def test_ikm_per_service_period_profile_and_innovation(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = await _unit(publik, tokens)
    assert (
        await publik.post("/v1/skm-periods", json={"code": "2025-S1"}, headers=tokens.admin())
    ).status_code == 201

    async def service(name: str) -> str:
        r = await publik.post(f"/v1/units/{unit}/services", json={"name": name}, headers=tokens.admin())
        assert r.status_code == 201
        return str(r.json()["id"])

    online, counter = await service("Pendaftaran daring"), await service("Layanan loket")
    innovation = await publik.post(
        "/v1/innovations",
        json={
            "unit_id": str(unit),
            "title": "Pendaftaran dokumen kependudukan daring",
            "description": "Dari rumah.",
            "launched_on": "2025-03-15",
            "service_id": online,
        },
        headers=tokens.admin(),
    )
    assert innovation.status_code == 201
    try:
        await _at(publik, tokens, "2025-03-01T03:00:00Z")
        await _answers(publik, unit, 4, 2, online, age_group="USIA_20_29")
        await _answers(publik, unit, 2, 2, online, age_group="USIA_30_39")
        await _answers(publik, unit, 3, 3, counter)

        def ikm(**q: str) -> Any:
            return publik.get("/v1/ikm", params={"unit_id": str(unit), "period": "2025-S1", **q})

        # 6 answers about the online service, 3 about the counter: the counter's IKM is a small cell, and the
        # online service's would give the counter's away against the unit's (9 - 6 = 3).
        small = (await ikm(service_id=counter)).json()
        assert (small["respondents"], small["ikm"], small["suppressed"]) == (3, None, ["ikm"])
        complement = (await ikm(service_id=online)).json()
        assert (complement["respondents"], complement["ikm"], complement["mutu"]) == (6, None, None)
        assert complement["per_unsur"] == []
        whole = (await ikm()).json()
        assert (whole["respondents"], whole["ikm"], whole["suppressed"]) == (9, 58.33, [])
        # Before the launch only: the "after" side has no answers yet.
        split = (await publik.get(f"/v1/innovations/{innovation.json()['id']}/ikm")).json()
        assert split["before"] == {
            "respondents": 6,
            "ikm": 50.0,
            "mutu": "D",
            "kinerja": "TIDAK_BAIK",
            "suppressed": False,
        }
        assert split["after"]["respondents"] == 0
        assert split["change"] is None

        await _at(publik, tokens, "2025-04-01T03:00:00Z")
        await _answers(publik, unit, 3, 4, online)
        partial = (await publik.get(f"/v1/innovations/{innovation.json()['id']}/ikm")).json()
        assert partial["after"] == {
            "respondents": 3,
            "ikm": None,
            "mutu": None,
            "kinerja": None,
            "suppressed": True,
        }
        await _answers(publik, unit, 2, 4, online)
        await _answers(publik, unit, 2, 3, counter)
        split = (await publik.get(f"/v1/innovations/{innovation.json()['id']}/ikm")).json()
        assert (split["after"]["respondents"], split["after"]["ikm"], split["change"]) == (5, 100.0, 50.0)
        shown = (await ikm(service_id=online)).json()
        assert (shown["respondents"], shown["ikm"], shown["service_name"]) == (
            11,
            72.73,
            "Pendaftaran daring",
        )
        assert (await ikm(service_id=counter)).json()["ikm"] == 75.0
        # While the period runs, no profile is published (it would change answer by answer).
        assert (await ikm()).json()["profile"] is None
    finally:
        await _at(publik, tokens, None)
    # The date changed: the refresher bumps the version once, so date-dependent reads are rendered again.
    await asyncio.sleep(0.3)
    # Ended (today is after 30 June 2025): the profile, small cells hidden with a second cell, a
    # dimension nobody filled in (all "not given") withheld.
    ended = (await publik.get("/v1/ikm", params={"unit_id": str(unit), "period": "2025-S1"})).json()
    assert ended["respondents"] == 16
    age = ended["profile"]["age_group"]
    assert (age["USIA_20_29"], age["USIA_30_39"], age["TIDAK_DIISI"], age["USIA_40_49"]) == (
        None,
        None,
        10,
        0,
    )
    assert set(ended["profile"]["sex"].values()) == {None}
    assert "profile.age_group.USIA_20_29" in ended["suppressed"]
    # A service's profile is never published (it would difference against the unit's).
    assert (
        await publik.get("/v1/ikm", params={"unit_id": str(unit), "period": "2025-S1", "service_id": online})
    ).json()["profile"] is None
    other = uuid.uuid4()
    assert (await publik.get(f"/v1/ikm?unit_id={unit}&service_id={other}")).status_code == 404
