"""Readiness, defined once (docs/operations.md): a service answers /readyz 503 only when its database is
unreachable or not migrated, and 200 `degraded` when it cannot obtain its own token; the gateway answers 503
only when every upstream fails that check, and 200 `degraded` when some do."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.config import GatewaySettings
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from tests.gateway.helpers import DEAD_UPSTREAM, gateway
from tests.support.fixtures import free_port, running, wait_until


@contextlib.asynccontextmanager
async def stub_service(readyz_status: int) -> AsyncIterator[str]:
    """A live upstream (``/healthz`` 200) whose ``/readyz`` answers ``readyz_status``: 503 is a service up
    whose database is down, as services/common/app.py answers it."""

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        body = {"status": "ready" if readyz_status == 200 else "not_ready", "database": "unreachable"}
        return JSONResponse(body, status_code=readyz_status)

    app = Starlette(routes=[Route("/healthz", healthz), Route("/readyz", readyz)])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    assert await wait_until(started, timeout_s=10, interval_s=0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_every_upstream_down_is_not_ready(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings(jwt_public_keys_pem=None)) as (_, client):
        resp = await client.get("/readyz")
        assert resp.status_code == 503
        body = resp.json()
        assert body["status"] == "not_ready"
        assert body["database"] == "ok"
        assert all(not u["ready"] for u in body["upstreams"].values())
        assert any("upstreams not ready: kinerja, pelatihan, publik" in r for r in body["reasons"])


async def test_one_upstream_down_is_degraded_not_unready(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with (
        stub_service(200) as kinerja,
        stub_service(503) as pelatihan,
        gateway(
            gateway_settings(
                jwt_public_keys_pem=None,
                kinerja_urls=[kinerja],
                pelatihan_urls=[pelatihan],
                publik_urls=DEAD_UPSTREAM,
            )
        ) as (_, client),
    ):
        resp = await client.get("/readyz")
        assert resp.status_code == 200
        body = resp.json()
        assert body["status"] == "degraded"
        assert body["database"] == "ok"
        ups = body["upstreams"]
        assert ups["kinerja"]["ready"] is True
        # Alive (in rotation) but its database is down: it fails the readiness check all the same.
        assert ups["pelatihan"]["ready"] is False
        assert ups["pelatihan"]["instances"][0]["healthy"] is True
        assert ups["pelatihan"]["readyz"] == {pelatihan: 503}
        assert ups["publik"]["instances"][0]["healthy"] is False
        assert body["reasons"] == ["upstreams not ready: pelatihan, publik"]
        # The upstream's own requests still fail fast and honestly.
        down = await client.get("/publik/v1/feed")
        assert down.status_code == 503


async def test_every_upstream_ready_is_ready(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with (
        stub_service(200) as a,
        stub_service(200) as b,
        stub_service(200) as c,
        gateway(
            gateway_settings(jwt_public_keys_pem=None, kinerja_urls=[a], pelatihan_urls=[b], publik_urls=[c])
        ) as (_, client),
    ):
        resp = await client.get("/readyz")
        assert resp.status_code == 200
        assert resp.json()["status"] == "ready"
        assert resp.json()["reasons"] == []


async def test_service_without_its_token_is_degraded_not_unready(
    db: str, settings_for: Callable[..., Any]
) -> None:
    """The gateway that issues service tokens is not up (a cold start): the service still serves."""
    dead_gateway = f"http://127.0.0.1:{free_port()}"
    app = kinerja_app(settings_for(KinerjaSettings, gateway_url=dead_gateway))
    async with running(app) as client:
        resp = await client.get("/readyz")
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["status"] == "degraded"
        assert body["database"] == "ok"
        assert body["reasons"] == ["cannot obtain its service token from the gateway (ConnectError)"]


async def test_service_with_unreachable_database_is_not_ready(settings_for: Callable[..., Any]) -> None:
    dead_db = f"postgresql://nobody@127.0.0.1:{free_port()}/nothing"
    app = kinerja_app(settings_for(KinerjaSettings, database_url=dead_db))
    async with running(app) as client:
        resp = await client.get("/readyz")
        assert resp.status_code == 503
        body = resp.json()
        assert body["status"] == "not_ready"
        assert body["database"] == "unreachable"
        assert body["reasons"][0].startswith("database unreachable")
