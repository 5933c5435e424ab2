"""Issue 13, "The edge holds": each finding sent as an attacker would, over real HTTP to the gateway served by
uvicorn on loopback, from several source addresses (127.0.0.2, 127.0.0.3, ...). Every test here failed on
the code before the fix; docs/security.md maps each control to its test.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select, update

from asn_cli.seed import bootstrap
from gateway.audit.models import AuditEntry
from gateway.config import GatewaySettings
from gateway.identity.bootstrap import ensure_account, ensure_client
from gateway.identity.models import ApiClient, LoginLockout
from gateway.identity.service import revoke_client
from gateway.main import create_app
from gateway.state import gateway_state
from services.common import clock
from services.common.auth import Role
from services.common.metrics import samples
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from tests.gateway.helpers import serve_http
from tests.support.fixtures import running

PASSWORD = "correct horse battery"
ANON_LIMIT = 10


@asynccontextmanager
async def served(settings: GatewaySettings) -> AsyncIterator[tuple[FastAPI, str]]:
    """The real gateway app served over HTTP on 127.0.0.1 (upstreams dead: the edge answers or 502s)."""
    app = create_app(settings)
    async with serve_http(app) as url:
        yield app, url


def from_address(url: str, local: str) -> httpx.AsyncClient:
    """An HTTP client whose connections leave from ``local`` (a loopback alias)."""
    return httpx.AsyncClient(
        base_url=url, transport=httpx.AsyncHTTPTransport(local_address=local), timeout=30
    )


async def add_account(app: FastAPI, username: str, roles: list[str]) -> None:
    async with gateway_state(app).sessionmaker() as session, session.begin():
        await ensure_account(session, username=username, password=PASSWORD, roles=roles)


def admin_bearer(app: FastAPI, subject: str = "root") -> dict[str, str]:
    token = gateway_state(app).keyring.signer.issue(subject, [Role.ADMIN], ttl_s=600, extra={"typ": "user"})
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/auth/token", data={"grant_type": "password", "username": username, "password": password}
    )


# ------------------------------------------------------------------------------ 1. no header lifts limits


@pytest.mark.parametrize(
    "authorization",
    ["Basic YWRtaW46YWRtaW4=", "Bearer not.a.token", "Bearer " + "x" * 40, "Digest junk"],
)
async def test_an_authorization_header_that_does_not_verify_counts_per_address(
    gateway_settings: Callable[..., GatewaySettings], authorization: str
) -> None:
    settings = gateway_settings(anonymous_rate_limit_per_minute=ANON_LIMIT)
    async with served(settings) as (_app, url), from_address(url, "127.0.0.2") as attacker:
        statuses = [
            (
                await attacker.get("/kinerja/v1/employees", headers={"Authorization": authorization})
            ).status_code
            for _ in range(ANON_LIMIT + 5)
        ]
        # Before the fix every one of them passed the edge (here: 502/503 from the dead upstream).
        assert 429 in statuses, statuses
        async with from_address(url, "127.0.0.3") as bystander:
            assert (await bystander.get("/kinerja/v1/employees")).status_code != 429


async def test_a_user_token_counts_per_person_never_per_address(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    settings = gateway_settings(anonymous_rate_limit_per_minute=3, user_rate_limit_per_minute=8)
    async with served(settings) as (app, url):
        signer = gateway_state(app).keyring.signer

        def token(subject: str) -> dict[str, str]:
            issued = signer.issue(subject, [Role.PEGAWAI], ttl_s=600, extra={"typ": "user"})
            return {"Authorization": f"Bearer {issued}"}

        # An office behind one NAT address: many people, one address, each with a whole budget (8 > 3).
        async with from_address(url, "127.0.0.4") as office:
            for person in ("198609262015051001", "198609262015051002"):
                codes = [
                    (await office.get("/kinerja/v1/me", headers=token(person))).status_code for _ in range(8)
                ]
                assert 429 not in codes, codes
        # One person's token from two addresses shares one budget: the 9th request is refused.
        alice = token("198609262015051003")
        async with from_address(url, "127.0.0.5") as one, from_address(url, "127.0.0.6") as two:
            codes = [
                (await (one if i % 2 else two).get("/kinerja/v1/me", headers=alice)).status_code
                for i in range(10)
            ]
        assert codes.count(429) == 2, codes


async def test_made_up_client_logins_from_one_address_are_cut_off(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    """A fresh random client_id per request defeated the per-(id, address) limit: every one cost an argon2
    verification. Now failures count per address too, and the answer is 429 slow_down."""
    settings = gateway_settings(login_failures_per_address_per_minute=8)
    async with served(settings) as (_app, url), from_address(url, "127.0.0.7") as attacker:
        answers = []
        for _ in range(12):
            resp = await attacker.post(
                "/auth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "cl_" + secrets.token_hex(8),
                    "client_secret": secrets.token_urlsafe(32),
                },
            )
            answers.append(resp)
        codes = [r.status_code for r in answers]
        assert codes[:8] == [401] * 8, codes
        assert set(codes[8:]) == {429}, codes
        assert answers[-1].json()["error"] == "slow_down"
        assert int(answers[-1].headers["retry-after"]) >= 1
        # Another address is not affected.
        async with from_address(url, "127.0.0.8") as other:
            resp = await other.post(
                "/auth/token",
                data={"grant_type": "client_credentials", "client_id": "cl_x", "client_secret": "y" * 40},
            )
            assert resp.status_code == 401


async def test_argon2_work_beyond_the_queue_is_refused_with_slow_down(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    settings = gateway_settings(password_hash_concurrency=1, password_hash_queue=1)
    async with served(settings) as (_app, url):
        clients = [from_address(url, f"127.0.1.{i}") for i in range(1, 9)]
        try:
            answers = await asyncio.gather(
                *(login(c, f"nobody{i}", "wrong password!") for i, c in enumerate(clients))
            )
        finally:
            for c in clients:
                await c.aclose()
        busy = [r for r in answers if r.status_code == 429]
        assert busy, [r.status_code for r in answers]
        assert all(r.json()["error"] == "slow_down" and r.headers["retry-after"] for r in busy)
        assert any(r.status_code == 400 for r in answers)


async def test_client_secrets_are_hmac_and_old_argon2_hashes_are_replaced_on_success(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with served(gateway_settings()) as (app, url):
        maker = gateway_state(app).sessionmaker
        secret = secrets.token_urlsafe(32)
        async with maker() as session, session.begin():
            # The bootstrap still writes argon2 (it runs without the gateway's key): an "old" hash.
            await ensure_client(session, client_id="svc-old", name="old", secret=secret, roles=[Role.SERVICE])
        async with maker() as session:
            before = await session.scalar(
                select(ApiClient.secret_hash).where(ApiClient.client_id == "svc-old")
            )
        assert before is not None
        assert before.startswith("$argon2")
        form = {"grant_type": "client_credentials", "client_id": "svc-old", "client_secret": secret}
        async with from_address(url, "127.0.0.9") as caller:
            assert (await caller.post("/auth/token", data=form)).status_code == 200
            async with maker() as session:
                after = await session.scalar(
                    select(ApiClient.secret_hash).where(ApiClient.client_id == "svc-old")
                )
            assert after is not None
            assert after.startswith("hmac-sha256$")
            assert (await caller.post("/auth/token", data=form)).status_code == 200
            assert (
                await caller.post("/auth/token", data={**form, "client_secret": "wrong" * 8})
            ).status_code == 401
            created = await caller.post(
                "/auth/clients",
                json={"name": "Dashboard", "roles": ["integrator"]},
                headers=admin_bearer(app),
            )
            assert created.status_code == 201, created.text
            async with maker() as session:
                stored = await session.scalar(
                    select(ApiClient.secret_hash).where(ApiClient.client_id == created.json()["client_id"])
                )
            assert stored is not None
            assert stored.startswith("hmac-sha256$")


# ------------------------------------------------------------------------------ 2. lock-out as a weapon


async def test_failures_from_one_address_do_not_lock_the_admin_out_elsewhere(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    settings = gateway_settings(login_max_failures=3, login_lockout_s=600)
    async with served(settings) as (app, url):
        await add_account(app, "admin", [Role.ADMIN])
        maker = gateway_state(app).sessionmaker
        async with from_address(url, "127.0.0.10") as fuzzer, from_address(url, "127.0.0.11") as owner:
            for _ in range(3):
                assert (await login(fuzzer, "admin", "admin")).status_code == 400
            # Locked from the fuzzer's address, even with the right password...
            assert (await login(fuzzer, "admin", PASSWORD)).status_code == 400
            # ...but the admin at her own desk logs in (before the fix: locked out for good).
            assert (await login(owner, "admin", PASSWORD)).status_code == 200

            async with maker() as session:
                entries = list(
                    await session.scalars(select(AuditEntry).where(AuditEntry.action == "account.lockout"))
                )
            assert [(e.entity_id, (e.after or {})["address"]) for e in entries] == [("admin", "127.0.0.10")]
            metrics = (await owner.get("/metrics")).text
            assert {k["event"]: v for k, v in samples(metrics, "asn_security_events_total")}["lockout"] == 1

            # The second lock-out of the same pair lasts twice as long.
            async with maker() as session, session.begin():
                await session.execute(
                    update(LoginLockout).values(locked_until=clock.now() - timedelta(seconds=1))
                )
            for _ in range(3):
                assert (await login(fuzzer, "admin", "admin")).status_code == 400
            async with maker() as session:
                row = await session.get(LoginLockout, ("admin", "127.0.0.10"))
            assert row is not None
            assert row.lockouts == 2
            assert row.locked_until is not None
            assert row.locked_until - clock.now() > timedelta(seconds=1100)

            # An admin lifts it; audited and counted.
            resp = await owner.post("/auth/accounts/admin/unlock", headers=admin_bearer(app))
            assert resp.status_code == 200, resp.text
            assert (await login(fuzzer, "admin", PASSWORD)).status_code == 200
            async with maker() as session:
                unlock = await session.scalar(select(AuditEntry).where(AuditEntry.action == "account.unlock"))
            assert unlock is not None
            assert unlock.before == {"locked_addresses": ["127.0.0.10"]}
            assert unlock.actor == "root"
            metrics = (await owner.get("/metrics")).text
            assert {k["event"]: v for k, v in samples(metrics, "asn_security_events_total")}["unlock"] == 1
            assert (
                await owner.post("/auth/accounts/nobody/unlock", headers=admin_bearer(app))
            ).status_code == 404


async def test_a_username_under_attack_is_slowed_never_blocked_for_a_clean_address(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    settings = gateway_settings(
        login_max_failures=2, login_username_slowdown_after=4, login_username_slowdown_s=0.5
    )
    async with served(settings) as (app, url):
        await add_account(app, "admin", [Role.ADMIN])
        for n in range(3):
            async with from_address(url, f"127.0.2.{n + 1}") as bot:
                for _ in range(2):
                    assert (await login(bot, "admin", "guess")).status_code == 400
        async with from_address(url, "127.0.2.100") as owner:
            started = asyncio.get_running_loop().time()
            resp = await login(owner, "admin", PASSWORD)
            assert resp.status_code == 200, resp.text
            assert asyncio.get_running_loop().time() - started >= 0.5


# ------------------------------------------------------------------------------ 4. the services' own clients


async def test_revoking_a_service_client_needs_confirmation_and_is_audited(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with served(gateway_settings()) as (app, url):
        maker = gateway_state(app).sessionmaker
        async with maker() as session, session.begin():
            await ensure_client(
                session, client_id="svc-kinerja", name="kinerja", secret="s" * 43, roles=[Role.SERVICE]
            )
        async with from_address(url, "127.0.0.12") as admin:
            refused = await admin.post("/auth/clients/svc-kinerja/revoke", headers=admin_bearer(app))
            assert refused.status_code == 409, refused.text
            wrong = await admin.post(
                "/auth/clients/svc-kinerja/revoke",
                json={"confirm": "svc-pelatihan"},
                headers=admin_bearer(app),
            )
            assert wrong.status_code == 409
            ok = await admin.post(
                "/auth/clients/svc-kinerja/revoke", json={"confirm": "svc-kinerja"}, headers=admin_bearer(app)
            )
            assert ok.status_code == 200
            assert ok.json()["active"] is False
        async with maker() as session:
            entry = await session.scalar(
                select(AuditEntry).where(
                    AuditEntry.action == "api_client.revoke", AuditEntry.entity_id == "svc-kinerja"
                )
            )
        assert entry is not None
        assert entry.actor == "root"


# ------------------------------------------------------------------------------ 3. one IPv6 /64


async def test_addresses_of_one_ipv6_64_share_one_limit(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    """In process: the apps listen on IPv4 loopback, so the peer address is set in the ASGI scope."""
    app = create_app(gateway_settings(anonymous_rate_limit_per_minute=ANON_LIMIT))
    async with app.router.lifespan_context(app):
        codes = []
        for i in range(ANON_LIMIT + 3):
            transport = httpx.ASGITransport(app=app, client=(f"2001:db8:1:2::{i + 1:x}", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
                codes.append((await c.get("/kinerja/v1/employees")).status_code)
        assert codes[ANON_LIMIT:] == [429] * 3, codes
        transport = httpx.ASGITransport(app=app, client=("2001:db8:1:3::1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
            assert (await c.get("/kinerja/v1/employees")).status_code != 429


async def test_a_service_whose_client_was_revoked_is_degraded_with_the_reason(
    gateway_settings: Callable[..., GatewaySettings], settings_for: Callable[..., Any]
) -> None:
    """The gateway is up and answers; the service's own client is revoked: /readyz must not say ready."""
    async with served(gateway_settings()) as (app, url):
        secret = "k" * 43
        async with gateway_state(app).sessionmaker() as session, session.begin():
            await ensure_client(
                session, client_id="svc-kinerja", name="kinerja", secret=secret, roles=[Role.SERVICE]
            )
        async with from_address(url, "127.0.0.13") as admin:
            revoked = await admin.post(
                "/auth/clients/svc-kinerja/revoke", json={"confirm": "svc-kinerja"}, headers=admin_bearer(app)
            )
            assert revoked.status_code == 200
        service = kinerja_app(
            settings_for(KinerjaSettings, gateway_url=url, service_client_secret=SecretStr(secret))
        )
        async with running(service) as client:
            resp = await client.get("/readyz")
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "degraded"
        assert resp.json()["reasons"] == ["cannot obtain its service token from the gateway (HTTP 401)"]


async def test_local_run_recreates_a_revoked_service_client_production_bootstrap_does_not(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with served(gateway_settings()) as (app, url):
        state = gateway_state(app)
        database_url = state.settings.database_url
        assert database_url is not None
        first = {"svc-kinerja": "a" * 43}
        assert await bootstrap(database_url, first) == first
        async with state.sessionmaker() as session, session.begin():
            await revoke_client(session, "svc-kinerja", actor="root", confirm="svc-kinerja")
        # Production (asn bootstrap-clients): a revoked client stays revoked.
        assert await bootstrap(database_url, first) == first
        form = {"grant_type": "client_credentials", "client_id": "svc-kinerja", "client_secret": "a" * 43}
        async with from_address(url, "127.0.0.14") as svc:
            assert (await svc.post("/auth/token", data=form)).status_code == 401
            # asn run (local): re-created with a new secret, which works; the old one does not.
            renewed = await bootstrap(database_url, first, local=True)
            assert renewed["svc-kinerja"] != first["svc-kinerja"]
            assert (await svc.post("/auth/token", data=form)).status_code == 401
            fresh = {**form, "client_secret": renewed["svc-kinerja"]}
            assert (await svc.post("/auth/token", data=fresh)).status_code == 200
        async with state.sessionmaker() as session:
            actions = list(
                await session.scalars(
                    select(AuditEntry.action)
                    .where(AuditEntry.entity_id == "svc-kinerja")
                    .order_by(AuditEntry.seq)
                )
            )
        assert actions == ["api_client.create", "api_client.revoke", "api_client.revive"]
