"""Issue 14 finding 3: the apps serve as their runtime roles, which append to the audit chains but cannot
rewrite, delete or truncate them. The stack runs as ``asn run`` sets it up (tests/support/stack.py)."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest

from asn_cli.runtime_roles import AUDIT_TABLES, url_user
from services.common.apps import APP_NAMES, SERVICE_NAMES
from tests.support.fixtures import plain_dsn
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


async def _fetch(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def _refusal(url: str, sql: str) -> str | None:
    """The refusal of ``sql`` run as the role of ``url``; None when it ran."""
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        await conn.execute(sql)
    except asyncpg.InsufficientPrivilegeError as exc:
        return str(exc)
    finally:
        await conn.close()
    return None


def _audit_count(url: str, app: str) -> int:
    rows = asyncio.run(_fetch(url, f'SELECT count(*) AS n FROM "{app}".audit_entry'))
    return int(rows[0]["n"])


def test_each_app_serves_as_its_runtime_role(stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {stack.token()}"}
    for app in SERVICE_NAMES:
        assert httpx.get(f"{stack.url}/{app}/v1/whoami", headers=headers, timeout=10).status_code == 200
    names = ", ".join(f"'{app}'" for app in APP_NAMES)
    rows = asyncio.run(
        _fetch(
            stack.database_url,
            "SELECT DISTINCT application_name, usename FROM pg_stat_activity "
            f"WHERE datname = current_database() AND application_name IN ({names})",
        )
    )
    seen = {(r["application_name"], r["usename"]) for r in rows}
    for app in APP_NAMES:
        role = url_user(stack.serve_urls[app])
        assert role is not None
        assert role.endswith(f"_{app}_runtime")
        assert role != url_user(stack.database_url)
    # Every app connection in the database is its runtime role's, none the owner's.
    assert seen
    assert all(user == url_user(stack.serve_urls[name]) for name, user in seen), seen


def test_normal_writes_append_to_the_chains_as_the_runtime_role(stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {stack.token()}"}
    before = {app: _audit_count(stack.database_url, app) for app in ("kinerja", "gateway")}
    code = f"RR{uuid.uuid4().hex[:6].upper()}"
    with httpx.Client(base_url=stack.url, timeout=10) as client:
        unit = client.post("/kinerja/v1/units", json={"code": code, "name": "Unit Peran"}, headers=headers)
        assert unit.status_code == 201, unit.text
        created = client.post(
            "/auth/clients", json={"name": f"Dasbor {code}", "roles": ["integrator"]}, headers=headers
        )
        assert created.status_code == 201, created.text
        patched = client.patch(
            f"/auth/clients/{created.json()['client_id']}", json={"name": f"Dasbor {code}!"}, headers=headers
        )
        assert patched.status_code == 200, patched.text
    for app, count in before.items():
        assert _audit_count(stack.database_url, app) > count, f"{app} wrote no audit entry"


@pytest.mark.parametrize("app", APP_NAMES)
def test_the_runtime_role_cannot_rewrite_delete_or_truncate_the_audit_chain(stack: Stack, app: str) -> None:
    url = stack.serve_urls[app]
    for table in AUDIT_TABLES[app]:
        qualified = f'"{app}".{table}'
        assert asyncio.run(_refusal(url, f"SELECT count(*) FROM {qualified}")) is None
        for sql in (
            f"UPDATE {qualified} SET hash = hash",
            f"DELETE FROM {qualified}",
            f"TRUNCATE {qualified}",
            f"ALTER TABLE {qualified} DISABLE TRIGGER USER",
            f"DROP TABLE {qualified}",
        ):
            refusal = asyncio.run(_refusal(url, sql))
            assert refusal is not None, f"{app}: {sql} ran as the runtime role"
            # Refused by the role's rights, before the append-only trigger (the second line) is reached.
            assert "append-only" not in refusal, f"{app}: only the trigger refused {sql}"
    # No DDL at all, and the migration history is the owner's.
    assert asyncio.run(_refusal(url, f'CREATE TABLE "{app}".probe (i int)')) is not None
    assert asyncio.run(_refusal(url, f'DELETE FROM "{app}".alembic_version')) is not None
