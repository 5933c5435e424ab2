"""The gateway's identity: token grants, lockout, login rate limits, JWKS, keys on disk, and the admin
endpoints for accounts and API clients — all against the real gateway app and a real PostgreSQL."""

from __future__ import annotations

import base64
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.config import GatewaySettings
from gateway.identity.bootstrap import ensure_account
from gateway.identity.demo import seed_demo
from gateway.identity.models import Account
from gateway.state import gateway_state
from services.common.auth import Role, StaticKeySource, TokenVerifier
from tests.gateway.helpers import gateway

NIP = "198609262015051001"
PASSWORD = "correct horse battery"


async def add_account(app: FastAPI, username: str, password: str = PASSWORD, **kw: Any) -> None:
    """Create an account straight through the bootstrap helper (committed)."""
    maker: async_sessionmaker[AsyncSession] = gateway_state(app).sessionmaker
    async with maker() as session, session.begin():
        await ensure_account(session, username=username, password=password, **kw)


async def load_account(app: FastAPI, username: str) -> Account:
    maker: async_sessionmaker[AsyncSession] = gateway_state(app).sessionmaker
    async with maker() as session:
        account = await session.scalar(select(Account).where(Account.username == username))
        assert account is not None
        return account


def bearer(app: FastAPI, subject: str = "admin", roles: tuple[str, ...] = (Role.ADMIN,)) -> dict[str, str]:
    """A token signed by the gateway's own key."""
    return {"Authorization": f"Bearer {gateway_state(app).keyring.signer.issue(subject, roles, ttl_s=600)}"}


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/auth/token", data={"grant_type": "password", "username": username, "password": password}
    )


def assert_oauth_error(resp: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """An RFC 6749 §5.2 error: application/json {error, error_description}, never problem+json."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["cache-control"] == "no-store"
    body: dict[str, Any] = resp.json()
    assert body["error"] == error
    assert body["error_description"]
    assert set(body) <= {"error", "error_description", "request_id"}
    if status == 401:
        assert resp.headers["www-authenticate"] == 'Basic realm="asn"'
    return body


# ---------------------------------------------------------------------------------------------- tokens


async def test_password_grant_issues_a_token_that_verifies_against_the_jwks(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    settings = gateway_settings()
    async with gateway(settings) as (app, client):
        await add_account(app, "siti.rahma", roles=[Role.PEGAWAI], nip=NIP)
        resp = await login(client, "siti.rahma", PASSWORD)
        assert resp.status_code == 200, resp.text
        assert resp.headers["cache-control"] == "no-store"
        body = resp.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == settings.access_token_ttl_s

        jwks = await client.get("/.well-known/jwks.json")
        assert jwks.status_code == 200
        assert jwks.headers["cache-control"] == "public, max-age=300"
        keys = jwks.json()["keys"]
        assert keys[0]["kid"] == gateway_state(app).keyring.signer.kid
        verifier = TokenVerifier(
            StaticKeySource(keys), issuer=settings.jwt_issuer, audience=settings.jwt_audience
        )
        principal = await verifier.verify(body["access_token"])
        assert principal.subject == NIP
        assert principal.nip == NIP
        assert principal.roles == {Role.PEGAWAI}
        claims = principal.claims
        assert claims["typ"] == "user"
        assert claims["exp"] - claims["iat"] == settings.access_token_ttl_s
        assert claims["jti"]
        assert "institution_id" not in claims


async def test_mitra_token_carries_institution_and_username_subject(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    institution = "5f0c1f7e-2b8f-4a59-9a3c-3d5e1f0b2a11"
    async with gateway(gateway_settings()) as (app, client):
        await add_account(app, "mitra.unib", roles=[Role.MITRA], institution_id=institution)
        resp = await login(client, "mitra.unib", PASSWORD)
        principal = await gateway_state(app).token_verifier().verify(resp.json()["access_token"])
        assert principal.subject == "mitra.unib"
        assert principal.institution_id == institution
        assert principal.nip is None


async def test_unit_admin_account_needs_a_unit_and_its_token_carries_it(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    unit = "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e"
    async with gateway(gateway_settings()) as (app, client):
        body = {"username": "opd.dukcapil", "password": "long enough pass", "roles": ["unit_admin"]}
        missing = await client.post("/auth/accounts", json=body, headers=bearer(app))
        assert missing.status_code == 422
        made = await client.post("/auth/accounts", json={**body, "unit_id": unit}, headers=bearer(app))
        assert (made.status_code, made.json()["unit_id"]) == (201, unit)
        resp = await login(client, "opd.dukcapil", "long enough pass")
        principal = await gateway_state(app).token_verifier().verify(resp.json()["access_token"])
        assert (principal.unit_id, sorted(principal.roles)) == (unit, ["unit_admin"])
        # Dropping the unit while the role stays is refused.
        dropped = await client.patch(
            "/auth/accounts/opd.dukcapil", json={"unit_id": None}, headers=bearer(app)
        )
        assert dropped.status_code == 422


async def test_wrong_password_and_unknown_user_get_the_same_400(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        await add_account(app, "siti.rahma", roles=[Role.PEGAWAI], nip=NIP)
        wrong = assert_oauth_error(
            await login(client, "siti.rahma", "not the password"), 400, "invalid_grant"
        )
        unknown = assert_oauth_error(await login(client, "no.such.user", PASSWORD), 400, "invalid_grant")
        assert wrong == {**unknown, "request_id": wrong["request_id"]}


async def test_inactive_account_is_refused(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings()) as (app, client):
        await add_account(app, "siti.rahma", roles=[Role.PEGAWAI], nip=NIP)
        patch = await client.patch("/auth/accounts/siti.rahma", json={"active": False}, headers=bearer(app))
        assert patch.status_code == 200, patch.text
        assert patch.json()["active"] is False
        assert_oauth_error(await login(client, "siti.rahma", PASSWORD), 400, "invalid_grant")


async def test_lockout_after_repeated_failures_refuses_even_the_right_password(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings(login_max_failures=3, login_lockout_s=600)) as (app, client):
        await add_account(app, "siti.rahma", roles=[Role.PEGAWAI], nip=NIP)
        # Failures below the limit are forgotten after a successful login.
        for _ in range(2):
            assert_oauth_error(await login(client, "siti.rahma", "wrong password!"), 400, "invalid_grant")
        assert (await login(client, "siti.rahma", PASSWORD)).status_code == 200
        assert (await load_account(app, "siti.rahma")).failed_logins == 0

        for _ in range(3):
            assert_oauth_error(await login(client, "siti.rahma", "wrong password!"), 400, "invalid_grant")
        account = await load_account(app, "siti.rahma")
        assert account.locked_until is not None

        locked = assert_oauth_error(await login(client, "siti.rahma", PASSWORD), 400, "invalid_grant")
        wrong = assert_oauth_error(await login(client, "siti.rahma", "wrong password!"), 400, "invalid_grant")
        assert locked["error_description"] == wrong["error_description"]
        # Failures during the lockout do not extend it.
        assert (await load_account(app, "siti.rahma")).locked_until == account.locked_until

        # An admin resetting the password lifts the lock.
        reset = await client.patch(
            "/auth/accounts/siti.rahma", json={"password": "a brand new passphrase"}, headers=bearer(app)
        )
        assert reset.status_code == 200, reset.text
        assert reset.json()["locked_until"] is None
        assert (await login(client, "siti.rahma", "a brand new passphrase")).status_code == 200


async def test_failed_logins_are_rate_limited_per_account_and_ip(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    limit = 3
    settings = gateway_settings(login_max_failures=100, login_rate_limit_per_minute=limit)
    async with gateway(settings) as (app, client):
        await add_account(app, "siti.rahma", roles=[Role.PEGAWAI], nip=NIP)
        statuses = []
        limited: httpx.Response | None = None
        # Looped (rather than exactly limit + 1) so a minute boundary during the test cannot flake it.
        for _ in range(2 * limit + 2):
            resp = await login(client, "siti.rahma", "wrong password!")
            statuses.append(resp.status_code)
            if resp.status_code == 429:
                limited = resp
                break
        assert limited is not None, statuses
        assert set(statuses[:-1]) == {400}
        assert_oauth_error(limited, 429, "slow_down")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # While limited, even the right password is not tried.
        assert (await login(client, "siti.rahma", PASSWORD)).status_code == 429
        # Another account from the same address is counted separately.
        await add_account(app, "budi.santoso", roles=[Role.PEGAWAI], nip="197001011990031001")
        assert (await login(client, "budi.santoso", PASSWORD)).status_code == 200


async def test_token_endpoint_request_errors(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings()) as (_app, client):
        assert_oauth_error(await client.post("/auth/token", data={}), 400, "invalid_request")
        as_json = await client.post(
            "/auth/token", json={"grant_type": "password", "username": "a", "password": "b"}
        )
        assert_oauth_error(as_json, 400, "invalid_request")
        assert_oauth_error(
            await client.post("/auth/token", data={"grant_type": "authorization_code", "code": "x"}),
            400,
            "unsupported_grant_type",
        )
        assert_oauth_error(
            await client.post("/auth/token", data={"grant_type": "password", "username": "x"}),
            400,
            "invalid_request",
        )
        assert_oauth_error(
            await client.post("/auth/token", data={"grant_type": "client_credentials"}), 401, "invalid_client"
        )


async def test_token_endpoint_protocol_errors_follow_rfc_6749(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings()) as (_app, client):
        repeated = await client.post(
            "/auth/token",
            content=b"grant_type=password&username=a&username=b&password=correct+horse",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert "username" in assert_oauth_error(repeated, 400, "invalid_request")["error_description"]
        bad_scope = {"grant_type": "password", "username": "a", "password": "b", "scope": 'read "all"'}
        assert_oauth_error(await client.post("/auth/token", data=bad_scope), 400, "invalid_scope")
        not_utf8 = await client.post(
            "/auth/token",
            content=b"grant_type=\xff\xfe",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert not_utf8.status_code == 400, not_utf8.text
        assert not_utf8.headers["content-type"] == "application/json"
        other_scheme = await client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": "Bearer x"}
        )
        assert_oauth_error(other_scheme, 400, "invalid_request")
        malformed_basic = await client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": "Basic %%%"}
        )
        assert_oauth_error(malformed_basic, 401, "invalid_client")


async def test_password_grant_accepts_a_configured_public_client_id_only(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings(oauth_public_client_ids=["asn-web", "asn-mobile"])) as (app, client):
        await add_account(app, "siti.rahma", roles=[Role.PEGAWAI], nip=NIP)
        form = {"grant_type": "password", "username": "siti.rahma", "password": PASSWORD}
        for public in ("asn-web", "asn-mobile"):
            resp = await client.post("/auth/token", data={**form, "client_id": public})
            assert resp.status_code == 200, resp.text
        # A scope is accepted and ignored (roles decide what a token may do).
        assert (await client.post("/auth/token", data={**form, "scope": "openid profile"})).status_code == 200

        unknown = await client.post("/auth/token", data={**form, "client_id": "someone-else"})
        assert_oauth_error(unknown, 401, "invalid_client")

        # A confidential client may not log people in: told so once it authenticates, refused before.
        created = await client.post(
            "/auth/clients", json={"name": "Portal", "roles": ["integrator"]}, headers=bearer(app)
        )
        cred = created.json()
        as_client = {**form, "client_id": cred["client_id"], "client_secret": cred["client_secret"]}
        assert_oauth_error(await client.post("/auth/token", data=as_client), 400, "unauthorized_client")
        basic = base64.b64encode(f"{cred['client_id']}:{cred['client_secret']}".encode()).decode()
        via_basic = await client.post("/auth/token", data=form, headers={"Authorization": f"Basic {basic}"})
        assert_oauth_error(via_basic, 400, "unauthorized_client")
        wrong = {**as_client, "client_secret": "not the secret"}
        assert_oauth_error(await client.post("/auth/token", data=wrong), 401, "invalid_client")


async def test_the_edge_rate_limit_on_the_token_endpoint_answers_in_oauth_form(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings(anonymous_rate_limit_per_minute=2)) as (_app, client):
        answers = [await client.post("/auth/token", data={"grant_type": "password"}) for _ in range(6)]
        limited = [r for r in answers if r.status_code == 429]
        assert limited, [r.status_code for r in answers]
        body = assert_oauth_error(limited[0], 429, "slow_down")
        assert body["error_description"].startswith("Too many requests")
        assert 1 <= int(limited[0].headers["retry-after"]) <= 60
        # Elsewhere the same limit still answers problem+json.
        elsewhere = await client.get("/auth/clients")
        assert elsewhere.status_code == 429
        assert elsewhere.headers["content-type"] == "application/problem+json"


async def test_client_credentials_grant(gateway_settings: Callable[..., GatewaySettings]) -> None:
    settings = gateway_settings()
    async with gateway(settings) as (app, client):
        created = await client.post(
            "/auth/clients", json={"name": "Dashboard Bappeda", "roles": ["integrator"]}, headers=bearer(app)
        )
        assert created.status_code == 201, created.text
        cred = created.json()
        assert set(cred) >= {"client_id", "client_secret", "name", "roles"}
        assert len(cred["client_secret"]) >= 43  # 32 random bytes, base64url

        resp = await client.post(
            "/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": cred["client_id"],
                "client_secret": cred["client_secret"],
            },
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["expires_in"] == settings.client_token_ttl_s
        principal = await gateway_state(app).token_verifier().verify(resp.json()["access_token"])
        assert principal.subject == cred["client_id"]
        assert principal.roles == {Role.INTEGRATOR}
        assert principal.claims["typ"] == "client"

        basic = base64.b64encode(f"{cred['client_id']}:{cred['client_secret']}".encode()).decode()
        via_basic = await client.post(
            "/auth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
        assert via_basic.status_code == 200, via_basic.text

        bad = base64.b64encode(f"{cred['client_id']}:wrong".encode()).decode()
        refused = await client.post(
            "/auth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {bad}"},
        )
        assert_oauth_error(refused, 401, "invalid_client")
        assert refused.headers["www-authenticate"].startswith("Basic")
        assert_oauth_error(
            await client.post(
                "/auth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": cred["client_id"],
                    "client_secret": "x",
                },
            ),
            401,
            "invalid_client",
        )

        listed = await client.get("/auth/clients", headers=bearer(app))
        assert listed.status_code == 200
        [row] = listed.json()["items"]
        assert row["usage_count"] == 2
        assert "client_secret" not in row
        assert "secret_hash" not in row

        revoked = await client.post(f"/auth/clients/{cred['client_id']}/revoke", headers=bearer(app))
        assert revoked.status_code == 200
        assert revoked.json()["active"] is False
        assert revoked.json()["revoked_at"] is not None
        assert_oauth_error(
            await client.post(
                "/auth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": cred["client_id"],
                    "client_secret": cred["client_secret"],
                },
            ),
            401,
            "invalid_client",
        )
        missing = await client.post("/auth/clients/cl_nope/revoke", headers=bearer(app))
        assert missing.status_code == 404


# ---------------------------------------------------------------------------------------------- admin


ADMIN_CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/auth/accounts", {"username": "x.y.z", "password": "long enough pass", "roles": ["admin"]}),
    ("GET", "/auth/accounts", None),
    ("PATCH", "/auth/accounts/whoever", {"active": False}),
    ("POST", "/auth/clients", {"name": "x", "roles": ["integrator"]}),
    ("GET", "/auth/clients", None),
    ("POST", "/auth/clients/cl_x/revoke", None),
]


async def test_admin_endpoints_need_a_token_and_the_admin_role(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        pegawai = bearer(app, NIP, (Role.PEGAWAI,))
        integrator = bearer(app, "cl_x", (Role.INTEGRATOR,))
        for method, path, body in ADMIN_CALLS:
            anonymous = await client.request(method, path, json=body)
            assert anonymous.status_code == 401, (method, path, anonymous.text)
            assert anonymous.headers["content-type"] == "application/problem+json"
            for headers in (pegawai, integrator):
                denied = await client.request(method, path, json=body, headers=headers)
                assert denied.status_code == 403, (method, path, denied.text)


async def test_create_and_list_accounts(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings()) as (app, client):
        admin = bearer(app)
        for i, name in enumerate(["andi", "budi", "citra"]):
            resp = await client.post(
                "/auth/accounts",
                json={
                    "username": name,
                    "password": "long enough pass",
                    "roles": ["pegawai"],
                    "nip": f"19800101200501100{i}",
                },
                headers=admin,
            )
            assert resp.status_code == 201, resp.text
            body = resp.json()
            assert body["username"] == name
            assert body["roles"] == ["pegawai"]
            assert body["is_demo"] is False
            assert "password" not in body
            assert "password_hash" not in body
        assert (await login(client, "budi", "long enough pass")).status_code == 200

        duplicate = await client.post(
            "/auth/accounts",
            json={"username": "andi", "password": "another long one", "roles": ["admin"]},
            headers=admin,
        )
        assert duplicate.status_code == 409
        assert duplicate.headers["content-type"] == "application/problem+json"

        first = (await client.get("/auth/accounts?limit=2", headers=admin)).json()
        assert [a["username"] for a in first["items"]] == ["andi", "budi"]
        assert first["next_cursor"]
        second = (
            await client.get(f"/auth/accounts?limit=2&cursor={first['next_cursor']}", headers=admin)
        ).json()
        assert [a["username"] for a in second["items"]] == ["citra"]
        assert second["next_cursor"] is None
        assert (await client.get("/auth/accounts?limit=0", headers=admin)).status_code == 422
        assert (await client.get("/auth/accounts?cursor=%%%", headers=admin)).status_code == 422


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"username": "pendek", "password": "short", "roles": ["admin"]}, "password"),
        ({"username": "pegawai.x", "password": "long enough pass", "roles": ["pegawai"]}, None),
        ({"username": "mitra.x", "password": "long enough pass", "roles": ["mitra"]}, None),
        ({"username": "svc", "password": "long enough pass", "roles": ["service"]}, "roles"),
        ({"username": "nip.x", "password": "long enough pass", "roles": ["pegawai"], "nip": "1234"}, "nip"),
        ({"username": "Bad Name!", "password": "long enough pass", "roles": ["admin"]}, "username"),
        ({"username": "noroles", "password": "long enough pass", "roles": []}, "roles"),
        (
            {
                "username": "mitra.y",
                "password": "long enough pass",
                "roles": ["mitra"],
                "institution_id": "not-a-uuid",
            },
            "institution_id",
        ),
    ],
)
async def test_account_validation_is_a_422_problem(
    gateway_settings: Callable[..., GatewaySettings], payload: dict[str, Any], where: str | None
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        resp = await client.post("/auth/accounts", json=payload, headers=bearer(app))
        assert resp.status_code == 422, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        errors = resp.json()["errors"]
        assert errors
        assert all(set(e) == {"loc", "msg"} for e in errors)
        if where is not None:
            assert any(where in e["loc"] for e in errors), errors
        assert "long enough pass" not in resp.text


async def test_update_account_rules(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings()) as (app, client):
        admin = bearer(app)
        await add_account(app, "admin", roles=[Role.ADMIN])
        await add_account(app, "andi", roles=[Role.PELATIHAN_ADMIN])
        # Making someone pegawai without a NIP is refused; with one it works.
        refused = await client.patch("/auth/accounts/andi", json={"roles": ["pegawai"]}, headers=admin)
        assert refused.status_code == 422
        ok = await client.patch("/auth/accounts/andi", json={"roles": ["pegawai"], "nip": NIP}, headers=admin)
        assert ok.status_code == 200, ok.text
        assert ok.json()["nip"] == NIP
        assert (
            await client.patch("/auth/accounts/nobody", json={"active": False}, headers=admin)
        ).status_code == 404
        # An admin cannot lock themselves out.
        own = await client.patch("/auth/accounts/admin", json={"active": False}, headers=admin)
        assert own.status_code == 409


async def test_client_roles_are_integrator_or_service(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        bad = await client.post("/auth/clients", json={"name": "x", "roles": ["admin"]}, headers=bearer(app))
        assert bad.status_code == 422
        svc = await client.post(
            "/auth/clients", json={"name": "svc", "roles": ["service"]}, headers=bearer(app)
        )
        assert svc.status_code == 201


# ---------------------------------------------------------------------------------------------- keys


async def test_keys_are_generated_on_first_run_and_reused(
    gateway_settings: Callable[..., GatewaySettings], tmp_path: Path
) -> None:
    key_file = tmp_path / "keys" / "signing-key.pem"
    assert not key_file.exists()
    async with gateway(gateway_settings()) as (_app, client):
        first_kid = (await client.get("/.well-known/jwks.json")).json()["keys"][0]["kid"]
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    async with gateway(gateway_settings()) as (app, client):
        second_kid = (await client.get("/.well-known/jwks.json")).json()["keys"][0]["kid"]
        token = gateway_state(app).keyring.signer.issue("admin", [Role.ADMIN], ttl_s=60)
    assert first_kid == second_kid
    # A token from the first start still verifies after the restart (same key).
    async with gateway(gateway_settings()) as (app, _client):
        assert (await gateway_state(app).token_verifier().verify(token)).subject == "admin"


# ---------------------------------------------------------------------------------------------- demo


async def test_demo_seed_is_idempotent_and_keeps_changed_passwords(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    context: dict[str, Any] = {
        "demo_accounts": [{"username": "kepala.bkd", "nip": NIP, "label": "Kepala BKD"}],
    }
    async with gateway(gateway_settings()) as (app, client):
        maker: async_sessionmaker[AsyncSession] = gateway_state(app).sessionmaker
        async with maker() as session, session.begin():
            lines = await seed_demo(session, context)
        assert any("admin" in line for line in lines)
        assert any("demo-integrator" in line for line in lines)

        token = (await login(client, "kepala.bkd", "bengkulu-demo")).json()["access_token"]
        principal = await gateway_state(app).token_verifier().verify(token)
        assert principal.subject == NIP
        assert principal.roles == {Role.PEGAWAI}
        mitra = (await login(client, "mitra.bpsdm", "bengkulu-demo")).json()["access_token"]
        assert (
            await gateway_state(app).token_verifier().verify(mitra)
        ).institution_id == "00000000-0000-4000-8000-000000000001"
        demo_client = await client.post(
            "/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo-integrator",
                "client_secret": "bengkulu-demo-integrator",
            },
        )
        assert demo_client.status_code == 200

        changed = await client.patch(
            "/auth/accounts/admin", json={"password": "changed by the user"}, headers=bearer(app, "other")
        )
        assert changed.status_code == 200
        async with maker() as session, session.begin():
            await seed_demo(session, context)
        assert (await login(client, "admin", "changed by the user")).status_code == 200
        assert (await login(client, "admin", "bengkulu-demo")).status_code == 400
        accounts = (await client.get("/auth/accounts", headers=bearer(app))).json()["items"]
        assert sorted(a["username"] for a in accounts) == [
            "admin",
            "kepala.bkd",
            "mitra.bpsdm",
            "pelatihan.admin",
        ]
        assert all(a["is_demo"] for a in accounts)
        [demo] = (await client.get("/auth/clients", headers=bearer(app))).json()["items"]
        assert demo["client_id"] == "demo-integrator"
        assert demo["is_demo"] is True
        assert demo["scopes"] == ["kinerja:individual", "pelatihan:individual"]
