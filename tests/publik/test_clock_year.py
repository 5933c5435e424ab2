"""A survey counts in Bengkulu's year (WIB), and the test clock endpoint is guarded (services/common/clock_api.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from services.common import clock
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app
from tests.publik.conftest import answers_for, envelope, send_event, submit_survey
from tests.support.fixtures import Tokens, running

NEW_YEAR_0500_WIB = "2027-01-01T05:00:00+07:00"  # 22:00 UTC on 31 December 2026
NEW_YEARS_EVE_2330_WIB = "2026-12-31T23:30:00+07:00"


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    yield
    clock.set_fake_now(None)


async def _unit(client: httpx.AsyncClient, tokens: Tokens) -> uuid.UUID:
    unit = uuid.uuid4()
    data = {"unit_id": str(unit), "code": "U" + unit.hex[:6], "name": "Dinas Dukcapil", "parent_id": None}
    assert (
        await send_event(client, tokens, envelope("kinerja.unit", {**data, "active": True}))
    ).status_code == 202
    return unit


async def _set_clock(client: httpx.AsyncClient, tokens: Tokens, instant: str | None) -> httpx.Response:
    return await client.put("/internal/v1/clock", json={"now": instant}, headers=tokens.admin())


@pytest.mark.parametrize(("instant", "year"), [(NEW_YEAR_0500_WIB, 2027), (NEW_YEARS_EVE_2330_WIB, 2026)])
async def test_a_survey_counts_in_the_wib_year(
    publik: httpx.AsyncClient, tokens: Tokens, instant: str, year: int
) -> None:
    unit = await _unit(publik, tokens)
    moved = await _set_clock(publik, tokens, instant)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["year"], moved.json()["fake"]) == (year, True)
    r = await submit_survey(publik, unit, answers_for(1, 36)[0])
    assert r.status_code == 201, r.text
    assert r.json()["year"] == year
    # "This year" (no year given) is the same WIB year, and the response is counted there, not a year off.
    ikm = (await publik.get(f"/v1/ikm?unit_id={unit}")).json()
    assert (ikm["year"], ikm["respondents"]) == (year, 1)
    other = (await publik.get(f"/v1/ikm?unit_id={unit}&year={year - 1}")).json()
    assert other["respondents"] == 0


async def test_the_clock_endpoint_reads_and_returns_to_real_time(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    assert (await _set_clock(publik, tokens, NEW_YEAR_0500_WIB)).json()["today"] == "2027-01-01"
    got = (await publik.get("/internal/v1/clock", headers=tokens.service("svc-kinerja"))).json()
    assert (got["today"], got["fake"]) == ("2027-01-01", True)
    back = (await _set_clock(publik, tokens, None)).json()
    assert back["fake"] is False
    assert back["today"] == clock.wib_date(clock.real_now()).isoformat()
    # A naive instant is refused (422): the clock needs an offset.
    r = await publik.put("/internal/v1/clock", json={"now": "2027-01-01T05:00:00"}, headers=tokens.admin())
    assert r.status_code == 422


async def test_the_clock_endpoint_needs_an_admin_or_service_token(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    body = {"now": NEW_YEAR_0500_WIB}
    assert (await publik.put("/internal/v1/clock", json=body)).status_code == 401
    r = await publik.put("/internal/v1/clock", json=body, headers=tokens.pegawai("198001012005011001"))
    assert r.status_code == 403
    assert not clock.is_fake()


async def test_the_clock_endpoint_is_hidden_from_remote_peers(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    app = create_app(publik_settings())
    async with running(app):
        remote = httpx.ASGITransport(app=app, client=("192.0.2.10", 40000))
        async with httpx.AsyncClient(transport=remote, base_url="http://testserver") as client:
            r = await client.put(
                "/internal/v1/clock", json={"now": NEW_YEAR_0500_WIB}, headers=tokens.admin()
            )
            assert r.status_code == 404
            assert (await client.get("/internal/v1/clock", headers=tokens.admin())).status_code == 404
    assert not clock.is_fake()


async def test_the_clock_endpoint_does_not_exist_in_production(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    # model_copy skips validation: production settings with this test's database (a real deployment would
    # need real secrets, and would refuse ASN_FAKE_NOW at startup: tests/common/test_clock.py).
    app = create_app(publik_settings().model_copy(update={"environment": "production"}))
    async with running(app) as client:
        r = await client.put("/internal/v1/clock", json={"now": NEW_YEAR_0500_WIB}, headers=tokens.admin())
        assert r.status_code == 404
        assert (await client.get("/internal/v1/clock", headers=tokens.admin())).status_code == 404
    assert not clock.is_fake()
    assert "/internal/v1/clock" not in app.openapi()["paths"]


async def test_asn_fake_now_starts_the_clock_and_shutdown_gives_it_back(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    app = create_app(publik_settings(fake_now=NEW_YEAR_0500_WIB))
    async with running(app) as client:
        got = (await client.get("/internal/v1/clock", headers=tokens.admin())).json()
        assert (got["today"], got["year"], got["fake"]) == ("2027-01-01", 2027, True)
    assert not clock.is_fake()
