"""The event loop ``asn serve`` runs the apps on: uvloop, except that a listening socket accepts every waiting
connection at once (uvicorn's ``loop`` setting names it: :data:`UVICORN_LOOP`).

libuv, under uvloop, accepts **one** connection per turn of the event loop (``uv__server_io``: one ``accept``
per readiness event, for fairness between processes sharing a socket). A turn of a busy app lasts as long as
the callbacks that are ready at its start: 15-30 ms for kinerja at 256 connections. Connections that arrive
in a burst while the app is busy then wait in the kernel's accept queue, where neither the shedder
(services/common/admission.py) nor the request metrics see them: measured after one closed-loop run ended with
its requests in flight, the next run's 256 new connections were accepted at 65 a second, and the last first
requests took 3-4.7 s while every request the app timed took under 1 s (issue 21, docs/benchmarks.md).

:class:`EagerAcceptLoop` reads the listening socket itself: each time it is readable, every waiting connection
is accepted (up to :data:`ACCEPT_BATCH`) and handed to uvloop as an accepted socket, so a burst reaches the
app in one turn and queues where the admission gate and the shedder can answer it (or refuse it at once).
Everything else is uvloop's: the transports (TCP_NODELAY, flow control), the protocols (uvicorn's), TLS (a
server with ``ssl`` is left to uvloop).

Under overload a new connection still took several turns of the loop before its request reached the shedder
(the handover to uvloop, the transport, the read, the request's task), and at twice the capacity a turn lasts
10-20 ms: a third of such refusals came after 50 ms (docs/benchmarks.md, issue 21). So the app's shedder may
**screen** new connections (:meth:`EagerAcceptLoop.screen_connections`, :class:`ConnectionScreen`): while it is
refusing, a connection whose whole first read is one complete GET or HEAD with no body is answered at accept,
in the same turn, with the shedder's own 503 and ``Connection: close``, and closed (a connection with nothing
to read yet is screened when its first bytes come, or handed over after :data:`FIRST_READ_WAIT_S`). Anything
else (another method, a body, a request only partly there, two requests, an upgrade, a path the shedder never
refuses) goes to uvicorn as before, and so does everything while the shedder admits.

The shedder counts what is *in* the process. When the loop itself is the bottleneck (clients that open a
connection for each request: accepting, the handover and the close cost more than the request), connections
wait in the kernel's accept queue where it cannot count them: at twice the capacity their latency grew to
seconds while the count stayed under its limit. So the screen also watches how long each accepted connection's
request waited before the accept (the kernel's ``TCP_INFO``: milliseconds since its data arrived). A standing
queue, where every connection accepted for :data:`ACCEPT_WAIT_INTERVAL_S` (and enough of them) waited longer than
the screen's ``max_accept_wait_s``, makes the screen refuse as above (:class:`StandingQueue`: CoDel's rule, RFC
8289, on the accept queue): a burst that drains, a loop that stalls once, or a connection now and then that
waits out one long turn refuses nothing.
"""

from __future__ import annotations

import asyncio
import collections
import errno
import logging
import socket
import struct
import time
import urllib.parse
from collections.abc import Callable, Sequence
from email.utils import formatdate
from typing import Any, Protocol

import httptools
import uvloop

logger = logging.getLogger("asn.serve")

# At most this many connections are accepted per readiness of the socket: a burst larger than this takes a few
# turns, and with several workers on one socket (``asn serve --workers N``) one busy worker does not take a
# whole burst that the others could have answered sooner.
ACCEPT_BATCH = 64
# Out of file descriptors or memory (or another error of accept): stop accepting this long, as asyncio's own
# servers do, instead of waking on the same readable socket in a busy loop.
ACCEPT_RETRY_DELAY_S = 1.0
_RESOURCE_ERRORS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
# A screened connection's first read is looked at up to this size (uvicorn reads 64 KiB at a time; a GET's head
# is far smaller). A larger one goes to uvicorn.
SCREEN_PEEK_BYTES = 16 * 1024
SCREENED_METHODS = frozenset({b"GET", b"HEAD"})
# A connection accepted while the screen refuses, whose request has not arrived yet, waits this long for it
# before it is handed to uvicorn unscreened.
FIRST_READ_WAIT_S = 1.0
# A queue stands when every connection accepted for this long waited more than the screen's limit (CoDel's
# interval): one stall of the loop, or a burst of connections that the next turns take in, does not stand.
ACCEPT_WAIT_INTERVAL_S = 0.1
# ... and more than this many did within the last interval: connections now and then that each wait out one long
# turn of a loop busy with open connections are no queue (CoDel's "the queue holds more than one packet"), nor is
# a burst long taken in.
ACCEPT_WAIT_MIN_COUNT = 16
# After the queue last stood, a wait over the limit is refused at once for this long (CoDel re-enters its dropping
# state at once when it left it recently): the queue must not grow for a whole interval each time.
ACCEPT_WAIT_MEMORY_S = 1.0
# struct tcp_info (linux/tcp.h): tcpi_last_data_recv, milliseconds since the last data arrived (since the
# connection was made when none has), at this offset.
_TCPI_LAST_DATA_RECV = struct.Struct("=I")
_TCPI_LAST_DATA_RECV_AT = 52
_TCP_INFO: int | None = getattr(socket, "TCP_INFO", None)  # Linux only; elsewhere no wait is read


class ConnectionScreen(Protocol):
    """What an app offers the loop to refuse requests on new connections at accept (the shedder,
    services/common/admission.py)."""

    def busy(self) -> str | None:
        """Why a request arriving now would be refused, or ``None`` (asked for every accepted connection: cheap)."""
        ...

    def refuse(self, path: str, reason: str) -> tuple[Sequence[tuple[bytes, bytes]], bytes] | None:
        """Refuse a request for ``path`` for ``reason`` (what :meth:`busy` said in the same turn, or
        ``accept_wait``), counted as the app counts its refusals: the 503's headers and body, or ``None`` when
        this path is never refused."""
        ...

    @property
    def max_accept_wait_s(self) -> float | None:
        """How long a request may wait in the accept queue before a standing queue of such waits is refused
        (:class:`StandingQueue`); ``None``: not watched."""
        ...


def accept_wait_s(conn: socket.socket) -> float | None:
    """How long ``conn``'s newest data has waited unread (the kernel's ``tcpi_last_data_recv``; for a connection
    that sent nothing yet, how long since it was made): at accept, its wait in the accept queue. ``None`` where
    the kernel does not say."""
    if _TCP_INFO is None:
        return None
    try:
        info = conn.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, _TCPI_LAST_DATA_RECV_AT + 4)
    except OSError:
        return None
    if len(info) < _TCPI_LAST_DATA_RECV_AT + 4:
        return None
    return float(_TCPI_LAST_DATA_RECV.unpack_from(info, _TCPI_LAST_DATA_RECV_AT)[0]) / 1000


class StandingQueue:
    """CoDel's control law (RFC 8289) on the accept queue, without its drop rate: refuse while the queue stands.

    Each accepted connection reports how long it waited. A wait at most ``target_s`` means no standing queue.
    The queue stands when, for :data:`ACCEPT_WAIT_INTERVAL_S`, every connection accepted waited over the target
    and more than :data:`ACCEPT_WAIT_MIN_COUNT` did so within the last interval (crowded: connections still
    coming, still waiting). Then the connections still waiting over ``target_s`` are refused. For
    :data:`ACCEPT_WAIT_MEMORY_S` after it last stood, a wait over the target is refused at once, so a queue that
    comes back is cut at the target, not after another interval (a connection accepted in time, now and then,
    ends the interval but not the overload); while crowded, such a refusal extends the memory, and a connection
    now and then does not."""

    def __init__(
        self,
        target_s: float,
        interval_s: float = ACCEPT_WAIT_INTERVAL_S,
        memory_s: float = ACCEPT_WAIT_MEMORY_S,
        min_count: int = ACCEPT_WAIT_MIN_COUNT,
    ) -> None:
        self.target_s = target_s
        self.interval_s = interval_s
        self.memory_s = memory_s
        self.min_count = min_count
        self._above_since: float | None = None
        # When the latest min_count + 1 connections over the target were accepted (the oldest first).
        self._recent: collections.deque[float] = collections.deque(maxlen=min_count + 1)
        self._refusing_until = float("-inf")

    def stands(self, waited_s: float, now: float) -> bool:
        """Whether a connection accepted at ``now`` (monotonic seconds) that waited ``waited_s`` is refused."""
        if waited_s <= self.target_s:
            self._above_since = None
            return False
        self._recent.append(now)
        if self._above_since is None:
            self._above_since = now
        crowded = len(self._recent) > self.min_count and now - self._recent[0] <= self.interval_s
        if crowded and (now - self._above_since >= self.interval_s or now < self._refusing_until):
            self._refusing_until = now + self.memory_s
            return True
        return now < self._refusing_until


class _Head:
    """httptools callbacks: what the screen needs of a first read."""

    def __init__(self) -> None:
        self.url = b""
        self.begun = 0
        self.complete = 0
        self.body = False

    def on_message_begin(self) -> None:
        self.begun += 1

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body = True

    def on_message_complete(self) -> None:
        self.complete += 1


def _one_bodiless_request(data: bytes) -> tuple[bytes, str] | None:
    """(method, path as uvicorn puts it in the scope) when ``data`` is exactly one complete GET or HEAD with no
    body; ``None`` for anything else, which uvicorn then reads (and answers, a bad request too) itself."""
    if not data.endswith(b"\r\n\r\n"):
        return None
    head = _Head()
    parser = httptools.HttpRequestParser(head)
    try:
        parser.feed_data(data)
    except (httptools.HttpParserError, httptools.HttpParserUpgrade):
        return None
    method = parser.get_method()
    if head.begun != 1 or head.complete != 1 or head.body or method not in SCREENED_METHODS:
        return None
    try:
        raw_path = httptools.parse_url(head.url).path
        path = raw_path.decode("ascii")
    except (httptools.HttpParserInvalidURLError, UnicodeDecodeError):
        return None
    return method, urllib.parse.unquote(path) if "%" in path else path


class _Date:
    """The ``Date`` header, rendered once a second (as uvicorn does)."""

    def __init__(self) -> None:
        self._second = -1
        self._value = b""

    def __call__(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second, self._value = now, formatdate(now, usegmt=True).encode()
        return self._value


_date = _Date()


def _refusal(method: bytes, headers: Sequence[tuple[bytes, bytes]], body: bytes) -> bytes:
    lines = [b"HTTP/1.1 503 Service Unavailable", b"date: " + _date()]
    lines += [name + b": " + value for name, value in headers]
    lines.append(b"connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + (b"" if method == b"HEAD" else body)


def refuse_at_accept(
    conn: socket.socket, screen: ConnectionScreen | None, queue: StandingQueue | None = None
) -> bool | None:
    """Answer a new connection's request with the screen's refusal and close it, when the screen is refusing (or
    ``queue`` stands) and the first read is one bodiless GET or HEAD it refuses: ``True``. ``None`` when the
    screen is refusing and nothing has arrived yet; ``False`` otherwise (nothing is read)."""
    if screen is None:
        return False
    reason = screen.busy()
    if reason is None:
        if queue is None:
            return False
        waited = accept_wait_s(conn)
        if waited is None or not queue.stands(waited, time.monotonic()):
            return False
        reason = "accept_wait"
    try:
        data = conn.recv(SCREEN_PEEK_BYTES, socket.MSG_PEEK)
    except (BlockingIOError, InterruptedError):
        # Nothing to read yet: while the screen refuses, screened when it comes; a connection that waited in a
        # standing queue without sending anything goes to uvicorn (its request, when it comes, has not waited).
        return None if reason != "accept_wait" else False
    except OSError:  # reset: uvicorn's to handle
        return False
    request = _one_bodiless_request(data)
    if request is None:
        return False
    method, path = request
    answer = screen.refuse(path, reason)
    if answer is None:
        return False
    try:
        conn.recv(len(data))  # the request, read, so closing sends FIN (not RST) after the answer
        conn.send(_refusal(method, *answer))  # a few hundred bytes into an empty send buffer: sent whole
    except OSError:
        pass  # the peer is gone
    conn.close()
    return True


class EagerAcceptServer:
    """What ``create_server`` returns for a plain TCP server: the listening sockets, ``close`` and
    ``wait_closed`` (what uvicorn uses of an ``asyncio.Server``). Established connections are not closed here:
    uvicorn closes them itself on shutdown."""

    def __init__(
        self, loop: EagerAcceptLoop, sockets: list[socket.socket], protocol_factory: Callable[[], Any]
    ) -> None:
        self._loop = loop
        self._sockets = sockets
        self._protocol_factory = protocol_factory
        self._serving = False
        self._closed = asyncio.Event()
        self._retry: asyncio.TimerHandle | None = None
        self._connecting: set[asyncio.Task[None]] = set()
        self._awaiting: dict[int, tuple[socket.socket, asyncio.TimerHandle]] = {}

    @property
    def sockets(self) -> Sequence[socket.socket]:
        return tuple(self._sockets)

    def is_serving(self) -> bool:
        return self._serving

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def start_serving_now(self) -> None:
        """Watch every listening socket for waiting connections."""
        if self._serving or self._closed.is_set():
            return
        self._serving = True
        for sock in self._sockets:
            self._loop.add_reader(sock.fileno(), self._accept_waiting, sock)

    def _pause(self) -> None:
        for sock in self._sockets:
            self._loop.remove_reader(sock.fileno())
        self._serving = False

    def _accept_waiting(self, listener: socket.socket) -> None:
        for _ in range(ACCEPT_BATCH):
            try:
                conn, _address = listener.accept()
            except (BlockingIOError, InterruptedError):
                return  # nothing more is waiting
            except ConnectionAbortedError:
                continue  # gone before it was accepted
            except OSError as error:
                # Out of descriptors or memory (or anything else the socket reports): the socket stays
                # readable, so watching it on would spin. Pause, as asyncio's own servers do.
                level = logging.WARNING if error.errno in _RESOURCE_ERRORS else logging.ERROR
                logger.log(level, "cannot accept connections (%s); trying again in %.0f s", error,
                           ACCEPT_RETRY_DELAY_S)  # fmt: skip
                self._pause()
                self._retry = self._loop.call_later(ACCEPT_RETRY_DELAY_S, self.start_serving_now)
                return
            conn.setblocking(False)
            refused = refuse_at_accept(conn, self._loop.screen, self._loop.standing)
            if refused is None:
                self._await_first_read(conn)
            elif not refused:
                self._hand_over(conn)

    def _hand_over(self, conn: socket.socket) -> None:
        task = self._loop.create_task(self._connect(conn))
        self._connecting.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._connecting.discard)

    def _await_first_read(self, conn: socket.socket) -> None:
        """A connection accepted while the screen refuses, with nothing to read yet: screened again when its
        first bytes come (the next turn, as a rule), handed over as it is after FIRST_READ_WAIT_S."""
        fd = conn.fileno()
        timer = self._loop.call_later(FIRST_READ_WAIT_S, self._first_read, conn, False)
        self._awaiting[fd] = (conn, timer)
        self._loop.add_reader(fd, self._first_read, conn, True)

    def _first_read(self, conn: socket.socket, readable: bool) -> None:
        fd = conn.fileno()
        awaiting = self._awaiting.pop(fd, None)
        if awaiting is None:
            return
        self._loop.remove_reader(fd)
        awaiting[1].cancel()
        if not (readable and refuse_at_accept(conn, self._loop.screen, self._loop.standing)):
            self._hand_over(conn)

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._protocol_factory, conn)
        except OSError:
            conn.close()  # the peer went away between accept and the transport

    def close(self) -> None:
        """Stop accepting and close the listening sockets."""
        if self._closed.is_set():
            return
        if self._serving:
            self._pause()
        if self._retry is not None:
            self._retry.cancel()
        for sock in self._sockets:
            sock.close()
        for fd, (conn, timer) in self._awaiting.items():  # not yet uvicorn's: closed here
            self._loop.remove_reader(fd)
            timer.cancel()
            conn.close()
        self._awaiting.clear()
        self._closed.set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def start_serving(self) -> None:
        self.start_serving_now()

    async def __aenter__(self) -> EagerAcceptServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
        await self.wait_closed()


def _bind(host: str | None, port: int | None, backlog: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (what uvicorn's own ``Config.bind_socket`` makes)."""
    family = socket.AF_INET6 if host and ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host or ("::" if family == socket.AF_INET6 else "0.0.0.0"), port or 0))
    except OSError:
        sock.close()
        raise
    return sock


class EagerAcceptLoop(uvloop.Loop):
    """uvloop, with plain TCP servers that accept every waiting connection per turn (module docstring)."""

    screen: ConnectionScreen | None = None
    standing: StandingQueue | None = None  # the screen's accept-queue watch, one for all listening sockets
    _screens_offered = 0

    def screen_connections(self, screen: ConnectionScreen) -> None:
        """Let ``screen`` refuse requests on new connections at accept (module docstring). One app per loop, as
        ``asn serve`` runs it: when a second, different screen is offered, no connection is screened."""
        if screen is self.screen:
            return
        self._screens_offered += 1
        self.screen = screen if self._screens_offered == 1 else None
        target = None if self.screen is None else self.screen.max_accept_wait_s
        self.standing = None if target is None else StandingQueue(target)

    async def create_server(  # type: ignore[override]
        self,
        protocol_factory: Callable[[], Any],
        host: str | None = None,
        port: int | None = None,
        *,
        sock: socket.socket | None = None,
        backlog: int = 100,
        ssl: Any = None,
        start_serving: bool = True,
        **kwargs: Any,
    ) -> Any:
        plain = ssl is None and not kwargs and (sock is not None or not isinstance(host, (list, tuple)))
        if not plain or (sock is not None and sock.family not in (socket.AF_INET, socket.AF_INET6)):
            uv: Any = super()  # uvloop's own server (its stub types fewer arguments than it takes)
            return await uv.create_server(
                protocol_factory, host, port, sock=sock, backlog=backlog, ssl=ssl,
                start_serving=start_serving, **kwargs,
            )  # fmt: skip
        listener = sock if sock is not None else _bind(host, port, backlog)
        listener.setblocking(False)
        listener.listen(backlog)
        server = EagerAcceptServer(self, [listener], protocol_factory)
        if start_serving:
            server.start_serving_now()
        return server


# uvicorn's ``loop`` setting: a custom value is imported and called with no arguments for each new loop.
UVICORN_LOOP = f"{__name__}:{EagerAcceptLoop.__name__}"
