"""One seeded stack (four real processes, demo data, a token per role) shared by the security drills."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.seeded import Seeded, seeded_stack


@pytest.fixture(scope="package")
def seeded(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with seeded_stack(pg_server, Path(tmp_path_factory.mktemp("security"))) as s:
        yield s
