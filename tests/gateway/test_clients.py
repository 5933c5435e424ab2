"""API clients: the client-credentials grant, secret rotation with its grace period, revocation, the
per-client rate limit and the usage counter — against the real gateway app and a real PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI

from gateway.config import GatewaySettings
from gateway.state import gateway_state
from services.common.auth import Role
from tests.gateway.helpers import gateway
from tests.support.audit_checks import entries
from tests.support.fixtures import plain_dsn, wait_until


def admin(app: FastAPI) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {gateway_state(app).keyring.signer.issue('admin', [Role.ADMIN], ttl_s=600)}"
    }


async def new_client(
    client: httpx.AsyncClient, app: FastAPI, name: str = "Dashboard Bappeda", **extra: Any
) -> dict[str, Any]:
    resp = await client.post(
        "/auth/clients", json={"name": name, "roles": ["integrator"], **extra}, headers=admin(app)
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def token_for(client: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    return await client.post(
        "/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )


async def access_token(client: httpx.AsyncClient, client_id: str, secret: str) -> str:
    resp = await token_for(client, client_id, secret)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


async def sql(database_url: str, statement: str, *args: Any) -> None:
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        await conn.execute(statement, *args)
    finally:
        await conn.close()


# ---------------------------------------------------------------------------------------------- grant


async def test_client_token_is_short_lived_and_carries_the_client_and_its_limit(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    settings = gateway_settings(client_token_ttl_s=120, client_rate_limit_per_minute=321)
    async with gateway(settings) as (app, client):
        cred = await new_client(client, app)
        assert cred["rate_limit_per_minute"] == 321  # the default setting, stored on the client
        custom = await new_client(client, app, "SIASN push", rate_limit_per_minute=50)
        assert custom["rate_limit_per_minute"] == 50

        resp = await token_for(client, cred["client_id"], cred["client_secret"])
        assert resp.status_code == 200, resp.text
        assert resp.headers["cache-control"] == "no-store"
        assert resp.json()["expires_in"] == 120
        principal = await gateway_state(app).token_verifier().verify(resp.json()["access_token"])
        assert principal.subject == cred["client_id"]
        assert principal.roles == {Role.INTEGRATOR}
        assert principal.claims["typ"] == "client"
        assert principal.claims["exp"] - principal.claims["iat"] == 120
        assert principal.claims["rate_limit_per_minute"] == 321

        shown = await client.get(f"/auth/clients/{cred['client_id']}", headers=admin(app))
        assert shown.status_code == 200, shown.text
        body = shown.json()
        assert body["client_id"] == cred["client_id"]
        assert body["rate_limit_per_minute"] == 321
        assert body["usage_count"] == 1
        assert body["last_used_at"] is not None
        assert "client_secret" not in body
        assert "secret_hash" not in body
        assert (await client.get("/auth/clients/cl_nope", headers=admin(app))).status_code == 404


async def test_patch_changes_name_roles_and_limit(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings()) as (app, client):
        cred = await new_client(client, app)
        path = f"/auth/clients/{cred['client_id']}"
        resp = await client.patch(
            path, json={"name": "Portal Data", "rate_limit_per_minute": 1200}, headers=admin(app)
        )
        assert resp.status_code == 200, resp.text
        assert (resp.json()["name"], resp.json()["rate_limit_per_minute"]) == ("Portal Data", 1200)
        assert resp.json()["roles"] == ["integrator"]
        token = await access_token(client, cred["client_id"], cred["client_secret"])
        assert (await gateway_state(app).token_verifier().verify(token)).claims[
            "rate_limit_per_minute"
        ] == 1200

        for bad in ({"rate_limit_per_minute": 0}, {"roles": ["admin"]}, {"secret_hash": "x"}):
            refused = await client.patch(path, json=bad, headers=admin(app))
            assert refused.status_code == 422, bad
            assert refused.headers["content-type"] == "application/problem+json"
        assert (await client.patch("/auth/clients/cl_nope", json={}, headers=admin(app))).status_code == 404
        integrator = {"Authorization": f"Bearer {token}"}
        for method, url in (("GET", path), ("PATCH", path), ("POST", f"{path}/rotate")):
            denied = await client.request(
                method, url, json={} if method == "PATCH" else None, headers=integrator
            )
            assert denied.status_code == 403, (method, url)


# ---------------------------------------------------------------------------------------------- rotation


async def test_rotation_keeps_the_old_secret_working_for_the_grace_period_only(
    gateway_settings: Callable[..., GatewaySettings], db: str
) -> None:
    async with gateway(gateway_settings(client_secret_grace_s=3600)) as (app, client):
        cred = await new_client(client, app)
        client_id, old = cred["client_id"], cred["client_secret"]
        before = time.time()
        rotated = await client.post(f"/auth/clients/{client_id}/rotate", headers=admin(app))
        assert rotated.status_code == 200, rotated.text
        assert rotated.headers["cache-control"] == "no-store"
        body = rotated.json()
        new = body["client_secret"]
        assert new != old
        assert len(new) >= 43
        ends = datetime.fromisoformat(body["previous_secret_expires_at"]).timestamp()
        assert before + 3600 - 5 <= ends <= time.time() + 3600 + 5

        # Inside the grace period both secrets work.
        assert (await token_for(client, client_id, new)).status_code == 200
        assert (await token_for(client, client_id, old)).status_code == 200
        shown = (await client.get(f"/auth/clients/{client_id}", headers=admin(app))).json()
        assert shown["previous_secret_expires_at"] is not None

        # Once the grace period is over, only the new one.
        await sql(
            db,
            "UPDATE gateway.api_client SET previous_secret_expires_at = now() - interval '1 second' "
            "WHERE client_id = $1",
            client_id,
        )
        refused = await token_for(client, client_id, old)
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"
        assert (await token_for(client, client_id, new)).status_code == 200

        # A second rotation ends the first secret's grace at once; the second one gets the grace.
        newer = (await client.post(f"/auth/clients/{client_id}/rotate", headers=admin(app))).json()
        assert (await token_for(client, client_id, newer["client_secret"])).status_code == 200
        assert (await token_for(client, client_id, new)).status_code == 200
        assert (await token_for(client, client_id, old)).status_code == 401

        assert (await client.post("/auth/clients/cl_nope/rotate", headers=admin(app))).status_code == 404


async def test_rotation_grace_expires_by_the_clock(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings(client_secret_grace_s=1)) as (app, client):
        cred = await new_client(client, app)
        rotated = await client.post(f"/auth/clients/{cred['client_id']}/rotate", headers=admin(app))
        assert (await token_for(client, cred["client_id"], cred["client_secret"])).status_code == 200
        await asyncio.sleep(1.2)
        assert (await token_for(client, cred["client_id"], cred["client_secret"])).status_code == 401
        assert (
            await token_for(client, cred["client_id"], rotated.json()["client_secret"])
        ).status_code == 200


async def test_a_leaked_secret_is_rotated_with_no_grace_and_the_rotation_is_audited(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings(client_secret_grace_s=3600)) as (app, client):
        cred = await new_client(client, app)
        client_id, leaked = cred["client_id"], cred["client_secret"]
        assert (await token_for(client, client_id, leaked)).status_code == 200
        rotated = await client.post(
            f"/auth/clients/{client_id}/rotate", json={"grace_s": 0}, headers=admin(app)
        )
        assert rotated.status_code == 200, rotated.text
        assert rotated.headers["cache-control"] == "no-store"
        ends = datetime.fromisoformat(rotated.json()["previous_secret_expires_at"]).timestamp()
        assert ends <= time.time() + 1

        # The leaked secret is refused from this moment on; the new one works.
        refused = await token_for(client, client_id, leaked)
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"
        assert (await token_for(client, client_id, rotated.json()["client_secret"])).status_code == 200

        history = await entries(client, "/audit", admin(app), "api_client", client_id)
        [rotation] = [e for e in history if e["action"] == "api_client.rotate_secret"]
        assert rotation["actor"] == "admin"
        assert rotation["before"]["previous_secret_expires_at"] is None
        assert datetime.fromisoformat(rotation["after"]["previous_secret_expires_at"]).timestamp() <= ends

        # Only a grace between 0 and a week is accepted; unknown fields are refused.
        for bad in ({"grace_s": -1}, {"grace_s": 604_801}, {"grace": 0}):
            resp = await client.post(f"/auth/clients/{client_id}/rotate", json=bad, headers=admin(app))
            assert resp.status_code == 422, (bad, resp.text)


# ---------------------------------------------------------------------------------------------- revocation


async def test_revocation_stops_new_tokens_at_once_and_issued_ones_expire_on_their_own(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    settings = gateway_settings(client_token_ttl_s=60)
    async with gateway(settings) as (app, client):
        cred = await new_client(client, app)
        issued = await access_token(client, cred["client_id"], cred["client_secret"])
        revoked = await client.post(f"/auth/clients/{cred['client_id']}/revoke", headers=admin(app))
        assert revoked.status_code == 200
        assert revoked.json()["active"] is False

        refused = await token_for(client, cred["client_id"], cred["client_secret"])
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"
        # A revoked client cannot be given a new secret either.
        rotate = await client.post(f"/auth/clients/{cred['client_id']}/rotate", headers=admin(app))
        assert rotate.status_code == 409
        assert rotate.headers["content-type"] == "application/problem+json"

        # The token issued before the revocation lives at most client_token_ttl_s.
        claims = (await gateway_state(app).token_verifier().verify(issued)).claims
        assert claims["exp"] - claims["iat"] == settings.client_token_ttl_s


# ---------------------------------------------------------------------------------------------- rate limit


async def test_each_client_has_its_own_rate_limit(gateway_settings: Callable[..., GatewaySettings]) -> None:
    settings = gateway_settings(client_rate_limit_per_minute=1000, anonymous_rate_limit_per_minute=1000)
    async with gateway(settings) as (app, client):
        small = await new_client(client, app, "small", rate_limit_per_minute=3)
        large = await new_client(client, app, "large")
        small_h = {
            "Authorization": f"Bearer {await access_token(client, small['client_id'], small['client_secret'])}"
        }
        large_h = {
            "Authorization": f"Bearer {await access_token(client, large['client_id'], large['client_secret'])}"
        }

        statuses = [(await client.get("/webhooks/endpoints", headers=small_h)).status_code for _ in range(3)]
        assert statuses == [403, 403, 403]  # through the limiter, refused by the route (not an admin)
        limited = await client.get("/webhooks/endpoints", headers=small_h)
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.json()["status"] == 429

        # Another client, people's tokens and anonymous callers are not affected.
        assert (await client.get("/webhooks/endpoints", headers=large_h)).status_code == 403
        assert (await client.get("/webhooks/endpoints", headers=admin(app))).status_code == 200
        assert (await client.get("/nothing-here")).status_code == 404
        # An invalid token is not counted for anyone: the route refuses it with 401.
        bogus = await client.get("/webhooks/endpoints", headers={"Authorization": "Bearer not-a-token"})
        assert bogus.status_code == 401


async def test_default_limit_applies_to_clients_without_their_own(
    gateway_settings: Callable[..., GatewaySettings], db: str
) -> None:
    async with gateway(gateway_settings(client_rate_limit_per_minute=2)) as (app, client):
        cred = await new_client(client, app)
        # A client registered before per-client limits existed has none stored: the setting applies.
        await sql(db, "UPDATE gateway.api_client SET rate_limit_per_minute = NULL")
        headers = {
            "Authorization": f"Bearer {await access_token(client, cred['client_id'], cred['client_secret'])}"
        }
        assert (
            "rate_limit_per_minute"
            not in (await gateway_state(app).token_verifier().verify(headers["Authorization"][7:])).claims
        )
        codes = [(await client.get("/nothing-here", headers=headers)).status_code for _ in range(3)]
        assert codes == [404, 404, 429]


# ---------------------------------------------------------------------------------------------- usage


async def test_usage_counts_token_requests_and_api_requests(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    settings = gateway_settings(client_usage_flush_interval_s=0.2)
    async with gateway(settings) as (app, client):
        cred = await new_client(client, app)
        other = await new_client(client, app, "other")
        headers = {
            "Authorization": f"Bearer {await access_token(client, cred['client_id'], cred['client_secret'])}"
        }
        for _ in range(5):
            await client.get("/nothing-here", headers=headers)
        path = f"/auth/clients/{cred['client_id']}"

        async def counted() -> bool:
            body = (await client.get(path, headers=admin(app))).json()
            return bool(body["usage_count"] == 6)  # one token request + five API requests

        assert await wait_until(counted, timeout_s=5)
        listed = (await client.get("/auth/clients", headers=admin(app))).json()["items"]
        by_id = {c["client_id"]: c for c in listed}
        assert by_id[cred["client_id"]]["usage_count"] == 6
        assert by_id[cred["client_id"]]["last_used_at"] is not None
        assert by_id[other["client_id"]]["usage_count"] == 0
        assert by_id[other["client_id"]]["last_used_at"] is None

    # Counts not yet flushed are written when the gateway stops.
    async with gateway(gateway_settings(client_usage_flush_interval_s=3600)) as (app, client):
        headers = {
            "Authorization": f"Bearer {await access_token(client, cred['client_id'], cred['client_secret'])}"
        }
        for _ in range(3):
            await client.get("/nothing-here", headers=headers)
    async with gateway(gateway_settings()) as (app, client):
        body = (await client.get(f"/auth/clients/{cred['client_id']}", headers=admin(app))).json()
        assert body["usage_count"] == 6 + 1 + 3
