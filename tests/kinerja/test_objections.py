"""Objections per PP 30/2019 Pasal 59 (issue 16; domain.md §11.2), in-process on real PostgreSQL: lodged within
the year's objection days of finalisation (14 by default; day 14 passes, day 15 is refused), the days set per
year by the admin (audited), one objection per result."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from tests.kinerja.test_evaluations_seed import Seeder, evaluate
from tests.support import clock as clock_helpers
from tests.support.clock import on_day
from tests.support.fixtures import Tokens
from tests.support.kinerja_seed import reporting_line

S = "SESUAI_EKSPEKTASI"


@pytest.fixture(autouse=True)
def test_clock() -> Iterator[None]:
    with on_day(None, date(2026, 4, 1)):
        yield


def set_today(day: date) -> None:
    clock_helpers.set_today(None, day)


@pytest.fixture
async def line(seed: Seeder) -> dict[str, Any]:
    return await reporting_line(seed, "OBJ")


async def _object(client: httpx.AsyncClient, tokens: Tokens, ev: dict[str, Any]) -> httpx.Response:
    return await client.post(
        f"/v1/evaluations/{ev['id']}/objections",
        json={"reason": "Mohon ditinjau."},
        headers=tokens.pegawai(ev["nip"]),
    )


async def test_fourteen_days_from_finalisation(
    client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any]
) -> None:
    boss = tokens.pegawai(line["boss"])
    evs = [await evaluate(client, boss, nip, S, S) for nip in line["staff"]]
    set_today(date(2026, 4, 15))  # day 14
    assert (await _object(client, tokens, evs[0])).status_code == 201
    set_today(date(2026, 4, 16))  # day 15
    late = await _object(client, tokens, evs[1])
    assert late.status_code == 409
    assert late.json()["type"].endswith("objection-window-closed")
    assert "2026-04-15" in late.json()["detail"]

    # The admin gives 2026 twenty days (audited); only an admin may.
    rules = "/v1/calendar/2026/rules"
    assert (await client.get(rules, headers=boss)).json() == {
        "year": 2026,
        "objection_days": 14,
        "cadence": "QUARTERLY",
        "annual_final_from": None,
        "source": "DEFAULT",
    }
    assert (await client.put(rules, json={"objection_days": 20}, headers=boss)).status_code == 403
    assert (await client.put(rules, json={"objection_days": 0}, headers=tokens.admin())).status_code == 422
    put = await client.put(rules, json={"objection_days": 20}, headers=tokens.admin())
    assert put.status_code == 200, put.text
    assert put.json() == {
        "year": 2026,
        "objection_days": 20,
        "cadence": "QUARTERLY",
        "annual_final_from": None,
        "source": "SET",
    }
    audit = await client.get("/v1/audit?entity=calendar_year&entity_id=2026", headers=tokens.admin())
    assert [e["action"] for e in audit.json()["items"]] == ["calendar.year_rules"]
    assert (await _object(client, tokens, evs[1])).status_code == 201
    set_today(date(2026, 4, 22))  # day 21 of 20
    assert (await _object(client, tokens, evs[2])).status_code == 409
