"""The token attacks of tests/contract/test_token_attacks.py, against one protected endpoint of every router
of every app, on the running stack: each service directly (it verifies the token itself) and through the
gateway. The forgeries use the gateway's real signing key where an attack needs it (a changed payload, a
stripped signature, HS256 keyed with the public key)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
import pytest

from services.common.apps import SERVICE_NAMES
from tests.support.seeded import Seeded
from tests.support.token_forgery import attacks

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def protected_operations(spec: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """One operation per tag (a router) that declares 401: tag -> (method, path)."""
    chosen: dict[str, tuple[str, str]] = {}
    for path, item in sorted(spec["paths"].items()):
        for method, op in sorted(item.items(), key=lambda kv: kv[0] != "get"):
            if not isinstance(op, dict) or "401" not in op.get("responses", {}):
                continue
            tag = (op.get("tags") or ["-"])[0]
            current = chosen.get(tag)
            if current is None or (current[0] != "get" and method == "get"):
                chosen[tag] = (method, path)
    return chosen


def fill(path: str, nip: str) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "nip":
            return nip
        if name in ("period",):
            return "2026-Q1"
        if name in ("year",):
            return "2026"
        if name in ("number", "username", "client_id"):
            return "nobody"
        return str(uuid.uuid4())

    return re.sub(r"\{([^}]+)\}", value, path)


def get_spec(url: str) -> dict[str, Any]:
    """An app's OpenAPI (the gateway's merged one may need a moment while an upstream warms up)."""
    for _ in range(50):
        body: dict[str, Any] = httpx.get(url + "/openapi.json", timeout=10).json()
        if "paths" in body:
            return body
        time.sleep(0.2)
    raise AssertionError(f"no OpenAPI at {url}: {body}")


def signing_key(s: Seeded) -> tuple[str, str]:
    pem = (s.stack.workdir / "gateway-data" / "keys" / "signing-key.pem").read_text()
    keys = httpx.get(s.url + "/.well-known/jwks.json", timeout=10).json()["keys"]
    kid = next(k["kid"] for k in keys if k.get("x-purpose", "token") == "token")
    return pem, str(kid)


def test_every_bad_token_is_refused_by_every_router_of_every_app(seeded: Seeded) -> None:
    pem, kid = signing_key(seeded)
    forged = attacks(pem, kid, ["admin"])
    assert len(forged) >= 20
    nip = seeded.nips["pegawai"]
    targets: list[tuple[str, str, str]] = []  # (label, method, url)
    for app in SERVICE_NAMES:
        base = seeded.stack.procs[app][0].url
        spec = get_spec(base)
        ops = protected_operations(spec)
        assert len(ops) >= 5, (app, ops)
        for tag, (method, path) in ops.items():
            url = fill(path, nip)
            targets.append((f"{app} direct [{tag}]", method, base + url))
            if not path.startswith("/internal/"):
                targets.append((f"gateway -> {app} [{tag}]", method, f"{seeded.url}/{app}{url}"))
    gateway_spec = get_spec(seeded.url)
    own = {
        k: v
        for k, v in gateway_spec["paths"].items()
        if not k.startswith(tuple(f"/{a}/" for a in SERVICE_NAMES))
    }
    for tag, (method, path) in protected_operations({"paths": own}).items():
        targets.append((f"gateway [{tag}]", method, seeded.url + fill(path, nip)))
    assert len(targets) >= 40

    accepted: dict[str, list[str]] = {}
    with httpx.Client(timeout=10) as client:
        for label, method, url in targets:
            # Control: the real admin token gets past authentication (anything but 401).
            control = client.request(method, url, json={}, headers=seeded.headers("admin"))
            if label.endswith("[internal]"):
                assert control.status_code == 403, (label, control.status_code)  # admin is not a service
            else:
                assert control.status_code != 401, (label, control.text)
            for attack, token in forged.items():
                headers = {} if token is None else {"Authorization": f"Bearer {token}"}
                resp = client.request(method, url, json={}, headers=headers)
                if resp.status_code != 401 or resp.headers.get("content-type") != "application/problem+json":
                    accepted.setdefault(label, []).append(f"{attack}: {resp.status_code}")
                elif token is not None:
                    assert token not in resp.text
    assert not accepted, accepted
