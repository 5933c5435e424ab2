"""Issue 14 finding 3: every app's audit table is append-only in the database. A role the app could serve
with — even one granted every table privilege on its schema — inserts and reads audit entries, and an UPDATE,
DELETE or TRUNCATE of them raises; so does one sent by the schema owner through the app's own connection."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.common.apps import APP_NAMES
from tests.support.fixtures import plain_dsn

ROGUE = (
    "UPDATE {schema}.audit_entry SET actor = 'someone-else'",
    "DELETE FROM {schema}.audit_entry",
    "TRUNCATE {schema}.audit_entry",
)


@pytest.fixture
async def runtime_role(db: str) -> AsyncIterator[str]:
    """A login role with every privilege on every app table (worse than deploy/postgres-init.sql's runtime
    roles, which lack UPDATE, DELETE and TRUNCATE on the audit tables): only the trigger stands in its way."""
    name = f"rt_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        await conn.execute(f"CREATE ROLE {name} LOGIN")
        for schema in APP_NAMES:
            await conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {name}")
            await conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO {name}")
            await conn.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA {schema} TO {name}")
        yield name
    finally:
        for schema in APP_NAMES:
            await conn.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {name}")
            await conn.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {name}")
            await conn.execute(f"REVOKE ALL ON SCHEMA {schema} FROM {name}")
        await conn.execute(f"DROP ROLE {name}")
        await conn.close()


async def _append(conn: asyncpg.Connection, schema: str) -> None:
    await conn.execute(
        f"INSERT INTO {schema}.audit_entry (at, actor, action, entity, entity_id, prev_hash, hash) "
        "VALUES (now(), 'tester', 'x.create', 'x', '1', $1, $2)",
        "0" * 64,
        uuid.uuid4().hex * 2,
    )


@pytest.mark.parametrize("schema", APP_NAMES)
async def test_the_runtime_role_cannot_rewrite_the_chain(db: str, runtime_role: str, schema: str) -> None:
    conn = await asyncpg.connect(plain_dsn(db), user=runtime_role)
    try:
        await _append(conn, schema)
        assert await conn.fetchval(f"SELECT count(*) FROM {schema}.audit_entry") == 1
        for statement in ROGUE:
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(statement.format(schema=schema))
        assert await conn.fetchval(f"SELECT actor FROM {schema}.audit_entry") == "tester"
    finally:
        await conn.close()


@pytest.mark.parametrize("schema", APP_NAMES)
async def test_even_the_owner_connection_is_refused(db: str, schema: str) -> None:
    """The tests connect as the superuser that owns everything: the trigger still fires (only replica mode or
    disabling the trigger, both outside any app's code, gets past it)."""
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        await _append(conn, schema)
        for statement in ROGUE:
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(statement.format(schema=schema))
        assert await conn.fetchval(f"SELECT count(*) FROM {schema}.audit_entry") == 1
    finally:
        await conn.close()
