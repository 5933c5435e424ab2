"""The real gateway app on the test database, for the identity, client and readiness tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import httpx
import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from gateway.config import GatewaySettings
from gateway.main import create_app
from tests.support.fixtures import free_port, running

# Upstreams pointing at nothing: these tests exercise the gateway's own routes.
DEAD_UPSTREAM = ["http://127.0.0.1:9"]


@asynccontextmanager
async def gateway(settings: GatewaySettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The real gateway app, running in-process."""
    app = create_app(settings)
    async with running(app) as client:
        yield app, client


@asynccontextmanager
async def serve_http(app: ASGIApp, *, lifespan: Literal["on", "off"] = "on") -> AsyncIterator[str]:
    """An ASGI app as a real HTTP server on a free loopback port, in this event loop; yields its base URL
    (for clients that must talk HTTP: other processes, libraries with their own transport)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan=lifespan, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.02)
        assert server.started, "the server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
