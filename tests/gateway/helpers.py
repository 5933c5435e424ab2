"""The real gateway app on the test database, for the identity, client and readiness tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from gateway.config import GatewaySettings
from gateway.main import create_app
from services.common.testing import running

# Upstreams pointing at nothing: these tests exercise the gateway's own routes.
DEAD_UPSTREAM = ["http://127.0.0.1:9"]


@asynccontextmanager
async def gateway(settings: GatewaySettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The real gateway app, running in-process."""
    app = create_app(settings)
    async with running(app) as client:
        yield app, client
