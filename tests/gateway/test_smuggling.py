"""Request smuggling through the gateway, and upstream answers with broken framing (issue 14, finding 1).

The attacks go over raw sockets to the real gateway app served by uvicorn, once with ``--http h11`` and
once with ``--http httptools``: each framing trick is sent in two TCP segments, then another user asks
for something on a fresh connection. That user must get their own answer, and the upstream (a raw
recording server, ``tests/gateway/rawnet.py``) must have read exactly one request: theirs. Before the
fix, under h11, a request with both Content-Length and Transfer-Encoding became two requests upstream
and the next user received the smuggled one's answer.

The second half is the other direction: an upstream whose answer another parser could frame differently
gets 502 (problem+json), and the next request works on a fresh upstream connection.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.gateway.rawnet import RawUpstream, gateway_env, gateway_process, read_response, request
from tests.support.fixtures import free_port

pytestmark = pytest.mark.e2e

INNER = b"GET /v1/smuggled HTTP/1.1\r\nHost: upstream\r\n\r\n"
PAYLOAD = b"abcd" + INNER
CHUNKED = b"%x\r\n%s\r\n0\r\n\r\n" % (len(PAYLOAD), PAYLOAD)


def _attack(framing: bytes, body: bytes) -> bytes:
    return b"POST /kinerja/v1/attack HTTP/1.1\r\nHost: gw\r\n" + framing + b"\r\n" + body


# name -> the raw request. Every one frames its body in a way two parsers can read differently.
ATTACKS: dict[str, bytes] = {
    "cl-te": _attack(b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", CHUNKED),
    "te-cl": _attack(b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", CHUNKED),
    "cl-te-uppercase": _attack(b"Content-Length: 4\r\nTransfer-Encoding: CHUNKED\r\n", CHUNKED),
    "conflicting-cl": _attack(b"Content-Length: 4\r\nContent-Length: %d\r\n" % len(PAYLOAD), PAYLOAD),
    "cl-list": _attack(b"Content-Length: 4, %d\r\n" % len(PAYLOAD), PAYLOAD),
    "te-chunked-identity": _attack(b"Content-Length: 4\r\nTransfer-Encoding: chunked, identity\r\n", CHUNKED),
    "te-chunked-identity-alone": _attack(b"Transfer-Encoding: chunked, identity\r\n", CHUNKED),
    "te-two-headers": _attack(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", CHUNKED),
    "te-obs-fold": _attack(b"Content-Length: 4\r\nTransfer-Encoding:\r\n chunked\r\n", CHUNKED),
    "cl-obs-fold": _attack(b"Transfer-Encoding: chunked\r\nContent-Length:\r\n 4\r\n", CHUNKED),
    "te-space-before-colon": _attack(b"Content-Length: 4\r\nTransfer-Encoding : chunked\r\n", CHUNKED),
    "cl-plus-sign": _attack(b"Content-Length: +4\r\n", PAYLOAD),
}

# Identical repeated lengths: h11 merges them into one header before any app sees them (RFC 9110 §8.6
# lets a recipient do so), so under h11 the body is framed once, unambiguously, and forwarded with that
# exact length; everywhere they reach the app they are refused with 400.
DUPLICATE_CL = _attack(b"Content-Length: %d\r\nContent-Length: %d\r\n" % ((len(PAYLOAD),) * 2), PAYLOAD)


@pytest.fixture(scope="module")
async def upstream() -> AsyncIterator[RawUpstream]:
    up = await RawUpstream(bad=dict(BAD_ANSWERS)).start()
    try:
        yield up
    finally:
        await up.close()


@pytest.fixture(scope="module", params=["h11", "httptools"])
async def gw(
    request: pytest.FixtureRequest,
    upstream: RawUpstream,
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[int]:
    """The gateway's port, served by the parametrised HTTP implementation."""
    tmp = tmp_path_factory.mktemp(f"gw-{request.param}")
    port = free_port()
    env = gateway_env(database_url, tmp, upstream.url)
    async with gateway_process(request.param, port, env, Path(tmp) / "gateway.log"):
        yield port


async def _send_split(port: int, raw: bytes) -> tuple[int | None, bytes]:
    """Send ``raw`` in two TCP segments (split inside the body) and read what comes back until close."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    cut = raw.index(b"\r\n\r\n") + 10
    try:
        writer.write(raw[:cut])
        await writer.drain()
        await asyncio.sleep(0.15)
        writer.write(raw[cut:])
        await writer.drain()
        status: int | None = None
        rest = b""
        try:
            async with asyncio.timeout(5):
                status, _, _ = await read_response(reader)
            # Whatever else comes within a moment (the gateway closes after refusing): nothing may follow.
            async with asyncio.timeout(0.5):
                while data := await reader.read(65_536):
                    rest += data
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        return status, rest
    finally:
        writer.close()


NEXT = ["/v1/next-0", "/v1/next-1", "/v1/next-2"]


async def _next_users_answers(port: int) -> list[str]:
    """Three more users, each on a fresh connection: the target each one's answer was made for."""
    answered = []
    for i in range(3):
        status, _, body = await request(port, b"GET /kinerja/v1/next-%d HTTP/1.1\r\nHost: gw\r\n\r\n" % i)
        assert status == 200, body
        answered.append(json.loads(body)["target"])
    return answered


@pytest.mark.parametrize("name", list(ATTACKS))
async def test_smuggling_attempt_is_refused(gw: int, upstream: RawUpstream, name: str) -> None:
    upstream.seen.clear()
    status, rest = await _send_split(gw, ATTACKS[name])
    # Each next user receives the answer to their own request, never the smuggled one's.
    assert await _next_users_answers(gw) == NEXT, name
    # Exactly the next users' requests reached the upstream: neither the attack nor anything inside it.
    assert [s.target for s in upstream.seen] == NEXT, name
    assert status == 400, (name, status, rest)
    assert b"HTTP/1.1" not in rest  # no second answer on the attacker's connection


async def test_duplicate_content_length_is_refused_or_framed_once(gw: int, upstream: RawUpstream) -> None:
    upstream.seen.clear()
    status, _ = await _send_split(gw, DUPLICATE_CL)
    assert await _next_users_answers(gw) == NEXT
    targets = [s.target for s in upstream.seen]
    if status == 400:
        assert targets == NEXT
    else:  # h11 merged the identical lengths: one request, its whole body, nothing smuggled
        assert status == 200
        assert targets == ["/v1/attack", *NEXT]
        assert upstream.seen[0].body == PAYLOAD


async def test_chunked_upload_is_forwarded_with_its_exact_length(gw: int, upstream: RawUpstream) -> None:
    """A legitimate chunked body sent in pieces reaches the upstream once, framed by the bytes read."""
    upstream.seen.clear()
    raw = b"POST /kinerja/v1/upload HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED
    status, _ = await _send_split(gw, raw.replace(b"Host: gw", b"Host: gw\r\nConnection: close"))
    assert status == 200
    assert len(upstream.seen) == 1
    seen = upstream.seen[0]
    assert seen.body == PAYLOAD
    assert seen.headers["content-length"] == str(len(PAYLOAD))
    assert "transfer-encoding" not in seen.headers


_OK = b"HTTP/1.1 200 OK\r\n"
# name -> what the upstream answers to /v1/bad/<name>, after which it closes the connection.
BAD_ANSWERS: dict[str, bytes] = {
    "conflicting-lengths": _OK + b"Content-Length: 2\r\nContent-Length: 30\r\n\r\nok" + b"x" * 28,
    "duplicate-lengths": _OK + b"Content-Length: 2\r\nContent-Length: 2\r\n\r\nok",
    "length-and-chunked": _OK
    + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    "length-list": _OK + b"Content-Length: 2, 2\r\n\r\nok",
    "length-plus": _OK + b"Content-Length: +2\r\n\r\nok",
    "length-underscore": _OK + b"Content-Length: 1_0\r\n\r\n0123456789",
    "chunked-not-last": _OK + b"Transfer-Encoding: chunked, gzip\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    "chunk-size-0x": _OK + b"Transfer-Encoding: chunked\r\n\r\n0x2\r\nok\r\n0\r\n\r\n",
    "chunk-size-junk": _OK + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n",
    "chunk-size-negative": _OK + b"Transfer-Encoding: chunked\r\n\r\n-2\r\nok\r\n0\r\n\r\n",
    "chunk-size-huge": _OK + b"Transfer-Encoding: chunked\r\n\r\n" + b"f" * 40 + b"\r\nok\r\n",
    "obs-fold": _OK + b"Content-Length:\r\n 2\r\n\r\nok",
    "space-before-colon": _OK + b"Content-Length : 2\r\n\r\nok",
    "bad-status": b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok",
    "not-http": b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
    "early-close-in-head": _OK + b"Content-Le",
    "early-close-in-body": _OK + b"Content-Length: 100\r\n\r\nonly-part",
    "early-close-in-chunk-size": _OK + b"Transfer-Encoding: chunked\r\n\r\n1",
    "oversized-header": _OK + b"X-Big: " + b"a" * 70_000 + b"\r\nContent-Length: 2\r\n\r\nok",
    "too-many-headers": _OK + b"".join(b"X-H%d: v\r\n" % i for i in range(10_000)) + b"\r\nok",
}


@pytest.mark.parametrize("name", list(BAD_ANSWERS))
async def test_invalid_upstream_framing_is_a_502(gw: int, upstream: RawUpstream, name: str) -> None:
    upstream.seen.clear()
    status, headers, body = await request(
        gw, b"GET /kinerja/v1/bad/%s HTTP/1.1\r\nHost: gw\r\n\r\n" % name.encode()
    )
    assert status == 502, (name, status, body[:200])
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 502
    bad_conn = upstream.seen[-1].conn
    # The next request works, on a fresh upstream connection: the broken one is never reused.
    status, _, body = await request(gw, b"GET /kinerja/v1/after HTTP/1.1\r\nHost: gw\r\n\r\n")
    assert status == 200
    assert json.loads(body)["target"] == "/v1/after"
    assert upstream.seen[-1].conn != bad_conn
