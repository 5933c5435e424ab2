"""Under overload a request on a new connection is refused at accept (issue 21), against the real process.

``asn serve`` runs the apps on asn_cli/eventloop.py's loop. While the shedder refuses (here: the gateway with
``MAX_IN_FLIGHT=1`` and one slow upload holding that slot), a new connection whose first read is one GET gets the
shedder's own 503 in the turn that accepts it, with ``Connection: close``, instead of several turns of a busy loop
later. Everything else still goes through uvicorn and the shedder: requests on open connections, bodies, the
probes. Each refusal is counted in ``/metrics`` as the shedder counts its own.

The loop also refuses there when it is itself behind: a standing accept queue, where every connection waited
longer than ``SHED_ACCEPT_WAIT_MS`` before it was accepted (here the process is stopped with SIGSTOP while
clients connect, as a loop saturated by new connections holds them in the kernel's queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import httpx
import pytest

from asn_cli.eventloop import ACCEPT_WAIT_MIN_COUNT
from services.common.metrics import samples
from tests.gateway.rawnet import (
    ASN_SERVE,
    RawUpstream,
    gateway_env,
    gateway_process,
    raw_upstream,
    read_response,
    request,
)
from tests.support.fixtures import free_port

pytestmark = pytest.mark.e2e

GET = b"GET /v1/whoami HTTP/1.1\r\nHost: gw\r\n\r\n"
# More connections over the wait than asn_cli/eventloop.py's StandingQueue needs in an interval to call it a queue.
CROWD = ACCEPT_WAIT_MIN_COUNT + 1


@contextlib.asynccontextmanager
async def _asn_serve_gateway(env: dict[str, str], log_path: Path) -> AsyncIterator[int]:
    """``asn serve gateway`` as operators run it (its own event loop), on a free port."""
    async with _asn_serve_gateway_process(env, log_path) as (port, _):
        yield port


@contextlib.asynccontextmanager
async def _asn_serve_gateway_process(
    env: dict[str, str], log_path: Path
) -> AsyncIterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    async with gateway_process(ASN_SERVE, port, env, log_path) as proc:
        yield port, proc


async def _in_stops(
    proc: subprocess.Popen[bytes], steps: list[tuple[float, list[Awaitable[Any]]]], run_s: float = 0.04
) -> list[list[Any]]:
    """For each (stopped_s, clients): start the clients (each connects and sends at once) while the process is
    stopped for ``stopped_s`` (the kernel takes their connections and requests into the accept queue, where they
    wait), then let it run ``run_s`` to take them in; the next step follows at once, as a loop that takes
    connections in slower than they come sees them. The clients' results, per step."""
    started = []
    for stopped_s, clients in steps:
        started.append([asyncio.ensure_future(client) for client in clients])
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(stopped_s)
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        await asyncio.sleep(run_s)
    return [await asyncio.gather(*tasks) for tasks in started]


@contextlib.asynccontextmanager
async def _busy(port: int) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """Hold the one slot with an upload that never finishes; yield a keep-alive connection opened before, once
    a request on it is refused (so the shedder is refusing)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    _, upload = await asyncio.open_connection("127.0.0.1", port)
    upload.write(b"POST /kinerja/v1/evaluations HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{")  # fmt: skip
    await upload.drain()
    try:
        for _ in range(100):
            writer.write(GET)
            status, _, _ = await read_response(reader)
            if status == 503:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the upload never held the gateway's one slot")
        yield reader, writer
    finally:
        upload.close()
        writer.close()


async def _refused_counts(port: int) -> dict[str, float]:
    _, _, text = await request(port, b"GET /metrics HTTP/1.1\r\nHost: gw\r\n\r\n")
    return {
        labels["reason"]: value for labels, value in samples(text.decode(), "asn_admission_refused_total")
    }


@pytest.fixture(scope="module")
async def upstream() -> AsyncIterator[RawUpstream]:
    async with raw_upstream() as up:
        yield up


def _env(database_url: str, tmp: Path, upstream: RawUpstream, **extra: str) -> dict[str, str]:
    return gateway_env(
        database_url, tmp, upstream.url, GATEWAY_MAX_IN_FLIGHT="1", GATEWAY_BODY_READ_TIMEOUT_S="60", **extra
    )


async def test_a_get_on_a_new_connection_is_refused_at_accept_with_the_shedders_answer(
    database_url: str, upstream: RawUpstream, tmp_path: Path
) -> None:
    async with _asn_serve_gateway(_env(database_url, tmp_path, upstream), tmp_path / "gw.log") as port:
        async with _busy(port) as (reader, writer):
            # The shedder's own refusal, through uvicorn, on the connection opened before.
            writer.write(GET)
            kept_status, kept_headers, kept_body = await read_response(reader)
            # A new connection: refused at accept.
            status, headers, body = await request(port, GET)
            # A real client, on its own new connection (HEAD too: no body).
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                by_httpx = await client.get("/v1/whoami")
                head = await client.head("/v1/whoami")
                # The probes are never shed, on a new connection either.
                assert (await client.get("/healthz")).status_code == 200
            # A body goes to uvicorn, and the shedder refuses it there.
            post_status, post_headers, _ = await request(
                port, b"POST /v1/auth/token HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\n\r\n"
            )
            counts = await _refused_counts(port)
        assert kept_status == status == by_httpx.status_code == head.status_code == post_status == 503
        assert body == kept_body == by_httpx.content
        assert by_httpx.json()["status"] == 503
        assert head.content == b""
        assert head.headers["content-length"] == str(len(body))
        assert headers["retry-after"] == by_httpx.headers["retry-after"] == head.headers["retry-after"] == "1"
        for answer in (headers, by_httpx.headers, head.headers):
            assert answer["connection"] == "close"
            # The same answer as the shedder's, less what uvicorn adds of its own (server) or for keep-alive.
            assert {k: v for k, v in answer.items() if k not in ("date", "connection")} == {
                k: v for k, v in kept_headers.items() if k not in ("date", "server")
            }
        assert "connection" not in kept_headers  # the connection opened before stays open
        assert "connection" not in post_headers
        # Every refusal counted where the shedder counts its own: the busy probe's, the kept connection's,
        # the three at accept and the POST's.
        assert counts == {"shed": 6.0}
        # The slot free again, a new connection is served (no token: 401 from the gateway's own check).
        for _ in range(100):
            status, _, _ = await request(port, GET)
            if status != 503:
                break
            await asyncio.sleep(0.05)
        assert status == 401


async def test_with_the_setting_off_new_connections_are_refused_by_the_shedder_as_before(
    database_url: str, upstream: RawUpstream, tmp_path: Path
) -> None:
    env = _env(database_url, tmp_path, upstream, GATEWAY_SHED_NEW_CONNECTIONS="false")
    async with _asn_serve_gateway(env, tmp_path / "gw.log") as port, _busy(port):
        status, headers, _ = await request(port, GET)
    assert status == 503
    assert headers["retry-after"] == "1"
    assert "connection" not in headers  # uvicorn's keep-alive answer: not refused at accept
    assert headers["server"] == "uvicorn"


async def test_a_standing_accept_queue_is_refused_at_accept_while_nothing_is_in_flight(
    database_url: str, upstream: RawUpstream, tmp_path: Path
) -> None:
    """SHED_ACCEPT_WAIT_MS 20 (twice the default, for a loaded machine's jitter). Two crowds of connections 70 ms
    apart wait 60 and 30 ms to be accepted: served (not yet an interval). 70 ms later one more waits 30 ms: every
    wait over the target for more than the interval, more than 16 within it: the queue stands, and its GET is
    refused at accept; so is the next one's (httpx), within the memory. A POST goes to uvicorn; a connection taken
    in at once is served."""
    env = gateway_env(database_url, tmp_path, upstream.url, GATEWAY_SHED_ACCEPT_WAIT_MS="20")
    post = b"POST /v1/auth/token HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\n\r\n"
    async with (
        _asn_serve_gateway_process(env, tmp_path / "gw.log") as (port, proc),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        first, second, [standing], [by_httpx], [posted] = await _in_stops(
            proc,
            [
                (0.06, [request(port, GET) for _ in range(CROWD)]),
                (0.03, [request(port, GET) for _ in range(CROWD)]),
                (0.03, [request(port, GET)]),
                (0.03, [client.get("/v1/whoami")]),
                (0.03, [request(port, post)]),
            ],
        )
        after = await request(port, GET)
        counts = await _refused_counts(port)
    assert [answer[0] for answer in first + second] == [401] * 2 * CROWD  # served: the gateway's token check
    status, headers, body = standing
    assert status == by_httpx.status_code == 503
    assert headers["connection"] == by_httpx.headers["connection"] == "close"
    assert headers["retry-after"] == by_httpx.headers["retry-after"] == "1"
    assert body == by_httpx.content
    assert by_httpx.json()["status"] == 503
    assert posted[0] not in (401, 503)  # a body: uvicorn's, and the gateway answers it
    assert after[0] == 401
    assert counts == {"accept_wait": 2.0}


async def test_a_connection_after_a_crowd_waiting_out_a_long_turn_is_served(
    database_url: str, upstream: RawUpstream, tmp_path: Path
) -> None:
    """A crowd of connections waits 60 ms to be accepted (wrk starting, clients back after a deploy); a user who
    connects later and waits out a 150 ms turn is served: the crowd is no queue standing now."""
    env = gateway_env(database_url, tmp_path, upstream.url, GATEWAY_SHED_ACCEPT_WAIT_MS="20")
    async with _asn_serve_gateway_process(env, tmp_path / "gw.log") as (port, proc):
        [crowd] = await _in_stops(proc, [(0.06, [request(port, GET) for _ in range(CROWD)])])
        await asyncio.sleep(0.2)
        [[later]] = await _in_stops(proc, [(0.15, [request(port, GET)])])
        counts = await _refused_counts(port)
    assert [answer[0] for answer in crowd] == [401] * CROWD
    assert later[0] == 401
    assert counts == {}


async def test_with_the_accept_wait_off_a_standing_queue_is_served(
    database_url: str, upstream: RawUpstream, tmp_path: Path
) -> None:
    env = gateway_env(database_url, tmp_path, upstream.url, GATEWAY_SHED_ACCEPT_WAIT_MS="0")
    async with _asn_serve_gateway_process(env, tmp_path / "gw.log") as (port, proc):
        first, second, [standing] = await _in_stops(
            proc,
            [
                (0.06, [request(port, GET) for _ in range(CROWD)]),
                (0.03, [request(port, GET) for _ in range(CROWD)]),
                (0.03, [request(port, GET)]),
            ],
        )
        counts = await _refused_counts(port)
    assert [answer[0] for answer in first + second] == [401] * 2 * CROWD
    assert standing[0] == 401
    assert counts == {}
