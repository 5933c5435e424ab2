"""The gateway answers repeats of publik's public reads itself for a short while, and revalidations with
304; personal, non-public or non-GET requests always go through."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.config import GatewaySettings
from gateway.public_cache import PublicCacheMiddleware
from gateway.state import GatewayEdge
from gateway.upstreams import Upstreams
from services.common.query_key import RouteQueries
from services.common.ratelimit import MemoryLimiter
from services.common.state import bind_state

# What publik's OpenAPI declares for the two fake routes (the gateway reads the real one from publik).
SPEC: dict[str, Any] = {
    "paths": {
        "/v1/feed": {
            "get": {
                "parameters": [
                    {"name": "kind", "in": "query", "schema": {"type": "string"}},
                    {"name": "unit_id", "in": "query", "schema": {"type": "string"}},
                ]
            }
        },
        "/v1/paged": {
            "get": {
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "default": 50}}]
            }
        },
        "/v1/private": {"get": {}},
    }
}


def _app(ttl_s: float, max_entries: int = 1024) -> tuple[Starlette, dict[str, int]]:
    hits: dict[str, int] = {}

    async def feed(request: Request) -> Response:
        key = (
            request.url.path
            + "?"
            + request.url.query
            + ("+gz" if "gzip" in request.headers.get("accept-encoding", "") else "")
        )
        hits[key] = hits.get(key, 0) + 1
        body = {"items": [1, 2, 3], "hit": hits[key]}
        return JSONResponse(
            body,
            headers={
                "Cache-Control": "public, max-age=10",
                "ETag": '"v1"',
                "Vary": "Accept-Encoding",
                "X-Request-ID": "up",
            },
        )

    async def private(request: Request) -> Response:
        hits["private"] = hits.get("private", 0) + 1
        return JSONResponse({"n": hits["private"]}, headers={"Cache-Control": "no-store", "ETag": '"p"'})

    app = Starlette(
        routes=[
            Route("/publik/v1/feed", feed, methods=["GET", "HEAD", "POST"]),
            Route("/publik/v1/paged", feed),
            Route("/publik/v1/unknown", feed),
            Route("/publik/v1/private", private),
        ],
        middleware=[
            Middleware(
                PublicCacheMiddleware,
                ttl_s=ttl_s,
                max_entries=max_entries,
                queries=RouteQueries.from_openapi(SPEC, prefix="/publik"),
            )
        ],
    )
    return app, hits


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gw", headers={"Accept-Encoding": "identity"}
    )


async def test_repeats_and_revalidations_are_answered_by_the_gateway() -> None:
    app, hits = _app(ttl_s=0.3)
    async with _client(app) as client:
        first = await client.get("/publik/v1/feed?kind=IKM")
        again = await client.get("/publik/v1/feed?kind=IKM")
        assert first.json() == again.json() == {"items": [1, 2, 3], "hit": 1}
        assert again.headers["etag"] == '"v1"'
        assert "x-request-id" not in again.headers  # the edge middleware adds the caller's own
        assert hits["/publik/v1/feed?kind=IKM"] == 1
        revalidated = await client.get("/publik/v1/feed?kind=IKM", headers={"If-None-Match": '"v1"'})
        assert revalidated.status_code == 304
        assert revalidated.content == b""
        assert hits["/publik/v1/feed?kind=IKM"] == 1
        # Another query and the gzip variant are separate entries.
        await client.get("/publik/v1/feed?kind=INOVASI")
        await client.get("/publik/v1/feed?kind=IKM", headers={"Accept-Encoding": "gzip"})
        assert hits["/publik/v1/feed?kind=INOVASI"] == 1
        assert hits["/publik/v1/feed?kind=IKM+gz"] == 1
        # After the TTL the upstream is asked again.
        await asyncio.sleep(0.35)
        assert (await client.get("/publik/v1/feed?kind=IKM")).json()["hit"] == 2


async def test_personal_non_public_and_writes_go_through() -> None:
    app, hits = _app(ttl_s=5)
    async with _client(app) as client:
        for _ in range(2):
            await client.get("/publik/v1/feed", headers={"Authorization": "Bearer x"})
        assert hits["/publik/v1/feed?"] == 2
        for _ in range(2):
            await client.get("/publik/v1/private")
        assert hits["private"] == 2
        for _ in range(2):
            await client.post("/publik/v1/feed")
        assert hits["/publik/v1/feed?"] == 4


async def test_a_zero_ttl_turns_the_cache_off() -> None:
    app, hits = _app(ttl_s=0)
    async with _client(app) as client:
        for _ in range(3):
            await client.get("/publik/v1/feed")
    assert hits["/publik/v1/feed?"] == 3


async def test_a_revalidation_that_misses_fills_the_cache_and_is_answered_304() -> None:
    app, hits = _app(ttl_s=5)
    async with _client(app) as client:
        for _ in range(3):
            resp = await client.get("/publik/v1/feed", headers={"If-None-Match": '"v1"'})
            assert resp.status_code == 304
        assert hits["/publik/v1/feed?"] == 1
        stale = await client.get("/publik/v1/feed", headers={"If-None-Match": '"old"'})
        assert stale.status_code == 200
        assert stale.json()["hit"] == 1


def _cache(app: Starlette) -> PublicCacheMiddleware:
    layer: Any = app.middleware_stack
    while not isinstance(layer, PublicCacheMiddleware):
        layer = layer.app
    return layer


async def test_unknown_parameters_are_dropped_from_the_key_and_the_forwarded_request() -> None:
    app, hits = _app(ttl_s=30, max_entries=8)
    async with _client(app) as client:
        hot = await client.get("/publik/v1/feed?kind=IKM")
        assert hot.json()["hit"] == 1
        for i in range(200):  # a flood of random unknown parameters, in every order
            junk = f"/publik/v1/feed?z{i}={uuid.uuid4()}&kind=IKM&a{i}=x&kind=IKM"
            again = await client.get(junk)
            assert again.json()["hit"] == 1  # the hot entry answers, from the cache
        assert hits == {"/publik/v1/feed?kind=IKM": 1}  # publik never saw the junk
        assert len(_cache(app).entries) == 1
        # Sorted, repeated scalars keep the last value, defaults applied.
        await client.get("/publik/v1/feed?unit_id=u1&kind=A&kind=IKM")
        await client.get("/publik/v1/feed?kind=IKM&unit_id=u1")
        assert hits["/publik/v1/feed?kind=IKM&unit_id=u1"] == 1
        await client.get("/publik/v1/paged")
        await client.get("/publik/v1/paged?limit=50&x=1")
        assert hits["/publik/v1/paged?limit=50"] == 1
        # A path publik does not declare is never cached (nothing to normalise it by).
        await client.get("/publik/v1/unknown?a=1")
        await client.get("/publik/v1/unknown?a=1")
        assert hits["/publik/v1/unknown?a=1"] == 2


async def test_a_full_cache_evicts_the_least_recently_used_entry_only() -> None:
    app, hits = _app(ttl_s=30, max_entries=4)
    async with _client(app) as client:
        for kind in "ABCD":
            await client.get(f"/publik/v1/feed?kind={kind}")
        await client.get("/publik/v1/feed?kind=A")  # A is now the most recently used
        await client.get("/publik/v1/feed?kind=E")  # full: B (least recently used) goes
        entries = _cache(app).entries
        assert [k[1] for k in entries] == [b"kind=C", b"kind=D", b"kind=A", b"kind=E"]
        for kind in "CDAE":
            assert (await client.get(f"/publik/v1/feed?kind={kind}")).json()["hit"] == 1
        assert (await client.get("/publik/v1/feed?kind=B")).json()["hit"] == 2
        # A flood of distinct *known* values keeps the bound, and a hot entry read in between survives it.
        for i in range(100):
            await client.get(f"/publik/v1/feed?unit_id=flood-{i}")
            assert (await client.get("/publik/v1/feed?kind=A")).json()["hit"] == 1
            assert len(entries) <= 4
        assert hits["/publik/v1/feed?kind=A"] == 1


async def _publik_openapi_server(spec: dict[str, Any] | None) -> asyncio.Server:
    """publik's OpenAPI on a real socket: answered with ``spec``, or (None) never answered, as by a publik
    that has become slow."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if spec is None:
            await asyncio.sleep(30)
        else:
            body = json.dumps(spec).encode()
            head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
            writer.write(head.encode() + b"connection: close\r\n\r\n" + body)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def _learning_app(server: asyncio.Server) -> tuple[Starlette, dict[str, int]]:
    """The cache with no fixed query table: it reads publik's OpenAPI from ``server``, as in the gateway."""
    app, hits = _app(ttl_s=5)
    app.user_middleware = [Middleware(PublicCacheMiddleware, ttl_s=5)]
    port = server.sockets[0].getsockname()[1]
    settings = GatewaySettings(publik_urls=[f"http://127.0.0.1:{port}"])
    bind_state(app, GatewayEdge(settings=settings, limiter=MemoryLimiter(), upstreams=Upstreams(settings)))
    return app, hits


async def test_a_slow_publik_openapi_never_delays_a_request() -> None:
    # The table of known queries is read in the background: a request never waits for publik's OpenAPI on
    # top of its own forwarding (tests/drills/test_slow_upstream.py: 504 at the proxy's timeout, not later).
    server = await _publik_openapi_server(None)
    app, hits = _learning_app(server)
    try:
        async with _client(app) as client:
            for _ in range(2):
                started = time.monotonic()
                assert (await client.get("/publik/v1/feed")).status_code == 200
                assert time.monotonic() - started < 0.5
        assert hits["/publik/v1/feed?"] == 2  # nothing is cached until the table is known
    finally:
        server.close()


async def test_the_table_read_in_the_background_turns_the_cache_on() -> None:
    server = await _publik_openapi_server(SPEC)
    app, hits = _learning_app(server)
    try:
        async with _client(app) as client:
            await client.get("/publik/v1/feed?kind=IKM")  # starts the read; goes through meanwhile
            before = 0
            for _ in range(100):  # until a repeat no longer reaches publik
                before = hits["/publik/v1/feed?kind=IKM"]
                await client.get("/publik/v1/feed?kind=IKM")
                if hits["/publik/v1/feed?kind=IKM"] == before:
                    break
                await asyncio.sleep(0.02)
            assert hits["/publik/v1/feed?kind=IKM"] == before, "the cache never turned on"
            for _ in range(3):
                assert (await client.get("/publik/v1/feed?kind=IKM&junk=1")).status_code == 200
        assert hits["/publik/v1/feed?kind=IKM"] == before  # answered by the gateway, junk dropped
    finally:
        server.close()
