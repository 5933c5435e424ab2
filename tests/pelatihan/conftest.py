"""Fixtures for pelatihan: the app in-process against the real test database and a loopback kinerja stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from services.common import clock
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app
from tests.pelatihan.helpers import Headers
from tests.pelatihan.kinerja_standin import StandIn, standin
from tests.support.fixtures import Tokens, running


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    """A test that moved the in-process province clock leaves it at real time for the next."""
    yield
    clock.set_fake_now(None)


@pytest.fixture
async def kinerja(tokens: Tokens) -> AsyncIterator[StandIn]:
    async with standin(tokens) as state:
        yield state


@pytest.fixture
async def api(
    db: str, settings_for: Callable[..., Any], kinerja: StandIn
) -> AsyncIterator[httpx.AsyncClient]:
    """pelatihan in-process, calling the loopback kinerja stand-in (which also issues its service token)."""
    app = create_app(settings_for(PelatihanSettings, kinerja_url=kinerja.url, gateway_url=kinerja.url))
    async with running(app) as client:
        yield client


@pytest.fixture
def h(tokens: Tokens) -> Headers:
    return Headers(tokens)
