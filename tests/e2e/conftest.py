"""A running stack for the end-to-end tests: the four apps as real processes on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from asn_cli.seed import bootstrap, create_admin
from tests.support.fixtures import truncate_all
from tests.support.stack import ADMIN_PASSWORD, ADMIN_USER, SERVICE_SECRETS, Stack


@pytest.fixture(scope="module")
async def e2e_database(database_url: str) -> str:
    """The test database, emptied, with the service clients and an admin account."""
    await truncate_all(database_url)
    await bootstrap(database_url, SERVICE_SECRETS)
    await create_admin(database_url, ADMIN_USER, ADMIN_PASSWORD)
    return database_url


@pytest.fixture(scope="module")
def stack(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(database_url=e2e_database, workdir=Path(tmp_path_factory.mktemp("e2e")))
    try:
        s.start()
        yield s
    finally:
        s.stop()
