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


# -- The shedder's screen: a request on a new connection refused at accept (issue 21) ---------------------------


class _Screen:
    """A shedder as the loop sees it: busy or not, refusing every path but /healthz; with
    ``max_accept_wait_s``, watching the accept queue."""

    def __init__(self, busy: bool = True, max_accept_wait_s: float | None = None) -> None:
        self.is_busy = busy
        self.max_accept_wait_s = max_accept_wait_s
        self.refused: list[str] = []
        self.reasons: list[str] = []

    def busy(self) -> str | None:
        return "shed" if self.is_busy else None

    def refuse(self, path: str, reason: str) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
        assert reason == ("shed" if self.is_busy else "accept_wait")
        if path == "/healthz":
            return None
        self.refused.append(path)
        self.reasons.append(reason)
        return [(b"content-type", b"application/problem+json"), (b"content-length", b"2"),
                (b"retry-after", b"1")], b"{}"  # fmt: skip


class _Recording(asyncio.Protocol):
    def __init__(self, got: list[bytes]) -> None:
        self.got = got

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.i = len(self.got)  # this connection's entry
        self.got.append(b"")

    def data_received(self, data: bytes) -> None:
        self.got[self.i] += data


async def _first_read(
    raw: bytes, screen: _Screen | None, *, second: _Screen | None = None, late: bytes = b""
) -> tuple[bytes, bytes]:
    """Connect, send ``raw`` before the server's loop gets a turn (so it is there at accept), and return (what
    the client got back before the server closed or went quiet, what the app's protocol received)."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, EagerAcceptLoop)
    if screen is not None:
        loop.screen_connections(screen)
    if second is not None:
        loop.screen_connections(second)
    got: list[bytes] = []
    server = await loop.create_server(lambda: _Recording(got), "127.0.0.1", 0)
    client = socket.create_connection(server.sockets[0].getsockname())
    try:
        if raw:
            client.sendall(raw)
        client.setblocking(False)
        if late:  # sent after the server has had turns to accept the connection
            await asyncio.sleep(0.05)
            client.send(late)
            raw += late
        return await _answer(client, got, raw)
    finally:
        client.close()
        server.close()
        await server.wait_closed()


async def _answer(client: socket.socket, got: list[bytes], raw: bytes) -> tuple[bytes, bytes]:
    """(What ``client`` (non-blocking) got back before the server closed or went quiet, what the app's protocol
    received on the last connection it was handed, since ``got`` was empty)."""
    loop = asyncio.get_running_loop()
    answer = b""
    for _ in range(50):  # up to 0.5 s: a refusal comes in the first turn; a handed-over one gets nothing
        try:
            chunk = await asyncio.wait_for(loop.sock_recv(client, 4096), 0.01)
        except TimeoutError:
            if got and got[-1] == raw:
                break
            continue
        if not chunk:
            break
        answer += chunk
    return answer, got[-1] if got else b"<not handed over>"


def test_a_busy_screen_refuses_a_get_on_a_new_connection_at_accept_and_closes_it() -> None:
    screen = _Screen()
    answer, handed = _run(
        EagerAcceptLoop, _first_read(b"GET /v1/x%20y?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", screen)
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 503 Service Unavailable"
    assert lines[1].startswith(b"date: ")
    assert lines[2:] == [b"content-type: application/problem+json", b"content-length: 2", b"retry-after: 1",
                         b"connection: close"]  # fmt: skip
    assert body == b"{}"
    assert handed == b"<not handed over>"  # no transport, no protocol, no request task
    assert screen.refused == ["/v1/x y"]  # the path as uvicorn puts it in the scope


def test_a_head_is_refused_without_the_body() -> None:
    answer, _ = _run(EagerAcceptLoop, _first_read(b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", _Screen()))
    assert answer.startswith(b"HTTP/1.1 503 ")
    assert answer.endswith(b"content-length: 2\r\nretry-after: 1\r\nconnection: close\r\n\r\n")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"POST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}", id="post"),
        pytest.param(b"POST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", id="post-empty"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n\r\n\r\n", id="get-with-body"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", id="pipelined"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", id="then-post"),
        pytest.param(
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", id="then-get-awaiting-body"
        ),
        pytest.param(b"GET / HTTP/1.1\r\nHost: a\r\n", id="head-not-all-there"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", id="upgrade"),
        pytest.param(b"NOT HTTP AT ALL\r\n\r\n", id="garbage"),
        pytest.param(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", id="never-refused-path"),
    ],
)  # fmt: skip
def test_what_the_screen_does_not_refuse_reaches_the_app_whole(raw: bytes) -> None:
    screen = _Screen()
    answer, handed = _run(EagerAcceptLoop, _first_read(raw, screen))
    assert answer == b""
    assert handed == raw  # peeked, not read: uvicorn gets every byte
    assert screen.refused == []


def test_nothing_is_refused_at_accept_while_the_screen_admits() -> None:
    raw = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    screen = _Screen(busy=False)
    answer, handed = _run(EagerAcceptLoop, _first_read(raw, screen))
    assert (answer, handed, screen.refused) == (b"", raw, [])


def test_two_apps_offering_screens_on_one_loop_get_none() -> None:
    """One app per loop is how ``asn serve`` runs; with two, the loop could not tell whose connection it is."""
    raw = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    first, second = _Screen(), _Screen()
    answer, handed = _run(EagerAcceptLoop, _first_read(raw, first, second=second))
    assert (answer, handed, first.refused, second.refused) == (b"", raw, [], [])


def test_a_request_that_comes_after_the_accept_is_screened_when_it_comes() -> None:
    screen = _Screen()
    answer, handed = _run(
        EagerAcceptLoop, _first_read(b"", screen, late=b"GET /a HTTP/1.1\r\nHost: a\r\n\r\n")
    )
    assert answer.startswith(b"HTTP/1.1 503 ")
    assert (handed, screen.refused) == (b"<not handed over>", ["/a"])


@pytest.mark.parametrize("late", [b"POST /a HTTP/1.1\r\nContent-Length: 0\r\n\r\n", b"GET /a HT"])
def test_a_late_request_the_screen_does_not_refuse_reaches_the_app_whole(late: bytes) -> None:
    screen = _Screen()
    answer, handed = _run(EagerAcceptLoop, _first_read(b"", screen, late=late))
    assert (answer, handed, screen.refused) == (b"", late, [])


def test_a_connection_that_sends_nothing_is_handed_over_after_the_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(eventloop, "FIRST_READ_WAIT_S", 0.05)
    screen = _Screen()
    answer, handed = _run(EagerAcceptLoop, _first_read(b"", screen))
    assert (answer, handed, screen.refused) == (b"", b"", [])


def test_closing_the_server_closes_a_connection_still_awaiting_its_first_read() -> None:
    async def scenario() -> bytes:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, EagerAcceptLoop)
        loop.screen_connections(_Screen())
        server = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
        assert isinstance(server, EagerAcceptServer)
        reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname())
        for _ in range(100):
            if server._awaiting:
                break
            await asyncio.sleep(0.01)
        assert len(server._awaiting) == 1
        server.close()
        await server.wait_closed()
        assert server._awaiting == {}
        got = await asyncio.wait_for(reader.read(), 1)  # closed: end of stream
        writer.close()
        return got

    assert _run(EagerAcceptLoop, scenario()) == b""


# A standing accept queue (the loop itself behind: connections wait in the kernel's queue, where the shedder's
# count cannot see them). StandingQueue's rule first, with the clock given; then the loop on real sockets, the
# waits being the kernel's own (TCP_INFO), the loop held with time.sleep as a loaded app's turns hold it.


def _queue(min_count: int = 0) -> eventloop.StandingQueue:
    return eventloop.StandingQueue(0.02, interval_s=0.1, memory_s=1.0, min_count=min_count)


def test_waits_under_the_target_never_stand() -> None:
    queue = _queue()
    assert not any(queue.stands(0.02, t / 100) for t in range(1000))


def test_a_queue_stands_when_every_wait_for_an_interval_is_over_the_target() -> None:
    queue = _queue()
    assert not queue.stands(0.5, 10.0)  # one stall: noted, admitted
    assert not queue.stands(0.03, 10.05)  # still within the interval
    assert queue.stands(0.03, 10.11)  # over the target for the whole interval: refused
    assert queue.stands(0.021, 10.12)


def test_one_wait_under_the_target_ends_the_interval() -> None:
    queue = _queue()
    assert not queue.stands(0.05, 10.0)
    assert not queue.stands(0.001, 10.05)  # a burst drained: the queue did not stand
    assert not queue.stands(0.05, 10.11)  # a new interval begins
    assert not queue.stands(0.05, 10.2)
    assert queue.stands(0.05, 10.22)


def test_after_the_queue_stood_a_wait_over_the_target_is_refused_at_once_for_a_while() -> None:
    queue = _queue()
    queue.stands(0.05, 10.0)
    assert queue.stands(0.05, 10.11)  # stood: remembered until 11.11
    assert not queue.stands(0.0, 10.2)  # drained
    assert queue.stands(0.03, 10.3)  # back within the memory: cut at the target, no new interval (until 11.3)
    assert not queue.stands(0.0, 10.4)
    assert not queue.stands(0.03, 11.4)  # the memory over: an interval again
    assert queue.stands(0.03, 11.51)


def test_refusals_within_the_memory_do_not_extend_it() -> None:
    """After an overload, a loop still slow refuses a connection now and then for the memory's second, not on."""
    queue = _queue(min_count=16)
    stood = [queue.stands(0.03, 10 + t / 200) for t in range(40)]  # 40 over the target in 200 ms
    assert stood.index(True) >= 20  # not before the interval
    assert all(stood[21:])  # then stood, the last time at 10.195: remembered until 11.195
    assert queue.stands(0.03, 10.5)  # a trickle within the memory: refused at once
    assert queue.stands(0.03, 11.1)
    assert not queue.stands(0.03, 11.3)  # over: the trickle is no queue


def test_a_connection_now_and_then_over_the_target_is_no_queue() -> None:
    """A loop busy with open connections makes each new one wait a long turn; a few a second are no queue."""
    queue = _queue(min_count=16)
    assert not any(queue.stands(0.03, 10 + t / 5) for t in range(100))  # five a second, each over the target


def test_a_burst_long_taken_in_is_no_queue_for_the_connections_after_it() -> None:
    """A crowd of connections (wrk starting, clients reconnecting after a deploy) waits out a few turns; a user
    who comes later and waits out one long turn of a loop busy with their requests is served."""
    queue = _queue(min_count=16)
    assert not any(queue.stands(0.03, 10 + t / 10000) for t in range(200))  # 200 in 20 ms: no interval
    assert not queue.stands(0.03, 10.5)  # half a second later, one: not more than 16 in the last interval
    assert not queue.stands(0.03, 10.7)


def test_the_kernel_says_how_long_a_connection_waited_to_be_accepted() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    with listener, socket.create_connection(listener.getsockname()) as client:
        client.sendall(b"GET / HTTP/1.1\r\n\r\n")
        time.sleep(0.1)
        conn, _ = listener.accept()
        with conn:
            waited = eventloop.accept_wait_s(conn)
    assert waited is not None
    assert 0.09 <= waited < 5


# More than ACCEPT_WAIT_MIN_COUNT connections, for a queue to stand.
CROWD = eventloop.ACCEPT_WAIT_MIN_COUNT + 1


async def _standing_queue(
    screen: _Screen, steps: list[tuple[bytes, float, int]]
) -> list[list[tuple[bytes, bytes]]]:
    """For each (request, stall, count): connect ``count`` clients, each sending it, hold the loop ``stall`` s
    (they wait in the accept queue meanwhile), then give the loop a moment to take them in; the steps follow each
    other at once. Then (what each client got, what the app received on its connection, or
    ``<not handed over>``) per step."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, EagerAcceptLoop)
    loop.screen_connections(screen)
    got: list[bytes] = []
    server = await loop.create_server(lambda: _Recording(got), "127.0.0.1", 0)
    address = server.sockets[0].getsockname()
    stepped: list[tuple[list[socket.socket], bytes]] = []
    try:
        for raw, stall, count in steps:
            clients = [socket.create_connection(address) for _ in range(count)]
            stepped.append((clients, raw))
            for client in clients:
                client.sendall(raw)
            time.sleep(stall)  # noqa: ASYNC251 (the loop held, as a busy turn holds it: nothing accepted)
            await asyncio.sleep(0.005)  # a turn: the waiting connections are accepted
        await asyncio.sleep(0.1)  # answers sent, bytes handed over
        results = []
        for clients, raw in stepped:
            answers = []
            for client in clients:
                client.setblocking(False)
                try:
                    answers.append(client.recv(4096))
                except BlockingIOError:
                    answers.append(b"")
            results.append([(a, raw if not a else b"<not handed over>") for a in answers])
        # What the app received: each connection not refused, with its bytes whole.
        assert sorted(got) == sorted(raw for step in results for answer, raw in step if not answer)
        return results
    finally:
        for clients, _ in stepped:
            for client in clients:
                client.close()
        server.close()
        await server.wait_closed()


GET = b"GET /v1/x HTTP/1.1\r\nHost: a\r\n\r\n"
POST = b"POST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}"


def test_a_standing_accept_queue_is_refused_at_accept_while_the_screen_admits() -> None:
    """Two crowds 65 ms apart, then one more 65 ms later: every connection over the target for more than the
    interval, and more than 16 of them within it."""
    screen = _Screen(busy=False, max_accept_wait_s=0.02)
    first, second, standing, post, after = _run(
        EagerAcceptLoop,
        _standing_queue(
            screen, [(GET, 0.06, CROWD), (GET, 0.06, CROWD), (GET, 0.06, 1), (POST, 0.06, 1), (GET, 0.0, 1)]
        ),
    )
    assert first == second == [(b"", GET)] * CROWD  # over the target, but within the interval: admitted
    [(answer, handed)] = standing  # every wait over the target for the interval: refused at accept
    assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert answer.endswith(b"retry-after: 1\r\nconnection: close\r\n\r\n{}")
    assert handed == b"<not handed over>"
    assert post == [(b"", POST)]  # a body is uvicorn's, standing queue or not
    assert after == [(b"", GET)]  # a connection taken in at once: no queue
    assert (screen.refused, screen.reasons) == (["/v1/x"], ["accept_wait"])


def test_one_stall_of_the_loop_refuses_nothing() -> None:
    screen = _Screen(busy=False, max_accept_wait_s=0.02)
    results = _run(
        EagerAcceptLoop, _standing_queue(screen, [(GET, 0.15, CROWD), (GET, 0.0, 1), (GET, 0.15, 1)])
    )
    assert results == [[(b"", GET)] * CROWD, [(b"", GET)], [(b"", GET)]]
    assert screen.refused == []


def test_a_connection_after_a_crowd_that_waits_a_long_turn_is_served() -> None:
    """A crowd over the target, then (with no prompt connection between) one more that waits out a long turn:
    the crowd is not in its interval, so no queue stands."""
    screen = _Screen(busy=False, max_accept_wait_s=0.02)
    results = _run(
        EagerAcceptLoop, _standing_queue(screen, [(GET, 0.06, CROWD), (GET, 0.15, 1), (GET, 0.15, 1)])
    )
    assert results == [[(b"", GET)] * CROWD, [(b"", GET)], [(b"", GET)]]
    assert screen.refused == []


def test_a_connection_now_and_then_that_waits_a_long_turn_is_served() -> None:
    screen = _Screen(busy=False, max_accept_wait_s=0.02)
    results = _run(EagerAcceptLoop, _standing_queue(screen, [(GET, 0.06, 1), (GET, 0.15, 1), (GET, 0.15, 1)]))
    assert results == [[(b"", GET)]] * 3
    assert screen.refused == []


def test_without_a_limit_the_accept_queue_is_not_watched() -> None:
    screen = _Screen(busy=False)
    results = _run(
        EagerAcceptLoop, _standing_queue(screen, [(GET, 0.06, CROWD), (GET, 0.06, CROWD), (GET, 0.06, 1)])
    )
    assert results == [[(b"", GET)] * CROWD, [(b"", GET)] * CROWD, [(b"", GET)]]
