"""The four apps as real processes: routing, request ids, tokens, and a killed service."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from services.common.apps import SERVICE_NAMES
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


def _logged(path: Path, rid: str, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for line in path.read_text().splitlines():
            if line.startswith("{") and json.loads(line).get("request_id") == rid:
                return True
        time.sleep(0.1)
    return False


def test_gateway_ready_lists_every_upstream(stack: Stack) -> None:
    body = httpx.get(stack.url + "/readyz").json()
    assert body["status"] == "ready"
    assert set(body["upstreams"]) >= set(SERVICE_NAMES)


def test_login_token_accepted_by_every_service_with_one_request_id(stack: Stack) -> None:
    token = stack.token()
    for app in SERVICE_NAMES:
        rid = f"e2e-{app}-{time.monotonic_ns()}"
        resp = httpx.get(
            f"{stack.url}/{app}/v1/whoami",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": rid},
            timeout=10,
        )
        assert resp.status_code == 200, resp.text
        assert "admin" in resp.json()["roles"]
        assert resp.headers["x-request-id"] == rid
        assert resp.headers.get_list("x-request-id") == [rid]
        # The service logged the same id: the request crossed the gateway carrying it. The access line is
        # written after the response is sent, so wait for it a little.
        assert _logged(stack.procs[app][0].log_path, rid), f"{app} did not log {rid}"


def test_service_rejects_request_without_token_through_gateway(stack: Stack) -> None:
    resp = httpx.get(stack.url + "/kinerja/v1/whoami")
    assert resp.status_code == 401
    assert resp.headers["content-type"] == "application/problem+json"


def test_internal_paths_are_never_forwarded(stack: Stack) -> None:
    for app in SERVICE_NAMES:
        resp = httpx.post(f"{stack.url}/{app}/internal/v1/events", json={})
        assert resp.status_code == 404
        assert resp.headers["content-type"] == "application/problem+json"


def test_killed_service_gives_503_then_recovers_after_restart(stack: Stack) -> None:
    token = stack.token()
    headers = {"Authorization": f"Bearer {token}"}
    publik = stack.procs["publik"][0]
    publik.kill()
    started = time.monotonic()
    resp = httpx.get(stack.url + "/publik/v1/whoami", headers=headers, timeout=15)
    assert resp.status_code == 503
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["status"] == 503
    assert time.monotonic() - started < 6  # within the configured upstream timeout
    # The other services are unaffected.
    assert httpx.get(stack.url + "/kinerja/v1/whoami", headers=headers, timeout=10).status_code == 200

    publik.start()
    publik.wait_healthy()
    deadline = time.monotonic() + 15
    status = None
    while time.monotonic() < deadline:
        status = httpx.get(stack.url + "/publik/v1/whoami", headers=headers, timeout=10).status_code
        if status == 200:
            break
        time.sleep(0.25)
    assert status == 200


def test_jwks_serves_the_token_key_and_publiks_snapshot_key(stack: Stack) -> None:
    keys = httpx.get(stack.url + "/.well-known/jwks.json").json()["keys"]
    purposes = sorted(k.get("x-purpose", "token") for k in keys)
    assert purposes == ["snapshot", "token"]
    assert all(k["kty"] == "RSA" and k["alg"] == "RS256" for k in keys)


def test_proxied_answers_carry_each_server_header_once(stack: Stack) -> None:
    resp = httpx.get(stack.url + "/kinerja/healthz")
    assert resp.status_code == 200
    for name in ("date", "server", "x-request-id", "x-content-type-options"):
        assert len(resp.headers.get_list(name)) == 1, (name, resp.headers.get_list(name))
