"""Fixtures: one real PostgreSQL database per test run, built by the migrations; tokens; app factories.

The database is never mocked. Tests that touch it take the ``db`` fixture, which empties every table
before the test, so tests do not see each other's rows.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.common.ratelimit import MemoryLimiter
from services.common.settings import AppSettings, normalise_database_url
from tests.support.fixtures import (
    Tokens,
    create_database,
    drop_database,
    migrate_all,
    new_signer,
    postgres_server,
    truncate_all,
)
from tests.support.suite import STACK_DIRS, suite_directory

TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``stack`` every test that needs the running stack: the directories above, and anything marked
    ``e2e`` elsewhere (``pytest -m "not stack"`` is `make test-fast`)."""
    for item in items:
        parts = item.path.resolve().relative_to(TESTS).parts
        if (len(parts) > 1 and parts[0] in STACK_DIRS) or item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.stack)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The suite's time per directory (set-up, call and tear-down of every test, fixtures included)."""
    totals: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for reports in terminalreporter.stats.values():
        for report in reports:
            if not isinstance(report, pytest.TestReport):
                continue
            directory = suite_directory(report.nodeid)
            totals[directory] += report.duration
            if report.when == "call":
                counts[directory] += 1
    if not totals:
        return
    terminalreporter.section("time per directory")
    for directory, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{seconds:8.1f} s  {counts[directory]:5d} tests  {directory}")
    terminalreporter.write_line(f"{sum(totals.values()):8.1f} s  {sum(counts.values()):5d} tests  total")


@pytest.fixture(autouse=True)
def rate_limit_windows_hold_still(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process rate limits count on a clock pinned one second into a day, so every window they use
    (a minute, an hour, a day) is one second old for the whole test. A window aligned to the wall clock
    starts its count again at its edge: three requests of a test on a loaded machine could otherwise
    fall on both sides of a minute and all be let through. A test that means to cross an edge sets
    ``MemoryLimiter.clock`` itself (tests/common/test_ratelimit.py). The stack's processes are not
    affected."""
    pinned = time.time() // 86_400 * 86_400 + 1
    monkeypatch.setattr(MemoryLimiter, "clock", staticmethod(lambda: pinned))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
async def database_url(pg_server: str) -> AsyncIterator[str]:
    url = await create_database(pg_server)
    try:
        await asyncio.to_thread(migrate_all, url)
        yield url
    finally:
        await drop_database(pg_server, url)


@pytest.fixture
async def db(database_url: str) -> str:
    """A migrated database with every table empty."""
    await truncate_all(database_url)
    return database_url


@pytest.fixture
async def engine(db: str) -> AsyncIterator[AsyncEngine]:
    """An async engine on the test database (empty tables), disposed after the test."""
    eng = create_async_engine(normalise_database_url(db), pool_size=10)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    return Tokens(new_signer())


@pytest.fixture
def settings_for(database_url: str, tokens: Tokens) -> Callable[..., Any]:
    """Build an app's settings pointing at the test database and trusting the test signing key."""

    def make(cls: type[AppSettings], **overrides: Any) -> AppSettings:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": database_url,
            "jwt_public_keys_pem": tokens.signer.public_pem,
            "log_json": True,
        }
        if "outbox_enabled" in cls.model_fields:
            values["outbox_enabled"] = False
        # In-process tests burst tens of writes at one app on a loaded CI machine; they test the change, not the
        # overload answer (tests/common/test_admission.py does), so a queued request waits instead of 503 at 3 s.
        if "db_admission_max_wait_s" in cls.model_fields:
            values["db_admission_max_wait_s"] = 60.0
        # Hundreds of apps in one process: frozen garbage would never be freed (services/common/settings.py).
        values["gc_freeze"] = False
        values.update(overrides)
        return cls(**values)

    return make
