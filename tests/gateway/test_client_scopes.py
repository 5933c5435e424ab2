"""Issue 14 finding 4, at the gateway: an admin grants an API client the scopes that open people's rows
(``kinerja:individual``, ``pelatihan:individual``); the grant is recorded, audited and shown, and rides in the
client's tokens as the ``scope`` claim. Then through the apps: kinerja and pelatihan, trusting the gateway's
key, answer the same integrator's token with people's rows only while the scope is granted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI

from gateway.config import GatewaySettings
from gateway.state import gateway_state
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app as pelatihan_app
from tests.gateway.helpers import gateway
from tests.gateway.test_clients import access_token, admin, new_client
from tests.support.audit_checks import entries
from tests.support.fixtures import running

BOTH = ["kinerja:individual", "pelatihan:individual"]


async def test_scopes_are_granted_shown_audited_and_carried_in_tokens(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        bare = await new_client(client, app)
        assert bare["scopes"] == []
        token = await access_token(client, bare["client_id"], bare["client_secret"])
        principal = await gateway_state(app).token_verifier().verify(token)
        assert "scope" not in principal.claims
        assert principal.scopes == frozenset()

        path = f"/auth/clients/{bare['client_id']}"
        granted = await client.patch(path, json={"scopes": list(reversed(BOTH))}, headers=admin(app))
        assert granted.status_code == 200, granted.text
        assert granted.json()["scopes"] == BOTH
        assert (await client.get(path, headers=admin(app))).json()["scopes"] == BOTH
        token = await access_token(client, bare["client_id"], bare["client_secret"])
        principal = await gateway_state(app).token_verifier().verify(token)
        assert principal.claims["scope"] == "kinerja:individual pelatihan:individual"
        assert principal.scopes == frozenset(BOTH)

        for bad in (
            {"scopes": ["admin"]},
            {"scopes": ["kinerja:everything"]},
            {"scopes": "kinerja:individual"},
        ):
            refused = await client.patch(path, json=bad, headers=admin(app))
            assert refused.status_code == 422, bad
        revoked = await client.patch(path, json={"scopes": []}, headers=admin(app))
        assert revoked.json()["scopes"] == []

        created = await new_client(client, app, "SIASN push", scopes=["kinerja:individual"])
        assert created["scopes"] == ["kinerja:individual"]

        history = await entries(client, "/audit", admin(app), "api_client", bare["client_id"])
        changes = [
            (e["before"]["scopes"], e["after"]["scopes"])
            for e in history
            if e["action"] == "api_client.update"
        ]
        assert changes == [([], BOTH), (BOTH, [])]
        [made] = await entries(client, "/audit", admin(app), "api_client", created["client_id"])
        assert made["after"]["scopes"] == ["kinerja:individual"]


async def _reads(client: httpx.AsyncClient, token: str, url: str) -> httpx.Response:
    return await client.get(url, headers={"Authorization": f"Bearer {token}"})


async def test_the_apps_answer_a_gateway_client_token_by_its_scopes(
    gateway_settings: Callable[..., GatewaySettings], settings_for: Callable[..., Any]
) -> None:
    async with gateway(gateway_settings()) as (app, gw):
        public_pem = gateway_state(app).keyring.signer.public_pem
        cred = await new_client(gw, app)
        path = f"/auth/clients/{cred['client_id']}"

        async def token_now() -> str:
            return await access_token(gw, cred["client_id"], cred["client_secret"])

        kinerja: FastAPI = kinerja_app(settings_for(KinerjaSettings, jwt_public_keys_pem=public_pem))
        pelatihan: FastAPI = pelatihan_app(settings_for(PelatihanSettings, jwt_public_keys_pem=public_pem))
        async with running(kinerja) as k, running(pelatihan) as p:
            bare = await token_now()
            assert (await _reads(k, bare, "/v1/changes")).status_code == 403
            assert (await _reads(k, bare, "/v1/employees")).status_code == 403
            assert (await _reads(p, bare, "/v1/changes")).status_code == 403
            # Aggregates stay open to it.
            assert (await _reads(k, bare, "/v1/reports/compliance?period=2026-Q1")).status_code == 200
            assert (await _reads(p, bare, "/v1/reports/jp-compliance?year=2026")).status_code == 200

            await gw.patch(path, json={"scopes": ["kinerja:individual"]}, headers=admin(app))
            one = await token_now()
            assert (await _reads(k, one, "/v1/changes")).status_code == 200
            assert (await _reads(k, one, "/v1/employees")).status_code == 200
            assert (await _reads(p, one, "/v1/changes")).status_code == 403  # each app its own scope

            await gw.patch(path, json={"scopes": BOTH}, headers=admin(app))
            both = await token_now()
            assert (await _reads(p, both, "/v1/changes")).status_code == 200
