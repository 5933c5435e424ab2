"""Drill: PostgreSQL restarts while the apps are under load.

The drill runs its own embedded PostgreSQL (never the machine's shared server), starts the four apps
against it, streams writes and reads through the gateway, stops PostgreSQL for a few seconds and starts it
again. While it is down the apps answer 503 (problem+json) and no request hangs past its timeout; afterwards
they serve again without being restarted, and every acknowledged write is stored. Figures: run with ``-s``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from services.common.apps import APP_NAMES
from tests.drills.conftest import OwnPostgres
from tests.drills.harness import (
    KINERJA_UNITS,
    PROBLEM_JSON,
    LoadStream,
    expected_checksum,
    stored_checksum,
    stored_keys,
    summary,
)
from tests.support.stack import Stack, drill_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CLIENT_TIMEOUT_S = 10.0
# A request may wait for the pool's connect timeout (db_pool_timeout_s, 5 s by default) and the gateway
# gives up at its read timeout (5 s in the Stack); nothing may take longer than that plus slack.
MAX_REQUEST_S = 6.5
DOWN_FOR_S = 3.0


@pytest.fixture
def stack(own_database: str, tmp_path: Path) -> Iterator[Stack]:
    s = Stack(database_url=own_database, workdir=tmp_path, extra_env=drill_env())
    try:
        s.start()
        yield s
    finally:
        s.stop()


def test_database_restart_under_load(
    stack: Stack, own_database: str, own_postgres: OwnPostgres, drill_report: Callable[[str], None]
) -> None:
    began = time.monotonic()
    stream = LoadStream(stack.url, stack.token(), writers=4, readers=2, timeout_s=CLIENT_TIMEOUT_S)
    stream.start()
    try:
        time.sleep(1.5)
        assert stream.acknowledged(), "no write succeeded before the restart"
        stopping_at = time.monotonic()
        own_postgres.stop()
        stopped_at = time.monotonic()
        time.sleep(DOWN_FOR_S)
        # The gateway's own database-backed route answers 503 too (token issuing needs the accounts table).
        token = httpx.post(
            stack.url + "/auth/token",
            data={"grant_type": "password", "username": "nobody", "password": "wrong-password-123"},
            timeout=CLIENT_TIMEOUT_S,
        )
        starting_at = time.monotonic()
        own_postgres.start()
        started_at = time.monotonic()
        deadline = started_at + 30
        while stream.first_ok_after(started_at) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
    finally:
        stream.stop()

    assert token.status_code == 503, token.text
    assert token.headers["content-type"] == PROBLEM_JSON
    back_at = stream.first_ok_after(started_at)
    assert back_at is not None, "the apps did not recover within 30 s of PostgreSQL starting again"
    down = stream.failures_between(stopped_at, starting_at)
    assert down, "no request failed while PostgreSQL was down: " + summary("database-restart", stream, set())
    failures = [o for o in stream.outcomes if not o.ok]
    assert {o.status for o in failures} <= {500, 503}, sorted({str(o.status) for o in failures})
    assert all(o.content_type == PROBLEM_JSON for o in failures)
    slowest = max(o.duration_s for o in stream.outcomes)
    assert slowest < MAX_REQUEST_S, f"a request took {slowest:.2f} s"

    acknowledged = stream.acknowledged()
    stored = asyncio.run(stored_keys(own_database, KINERJA_UNITS, stream.prefix))
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)[:10]}"
    checksum = asyncio.run(stored_checksum(own_database, KINERJA_UNITS, acknowledged))
    assert checksum == expected_checksum(KINERJA_UNITS, acknowledged)
    # Every app is ready again, without a restart (each process is still the one started before).
    not_ready: dict[str, list[str]] = {}
    for name in APP_NAMES:
        proc = stack.procs[name][0]
        assert proc.popen is not None
        assert proc.popen.poll() is None, f"{name} exited"
        not_ready[name] = _until_ready(proc.url + "/readyz")
    drill_report(
        summary(
            "database-restart",
            stream,
            stored,
            stop_s=round(stopped_at - stopping_at, 2),
            down_s=round(starting_at - stopped_at, 2),
            start_s=round(started_at - starting_at, 2),
            recovery_after_start_s=round(back_at - started_at, 2),
            failed_while_down=len(down),
            readyz_503_after=sum(len(v) for v in not_ready.values()),
            drill_s=round(time.monotonic() - began, 1),
        )
    )
    # While PostgreSQL stops and starts, every failure is an honest 503 (SQLSTATE 08/57P0x map to it).
    server_errors = [
        o.status for o in failures if o.status is not None and o.status >= 500 and o.status != 503
    ]
    assert not server_errors, f"{len(server_errors)} requests got {sorted(set(server_errors))}"


def _until_ready(url: str, timeout_s: float = 10.0) -> list[str]:
    """Poll /readyz until it answers 200; returns the not-ready answers seen on the way (a pooled connection
    that died with the server may fail one check before the pool replaces it)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout_s
    while True:
        resp = httpx.get(url, timeout=CLIENT_TIMEOUT_S)
        if resp.status_code == 200:
            return seen
        seen.append(resp.text[:300])
        assert time.monotonic() < deadline, f"{url} not ready {timeout_s} s after the restart: {seen}"
        time.sleep(0.2)
