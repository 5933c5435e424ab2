"""The gateway's forwarding layer against real upstream processes on loopback.

Upstreams are ``tests/gateway/echo_app.py`` served by uvicorn in subprocesses; the gateway is the real
``ProxyMiddleware`` (behind the real ``EdgeMiddleware``) served by uvicorn in-process on a free port, so
every request crosses two real sockets. Ports come from ``free_port()``: other suites run in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import posixpath
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from gateway.config import GatewaySettings
from gateway.proxy import ProxyMiddleware, _DisconnectWatch, _Watches, is_internal, split_service_path
from gateway.state import GatewayEdge
from gateway.upstreams import Upstreams
from services.common.apps import SERVICE_NAMES
from services.common.middleware import EdgeMiddleware
from services.common.ratelimit import MemoryLimiter
from services.common.state import bind_state
from tests.support.fixtures import free_port, running, wait_until

ROOT = Path(__file__).resolve().parents[2]
BIG = 5 * 1024 * 1024
_PATTERN = bytes(range(256)) * 256


class Echo:
    """One echo upstream process."""

    def __init__(self, name: str, port: int | None = None) -> None:
        self.name = name
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> Echo:
        env = {**os.environ, "ECHO_NAME": self.name}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "uvicorn",
            "tests.gateway.echo_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            cwd=ROOT,
            env=env,
        )

        async def up() -> bool:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                return False
            writer.close()
            return True

        assert await wait_until(up, timeout_s=20), f"echo {self.name} did not start"
        return self

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


async def _hello(request: Request) -> Response:
    return PlainTextResponse("gateway's own route")


@contextlib.asynccontextmanager
async def gateway(settings: GatewaySettings) -> AsyncIterator[tuple[httpx.AsyncClient, Upstreams]]:
    """The proxy in front of a tiny app, on a real socket; yields a client for it and the upstreams."""
    app = Starlette(
        routes=[Route("/hello", _hello)],
        middleware=[
            Middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes, access_log=False),
            Middleware(ProxyMiddleware),
        ],
    )
    upstreams = Upstreams(settings)
    await upstreams.start()
    bind_state(app, GatewayEdge(settings=settings, limiter=MemoryLimiter(), upstreams=upstreams))
    port = free_port()
    _APPS[port] = app
    # proxy_headers=False: uvicorn would otherwise take X-Forwarded-For from loopback as the client
    # address, and the test could not see what the proxy itself appends.
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", proxy_headers=False
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.02)
        assert server.started
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=20
        ) as client:
            yield client, upstreams
    finally:
        server.should_exit = True
        await task
        await upstreams.close()


def make_settings(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "environment": "test",
        "upstream_connect_timeout_s": 1.0,
        "upstream_read_timeout_s": 1.0,
        "health_check_interval_s": 0.2,
        "health_failures_to_eject": 2,
        "max_body_bytes": 16 * 1024 * 1024,
    }
    values.update(overrides)
    return GatewaySettings(**values)


@pytest.fixture(scope="module")
async def echoes() -> AsyncIterator[dict[str, Echo]]:
    """One long-lived echo per upstream, shared by the tests that do not kill anything."""
    procs = {name: Echo(name) for name in SERVICE_NAMES}
    try:
        await asyncio.gather(*(p.start() for p in procs.values()))
        yield procs
    finally:
        for p in procs.values():
            await p.kill()


@pytest.fixture
async def gw(echoes: dict[str, Echo]) -> AsyncIterator[tuple[httpx.AsyncClient, Upstreams]]:
    settings = make_settings(
        kinerja_urls=[echoes["kinerja"].url],
        pelatihan_urls=[echoes["pelatihan"].url],
        publik_urls=[echoes["publik"].url],
    )
    async with gateway(settings) as pair:
        yield pair


def _header(echo: dict[str, Any], name: str) -> list[str]:
    return [v for k, v in echo["headers"] if k == name]


def test_path_rules() -> None:
    assert split_service_path("/kinerja/v1/units") == ("kinerja", "/v1/units")
    assert split_service_path("/kinerja") == ("kinerja", "/")
    assert split_service_path("/kinerjax/v1") is None
    assert split_service_path("/auth/token") is None
    for rest in ("/internal/x", "//internal/x", "/./internal", "/v1/../internal/x", "/INTERNAL"):
        assert is_internal(rest), rest
    assert not is_internal("/v1/internals")
    # Each service's Prometheus scrape is for its own network, never the public entry point.
    assert is_internal("/metrics")
    assert is_internal("//Metrics")


def test_is_internal_matches_normpath_on_every_short_path() -> None:
    """The fast path (no normpath when nothing can fold) answers exactly what normpath would."""

    def reference(rest: str) -> bool:
        normal = posixpath.normpath("/" + rest.lstrip("/")).lstrip("/")
        return normal.lower().split("/", 1)[0] in {"internal", "metrics"}

    parts = ["/", ".", "..", "a", "internal", "Metrics", "x/", "%2e"]
    for n in range(1, 5):
        for combo in itertools.product(parts, repeat=n):
            for rest in ("".join(combo), "/" + "".join(combo)):
                assert is_internal(rest) == reference(rest), rest


async def test_one_timer_starts_the_watchers_of_slow_exchanges_only() -> None:
    """Armed watches wait in one queue; after 100 ms a sweep starts the watcher of each exchange still
    running, drops the finished ones, and the client leaving then cancels only the slow exchange."""
    watches = _Watches()
    left = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await left.wait()
        return {"type": "http.disconnect"}

    async def exchange(seconds: float) -> tuple[_DisconnectWatch, bool]:
        watch = _DisconnectWatch()
        watch.arm(receive, watches)
        try:
            await asyncio.sleep(seconds)
            return watch, False
        except asyncio.CancelledError:
            return watch, watch.swallow()
        finally:
            watch.stop()

    fast = [asyncio.create_task(exchange(0.01)) for _ in range(20)]
    slow = asyncio.create_task(exchange(5))
    results = await asyncio.gather(*fast)
    assert all(w.watcher is None for w, _ in results)
    for _ in range(100):  # the sweep drops the finished watches and starts the slow one's watcher
        if not len(watches):
            break
        await asyncio.sleep(0.02)
    assert not len(watches)
    left.set()
    watch, swallowed = await asyncio.wait_for(slow, 2)
    assert swallowed
    assert watch.disconnected
    assert all(w.watcher is None and not w.disconnected for w, _ in results)


async def test_carries_method_query_body_and_headers(gw: tuple[httpx.AsyncClient, Upstreams]) -> None:
    client, _ = gw
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        body = b"" if method in ("GET", "DELETE", "OPTIONS") else b'{"a": 1}'
        resp = await client.request(
            method,
            "/kinerja/v1/units/a%20b?x=1&y=%C3%A9",
            content=body,
            headers={"X-Custom": "kept", "Authorization": "Bearer abc", "Content-Type": "application/json"},
        )
        assert resp.status_code == 200, resp.text
        echo = resp.json()
        assert echo["instance"] == "kinerja"
        assert echo["method"] == method
        assert echo["raw_path"] == "/v1/units/a%20b"
        assert echo["query"] == "x=1&y=%C3%A9"
        assert echo["body"] == body.decode()
        assert _header(echo, "x-custom") == ["kept"]
        assert _header(echo, "authorization") == ["Bearer abc"]
        assert resp.headers["etag"] == '"v1"'
    head = await client.head("/pelatihan/v1/x")
    assert head.status_code == 200
    assert head.content == b""
    # Paths outside the prefixes reach the gateway's own routes.
    own = await client.get("/hello")
    assert own.text == "gateway's own route"


async def test_hop_by_hop_headers_dropped_both_ways(gw: tuple[httpx.AsyncClient, Upstreams]) -> None:
    client, _ = gw
    resp = await client.get(
        "/kinerja/v1/x",
        headers={
            "Connection": "keep-alive, X-Client-Hop",
            "X-Client-Hop": "secret",
            "Keep-Alive": "timeout=9",
            "TE": "trailers",
            "Proxy-Authorization": "Basic Zm9v",
            "Trailer": "X-Foo",
        },
    )
    echo = resp.json()
    names = {k for k, _ in echo["headers"]}
    for dropped in (
        "x-client-hop",
        "keep-alive",
        "te",
        "proxy-authorization",
        "trailer",
        "transfer-encoding",
    ):
        assert dropped not in names, dropped
    assert _header(echo, "host") == [f"127.0.0.1:{echo_port(gw, 'kinerja')}"]

    hop = await client.get("/kinerja/hop")
    assert hop.text == "hop"
    assert hop.headers["x-kept"] == "yes"
    assert "x-secret-hop" not in hop.headers
    assert "keep-alive" not in hop.headers


def echo_port(gw: tuple[httpx.AsyncClient, Upstreams], name: str) -> int:
    return int(gw[1].base_urls(name)[0].rsplit(":", 1)[1])


async def test_forwarded_headers(gw: tuple[httpx.AsyncClient, Upstreams]) -> None:
    client, _ = gw
    echo = (await client.get("/publik/v1/x", headers={"X-Forwarded-For": "10.0.0.7"})).json()
    assert _header(echo, "x-forwarded-for") == ["10.0.0.7, 127.0.0.1"]
    assert _header(echo, "x-forwarded-proto") == ["http"]
    assert _header(echo, "x-forwarded-host") == [client.base_url.netloc.decode()]
    plain = (await client.get("/publik/v1/x")).json()
    assert _header(plain, "x-forwarded-for") == ["127.0.0.1"]


async def test_request_id_passed_through_once(gw: tuple[httpx.AsyncClient, Upstreams]) -> None:
    client, _ = gw
    resp = await client.get("/kinerja/v1/x", headers={"X-Request-ID": "rid-proxy-test-1"})
    assert _header(resp.json(), "x-request-id") == ["rid-proxy-test-1"]
    assert resp.headers.get_list("x-request-id") == ["rid-proxy-test-1"]
    # Without one, the gateway's generated id is the one the service saw (and the only one returned).
    resp = await client.get("/kinerja/v1/x")
    ids = resp.headers.get_list("x-request-id")
    assert len(ids) == 1
    assert _header(resp.json(), "x-request-id") == ids


async def test_large_bodies_stream_both_ways(gw: tuple[httpx.AsyncClient, Upstreams]) -> None:
    client, _ = gw
    payload = os.urandom(BIG)
    expected = {"size": BIG, "sha256": hashlib.sha256(payload).hexdigest()}
    # With Content-Length.
    resp = await client.post("/pelatihan/upload", content=payload)
    assert resp.status_code == 200, resp.text
    assert resp.json() == expected

    # Chunked from the client (no length known up front).
    async def pieces() -> AsyncIterator[bytes]:
        for i in range(0, BIG, 256 * 1024):
            yield payload[i : i + 256 * 1024]

    resp = await client.post("/pelatihan/upload", content=pieces())
    assert resp.json() == expected

    digest = hashlib.sha256()
    size = 0
    async with client.stream("GET", f"/publik/download?size={BIG}") as stream:
        assert stream.status_code == 200
        assert "content-length" not in stream.headers
        async for chunk in stream.aiter_raw():
            size += len(chunk)
            digest.update(chunk)
    want = hashlib.sha256((_PATTERN * (BIG // len(_PATTERN) + 1))[:BIG]).hexdigest()
    assert size == BIG
    assert digest.hexdigest() == want


async def test_body_limit_still_applies(gw: tuple[httpx.AsyncClient, Upstreams]) -> None:
    client, _ = gw
    resp = await client.post("/pelatihan/upload", content=b"x" * (16 * 1024 * 1024 + 1))
    assert resp.status_code == 413
    assert resp.headers["content-type"] == "application/problem+json"


async def test_internal_paths_never_forwarded(gw: tuple[httpx.AsyncClient, Upstreams]) -> None:
    client, _ = gw
    for path in (
        "/kinerja/internal/x",
        "/pelatihan/internal",
        "/publik//internal/x",
        "/kinerja/%69nternal/x",
    ):
        resp = await client.get(path)
        assert resp.status_code == 404, path
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.json()["status"] == 404


async def test_slow_upstream_times_out_while_others_stay_fast(
    gw: tuple[httpx.AsyncClient, Upstreams],
) -> None:
    client, _ = gw

    async def timed(path: str) -> tuple[httpx.Response, float]:
        started = time.perf_counter()
        resp = await client.get(path)
        return resp, time.perf_counter() - started

    slow_task = asyncio.create_task(timed("/publik/slow?s=5"))
    await asyncio.sleep(0.1)
    fast = [await timed("/kinerja/v1/fast") for _ in range(10)]
    slow, slow_elapsed = await slow_task
    assert slow.status_code == 504
    assert slow.headers["content-type"] == "application/problem+json"
    assert 0.9 <= slow_elapsed < 2.5
    assert all(r.status_code == 200 and t < 0.5 for r, t in fast)
    # The timed-out connection was dropped, not pooled: the next request is served normally.
    assert (await client.get("/publik/v1/after")).status_code == 200


async def test_instances_share_traffic_and_failover(echoes: dict[str, Echo]) -> None:
    a, b = await asyncio.gather(Echo("kinerja-a").start(), Echo("kinerja-b").start())
    try:
        settings = make_settings(
            kinerja_urls=[a.url, b.url],
            pelatihan_urls=[echoes["pelatihan"].url],
            publik_urls=[echoes["publik"].url],
        )
        async with gateway(settings) as (client, upstreams):
            facts, verdict = await upstreams.readiness()
            assert verdict == "ready"
            assert [i["healthy"] for i in facts["kinerja"]["instances"]] == [True, True]
            seen = [(await client.get("/kinerja/v1/x")).json()["instance"] for _ in range(10)]
            assert seen.count("kinerja-a") == 5
            assert seen.count("kinerja-b") == 5

            await b.kill()
            for _ in range(20):
                resp = await client.post("/kinerja/v1/x", content=b"{}")
                assert resp.status_code == 200
                assert resp.json()["instance"] == "kinerja-a"
            facts, verdict = await upstreams.readiness()
            assert verdict == "ready"
            assert {i["url"]: i["healthy"] for i in facts["kinerja"]["instances"]} == {
                a.url: True,
                b.url: False,
            }

            # Back in rotation once it answers its health check again.
            b = await Echo("kinerja-b", port=b.port).start()

            async def b_healthy() -> bool:
                return all(i["healthy"] for i in (await upstreams.readiness())[0]["kinerja"]["instances"])

            assert await wait_until(b_healthy, timeout_s=5)
            seen = [(await client.get("/kinerja/v1/x")).json()["instance"] for _ in range(4)]
            assert set(seen) == {"kinerja-a", "kinerja-b"}

            # Every instance down: 503 problem+json with Retry-After, well within the timeouts.
            await a.kill()
            await b.kill()
            started = time.perf_counter()
            resp = await client.get("/kinerja/v1/x")
            assert time.perf_counter() - started < 2.0
            assert resp.status_code == 503
            assert resp.headers["content-type"] == "application/problem+json"
            assert resp.headers["retry-after"] == "2"
            facts, verdict = await upstreams.readiness()
            # kinerja has no instance left, the others serve: degraded, not down.
            assert verdict == "degraded"
            assert not facts["kinerja"]["ready"]
            assert facts["kinerja"]["healthy"] == 0
            assert facts["publik"]["healthy"] == 1
            # Other upstreams are unaffected.
            assert (await client.get("/publik/v1/x")).status_code == 200
    finally:
        await a.kill()
        await b.kill()


async def test_unreachable_at_start_is_not_ready() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    settings = make_settings(kinerja_urls=[dead], pelatihan_urls=[dead], publik_urls=[dead])
    async with gateway(settings) as (client, upstreams):
        facts, verdict = await upstreams.readiness()
        assert verdict == "down"
        assert facts["kinerja"]["instances"] == [{"url": dead, "healthy": False, "consecutive_failures": 1}]
        resp = await client.get("/kinerja/v1/x")
        assert resp.status_code == 503
        assert resp.json()["status"] == 503


async def test_client_disconnect_releases_upstream_connection(
    gw: tuple[httpx.AsyncClient, Upstreams],
) -> None:
    client, upstreams = gw
    upstream = upstreams.get("publik")
    assert upstream is not None
    with pytest.raises(httpx.ReadTimeout):
        await client.get("/publik/slow?s=3", timeout=0.3)
    # The proxy noticed the client leaving and gave the pool slot back long before the read timeout.
    pool = upstream.client

    async def all_free() -> bool:
        return pool.in_use == 0

    assert await wait_until(all_free, timeout_s=0.6)


async def test_through_the_full_gateway_app(
    echoes: dict[str, Echo], settings_for: Callable[..., Any], tmp_path: Path
) -> None:
    """The proxy as create_app wires it: behind the edge, CORS and rate-limit middleware, upstreams
    started by the lifespan and reported by /readyz."""
    from gateway.main import create_app

    settings = settings_for(
        GatewaySettings,
        data_dir=tmp_path,
        kinerja_urls=[echoes["kinerja"].url],
        pelatihan_urls=[echoes["pelatihan"].url],
        publik_urls=[echoes["publik"].url],
    )
    app = create_app(settings)
    async with running(app) as client:
        resp = await client.post(
            "/kinerja/v1/units?limit=5",
            content=b'{"name": "BKD"}',
            headers={"X-Request-ID": "rid-full-app-1", "Content-Type": "application/json"},
        )
        assert resp.status_code == 200, resp.text
        echo = resp.json()
        assert (echo["method"], echo["raw_path"], echo["query"]) == ("POST", "/v1/units", "limit=5")
        assert _header(echo, "x-request-id") == ["rid-full-app-1"]
        assert resp.headers.get_list("x-request-id") == ["rid-full-app-1"]

        internal = await client.get("/publik/internal/events")
        assert internal.status_code == 404
        assert internal.headers["content-type"] == "application/problem+json"

        ready = (await client.get("/readyz")).json()
        assert ready["upstreams"]["kinerja"]["instances"] == [
            {"url": echoes["kinerja"].url, "healthy": True, "consecutive_failures": 0}
        ]
        # The gateway's own routes are not forwarded.
        assert (await client.get("/.well-known/jwks.json")).status_code == 200


async def test_upstream_dying_mid_download_breaks_the_client_connection(echoes: dict[str, Echo]) -> None:
    """Once headers are sent a 5xx is impossible: the client must see a broken (not a short but
    complete-looking) body, and the upstream connection must be released."""
    dying = await Echo("publik-dying").start()
    try:
        settings = make_settings(
            kinerja_urls=[echoes["kinerja"].url],
            pelatihan_urls=[echoes["pelatihan"].url],
            publik_urls=[dying.url],
        )
        async with gateway(settings) as (client, upstreams):
            received = 0

            async def download() -> None:
                nonlocal received
                async with client.stream("GET", f"/publik/download?size={1 << 30}") as stream:
                    async for chunk in stream.aiter_raw():
                        received += len(chunk)
                        if received > BIG and dying.proc is not None and dying.proc.returncode is None:
                            await dying.kill()

            with pytest.raises(httpx.RemoteProtocolError):
                await download()
            assert BIG < received < 1 << 30
            upstream = upstreams.get("publik")
            assert upstream is not None
            assert upstream.client.in_use == 0
    finally:
        await dying.kill()


async def test_client_leaving_mid_upload_releases_upstream_connection(
    gw: tuple[httpx.AsyncClient, Upstreams],
) -> None:
    """A body in progress holds no upstream connection at all (it is read whole first, issue 14 finding
    2); when its sender leaves, the body's slot is given back and nothing was forwarded."""
    client, upstreams = gw
    upstream = upstreams.get("pelatihan")
    assert upstream is not None
    assert (await client.get("/hello")).status_code == 200  # builds the middleware stack
    bodies = _proxy_of(client).bodies
    _, writer = await asyncio.open_connection("127.0.0.1", client.base_url.port)
    writer.write(
        f"POST /pelatihan/upload HTTP/1.1\r\nHost: x\r\nContent-Length: {BIG}\r\n\r\n".encode()
        + b"x" * (1024 * 1024)
    )
    await writer.drain()

    async def reading() -> bool:
        return bodies.in_progress() == 1

    assert await wait_until(reading, timeout_s=2)
    assert upstream.client.in_use == 0
    writer.close()

    async def released() -> bool:
        return bodies.in_progress() == 0 and upstream.client.in_use == 0

    assert await wait_until(released, timeout_s=0.8)
    assert (await client.post("/pelatihan/upload", content=b"abc")).json()["size"] == 3


_APPS: dict[int, Any] = {}


def _proxy_of(client: httpx.AsyncClient) -> ProxyMiddleware:
    """The ProxyMiddleware instance serving ``client`` (found in the running app's middleware stack)."""
    app = _APPS[client.base_url.port or 0]
    node: Any = app.middleware_stack
    while node is not None and not isinstance(node, ProxyMiddleware):
        node = getattr(node, "app", None)
    assert isinstance(node, ProxyMiddleware)
    return node
