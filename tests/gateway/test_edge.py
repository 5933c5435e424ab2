"""The gateway's edge: per-IP limits for anonymous callers (memory and Redis) and CORS."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.config import GatewaySettings
from gateway.cors import CorsMiddleware
from gateway.ratelimit import RateLimitMiddleware
from gateway.state import GatewayEdge
from gateway.upstreams import Upstreams
from services.common.ratelimit import MemoryLimiter, RedisLimiter, address_key, client_address_key
from services.common.state import bind_state
from tests.support.fixtures import port_open


async def _ok(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def _edge_app(limiter: Any, per_minute: int, origins: list[str] | None = None) -> Any:
    app = Starlette(
        routes=[Route("/{path:path}", _ok, methods=["GET", "POST", "PATCH"])],
        middleware=[
            Middleware(CorsMiddleware, allowed_origins=origins or []),
            Middleware(RateLimitMiddleware),
        ],
    )
    settings = GatewaySettings(anonymous_rate_limit_per_minute=per_minute, cors_origins=origins or [])
    bind_state(app, GatewayEdge(settings=settings, limiter=limiter, upstreams=Upstreams(settings)))
    return app


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


async def test_anonymous_callers_are_limited_per_ip_with_retry_after() -> None:
    async with _client(_edge_app(MemoryLimiter(), per_minute=3)) as client:
        statuses = [(await client.get("/publik/v1/feed")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await client.get("/publik/v1/feed")
        assert limited.headers["content-type"] == "application/problem+json"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # A token that does not verify lifts nothing (issue 13, finding 1; this line asserted 200 before):
        # only a verified token moves a request off the per-address budget (tests/gateway/test_edge_attacks.py).
        assert (await client.get("/kinerja/v1/x", headers={"Authorization": "Bearer t"})).status_code == 429


async def test_an_ipv6_subscriber_is_counted_per_64() -> None:
    """One IPv6 subscriber picks any address in its /64: a fresh address per request is the same caller."""
    app = _edge_app(MemoryLimiter(), per_minute=2)

    def client_at(ip: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(ip, 1234)), base_url="http://gw"
        )

    statuses = []
    for ip in ("2001:db8:1:2::1", "2001:db8:1:2:aaaa::9", "2001:db8:1:2:ffff:ffff:ffff:ffff"):
        async with client_at(ip) as client:
            statuses.append((await client.get("/publik/v1/feed")).status_code)
    assert statuses == [200, 200, 429]
    async with client_at("2001:db8:1:3::1") as neighbour:
        assert (await neighbour.get("/publik/v1/feed")).status_code == 200


def test_address_key() -> None:
    assert address_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert address_key("::ffff:10.1.2.3") == "10.1.2.3"
    assert address_key("10.1.2.3") == "10.1.2.3"
    assert address_key("unknown") == "unknown"


def test_client_address_key_of_a_scope() -> None:
    """The one per-address key of the gateway's limits and publik's survey limits: the peer's /64 for IPv6;
    X-Forwarded-For only from a trusted proxy (the gateway trusts none), its last hop keyed the same way."""
    forwarded = [(b"x-forwarded-for", b"198.51.100.1, 2001:db8:7:8:9::1")]
    peer = {"type": "http", "client": ("2001:db8:1:2:3:4:5:6", 1), "headers": forwarded}
    assert client_address_key(peer) == "2001:db8:1:2::/64"
    assert client_address_key(peer, ["2001:db8:1::/48"]) == "2001:db8:7:8::/64"
    assert client_address_key(peer, ["10.0.0.0/8"]) == "2001:db8:1:2::/64"
    assert client_address_key({"type": "http", "client": None, "headers": forwarded}) == "unknown"


@pytest.mark.skipif(not port_open("127.0.0.1", 6379), reason="no Redis on 127.0.0.1:6379")
async def test_redis_counts_are_shared_by_two_gateway_replicas() -> None:
    url = f"redis://127.0.0.1:6379/0?client_name=asn-test-{uuid.uuid4().hex[:6]}"
    first, second = RedisLimiter(url, prefix="asn:test"), RedisLimiter(url, prefix="asn:test")
    key_ip = f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    try:
        apps = [_edge_app(first, per_minute=4), _edge_app(second, per_minute=4)]
        clients = [
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=a, client=(key_ip, 1234)), base_url="http://gw"
            )
            for a in apps
        ]
        statuses = [(await clients[i % 2].get("/publik/v1/feed")).status_code for i in range(6)]
        # Four allowed in total across both replicas, not four each.
        assert statuses.count(200) == 4
        assert statuses[-1] == 429
        for c in clients:
            await c.aclose()
    finally:
        await first.close()
        await second.close()


async def test_public_reads_are_open_to_any_origin() -> None:
    async with _client(_edge_app(MemoryLimiter(), per_minute=100)) as client:
        resp = await client.get("/publik/v1/feed", headers={"Origin": "https://bengkuluprov.go.id"})
        assert resp.headers["access-control-allow-origin"] == "*"


async def test_api_origins_come_from_settings() -> None:
    app = _edge_app(MemoryLimiter(), per_minute=100, origins=["https://app.bkd.example"])
    async with _client(app) as client:
        ok = await client.patch("/kinerja/v1/x", headers={"Origin": "https://app.bkd.example"})
        assert ok.headers["access-control-allow-origin"] == "https://app.bkd.example"
        other = await client.patch("/kinerja/v1/x", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        pre = await client.options(
            "/kinerja/v1/x",
            headers={"Origin": "https://app.bkd.example", "Access-Control-Request-Method": "PATCH"},
        )
        assert pre.status_code == 204
        assert "PATCH" in pre.headers["access-control-allow-methods"]
        refused = await client.options(
            "/kinerja/v1/x",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert refused.status_code == 403


async def test_citizens_may_post_surveys_from_any_origin() -> None:
    async with _client(_edge_app(MemoryLimiter(), per_minute=100)) as client:
        pre = await client.options(
            "/publik/v1/surveys",
            headers={
                "Origin": "https://kab-kaur.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-device-id",
            },
        )
        assert pre.status_code == 204
        assert pre.headers["access-control-allow-origin"] == "*"
        assert "x-device-id" in pre.headers["access-control-allow-headers"]
        post = await client.post(
            "/publik/v1/surveys", json={}, headers={"Origin": "https://kab-kaur.example"}
        )
        assert post.headers["access-control-allow-origin"] == "*"
        token = await client.post(
            "/publik/v1/surveys/form-token", json={}, headers={"Origin": "https://kab-kaur.example"}
        )
        assert token.headers["access-control-allow-origin"] == "*"
        # Other writes stay closed to unknown origins.
        other = await client.post(
            "/publik/v1/innovations", json={}, headers={"Origin": "https://kab-kaur.example"}
        )
        assert "access-control-allow-origin" not in other.headers
