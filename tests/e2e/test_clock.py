"""The test clock across real processes: every app starts at ASN_FAKE_NOW, PUT /internal/v1/clock moves it
while the stack runs, the change is seen through the gateway, and the gateway never forwards /internal."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.common.apps import SERVICE_NAMES
from tests.support.stack import SERVICE_SECRETS, Stack, running_on_clock

pytestmark = pytest.mark.e2e

NEW_YEARS_EVE_2330_WIB = "2026-12-31T23:30:00+07:00"  # 16:30 UTC
NEW_YEAR_0500_WIB = "2027-01-01T05:00:00+07:00"  # 22:00 UTC on 31 December 2026
EMPLOYEE = "198001012005011001"


@pytest.fixture(scope="module")
def stack(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_on_clock(
        e2e_database, Path(tmp_path_factory.mktemp("e2e-clock")), NEW_YEARS_EVE_2330_WIB
    ) as s:
        yield s


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _clocks(stack: Stack, token: str) -> dict[str, dict[str, object]]:
    return {
        proc.app: httpx.get(proc.url + "/internal/v1/clock", headers=_auth(token), timeout=10).json()
        for procs in stack.procs.values()
        for proc in procs
    }


def _move_all(stack: Stack, token: str, instant: str | None) -> None:
    for procs in stack.procs.values():
        for proc in procs:
            r = httpx.put(
                proc.url + "/internal/v1/clock", json={"now": instant}, headers=_auth(token), timeout=10
            )
            assert r.status_code == 200, (proc.app, r.text)


def _service_token(stack: Stack) -> str:
    r = httpx.post(
        stack.url + "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "svc-kinerja",
            "client_secret": SERVICE_SECRETS["svc-kinerja"],
        },
        timeout=10,
    )
    r.raise_for_status()
    return str(r.json()["access_token"])


def _ledger_year(stack: Stack, token: str) -> int:
    r = httpx.get(f"{stack.url}/pelatihan/v1/employees/{EMPLOYEE}/jp", headers=_auth(token), timeout=10)
    assert r.status_code == 200, r.text
    return int(r.json()["year"])


def test_the_clock_moves_the_whole_stack_and_is_seen_through_the_gateway(stack: Stack) -> None:
    token = stack.token()
    # Every process started from ASN_FAKE_NOW.
    started = _clocks(stack, token)
    assert set(started) == {*SERVICE_NAMES, "gateway"}
    assert {(c["today"], c["year"], c["fake"]) for c in started.values()} == {("2026-12-31", 2026, True)}

    # publik learns of a unit (as kinerja's outbox would tell it), then a survey at 23:30 WIB counts in 2026.
    unit = str(uuid.uuid4())
    event = {
        "id": str(uuid.uuid4()),
        "type": "kinerja.unit",
        "source": "kinerja",
        "occurred_at": NEW_YEARS_EVE_2330_WIB,
        "data": {
            "unit_id": unit,
            "code": "U" + unit[:6],
            "name": "Dinas Dukcapil",
            "parent_id": None,
            "active": True,
        },
    }
    publik = stack.procs["publik"][0].url
    assert (
        httpx.post(
            publik + "/internal/v1/events", json=event, headers=_auth(_service_token(stack))
        ).status_code
        == 202
    )

    def survey() -> dict[str, object]:
        form = httpx.post(stack.url + "/publik/v1/surveys/form-token", json={"unit_id": unit}, timeout=10)
        assert form.status_code == 201, form.text
        return {"unit_id": unit, "answers": [4] * 9, "form_token": form.json()["token"]}

    r = httpx.post(stack.url + "/publik/v1/surveys", json=survey(), timeout=10)
    assert (r.status_code, r.json()["year"]) == (201, 2026), r.text
    assert _ledger_year(stack, token) == 2026

    # 05:00 WIB on 1 January is 22:00 UTC on 31 December: already 2027 in Bengkulu.
    _move_all(stack, token, NEW_YEAR_0500_WIB)
    assert {c["year"] for c in _clocks(stack, token).values()} == {2027}
    r = httpx.post(
        stack.url + "/publik/v1/surveys", json=survey(), headers={"X-Forwarded-For": "10.9.9.9"}, timeout=10
    )
    assert (r.status_code, r.json()["year"]) == (201, 2027), r.text
    assert _ledger_year(stack, token) == 2027
    ikm = httpx.get(f"{stack.url}/publik/v1/ikm?unit_id={unit}", timeout=10).json()
    assert (ikm["year"], ikm["respondents"]) == (2027, 1)

    # Back to real time everywhere.
    _move_all(stack, token, None)
    assert not any(c["fake"] for c in _clocks(stack, token).values())


@pytest.mark.parametrize(
    "path",
    [
        "/{app}/internal/v1/clock",
        "/{app}//internal/v1/clock",
        "/{app}/v1/../internal/v1/clock",
        "/{app}/./internal/v1/clock",
        "/{app}/INTERNAL/v1/clock",
    ],
)
def test_the_gateway_never_forwards_a_service_clock(stack: Stack, path: str) -> None:
    token = stack.token()
    _move_all(stack, token, NEW_YEARS_EVE_2330_WIB)
    try:
        for app in SERVICE_NAMES:
            url = stack.url + path.format(app=app)
            assert httpx.get(url, headers=_auth(token), timeout=10).status_code == 404, url
            r = httpx.put(url, json={"now": NEW_YEAR_0500_WIB}, headers=_auth(token), timeout=10)
            assert r.status_code == 404, url
        assert {c["year"] for c in _clocks(stack, token).values()} == {2026}
    finally:
        _move_all(stack, token, None)


def test_the_gateways_own_clock_is_its_own(stack: Stack) -> None:
    # /internal/v1/clock at the gateway is the gateway's endpoint, never a forward: moving it leaves the
    # services alone, and it still wants an admin or service token.
    token = stack.token()
    _move_all(stack, token, None)
    try:
        assert (
            httpx.put(
                stack.url + "/internal/v1/clock", json={"now": NEW_YEAR_0500_WIB}, timeout=10
            ).status_code
            == 401
        )
        r = httpx.put(
            stack.url + "/internal/v1/clock",
            json={"now": NEW_YEAR_0500_WIB},
            headers=_auth(token),
            timeout=10,
        )
        assert (r.status_code, r.json()["year"]) == (200, 2027)
        clocks = _clocks(stack, token)
        assert clocks["gateway"]["fake"] is True
        assert not any(clocks[app]["fake"] for app in SERVICE_NAMES)
    finally:
        _move_all(stack, token, None)
