"""Backup drill: data written by the apps' own code, `asn backup`, wipe, `asn restore`, and every table's row
count and checksum compared. Real PostgreSQL, real pg_dump/pg_restore."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from asn_cli import ops_commands
from asn_cli.database import CliSettings
from asn_cli.main import build_parser
from asn_cli.ops_commands import BackupError, PgTool, pick_tool
from asn_cli.seed import bootstrap, create_admin, seed_demo
from services.common.apps import APP_NAMES
from tests.support.fixtures import (
    create_database,
    drop_database,
    migrate_all,
    plain_dsn,
)

Fingerprint = dict[str, tuple[int, str]]


async def fingerprint(url: str, schemas: tuple[str, ...] = APP_NAMES) -> Fingerprint:
    """Row count and md5 of every row (ordered by primary key) of every table in ``schemas``."""
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        tables = await conn.fetch(
            "SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[]) ORDER BY 2, 3",
            list(schemas),
        )
        out: Fingerprint = {}
        for t in tables:
            pk = await conn.fetch(
                "SELECT a.attname FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord) "
                "ON true JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                "WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord",
                t["oid"],
            )
            order = ", ".join(f'r."{r["attname"]}"' for r in pk) or "r::text"
            name = f'"{t["nspname"]}"."{t["relname"]}"'
            row = await conn.fetchrow(
                f"SELECT count(*) AS n, coalesce(md5(string_agg(r::text, E'\\n' ORDER BY {order})), '') AS h "
                f"FROM {name} r"
            )
            out[f"{t['nspname']}.{t['relname']}"] = (int(row["n"]), str(row["h"]))
        return out
    finally:
        await conn.close()


async def _write_data(url: str) -> list[str]:
    urls = dict.fromkeys(APP_NAMES, url)
    await bootstrap(url, {"svc-kinerja": "backup-drill-secret-0123456789abcdef"})
    await create_admin(url, "backup-admin", "backup-admin-password")
    return await seed_demo(urls, CliSettings())


async def _recreate(server: str, url: str) -> None:
    """Wipe: drop the database and create an empty one of the same name."""
    await drop_database(server, url)
    name = plain_dsn(url).partition("?")[0].rsplit("/", 1)[1]
    conn = await asyncpg.connect(plain_dsn(server))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _cli(argv: list[str], url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run `asn backup|restore ...` through the `asn` parser, with ASN_DATABASE_URL set."""
    args = build_parser().parse_args(argv)
    monkeypatch.setenv("ASN_DATABASE_URL", url)
    code: int = args.fn(args, CliSettings())
    return code


@pytest.fixture
def seeded(pg_server: str) -> Iterator[str]:
    """A fresh database migrated to head and filled with the demo data by the apps' own code."""
    url = asyncio.run(create_database(pg_server, "asn_backup"))
    try:
        migrate_all(url)
        summary = asyncio.run(_write_data(url))
        assert summary
        yield url
    finally:
        asyncio.run(drop_database(pg_server, url))


def test_backup_wipe_restore_keeps_every_row(
    seeded: str,
    pg_server: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = asyncio.run(fingerprint(seeded))
    assert sum(n for n, _ in before.values()) > 50, before
    for schema in APP_NAMES:
        assert any(k.startswith(schema + ".") and n for k, (n, _) in before.items()), schema
    dump = tmp_path / "asn.dump"

    assert _cli(["backup", str(dump)], seeded, monkeypatch) == 0
    assert dump.stat().st_size > 0
    assert not dump.with_name("asn.dump.partial").exists()
    assert "backup written" in capsys.readouterr().out

    asyncio.run(_recreate(pg_server, seeded))
    assert asyncio.run(fingerprint(seeded)) == {}

    assert _cli(["restore", str(dump)], seeded, monkeypatch) == 0
    after = asyncio.run(fingerprint(seeded))
    assert after == before

    # A second restore over the restored data is refused, and changes nothing.
    assert _cli(["restore", str(dump)], seeded, monkeypatch) == 1
    assert "empty database" in capsys.readouterr().err
    assert asyncio.run(fingerprint(seeded)) == before


def test_one_schema_into_a_prepared_empty_schema(
    seeded: str, pg_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A per-app backup restores into a new database where the operator already created the schema."""
    before = asyncio.run(fingerprint(seeded, ("kinerja",)))
    dump = tmp_path / "kinerja.dump"
    assert _cli(["backup", str(dump), "--schema", "kinerja"], seeded, monkeypatch) == 0
    target = asyncio.run(create_database(pg_server, "asn_restore"))
    try:

        async def prepare() -> None:
            conn = await asyncpg.connect(plain_dsn(target))
            try:
                await conn.execute("CREATE SCHEMA kinerja")
            finally:
                await conn.close()

        asyncio.run(prepare())
        assert _cli(["restore", str(dump), "--schema", "kinerja"], target, monkeypatch) == 0
        assert asyncio.run(fingerprint(target, ("kinerja",))) == before
        assert asyncio.run(fingerprint(target, ("pelatihan", "publik", "gateway"))) == {}
    finally:
        asyncio.run(drop_database(pg_server, target))


def test_restore_of_a_missing_or_broken_file_fails_cleanly(
    seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(["restore", str(tmp_path / "nope.dump")], seeded, monkeypatch) == 1
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"not a dump")
    assert _cli(["restore", str(broken)], seeded, monkeypatch) == 1
    assert "not a readable" in capsys.readouterr().err


def test_tool_choice_matches_the_server() -> None:
    tools = [PgTool(Path("/a/pg_dump"), 15), PgTool(Path("/b/pg_dump"), 16), PgTool(Path("/c/pg_dump"), 18)]
    assert pick_tool("pg_dump", 16, tools).major == 16
    assert pick_tool("pg_dump", 17, tools).major == 18
    with pytest.raises(BackupError, match="PostgreSQL 19"):
        pick_tool("pg_dump", 19, tools)
    with pytest.raises(BackupError, match="not found"):
        pick_tool("pg_dump", 16, [])
    # The binaries are really found on this machine (the embedded server's wheel ships them).
    assert ops_commands.tool_versions("pg_restore")
