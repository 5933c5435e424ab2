"""``asn serve``'s event loop accepts a burst of connections in one turn, even while the loop is busy.

Under plain uvloop a busy app accepted one connection per turn of its loop, so a burst waited in the kernel's
accept queue, unseen by the shedder, for seconds (asn_cli/eventloop.py, issue 21). These tests count turns
of a loop kept busy the way a loaded app is (each turn runs a callback that holds it 5 ms), not time.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import threading
import time
from typing import Any

import pytest
import uvloop

from asn_cli import eventloop
from asn_cli.eventloop import EagerAcceptLoop, EagerAcceptServer

BURST = 40


class _Counting(asyncio.Protocol):
    made: list[int]

    def __init__(self, made: list[int]) -> None:
        self.made = made

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.made.append(1)


async def _turns_to_accept(burst: int) -> tuple[int, int]:
    """Start a server, keep the loop busy, connect ``burst`` clients from a thread at once; return how many
    turns of the loop passed after the last client connected until the server had made every connection,
    and how many it made."""
    loop = asyncio.get_running_loop()
    made: list[int] = []
    server = await loop.create_server(lambda: _Counting(made), "127.0.0.1", 0, backlog=128)
    port = server.sockets[0].getsockname()[1]
    clients: list[socket.socket] = []
    connected = threading.Event()

    def connect_all() -> None:
        for _ in range(burst):
            clients.append(socket.create_connection(("127.0.0.1", port)))
        connected.set()

    turns_after = 0
    done = loop.create_future()

    def busy_turn() -> None:
        nonlocal turns_after
        time.sleep(0.005)  # the loop's work of one turn under load
        if connected.is_set():
            turns_after += 1
        if len(made) >= burst or turns_after > 10 * burst:
            done.set_result(None)
        else:
            loop.call_soon(busy_turn)

    loop.call_soon(busy_turn)
    thread = threading.Thread(target=connect_all)
    thread.start()
    try:
        await asyncio.wait_for(done, 30)
    finally:
        thread.join()
        for c in clients:
            c.close()
        server.close()
        await server.wait_closed()
    return turns_after, len(made)


async def _made_one(made: list[int]) -> None:
    """Wait (up to 1 s) for the server to make the one connection a client opened."""
    for _ in range(100):
        if made:
            break
        await asyncio.sleep(0.01)
    assert made == [1]


def _run(loop_class: type[asyncio.AbstractEventLoop], coro: Any) -> Any:
    with asyncio.Runner(loop_factory=loop_class) as runner:
        return runner.run(coro)


def test_a_burst_reaches_a_busy_app_in_one_turn() -> None:
    turns, made = _run(EagerAcceptLoop, _turns_to_accept(BURST))
    assert made == BURST
    # One turn accepts them all; handing each to its transport and protocol takes a few more turns, as many
    # for 40 connections as for one.
    assert turns <= 6, f"{BURST} connections took {turns} turns of a busy loop to be accepted"


def test_plain_uvloop_takes_a_turn_per_connection() -> None:
    """Why EagerAcceptLoop exists: uvloop (libuv) accepts one connection per turn. If an upgrade changes that,
    this fails and the override can go."""
    turns, made = _run(uvloop.Loop, _turns_to_accept(BURST))
    assert made == BURST
    assert turns >= BURST // 2


def test_the_server_is_what_uvicorn_uses() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        made: list[int] = []
        server = await loop.create_server(lambda: _Counting(made), "127.0.0.1", 0)
        assert isinstance(server, EagerAcceptServer)
        assert server.is_serving()
        host, port = server.sockets[0].getsockname()
        assert host == "127.0.0.1"
        assert port > 0
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await _made_one(made)
        server.close()
        await server.wait_closed()
        assert not server.is_serving()
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)
        writer.close()

    _run(EagerAcceptLoop, scenario())


def test_a_socket_handed_over_is_served_as_is() -> None:
    """``asn serve --workers N``: uvicorn binds the socket and each worker passes it to create_server."""

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        made: list[int] = []
        server = await loop.create_server(lambda: _Counting(made), sock=sock, backlog=16)
        assert server.sockets[0] is sock
        _reader, writer = await asyncio.open_connection(*sock.getsockname())
        await _made_one(made)
        writer.close()
        server.close()

    _run(EagerAcceptLoop, scenario())


def test_tls_and_unix_servers_stay_uvloops(tmp_path: Any) -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.bind(str(tmp_path / "s"))
        server = await loop.create_server(asyncio.Protocol, sock=unix)
        assert not isinstance(server, EagerAcceptServer)
        server.close()
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0, ssl=tls)
        assert not isinstance(server, EagerAcceptServer)
        server.close()

    _run(EagerAcceptLoop, scenario())


class _FailingListener:
    def __init__(self, code: int) -> None:
        self.code = code

    def accept(self) -> tuple[socket.socket, Any]:
        raise OSError(self.code, "accept failed")


@pytest.mark.parametrize("code", [errno.EMFILE, errno.ENFILE, errno.EINVAL])
def test_a_failing_accept_pauses_accepting_then_resumes(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Out of descriptors (or another error of accept): the socket stays readable, so watching it on would spin;
    accepting pauses and starts again after a delay."""
    monkeypatch.setattr(eventloop, "ACCEPT_RETRY_DELAY_S", 0.05)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
        assert isinstance(server, EagerAcceptServer)
        server._accept_waiting(_FailingListener(code))  # type: ignore[arg-type]
        assert not server.is_serving()  # not woken again by the same readable socket
        await asyncio.sleep(0.2)
        assert server.is_serving()
        server.close()
        await server.wait_closed()

    _run(EagerAcceptLoop, scenario())
