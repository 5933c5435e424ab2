"""Fixtures: one real PostgreSQL database per test run, built by the migrations; tokens; app factories.

The database is never mocked. Tests that touch it take the ``db`` fixture, which empties every table
before the test, so tests do not see each other's rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from services.common.settings import AppSettings
from services.common.testing import (
    Tokens,
    create_database,
    drop_database,
    migrate_all,
    new_signer,
    postgres_server,
    truncate_all,
)


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
        values.update(overrides)
        return cls(**values)

    return make
