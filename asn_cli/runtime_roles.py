"""Per app, a runtime role beside the schema owner (issue 14 finding 3).

The owner (the role ``asn migrate`` connects as) owns the app's schema and runs its migrations. The app's
replicas serve as the runtime role, which reads and writes the app's tables but may only INSERT and SELECT its
audit tables: no UPDATE, DELETE or TRUNCATE, and no DDL (so it cannot drop the append-only trigger either).

:func:`ensure_runtime_role` runs after every migration (``asn migrate``, ``asn run``, the test stacks): it
creates the role when it is missing and the owner may create roles, then (re)grants, so tables a migration
added get their rights. Default privileges cover tables created between two runs. When the role is missing
and cannot be created (a managed server that gives the owner no CREATEROLE), it warns and the app keeps
serving as the owner: the append-only trigger still refuses UPDATE, DELETE and TRUNCATE, but the owner could
drop it (docs/operations.md §3).

Roles are cluster-wide and many databases may share one server (the tests make one per run), so the default
name carries the database's: ``<database>_<app>_runtime``. Grants are per database anyway.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import asyncpg

from asn_cli.apps import APPS
from services.common.apps import APP_NAMES
from services.common.settings import normalise_database_url

# The hash-chained tables of each schema: the runtime role may only INSERT and SELECT them.
AUDIT_TABLES: dict[str, tuple[str, ...]] = {
    "kinerja": ("audit_entry",),
    "pelatihan": ("audit_entry",),
    "publik": ("audit_entry", "audit_anchor"),
    "gateway": ("audit_entry",),
}
MAX_IDENTIFIER = 63  # PostgreSQL's NAMEDATALEN - 1
PASSWORDS_FILE = "runtime-db-passwords.json"


@dataclass(frozen=True)
class RuntimeRole:
    """Who an app serves as: ``url`` connects as ``role`` (or as the owner, after a fallback)."""

    app: str
    role: str
    url: str
    separate: bool  # False: the fallback, the app serves as the owner
    warning: str | None = None


def _plain(url: str) -> str:
    return normalise_database_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


def database_name(url: str) -> str:
    """The database a URL points at."""
    return unquote(urlsplit(_plain(url)).path.lstrip("/")) or "postgres"


def url_user(url: str) -> str | None:
    """The user a URL names (None when it names none: libpq then uses the OS user)."""
    user = urlsplit(_plain(url)).username
    return unquote(user) if user else None


def url_password(url: str) -> str | None:
    """The password a URL carries, if any."""
    password = urlsplit(_plain(url)).password
    return unquote(password) if password else None


def default_role_name(database: str, app: str) -> str:
    """``<database>_<app>_runtime``, within PostgreSQL's identifier length (the database part shortened)."""
    suffix = f"_{app}_runtime"
    return database[: MAX_IDENTIFIER - len(suffix)] + suffix


def with_user(url: str, user: str, password: str | None) -> str:
    """The same server and database, connecting as ``user``."""
    parts = urlsplit(_plain(url))
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = quote(user, safe="")
    if password:
        netloc += ":" + quote(password, safe="")
    netloc += "@" + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def stored_password(data_dir: Path, role: str) -> str:
    """A per-installation password for ``role``, generated once and kept in an owner-only file beside the
    services' secrets (``asn run`` and the embedded setup)."""
    path = data_dir / PASSWORDS_FILE
    values: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if role not in values:
        values[role] = secrets.token_urlsafe(24)
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(values, fh)
    return values[role]


@dataclass(frozen=True)
class RoleRequest:
    """What the operator asked for: the role's name and, when known, its password."""

    name: str
    password: str | None


def requested_role(
    app: str, owner_url: str, env: dict[str, str], data_dir: Path | None = None
) -> RoleRequest:
    """The runtime role of ``app`` from the environment: ``<PREFIX>RUNTIME_ROLE``, else the user of
    ``<PREFIX>DATABASE_URL`` when that differs from the owner's, else ``<database>_<app>_runtime``. The
    password: ``<PREFIX>RUNTIME_DATABASE_PASSWORD``, else the one in that URL, else (with ``data_dir``) one
    generated and kept there."""
    prefix = APPS[app].env_prefix
    serve_url = env.get(prefix + "DATABASE_URL")
    name = env.get(prefix + "RUNTIME_ROLE")
    password = env.get(prefix + "RUNTIME_DATABASE_PASSWORD")
    if serve_url and url_user(serve_url) not in (None, url_user(owner_url)):
        name = name or url_user(serve_url)
        if name == url_user(serve_url):
            password = password or url_password(serve_url)
    name = name or default_role_name(database_name(owner_url), app)
    if password is None and data_dir is not None:
        password = stored_password(data_dir, name)
    return RoleRequest(name, password)


async def _try(conn: asyncpg.Connection, sql: str, *args: object) -> asyncpg.PostgresError | None:
    """Run one statement in a savepoint; return the refusal instead of raising it."""
    try:
        async with conn.transaction():
            await conn.execute(sql, *args)
    except (asyncpg.InsufficientPrivilegeError, asyncpg.DuplicateObjectError) as exc:
        return exc
    return None


async def _statement(conn: asyncpg.Connection, template: str, *values: str) -> str:
    """A utility statement (no bind parameters there) with identifiers (%I) and literals (%L) quoted by the
    server's own ``format``."""
    sql: str = await conn.fetchval("SELECT format($1::text, VARIADIC $2::text[])", template, list(values))
    return sql


def grant_statements(schema: str, role: str, owner: str, audit_tables: tuple[str, ...]) -> list[str]:
    """The runtime rights inside ``schema``: DML on the app's tables, only INSERT and SELECT on its audit
    tables, only SELECT on its migration history, no DDL (the role gets USAGE on the schema, never CREATE)."""
    r, s, o = _ident(role), _ident(schema), _ident(owner)
    table_rights = "SELECT, INSERT, UPDATE, DELETE"
    statements = [
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT {table_rights} ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {r}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT {table_rights} ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}",
        # The migration history is the owner's: the app only reads it (/readyz).
        f"REVOKE INSERT, UPDATE, DELETE ON {s}.alembic_version FROM {r}",
    ]
    statements += [f"REVOKE UPDATE, DELETE, TRUNCATE ON {s}.{_ident(t)} FROM {r}" for t in audit_tables]
    return statements


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _ensure(app: str, owner_url: str, request: RoleRequest) -> RuntimeRole:
    conn = await asyncpg.connect(_plain(owner_url), timeout=10.0)
    try:
        owner: str = await conn.fetchval("SELECT current_user")
        if request.name == owner:
            return RuntimeRole(
                app, owner, owner_url, False, f"{app}: the runtime role is the owner {owner!r}"
            )
        exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", request.name)
        if not exists:
            create = await _statement(
                conn,
                "CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION PASSWORD %L"
                if request.password
                else "CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION",
                *([request.name, request.password] if request.password else [request.name]),
            )
            refused = await _try(conn, create)
            if isinstance(refused, asyncpg.InsufficientPrivilegeError):
                return RuntimeRole(
                    app,
                    owner,
                    owner_url,
                    False,
                    f"{app}: the runtime role {request.name!r} does not exist and {owner!r} may not create "
                    f"roles ({refused}); {app} keeps serving as the owner, whose rights include rewriting its "
                    "audit chain. Create the role as a superuser (deploy/postgres-init.sql) and run "
                    "`asn migrate` again.",
                )
            # DuplicateObjectError: a concurrent run created it first; that is fine.
        elif request.password:
            # Keep the password in step with the configuration, where the owner may (superuser, or the
            # ADMIN option CREATEROLE gives on PostgreSQL 16); otherwise the operator manages it.
            alter = await _statement(conn, "ALTER ROLE %I PASSWORD %L", request.name, request.password)
            await _try(conn, alter)
        warning = None
        database: str = await conn.fetchval("SELECT current_database()")
        await _try(conn, await _statement(conn, "GRANT CONNECT ON DATABASE %I TO %I", database, request.name))
        if not await conn.fetchval(
            "SELECT has_database_privilege($1, current_database(), 'CONNECT')", request.name
        ):
            warning = (
                f"{app}: {request.name!r} may not connect to this database and {owner!r} may not grant it: "
                "run GRANT CONNECT ON DATABASE as the superuser (deploy/postgres-init.sql)"
            )
        present = {
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", app)
        }
        audit = tuple(t for t in AUDIT_TABLES[app] if t in present)
        async with conn.transaction():
            for sql in grant_statements(app, request.name, owner, audit):
                if "alembic_version" in sql and "alembic_version" not in present:
                    continue
                await conn.execute(sql)
        url = with_user(owner_url, request.name, request.password)
        return RuntimeRole(app, request.name, url, True, warning)
    finally:
        await conn.close()


def ensure_runtime_role(app: str, owner_url: str, request: RoleRequest) -> RuntimeRole:
    """Create (if missing and allowed) and grant the runtime role of ``app``, after its migrations; return
    the URL the app serves with. Idempotent."""
    return asyncio.run(_ensure(app, owner_url, request))


def ensure_runtime_roles(
    owner_urls: dict[str, str], env: dict[str, str], data_dir: Path | None = None
) -> dict[str, RuntimeRole]:
    """:func:`ensure_runtime_role` for several apps, each with the role its environment asks for."""
    return {
        app: ensure_runtime_role(app, url, requested_role(app, url, env, data_dir))
        for app, url in owner_urls.items()
        if app in APP_NAMES
    }
