"""Drill: one upstream becomes slow. The gateway's publik upstream is a tiny app that answers its health
checks (``/healthz`` and ``/readyz``, which the gateway's own readiness asks) at once but sleeps past the
gateway's read timeout on everything else.

The gateway answers 504 (problem+json) at its timeout, and the other upstreams stay fast while requests to
the slow one pile up: streams of writes and reads to kinerja and pelatihan run through the slow period and
their latency is compared with a baseline measured just before. No acknowledged write is lost (count and
checksum). Figures: printed in the terminal summary ("fault drill figures")."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.drills.harness import (
    KINERJA_UNITS,
    PELATIHAN_INSTITUTIONS,
    PROBLEM_JSON,
    LoadStream,
    Outcome,
    expected_checksum,
    stored_checksum,
    stored_keys,
)
from tests.support.fixtures import free_port
from tests.support.stack import Stack, drill_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GATEWAY_TIMEOUT_S = 2.0
SLEEP_S = 6.0  # the slow upstream's delay, well past the gateway's timeout
SLOW_CALLERS = 8
SLOW_FOR_S = 6.0


def slow_app() -> Starlette:
    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        # The gateway's /readyz asks every upstream's /readyz (bounded by its health-check timeout, 1 s here):
        # a stub that slept on it would make the gateway neither ready nor quick to answer at start-up.
        return JSONResponse({"status": "ready", "app": "publik"})

    async def slow(request: Request) -> Response:
        await asyncio.sleep(SLEEP_S)
        return JSONResponse({"items": [], "next_cursor": None})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/{path:path}", slow, methods=["GET", "POST"]),
        ]
    )


class SlowServer:
    """uvicorn on a free loopback port, in a thread."""

    def __init__(self) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            slow_app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="slow-upstream", daemon=True)

    def __enter__(self) -> SlowServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.server.force_exit = True
        self.thread.join(10)


@pytest.fixture
def slow() -> Iterator[SlowServer]:
    with SlowServer() as s:
        yield s


@pytest.fixture
def stack(own_database: str, tmp_path: Path, slow: SlowServer) -> Iterator[Stack]:
    env = {
        **drill_env(),
        "GATEWAY_PUBLIK_URLS": f"http://127.0.0.1:{slow.port}",
        "GATEWAY_UPSTREAM_READ_TIMEOUT_S": str(GATEWAY_TIMEOUT_S),
    }
    s = Stack(database_url=own_database, workdir=tmp_path, extra_env=env)
    try:
        s.start()
        yield s
    finally:
        s.stop()


def p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latencies(outcomes: list[Outcome], start: float, end: float) -> list[float]:
    return [o.duration_s for o in outcomes if start <= o.started <= end and o.ok]


def test_slow_upstream_gives_504_and_the_others_stay_fast(
    stack: Stack, own_database: str, drill_report: Callable[[str], None]
) -> None:
    began = time.monotonic()
    token = stack.token()
    # Warm up (the first request of a fresh process fetches the JWKS and opens its pool).
    for path in ("/kinerja/v1/units", "/pelatihan/v1/institutions"):
        for _ in range(3):
            httpx.get(stack.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    streams = [
        LoadStream(stack.url, token, target=KINERJA_UNITS, writers=1, readers=1, timeout_s=10, pause_s=0.02),
        LoadStream(
            stack.url, token, target=PELATIHAN_INSTITUTIONS, writers=1, readers=1, timeout_s=10, pause_s=0.02
        ),
    ]
    for s in streams:
        s.start()
    slow_results: list[tuple[int | None, float, str | None]] = []
    try:
        time.sleep(2.0)  # baseline
        slow_from = time.monotonic()

        def call_slow(_: int) -> tuple[int | None, float, str | None]:
            started = time.monotonic()
            try:
                r = httpx.get(stack.url + "/publik/v1/feed", timeout=SLEEP_S + 5)
                return r.status_code, time.monotonic() - started, r.headers.get("content-type")
            except httpx.HTTPError:
                return None, time.monotonic() - started, None

        with ThreadPoolExecutor(SLOW_CALLERS) as pool:
            rounds = max(1, int(SLOW_FOR_S / GATEWAY_TIMEOUT_S))
            for _ in range(rounds):
                slow_results.extend(pool.map(call_slow, range(SLOW_CALLERS)))
        slow_to = time.monotonic()
        time.sleep(0.5)
    finally:
        for s in streams:
            s.stop()

    # The slow upstream: 504 problem+json, at the timeout (not before, not much after).
    statuses = {code for code, _, _ in slow_results}
    assert statuses == {504}, statuses
    assert all(ct == PROBLEM_JSON for _, _, ct in slow_results)
    waits = [d for _, d, _ in slow_results]
    assert min(waits) >= GATEWAY_TIMEOUT_S * 0.9, waits
    assert max(waits) < GATEWAY_TIMEOUT_S + 1.5, waits

    figures: dict[str, object] = {
        "slow_requests": len(slow_results),
        "slow_504": sum(1 for c, _, _ in slow_results if c == 504),
        "slow_wait_s_min_max": (round(min(waits), 2), round(max(waits), 2)),
    }
    for stream in streams:
        name = stream.target.service
        outcomes = list(stream.outcomes)
        assert all(o.ok for o in outcomes), [
            (name, o.kind, o.status, round(o.started - slow_from, 2), round(o.duration_s, 2))
            for o in outcomes
            if not o.ok
        ]
        base = latencies(outcomes, began, slow_from)
        during = latencies(outcomes, slow_from, slow_to)
        assert len(during) >= 20, f"{name}: too few requests during the slow period"
        # Unaffected: the other upstream answers as before, far below the slow one's timeout.
        assert p(during, 0.99) < 1.0, (name, p(during, 0.99))
        assert statistics.median(during) < max(0.25, 5 * statistics.median(base)), (name, base, during)
        acknowledged = stream.acknowledged()
        stored = asyncio.run(stored_keys(own_database, stream.target, stream.prefix))
        assert acknowledged <= stored
        checksum = asyncio.run(stored_checksum(own_database, stream.target, acknowledged))
        assert checksum == expected_checksum(stream.target, acknowledged)
        figures[f"{name}_p50_ms_before"] = round(statistics.median(base) * 1000, 1)
        figures[f"{name}_p50_ms_during"] = round(statistics.median(during) * 1000, 1)
        figures[f"{name}_p99_ms_during"] = round(p(during, 0.99) * 1000, 1)
        figures[f"{name}_requests_during"] = len(during)
        figures[f"{name}_writes_acknowledged_stored"] = f"{len(acknowledged)}/{len(acknowledged & stored)}"
    figures["drill_s"] = round(time.monotonic() - began, 1)
    drill_report("DRILL slow-upstream: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
