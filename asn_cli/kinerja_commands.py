"""kinerja commands of the ``asn`` CLI.

``asn import-employees FILE`` runs the very same service code as ``POST /v1/employees/import``
(services.kinerja_api.employees.importer) in one transaction against the kinerja database.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import time
from pathlib import Path
from typing import Any

from asn_cli.database import CliSettings

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def register(sub: Any) -> None:
    """Add the kinerja subcommands to the parser."""
    p: argparse.ArgumentParser = sub.add_parser(
        "import-employees",
        help="import employees from a CSV file (all or nothing)",
        description=(
            "Validate every line of FILE, then create or update the employees in one transaction. "
            "Any bad line: each is printed as 'line N: reason', nothing is written, exit status 1. "
            "Uses ASN_DATABASE_URL or KINERJA_DATABASE_URL."
        ),
    )
    p.add_argument(
        "file",
        type=Path,
        help="UTF-8 CSV: nip,name,unit_code,position,position_type,rank,employment,supervisor_nip,active",
    )
    p.set_defaults(fn=cmd_import_employees)


def _database_url(settings: CliSettings) -> str | None:
    """ASN_DATABASE_URL (one database for every app), else the kinerja app's own KINERJA_DATABASE_URL."""
    if settings.database_url:
        return settings.database_url
    from services.kinerja_api.config import KinerjaSettings

    return KinerjaSettings().database_url


class _Progress:
    """Progress lines on stderr, at most every PROGRESS_EVERY rows (the importer decides when to call)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, stage: str, done: int, total: int) -> None:
        print(
            f"{stage}: {done}/{total} rows ({time.perf_counter() - self.started:.1f} s)",
            file=sys.stderr,
            flush=True,
        )


async def _run(url: str, data: bytes, progress: _Progress) -> Any:
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from services.common.settings import normalise_database_url
    from services.kinerja_api import clock
    from services.kinerja_api.employees.importer import import_employees

    engine = create_async_engine(normalise_database_url(url))
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            return await import_employees(
                session, data, today=clock.today(), actor=f"cli:{getpass.getuser()}", progress=progress
            )
    finally:
        await engine.dispose()


def cmd_import_employees(args: argparse.Namespace, settings: CliSettings) -> int:
    """Import FILE; 0 when imported, 1 when refused (bad lines or a malformed file), 2 on usage errors."""
    from services.kinerja_api.employees.errors import ImportRejected, MalformedCsv

    url = _database_url(settings)
    if not url:
        print("asn: no database configured: set ASN_DATABASE_URL or KINERJA_DATABASE_URL", file=sys.stderr)
        return EXIT_USAGE
    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"asn: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    progress = _Progress()
    print(f"reading {path} ({len(data):,} bytes)", file=sys.stderr, flush=True)
    try:
        counts = asyncio.run(_run(url, data, progress))
    except ImportRejected as exc:
        for item in exc.errors or []:
            print(f"line {item['line']}: {item['msg']}")
        print(f"{exc.detail}")
        print(f"created 0, updated 0, unchanged 0, refused {len(exc.errors or [])}")
        return EXIT_REFUSED
    except MalformedCsv as exc:
        print(f"{path}: {exc.detail}")
        print("created 0, updated 0, unchanged 0, refused 0 (file not readable as employee CSV)")
        return EXIT_REFUSED
    print(
        f"created {counts.created}, updated {counts.updated}, unchanged {counts.unchanged}, "
        f"refused {counts.refused} ({time.perf_counter() - progress.started:.1f} s)"
    )
    return EXIT_OK
