"""Security headers on every response of every app: X-Content-Type-Options, Referrer-Policy, and a CSP on
HTML. Every GET operation of the merged spec is requested through the gateway (as admin and with no token),
each service is asked directly, and error answers (401, 404, 405, 413, 422, 503 of a stopped upstream)
are included."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
import pytest

from services.common.apps import SERVICE_NAMES
from tests.support.seeded import Seeded

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def missing_headers(resp: httpx.Response) -> list[str]:
    """The headers that are absent, or repeated (a proxied answer must not carry them twice)."""
    missing = []
    if resp.headers.get_list("x-content-type-options") != ["nosniff"]:
        missing.append("x-content-type-options")
    if len(resp.headers.get_list("referrer-policy")) != 1:
        missing.append("referrer-policy")
    if resp.headers.get("content-type", "").startswith("text/html") and (
        len(resp.headers.get_list("content-security-policy")) != 1
    ):
        missing.append("content-security-policy")
    return missing


def sample_path(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), str(uuid.uuid4())), path)


def path_values(s: Seeded) -> dict[str, str]:
    admin = s.headers("admin")
    unit = httpx.get(s.url + "/kinerja/v1/units", headers=admin, params={"limit": 1}, timeout=10).json()
    return {
        "unit_id": unit["items"][0]["id"],
        "nip": s.nips["pegawai"],
        "year": "2026",
        "period": "2026-Q1",
        "n": "1",
        "number": "BGK-2026-NOPE",
        "username": "admin",
    }


def test_every_get_operation_through_the_gateway_carries_the_headers(seeded: Seeded) -> None:
    spec: dict[str, Any] = httpx.get(seeded.url + "/openapi.json", timeout=10).json()
    values = path_values(seeded)
    failures: dict[str, list[str]] = {}
    seen_html = 0
    checked = 0
    with httpx.Client(base_url=seeded.url, timeout=15) as client:
        for path, item in sorted(spec["paths"].items()):
            if "get" not in item:
                continue
            url = sample_path(path, values)
            for caller in ("admin", None):
                resp = client.get(url, headers=seeded.headers(caller))
                checked += 1
                seen_html += resp.headers.get("content-type", "").startswith("text/html")
                if missing := missing_headers(resp):
                    failures[f"GET {url} [{caller}] {resp.status_code}"] = missing
        for extra in (
            "/docs",
            "/openapi.json",
            "/.well-known/jwks.json",
            "/no/such/path",
            "/kinerja/v1/nope",
        ):
            resp = client.get(extra)
            checked += 1
            seen_html += resp.headers.get("content-type", "").startswith("text/html")
            if missing := missing_headers(resp):
                failures[f"GET {extra} {resp.status_code}"] = missing
    assert seen_html >= 2, "expected HTML among the answers (the docs page, the embed page)"
    assert checked > 100
    assert not failures, failures


def test_error_answers_carry_the_headers_on_every_app(seeded: Seeded) -> None:
    failures: dict[str, list[str]] = {}
    targets = {"gateway": seeded.url, **{app: seeded.stack.procs[app][0].url for app in SERVICE_NAMES}}
    prefix = {"gateway": "/kinerja", "kinerja": "", "pelatihan": "", "publik": ""}
    with httpx.Client(timeout=15) as client:
        for app, base in targets.items():
            p = prefix[app]
            for label, resp in {
                "401": client.get(f"{base}{p}/v1/whoami"),
                "401 bad token": client.get(
                    f"{base}{p}/v1/whoami", headers={"Authorization": "Bearer x.y.z"}
                ),
                "404": client.get(f"{base}/v1/definitely-not-here"),
                "405": client.delete(f"{base}/healthz"),
                "413": client.post(f"{base}{p}/v1/units", content=b"x" * 3_000_000),
                "422": client.get(
                    f"{base}{p}/v1/units", params={"limit": "many"}, headers=seeded.headers("admin")
                ),
                "200 healthz": client.get(f"{base}/healthz"),
            }.items():
                if missing := missing_headers(resp):
                    failures[f"{app} {label} -> {resp.status_code}"] = missing
    assert not failures, failures


def test_the_embed_page_has_a_csp_directly_and_through_the_gateway(seeded: Seeded) -> None:
    unit = path_values(seeded)["unit_id"]
    for url in (
        f"{seeded.url}/publik/embed/units/{unit}",
        f"{seeded.stack.procs['publik'][0].url}/embed/units/{unit}",
    ):
        resp = httpx.get(url, timeout=10)
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/html")
        csp = resp.headers.get("content-security-policy", "")
        assert "default-src" in csp
        assert "object-src 'none'" in csp or "default-src 'none'" in csp, csp
        assert not missing_headers(resp)


def test_a_stopped_upstream_answer_carries_the_headers(seeded: Seeded) -> None:
    """The gateway's own 503 for an upstream that is down (the last check of the package: publik comes back)."""
    publik = seeded.stack.procs["publik"][0]
    publik.kill()
    try:
        # A query nobody asked before, so the gateway's short public cache cannot answer it.
        resp = httpx.get(seeded.url + "/publik/v1/feed?limit=7", timeout=15)
        assert resp.status_code in (502, 503)
        assert not missing_headers(resp), missing_headers(resp)
    finally:
        publik.stop()
        publik.start()
        publik.wait_healthy()
        seeded.stack.wait_ready()
        # The gateway puts publik back at its next health check; the later drills need it.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if httpx.get(seeded.url + "/publik/v1/feed", timeout=5).status_code == 200:
                break
            time.sleep(0.1)
