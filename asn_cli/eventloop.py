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
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections.abc import Callable, Sequence
from typing import Any

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
            task = self._loop.create_task(self._connect(conn))
            self._connecting.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(self._connecting.discard)

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
