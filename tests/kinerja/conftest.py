"""Fixtures of the kinerja tests: the app running in-process on the test database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app
from tests.kinerja.test_evaluations_seed import Seeder, connect
from tests.support.fixtures import Tokens, running


@pytest.fixture
async def client(db: str, settings_for: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    """kinerja_api on an empty, migrated database."""
    async with running(create_app(settings_for(KinerjaSettings))) as c:
        yield c


@pytest.fixture
def admin(tokens: Tokens) -> dict[str, str]:
    return tokens.admin()


@pytest.fixture
async def seed(db: str) -> AsyncIterator[Seeder]:
    """The reporting-line seeder (units, employees, assignments written straight into PostgreSQL) on the test's
    database, closed afterwards."""
    s = await connect(db)
    try:
        yield s
    finally:
        await s.conn.close()
