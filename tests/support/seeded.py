"""A running stack on a fresh database loaded with the demo data, and a token for every role.

Shared by the fuzz run (tests/fuzz, scripts/fuzz.py) and the security drills (tests/security). The database
is a new one on the test server (never the shared test database), migrated, bootstrapped and seeded with
``asn_cli.seed.seed_demo``; it is dropped when the context ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from asn_cli.seed import bootstrap, create_admin, publish_demo, seed_demo
from gateway.identity.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD
from services.common.apps import APP_NAMES
from tests.support.fixtures import create_database, drop_database, migrate_all
from tests.support.stack import ADMIN_PASSWORD, ADMIN_USER, SERVICE_SECRETS, Stack

# Demo accounts per role (asn_cli.seed / gateway.identity.demo); the integrator is the demo API client.
ROLE_ACCOUNTS = {
    "admin": "admin",
    "pegawai": "pegawai.bkd",
    "supervisor": "atasan.bkd",
    "pelatihan_admin": "pelatihan.admin",
    "mitra": "mitra.bpsdm",
}
# Generous edge limits: the fuzzer and the sweeps send thousands of requests from one address, and a 429
# would hide what the endpoint itself answers. The limits have their own tests (tests/gateway).
FUZZ_ENV = {
    "GATEWAY_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "1000000",
    "GATEWAY_CLIENT_RATE_LIMIT_PER_MINUTE": "1000000",
    "GATEWAY_USER_RATE_LIMIT_PER_MINUTE": "1000000",
    "GATEWAY_LOGIN_RATE_LIMIT_PER_MINUTE": "1000000",
    "GATEWAY_LOGIN_MAX_FAILURES": "1000000",
    "PUBLIK_SURVEY_RATE_LIMIT": "1000000",
}


async def prepare_seeded(server_url: str, context: dict[str, Any] | None = None) -> str:
    """A new database on ``server_url``: migrated, service clients, the e2e admin and the demo data
    (``context`` receives what ``publish_demo`` needs once the stack runs)."""
    url = await create_database(server_url, "asn_seeded")
    await asyncio.to_thread(migrate_all, url)
    await bootstrap(url, SERVICE_SECRETS)
    await create_admin(url, ADMIN_USER, ADMIN_PASSWORD)
    await seed_demo(dict.fromkeys(APP_NAMES, url), None, context)  # type: ignore[arg-type]
    return url


@dataclass
class Seeded:
    """The running stack, its database and one bearer token per role (``None``: no token)."""

    stack: Stack
    database_url: str
    tokens: dict[str, str] = field(default_factory=dict)
    nips: dict[str, str] = field(default_factory=dict)
    institution_id: str | None = None
    # What the demo seed reported (``seed_demo``'s context): its period, its transfer, its units.
    demo: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.stack.url

    def headers(self, role: str | None) -> dict[str, str]:
        if role is None:
            return {}
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def secrets(self) -> list[str]:
        """Every password, client secret and token this run handed out (for the log grep)."""
        return [
            DEMO_PASSWORD,
            ADMIN_PASSWORD,
            DEMO_CLIENT_SECRET,
            *SERVICE_SECRETS.values(),
            *self.tokens.values(),
        ]


def login(base_url: str, username: str, password: str = DEMO_PASSWORD) -> str:
    resp = httpx.post(
        base_url + "/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
        timeout=10.0,
    )
    resp.raise_for_status()
    return str(resp.json()["access_token"])


def client_token(base_url: str, client_id: str = DEMO_CLIENT_ID, secret: str = DEMO_CLIENT_SECRET) -> str:
    resp = httpx.post(
        base_url + "/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=10.0,
    )
    resp.raise_for_status()
    return str(resp.json()["access_token"])


def fill_tokens(seeded: Seeded) -> None:
    for role, username in ROLE_ACCOUNTS.items():
        seeded.tokens[role] = login(seeded.url, username)
    seeded.tokens["integrator"] = client_token(seeded.url)
    for role in ("pegawai", "supervisor"):
        who: dict[str, Any] = httpx.get(
            seeded.url + "/kinerja/v1/whoami", headers=seeded.headers(role), timeout=10
        ).json()
        seeded.nips[role] = str(who["nip"])
    mitra = httpx.get(seeded.url + "/pelatihan/v1/whoami", headers=seeded.headers("mitra"), timeout=10)
    seeded.institution_id = mitra.json().get("institution_id")


@contextlib.contextmanager
def seeded_stack(
    server_url: str,
    workdir: Path,
    *,
    instances: dict[str, int] | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Seeded]:
    """Start the four apps on a freshly seeded database; stop them and drop the database afterwards."""
    context: dict[str, Any] = {}
    url = asyncio.run(prepare_seeded(server_url, context))
    stack = Stack(
        database_url=url,
        workdir=workdir,
        instances=instances or {},
        extra_env={**FUZZ_ENV, **(extra_env or {})},
    )
    try:
        stack.start()
        # As ``asn run`` does: the outbox delivers the demo's figures, the admin approval makes them public.
        asyncio.run(publish_demo(dict.fromkeys(APP_NAMES, url), context))
        seeded = Seeded(stack, url, demo=context)
        fill_tokens(seeded)
        yield seeded
    finally:
        stack.stop()
        asyncio.run(drop_database(server_url, url))
