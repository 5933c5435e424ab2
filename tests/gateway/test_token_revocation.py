"""Revoking a subject's tokens before they expire (issue 14 finding 5d): an admin sets a per-subject "not
before" at the gateway; the gateway refuses earlier tokens at once (cached verifications too), a second
replica at its next read, and the services through the service-token-only /internal/v1/token-revocations
list they read every 30 s."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.config import GatewaySettings
from gateway.state import gateway_state
from services.common.auth import NotBefore, Role, StaticKeySource, TokenVerifier
from services.common.errors import Unauthorized
from services.common.revocations import ServiceRevocations
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from tests.gateway.helpers import gateway, serve_http
from tests.support.audit_checks import entries
from tests.support.fixtures import running, wait_until


def token(app: FastAPI, subject: str, roles: list[str], *, issued: float | None = None) -> str:
    return gateway_state(app).keyring.signer.issue(subject, roles, ttl_s=600, now=issued)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def test_revoked_tokens_are_refused_at_the_gateway_at_once_and_new_ones_work(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        admin = bearer(token(app, "admin", [Role.ADMIN]))
        stolen = bearer(token(app, "bkd.operator", [Role.ADMIN], issued=time.time() - 30))
        other = bearer(token(app, "someone.else", [Role.ADMIN], issued=time.time() - 30))
        assert (
            await client.get("/auth/clients", headers=stolen)
        ).status_code == 200  # now cached as verified

        revoked = await client.post("/auth/subjects/bkd.operator/revoke-tokens", headers=admin)
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["subject"] == "bkd.operator"

        refused = await client.get("/auth/clients", headers=stolen)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert (await client.get("/auth/clients", headers=other)).status_code == 200

        # A token issued after the revocation (from the next second) works.
        fresh = bearer(token(app, "bkd.operator", [Role.ADMIN], issued=time.time() + 2))
        assert (await client.get("/auth/clients", headers=fresh)).status_code == 200

        [entry] = await entries(client, "/audit", admin, "subject", "bkd.operator")
        assert (entry["action"], entry["actor"]) == ("subject.revoke_tokens", "admin")
        assert entry["before"] is None
        assert entry["after"]["not_before"] is not None

        integrator = bearer(token(app, "cl_x", [Role.INTEGRATOR]))
        assert (await client.post("/auth/subjects/x/revoke-tokens")).status_code == 401
        assert (await client.post("/auth/subjects/x/revoke-tokens", headers=integrator)).status_code == 403


async def test_another_gateway_replica_learns_the_revocation_from_the_database(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    settings = gateway_settings(revocations_refresh_s=0.2)
    async with gateway(settings) as (one, one_client), gateway(settings) as (_two, two_client):
        stolen = bearer(token(one, "bkd.operator", [Role.ADMIN], issued=time.time() - 30))
        assert (await two_client.get("/auth/clients", headers=stolen)).status_code == 200
        admin = bearer(token(one, "admin", [Role.ADMIN]))
        assert (
            await one_client.post("/auth/subjects/bkd.operator/revoke-tokens", headers=admin)
        ).status_code == 200

        async def refused_by_two() -> bool:
            return (await two_client.get("/auth/clients", headers=stolen)).status_code == 401

        assert await wait_until(refused_by_two, timeout_s=5)


async def test_services_read_the_list_with_a_service_token_and_refuse_revoked_tokens(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        signer = gateway_state(app).keyring.signer
        stolen = token(app, "siti.rahma", [Role.ADMIN], issued=time.time() - 30)
        admin = bearer(token(app, "admin", [Role.ADMIN]))
        assert (
            await client.post("/auth/subjects/siti.rahma/revoke-tokens", headers=admin)
        ).status_code == 200

        # The list is the services' only: no token 401, an admin 403; never forwarded to a service.
        path = "/internal/v1/token-revocations"
        assert (await client.get(path)).status_code == 401
        assert (await client.get(path, headers=admin)).status_code == 403
        assert (await client.get(f"/kinerja{path}", headers=admin)).status_code == 404

        # A service's verifier, fed by the same reader the services run, through the gateway.
        service = bearer(token(app, "svc-kinerja", [Role.SERVICE]))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw", headers=service) as pooled:
            not_before = NotBefore()
            assert await ServiceRevocations(pooled, not_before, interval_s=30).load()
        assert len(not_before) == 1
        verifier = TokenVerifier(
            StaticKeySource([signer.jwk]),
            issuer=signer.issuer,
            audience=signer.audience,
            not_before=not_before,
        )
        with pytest.raises(Unauthorized):
            await verifier.verify(stolen)
        later = signer.issue("siti.rahma", [Role.ADMIN], ttl_s=600, now=time.time() + 2)
        assert (await verifier.verify(later)).subject == "siti.rahma"


async def test_a_real_service_refuses_a_revoked_token_after_its_next_read(
    gateway_settings: Callable[..., GatewaySettings], settings_for: Callable[..., Any]
) -> None:
    # The gateway over real HTTP; kinerja verifies with the gateway's key and reads the list every 0.2 s
    # through its own pooled client, authenticated with its own service API client.
    async with gateway(gateway_settings()) as (app, gw), serve_http(app, lifespan="off") as gateway_url:
        admin = bearer(token(app, "admin", [Role.ADMIN]))
        made = await gw.post("/auth/clients", json={"name": "kinerja", "roles": ["service"]}, headers=admin)
        assert made.status_code == 201, made.text
        settings = settings_for(
            KinerjaSettings,
            jwt_public_keys_pem=gateway_state(app).keyring.signer.public_pem,
            gateway_url=gateway_url,
            service_client_id=made.json()["client_id"],
            service_client_secret=made.json()["client_secret"],
            token_revocations_refresh_s=0.2,
        )
        async with running(kinerja_app(settings)) as kinerja:
            stolen = bearer(token(app, "siti.rahma", [Role.ADMIN], issued=time.time() - 30))
            assert (await kinerja.get("/v1/units", headers=stolen)).status_code == 200
            assert (
                await gw.post("/auth/subjects/siti.rahma/revoke-tokens", headers=admin)
            ).status_code == 200

            async def refused() -> bool:
                return (await kinerja.get("/v1/units", headers=stolen)).status_code == 401

            assert await wait_until(refused, timeout_s=5)
            fresh = bearer(token(app, "siti.rahma", [Role.ADMIN], issued=time.time() + 2))
            assert (await kinerja.get("/v1/units", headers=fresh)).status_code == 200
