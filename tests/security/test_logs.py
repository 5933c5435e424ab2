"""No secret in the logs: after logins (good and bad), client creation, client-credential tokens, secret
rotation, service tokens between the services and authenticated calls, the captured logs of every app hold
no password, client secret, token or signing key that was used."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.common.apps import SERVICE_NAMES
from tests.support.seeded import Seeded, client_token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def exercise(s: Seeded) -> list[str]:
    """Use every kind of secret once more; returns the secrets created here."""
    secrets: list[str] = []
    admin = s.headers("admin")
    with httpx.Client(base_url=s.url, timeout=15) as client:
        password = f"Pw-{uuid.uuid4().hex}"
        username = f"logs.{uuid.uuid4().hex[:8]}"
        secrets.append(password)
        r = client.post(
            "/auth/accounts",
            json={"username": username, "password": password, "roles": ["pegawai"], "nip": s.nips["pegawai"]},
            headers=admin,
        )
        assert r.status_code == 201, r.text
        for pw in (password, password + "-wrong", "bengkulu-demo-wrong"):
            secrets.append(pw)
            r = client.post(
                "/auth/token", data={"grant_type": "password", "username": username, "password": pw}
            )
            if r.status_code == 200:
                secrets.append(r.json()["access_token"])
        r = client.post("/auth/clients", json={"name": "log drill", "roles": ["integrator"]}, headers=admin)
        assert r.status_code == 201, r.text
        cid, secret = r.json()["client_id"], r.json()["client_secret"]
        secrets.append(secret)
        token = client_token(s.url, cid, secret)
        secrets.append(token)
        bad = client.post(
            "/auth/token",
            data={"grant_type": "client_credentials", "client_id": cid, "client_secret": secret + "x"},
        )
        assert bad.status_code in (400, 401)
        secrets.append(secret + "x")
        for app in SERVICE_NAMES:
            r = client.get(f"/{app}/v1/whoami", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200
            r = client.get(f"/{app}/v1/whoami", headers={"Authorization": f"Bearer {token}tampered"})
            assert r.status_code == 401
        # A write that makes services call each other with service tokens (publik asks kinerja about a unit).
        unit = client.post(
            "/kinerja/v1/units", json={"code": f"LOG-{uuid.uuid4().hex[:6]}", "name": "Log"}, headers=admin
        )
        assert unit.status_code == 201
        form = client.post("/publik/v1/surveys/form-token", json={"unit_id": unit.json()["id"]})
        assert form.status_code == 201, form.text
        survey = client.post(
            "/publik/v1/surveys",
            json={"unit_id": unit.json()["id"], "answers": [3] * 9, "form_token": form.json()["token"]},
        )
        assert survey.status_code == 201, survey.text
    return secrets


def test_no_secret_in_any_log(seeded: Seeded) -> None:
    secrets = [*seeded.secrets(), *exercise(seeded)]
    signing_pem = (seeded.stack.workdir / "gateway-data" / "keys" / "signing-key.pem").read_text()
    # The body lines of the PEM (any 40-character run of a key would do to identify it).
    key_lines = [line for line in signing_pem.splitlines() if line and not line.startswith("-----")]
    snapshot_keys = list((seeded.stack.workdir).rglob("*.pem"))
    for path in snapshot_keys:
        key_lines += [line for line in path.read_text().splitlines() if line and not line.startswith("-----")]
    logs = seeded.stack.logs()
    assert len(logs) > 10_000, "expected real logs from the run"
    leaked = [s[:12] + "…" for s in secrets if s and s in logs]
    # A token's signature part is enough to replay it with the header and payload (which are not secret).
    leaked += [t[:12] + "…" for t in secrets if t.count(".") == 2 and t.rsplit(".", 1)[1] in logs]
    leaked += ["signing key line"] * sum(1 for line in key_lines if len(line) >= 40 and line in logs)
    assert not leaked, f"secrets in the logs: {leaked}"
    assert "Bearer " not in logs
    assert "client_secret=" not in logs
    assert "password=" not in logs
