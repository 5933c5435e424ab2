"""Slow uploads against the real gateway process (issue 14, finding 2), and the per-path body caps.

Before the fix the proxy took an upstream connection at a body's first piece and waited for the rest
with no deadline: 64 POSTs trickling a byte at a time, with no token, held every pooled connection to
kinerja and everyone else got 504. Now a body is read whole before a connection is taken, within
``GATEWAY_BODY_READ_TIMEOUT_S`` (else 408), and one address may have ``GATEWAY_MAX_UPLOADS_PER_CLIENT``
bodies in progress (else 429 with Retry-After); a normal client stays fast throughout.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.common.body_limits import LARGE_BODY_PATHS, gateway_body_limits, service_body_limits
from tests.gateway.rawnet import (
    RawUpstream,
    gateway_env,
    gateway_process,
    raw_upstream,
    read_response,
    request,
)
from tests.support.fixtures import free_port

pytestmark = pytest.mark.e2e

BODY_TIMEOUT_S = 3.0
PER_CLIENT = 4
TRICKLERS = 64


@pytest.fixture(scope="module")
async def upstream() -> AsyncIterator[RawUpstream]:
    async with raw_upstream() as up:
        yield up


@pytest.fixture(scope="module")
async def gw(
    upstream: RawUpstream, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[int]:
    tmp = tmp_path_factory.mktemp("gw-slow")
    port = free_port()
    env = gateway_env(
        database_url,
        tmp,
        upstream.url,
        GATEWAY_BODY_READ_TIMEOUT_S=str(BODY_TIMEOUT_S),
        GATEWAY_MAX_UPLOADS_PER_CLIENT=str(PER_CLIENT),
    )
    # The default server (httptools), as `asn serve gateway` runs it.
    async with gateway_process("httptools", port, env, Path(tmp) / "gateway.log"):
        yield port


async def _trickle(port: int, local: str) -> tuple[int | None, dict[str, str], float]:
    """A POST with no token announcing 1000 bytes and sending one every 0.25 s; (status, headers, seconds
    until the answer) — status None when no answer came within 12 s."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(local, 0))
    writer.write(b"POST /kinerja/v1/upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 1000\r\n\r\nx")
    answer = asyncio.create_task(read_response(reader))
    try:
        while not answer.done() and loop.time() - started < 12:
            await asyncio.sleep(0.25)
            try:
                writer.write(b"x")
                await writer.drain()
            except ConnectionError:
                break
        try:
            status, headers, _ = await asyncio.wait_for(answer, 2)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            return None, {}, loop.time() - started
        return status, headers, loop.time() - started
    finally:
        answer.cancel()
        writer.close()


@pytest.mark.parametrize(
    "addresses",
    [["127.0.0.2"], [f"127.0.0.{i}" for i in range(2, 10)]],
    ids=["one-address", "eight-addresses"],
)
async def test_trickling_uploads_do_not_stall_other_clients(
    gw: int, upstream: RawUpstream, addresses: list[str]
) -> None:
    upstream.seen.clear()
    tricklers = [asyncio.create_task(_trickle(gw, addresses[i % len(addresses)])) for i in range(TRICKLERS)]
    await asyncio.sleep(1.0)  # every trickler has its head and first bytes in
    # A normal client (another address) keeps being served quickly the whole time.
    slowest = 0.0
    for i in range(12):
        started = time.perf_counter()
        if i % 2:
            status, _, body = await request(gw, b"GET /kinerja/v1/units HTTP/1.1\r\nHost: gw\r\n\r\n")
        else:
            status, _, body = await request(
                gw, b"POST /kinerja/v1/units HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\n\r\n{}"
            )
        slowest = max(slowest, time.perf_counter() - started)
        assert status == 200, body
        await asyncio.sleep(0.1)
    assert slowest < 1.0, slowest

    results = await asyncio.gather(*tricklers)
    statuses = [status for status, _, _ in results]
    in_progress = PER_CLIENT * len(addresses)
    # Beyond the per-address limit: 429 at once, with Retry-After.
    refused = [(h, t) for s, h, t in results if s == 429]
    assert len(refused) == TRICKLERS - in_progress, statuses
    assert all(h.get("retry-after") and h["content-type"] == "application/problem+json" for h, _ in refused)
    assert all(t < 1.0 for _, t in refused)
    # Within it: 408 at the body deadline, none forwarded.
    timed_out = [(h, t) for s, h, t in results if s == 408]
    assert len(timed_out) == in_progress, statuses
    assert all(h["content-type"] == "application/problem+json" for h, _ in timed_out)
    assert all(BODY_TIMEOUT_S - 0.5 < t < BODY_TIMEOUT_S + 2 for _, t in timed_out)
    assert not [s for s in upstream.seen if s.target == "/v1/upload"]


async def test_body_slots_are_given_back(gw: int) -> None:
    """After the deadline the address may upload again: a whole body in several pieces goes through."""
    reader, writer = await asyncio.open_connection("127.0.0.1", gw, local_addr=("127.0.0.2", 0))
    try:
        writer.write(b"POST /kinerja/v1/upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 10\r\n\r\n01234")
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.write(b"56789")
        status, _, body = await asyncio.wait_for(read_response(reader), 5)
    finally:
        writer.close()
    assert status == 200
    assert json.loads(body) == {"target": "/v1/upload", "size": 10}


def test_one_table_of_large_bodies_for_gateway_and_services() -> None:
    assert service_body_limits("kinerja") == {"/v1/employees/import": 20 * 1024 * 1024}
    assert gateway_body_limits() == {
        f"/{svc}{path}": limit for svc, paths in LARGE_BODY_PATHS.items() for path, limit in paths.items()
    }


async def test_the_import_path_takes_the_services_cap_at_the_gateway(gw: int, upstream: RawUpstream) -> None:
    """2 MiB passes the gateway on the import path (kinerja takes 20 MiB there) and is 413 elsewhere
    (the 1 MiB default)."""
    body = b"x" * (2 * 1024 * 1024)
    head = b"POST %s HTTP/1.1\r\nHost: gw\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n"
    status, _, answer = await request(gw, head % (b"/kinerja/v1/employees/import", len(body)) + body)
    assert status == 200, answer
    assert json.loads(answer) == {"target": "/v1/employees/import", "size": len(body)}
    status, headers, _ = await request(gw, head % (b"/kinerja/v1/units", len(body)) + body)
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    limit = gateway_body_limits()["/kinerja/v1/employees/import"]
    status, _, _ = await request(gw, head % (b"/kinerja/v1/employees/import", limit + 1))
    assert status == 413
