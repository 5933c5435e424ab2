"""``asn migrate`` sets up each app's runtime role (issue 14 finding 3): which role and password it picks from
the settings, and that running it again changes nothing (idempotent) while a migration's new tables get their
rights. The rights themselves are proved in tests/e2e/test_runtime_roles.py and tests/ops/test_migrations.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from asn_cli.main import main
from asn_cli.runtime_roles import (
    MAX_IDENTIFIER,
    RoleRequest,
    default_role_name,
    requested_role,
    url_user,
    with_user,
)
from tests.support.fixtures import create_database, drop_database, plain_dsn

OWNER = "postgresql://kinerja:owner-pw@db.example:5432/asn"


def test_the_role_comes_from_the_settings() -> None:
    # Only the owner's URL: <database>_<app>_runtime, and no password unless one is configured.
    assert requested_role("kinerja", OWNER, {}) == RoleRequest("asn_kinerja_runtime", None)
    named = {"KINERJA_RUNTIME_ROLE": "kinerja_runtime", "KINERJA_RUNTIME_DATABASE_PASSWORD": "rt-pw"}
    assert requested_role("kinerja", OWNER, named) == RoleRequest("kinerja_runtime", "rt-pw")
    # MIGRATION_DATABASE_URL is the owner's; DATABASE_URL names the role the app serves as, with its password.
    serving = {"KINERJA_DATABASE_URL": "postgresql://kinerja_rt:s%40rve@db.example:5432/asn"}
    assert requested_role("kinerja", OWNER, serving) == RoleRequest("kinerja_rt", "s@rve")
    # DATABASE_URL naming the owner itself (a migration job with one URL) is not taken for the runtime role.
    assert requested_role("kinerja", OWNER, {"KINERJA_DATABASE_URL": OWNER}).name == "asn_kinerja_runtime"


def test_names_fit_postgres_and_urls_keep_server_and_database(tmp_path: Path) -> None:
    long = default_role_name("d" * 80, "pelatihan")
    assert len(long) == MAX_IDENTIFIER
    assert long.endswith("_pelatihan_runtime")
    url = with_user("postgresql://postgres:@/asn?host=/tmp/pg", "asn_kinerja_runtime", "p/w d")
    assert url == "postgresql://asn_kinerja_runtime:p%2Fw%20d@/asn?host=/tmp/pg"
    assert url_user(url) == "asn_kinerja_runtime"
    # Development: a password generated once per role and kept (owner-only) in the data directory.
    first = requested_role("kinerja", OWNER, {}, tmp_path)
    assert first.password
    assert requested_role("kinerja", OWNER, {}, tmp_path) == first
    assert (tmp_path / "runtime-db-passwords.json").stat().st_mode & 0o777 == 0o600


@pytest.fixture
async def fresh_db(pg_server: str) -> AsyncIterator[str]:
    url = await create_database(pg_server, prefix="asn_rt")
    try:
        yield url
    finally:
        await drop_database(pg_server, url)


async def _grants(url: str, role: str) -> set[tuple[str, str]]:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        rows = await conn.fetch(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = $1 AND table_schema = 'kinerja'",
            role,
        )
        return {(r["table_name"], r["privilege_type"]) for r in rows}
    finally:
        await conn.close()


async def test_asn_migrate_creates_and_grants_the_runtime_role_idempotently(
    fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASN_DATABASE_URL", fresh_db)
    monkeypatch.setenv("ASN_DATA_DIR", str(tmp_path))
    assert await asyncio.to_thread(main, ["migrate", "kinerja", "pelatihan"]) == 0
    role = default_role_name(fresh_db.rsplit("/", 1)[1], "kinerja")
    out = capsys.readouterr()
    assert f"kinerja serves as {role!r}" in out.out
    assert "warning" not in out.err
    grants = await _grants(fresh_db, role)
    assert ("audit_entry", "INSERT") in grants
    assert ("audit_entry", "SELECT") in grants
    assert not {p for t, p in grants if t == "audit_entry"} - {"INSERT", "SELECT"}
    assert {p for t, p in grants if t == "alembic_version"} == {"SELECT"}
    assert ("employee", "UPDATE") in grants
    # Again: nothing changes, nothing fails (the role exists; its password is the kept one).
    assert await asyncio.to_thread(main, ["migrate", "kinerja"]) == 0
    assert await _grants(fresh_db, role) == grants
    assert "warning" not in capsys.readouterr().err
