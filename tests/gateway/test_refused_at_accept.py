"""Under overload a request on a new connection is refused at accept (issue 21), against the real process.

``asn serve`` runs the apps on asn_cli/eventloop.py's loop. While the shedder refuses (here: the gateway with
``MAX_IN_FLIGHT=1`` and one slow upload holding that slot), a new connection whose first read is one GET gets the
shedder's own 503 in the turn that accepts it, with ``Connection: close``, instead of several turns of a busy loop
later. Everything else still goes through uvicorn and the shedder: requests on open connections, bodies, the
probes. Each refusal is counted in ``/metrics`` as the shedder counts its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

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


@contextlib.asynccontextmanager
async def _asn_serve_gateway(env: dict[str, str], log_path: Path) -> AsyncIterator[int]:
    """``asn serve gateway`` as operators run it (its own event loop), on a free port."""
    port = free_port()
    async with gateway_process(ASN_SERVE, port, env, log_path):
        yield port


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
