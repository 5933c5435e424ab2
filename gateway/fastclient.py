"""A lean keep-alive HTTP/1.1 client on asyncio streams, used by the gateway to forward requests.

Why our own client: forwarding through one shared ``httpx.AsyncClient`` costs several times more CPU per
request than the upstream's own work (see ``docs/benchmarks.md``, section "gateway"). This client does
only what a reverse proxy needs: a bounded pool of keep-alive connections per upstream, Content-Length
and chunked bodies in both directions, streaming without buffering, and explicit connect/read timeouts.

Framing is strict both ways. A request body is framed from the bytes actually sent (exact Content-Length,
or chunked for a stream), never from the caller's headers. A response whose framing another parser
could read differently (two lengths, a length beside Transfer-Encoding, a length that is not plain
digits, a bad chunk size, obs-fold, a head or body cut short) raises ``ProtocolError``, and its
connection is closed, never returned to the pool.
It never follows redirects, never decodes content and never touches cookies — the proxy passes bytes.

Errors are typed so the proxy can tell "nothing was sent, try another instance" (``ConnectFailed``)
from "the request may have reached the upstream" (``ConnectionLost``) and from timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator

HeaderList = list[tuple[bytes, bytes]]

_CHUNK = 65_536
_MAX_HEAD = 65_536
_PREFETCH = 65_536
# Below uvicorn's default 5 s keep-alive timeout: we drop an idle connection before the server does,
# so a request is (almost) never written into a socket the server is closing.
_KEEPALIVE_EXPIRY_S = 4.0
_IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE", b"TRACE"})
_REQUEST_FRAMING = frozenset({b"content-length", b"transfer-encoding", b"host", b"connection"})


class UpstreamError(Exception):
    """Base of every failure talking to an upstream."""


class ConnectFailed(UpstreamError):
    """No connection could be opened (refused, unreachable, connect timeout). Nothing was sent."""


class PoolTimeout(UpstreamError):
    """Every pooled connection stayed busy for the whole read timeout."""


class ReadTimeout(UpstreamError):
    """The upstream did not answer (or stopped sending) within the read timeout."""


class ConnectionLost(UpstreamError):
    """The connection broke after the request started; the upstream may have seen the request."""


class ProtocolError(UpstreamError):
    """The upstream answered with something that is not HTTP/1.x."""


_HEX = b"0123456789abcdefABCDEF"
_WS = b" \t"
_CR, _LF = 13, 10


async def _chunk_size(reader: asyncio.StreamReader) -> int:
    """One chunk-size line, strictly: hex digits only (``int(x, 16)`` would also take ``0x1f``, ``+1f``
    or ``1_f``), at most 16 of them, extensions after ``;`` ignored."""
    line = await reader.readuntil(b"\r\n")
    digits = line[:-2].split(b";", 1)[0].rstrip(b" \t")
    if not digits or len(digits) > 16 or digits.strip(_HEX):
        raise ProtocolError("bad chunk size")
    return int(digits, 16)


async def _skip_trailers(reader: asyncio.StreamReader) -> None:
    while await reader.readuntil(b"\r\n") != b"\r\n":
        pass


class _Deadline:
    """``asyncio.timeout`` for the one wait every forwarded request makes (its response head), at a
    quarter of the CPU (measured under uvloop: a timer and a flag instead of a context manager's states).

    When the timer fires, the task is cancelled; the waiting code catches ``CancelledError`` and asks
    :meth:`expired`, which (like ``asyncio.timeout``) is true only when this deadline, and no other
    cancellation, caused it. Always :meth:`cancel` it in ``finally``.
    """

    __slots__ = ("_cancelling", "_fired", "_handle", "_task")

    def __init__(self, delay_s: float) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a deadline needs a running task")
        self._task = task
        self._cancelling = task.cancelling()
        self._fired = False
        self._handle = asyncio.get_running_loop().call_later(delay_s, self._expire)

    def _expire(self) -> None:
        self._fired = True
        self._task.cancel()

    def expired(self) -> bool:
        """True when the deadline's own cancellation is the one being handled (it is then consumed)."""
        return self._fired and self._task.uncancel() <= self._cancelling

    def cancel(self) -> None:
        self._handle.cancel()


class _Conn:
    __slots__ = ("idle_since", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def usable(self, now: float) -> bool:
        return (
            not self.reader.at_eof()
            and not self.writer.is_closing()
            and now - self.idle_since < _KEEPALIVE_EXPIRY_S
        )

    def abort(self) -> None:
        # abort(), not close(): a broken or half-read connection must not linger or be flushed.
        self.writer.transport.abort()


class Response:
    """An upstream response whose body has not been read yet. Always ``await aclose()`` it (the
    proxy does so in ``finally``): that returns the connection to the pool or closes it."""

    __slots__ = (
        "_chunk_left",
        "_client",
        "_conn",
        "_done",
        "_framing",
        "_keep_alive",
        "_key",
        "_length",
        "_read_timeout",
        "_remaining",
        "body",
        "headers",
        "status",
    )

    def __init__(
        self,
        client: Client,
        key: tuple[str, int],
        conn: _Conn,
        status: int,
        headers: HeaderList,
        framing: str,
        length: int,
        keep_alive: bool,
        read_timeout: float,
    ) -> None:
        self._client = client
        self._key = key
        self._conn: _Conn | None = conn
        self.status = status
        self.headers = headers
        self._framing = framing
        self._remaining = length
        self._length = length
        self._keep_alive = keep_alive
        self._read_timeout = read_timeout
        self._done = framing == "none" or (framing == "length" and length == 0)
        # Chunked: bytes left in the chunk being read; -1 when the next thing to read is a chunk-size line.
        self._chunk_left = -1
        # Set when the whole (small) body arrived with the head: the proxy then sends it in one message.
        self.body: bytes | None = b"" if self._done else None

    @property
    def complete(self) -> bool:
        """True once the whole body has been read."""
        return self._done

    @property
    def content_length(self) -> int | None:
        """The announced body length, when the upstream framed the body with Content-Length."""
        return self._length if self._framing == "length" else None

    async def read(self) -> bytes:
        """The whole body (for small bodies and health checks)."""
        if self.body is not None:
            return self.body
        return b"".join([chunk async for chunk in self.iter_chunks()])

    async def _prefetch(self) -> None:
        # Nearly every API answer is small and fixed-length: read it under the head's timeout, saving
        # a generator, a timeout and an ASGI message per request. A chunked answer has its first chunk-size
        # line read here, so a malformed one is a 502 before anything is relayed. Runs under the head's
        # timeout (in _exchange); a body cut short here is an invalid response, not a lost connection.
        conn = self._conn
        if conn is None:
            return
        try:
            if self._framing == "length" and 0 < self._remaining <= _PREFETCH:
                self.body = await conn.reader.readexactly(self._remaining)
                self._remaining = 0
                self._done = True
            elif self._framing == "chunked":
                size = await _chunk_size(conn.reader)
                if size == 0:
                    await _skip_trailers(conn.reader)
                    self.body = b""
                    self._done = True
                else:
                    self._chunk_left = size
        except asyncio.IncompleteReadError as exc:
            raise ProtocolError("upstream closed the connection mid-body") from exc

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives, de-chunked; each read is bounded by the read timeout."""
        conn = self._conn
        if conn is None or self._done:
            return
        reader = conn.reader
        try:
            if self._framing == "length":
                while self._remaining > 0:
                    async with asyncio.timeout(self._read_timeout):
                        data = await reader.read(min(self._remaining, _CHUNK))
                    if not data:
                        raise ConnectionLost("upstream closed the connection mid-body")
                    self._remaining -= len(data)
                    yield data
            elif self._framing == "chunked":
                while True:
                    size, self._chunk_left = self._chunk_left, -1
                    if size < 0:
                        async with asyncio.timeout(self._read_timeout):
                            size = await _chunk_size(reader)
                    if size == 0:
                        # Trailers (rarely sent) end with an empty line; we drop them (hop-by-hop here).
                        async with asyncio.timeout(self._read_timeout):
                            await _skip_trailers(reader)
                        break
                    while size > 0:
                        async with asyncio.timeout(self._read_timeout):
                            data = await reader.read(min(size, _CHUNK))
                        if not data:
                            raise ConnectionLost("upstream closed the connection mid-chunk")
                        size -= len(data)
                        yield data
                    async with asyncio.timeout(self._read_timeout):
                        crlf = await reader.readexactly(2)
                    if crlf != b"\r\n":
                        raise ProtocolError("chunk not followed by CRLF")
            else:  # "close": the body runs until the upstream closes the connection.
                self._keep_alive = False
                while True:
                    async with asyncio.timeout(self._read_timeout):
                        data = await reader.read(_CHUNK)
                    if not data:
                        break
                    yield data
            self._done = True
        except TimeoutError as exc:
            raise ReadTimeout("upstream stopped sending the body") from exc
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            raise ProtocolError("malformed chunked body") from exc
        except OSError as exc:
            raise ConnectionLost(str(exc)) from exc

    async def aclose(self) -> None:
        """Give the connection back when the body was read completely, else close it."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._done and self._keep_alive:
            self._client._put_back(self._key, conn)
        else:
            conn.abort()
            self._client._release()


class Client:
    """A pool of keep-alive HTTP/1.1 connections shared by the instances of one upstream.

    ``pool_size`` bounds the connections open at once (busy and idle together); a request that finds
    them all busy waits, at most for the read timeout.
    """

    def __init__(self, *, pool_size: int, connect_timeout_s: float, read_timeout_s: float) -> None:
        self.pool_size = pool_size
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        # The pool's slots: a counter and a queue of waiters (an asyncio.Semaphore costs a coroutine per
        # acquire even when a slot is free, the common case). A released slot goes to the oldest waiter.
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._idle: dict[tuple[str, int], deque[_Conn]] = {}
        self._closed = False
        self._in_use = 0

    @property
    def in_use(self) -> int:
        """Connections currently lent to a request (not idle in the pool)."""
        return self._in_use

    def _release(self) -> None:
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes to the waiter: _in_use stays as it is
                return
        self._in_use -= 1

    async def _wait_for_slot(self, timeout_s: float) -> None:
        """Wait (at most ``timeout_s``) until a released slot is handed to us."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout_s):
                await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self._release()  # handed a slot just as we gave up: pass it on
            else:
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            if isinstance(exc, TimeoutError):
                raise PoolTimeout("no free upstream connection") from exc
            raise

    def _put_back(self, key: tuple[str, int], conn: _Conn) -> None:
        if self._closed:
            conn.abort()
        else:
            conn.idle_since = time.monotonic()
            self._idle.setdefault(key, deque()).append(conn)
        self._release()

    def _take_idle(self, key: tuple[str, int]) -> _Conn | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        now = time.monotonic()
        while idle:
            # Most recently used first: it is the least likely to have been closed by the server.
            conn = idle.pop()
            if conn.usable(now):
                return conn
            conn.abort()
        return None

    async def _open(self, host: str, port: int) -> _Conn:
        try:
            async with asyncio.timeout(self.connect_timeout_s):
                reader, writer = await asyncio.open_connection(host, port, limit=_MAX_HEAD)
        except TimeoutError as exc:
            raise ConnectFailed(f"connect to {host}:{port} timed out") from exc
        except OSError as exc:
            raise ConnectFailed(f"connect to {host}:{port} failed: {exc}") from exc
        return _Conn(reader, writer)

    async def request(
        self,
        host: str,
        port: int,
        method: bytes,
        target: bytes,
        headers: HeaderList,
        body: bytes | AsyncIterator[bytes] = b"",
        *,
        read_timeout_s: float | None = None,
    ) -> Response:
        """Send one request and return once the response head has arrived.

        Host, Content-Length, Transfer-Encoding and Connection in ``headers`` are ignored: the client
        frames the body itself from the bytes it sends (bytes get their exact Content-Length, a stream
        is sent chunked).
        """
        if self._closed:
            raise ConnectFailed("client closed")
        read_timeout = read_timeout_s or self.read_timeout_s
        if self._in_use < self.pool_size and not self._waiters:
            self._in_use += 1  # a free slot: no await, no timer
        else:
            await self._wait_for_slot(read_timeout)
        key = (host, port)
        try:
            conn = self._take_idle(key)
            if conn is not None and isinstance(body, bytes) and method in _IDEMPOTENT:
                try:
                    return await self._exchange(conn, key, method, target, headers, body, read_timeout)
                except ConnectionLost:
                    # The server closed this idle connection as we reused it: a replayable idempotent
                    # request is safe to send once more on a fresh connection.
                    pass
            elif conn is not None:
                return await self._exchange(conn, key, method, target, headers, body, read_timeout)
            conn = await self._open(host, port)
            return await self._exchange(conn, key, method, target, headers, body, read_timeout)
        except BaseException:
            self._release()
            raise

    async def _exchange(
        self,
        conn: _Conn,
        key: tuple[str, int],
        method: bytes,
        target: bytes,
        headers: HeaderList,
        body: bytes | AsyncIterator[bytes],
        read_timeout: float,
    ) -> Response:
        host = f"{key[0]}:{key[1]}".encode()
        head = [method, b" ", target, b" HTTP/1.1\r\nhost: ", host, b"\r\n"]
        for name, value in headers:
            # The body is framed from the bytes we send, never from the caller's headers: a length we did
            # not count is how a request is smuggled (one request here, two at the upstream).
            if name in _REQUEST_FRAMING:
                continue
            head += [name, b": ", value, b"\r\n"]
        if isinstance(body, bytes):
            if body or method not in (b"GET", b"HEAD", b"DELETE", b"OPTIONS"):
                head += [b"content-length: ", str(len(body)).encode(), b"\r\n"]
        else:
            head.append(b"transfer-encoding: chunked\r\n")
        head.append(b"\r\n")
        writer = conn.writer
        try:
            try:
                if isinstance(body, bytes):
                    if len(body) <= _CHUNK:
                        head.append(body)
                        writer.write(b"".join(head))
                    else:
                        writer.write(b"".join(head))  # no copy of a large body just to prepend the head
                        writer.write(body)
                else:
                    writer.write(b"".join(head))
                    await self._send_stream(writer, body, drain_timeout_s=read_timeout)
                deadline = _Deadline(read_timeout)
                try:
                    if writer.transport.get_write_buffer_size():
                        # Only a large body can still be buffered; a drain of an empty buffer is pure cost.
                        await writer.drain()
                    response = await self._read_head(conn, key, method, read_timeout)
                    await response._prefetch()
                except asyncio.CancelledError:
                    if deadline.expired():
                        raise ReadTimeout("upstream did not answer in time") from None
                    raise
                finally:
                    deadline.cancel()
                return response
            except TimeoutError as exc:  # a large body's drain (_send_stream); an OSError too: first
                raise ReadTimeout("upstream did not take the request body in time") from exc
            except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
                raise ConnectionLost(f"upstream connection lost: {exc!r}") from exc
            except asyncio.LimitOverrunError as exc:
                raise ProtocolError("response head too large") from exc
        except BaseException:
            conn.abort()
            raise

    @staticmethod
    async def _send_stream(
        writer: asyncio.StreamWriter, body: AsyncIterator[bytes], *, drain_timeout_s: float
    ) -> None:
        async for chunk in body:
            if not chunk:
                continue
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            # Back-pressure: never hold more than the transport's buffer of a large upload in memory.
            async with asyncio.timeout(drain_timeout_s):
                await writer.drain()
        writer.write(b"0\r\n\r\n")

    async def _read_head(
        self, conn: _Conn, key: tuple[str, int], method: bytes, read_timeout: float
    ) -> Response:
        reader = conn.reader
        while True:
            try:
                raw = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if exc.partial:
                    raise ProtocolError("upstream closed the connection inside the response head") from exc
                raise  # nothing at all: a keep-alive connection the server closed (ConnectionLost)
            lines = raw.split(b"\r\n")
            status_line = lines[0].split(b" ", 2)
            if (
                len(status_line) < 2
                or status_line[0] not in (b"HTTP/1.1", b"HTTP/1.0")
                or len(status_line[1]) != 3
                or not status_line[1].isdigit()
            ):
                raise ProtocolError("not an HTTP/1.x status line")
            status = int(status_line[1])
            if 100 <= status < 200 and status != 101:
                continue  # 100 Continue and friends: the real answer follows.
            break
        headers: HeaderList = []
        length = -1
        codings: list[bytes] = []
        keep_alive = status_line[0] == b"HTTP/1.1"
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(b":")
            # RFC 9112 §5: no whitespace before the colon, no obs-fold, no bare CR or LF in a line. Each is
            # a head that another parser could split into different headers: refused, not repaired.
            # (Tested with int membership: on CPython it is several times cheaper than a bytes needle.)
            if not sep or not name or name[-1] in _WS or name[0] in _WS or _CR in line or _LF in line:
                raise ProtocolError("bad header line")
            name = name.lower()
            value = value.strip()
            if name == b"content-length":
                if length >= 0:
                    raise ProtocolError("more than one content-length")
                if not value.isdigit() or len(value) > 18:
                    raise ProtocolError("bad content-length")
                length = int(value)
            elif name == b"transfer-encoding":
                codings += [c.strip(b" \t").lower() for c in value.split(b",")]
            elif name == b"connection":
                tokens = value.lower()
                if b"close" in tokens:
                    keep_alive = False
                elif b"keep-alive" in tokens:
                    keep_alive = True
            headers.append((name, value))
        if codings and length >= 0:
            raise ProtocolError("both content-length and transfer-encoding")
        if codings and codings[-1] != b"chunked":
            raise ProtocolError("transfer-encoding does not end in chunked")
        if method == b"HEAD" or status in (204, 304) or status == 101:
            framing, length = "none", 0
        elif codings:
            framing = "chunked"
        elif length >= 0:
            framing = "length"
        else:
            framing = "close"
        return Response(self, key, conn, status, headers, framing, length, keep_alive, read_timeout)

    async def aclose(self) -> None:
        """Close every idle connection; busy ones are closed as their responses are closed."""
        self._closed = True
        for idle in self._idle.values():
            while idle:
                idle.pop().abort()
        self._idle.clear()
        await asyncio.sleep(0)


async def get(
    client: Client, url_host: str, url_port: int, path: bytes, *, timeout_s: float
) -> tuple[int, bytes]:
    """A small GET returning (status, body), for health checks; never raises for HTTP statuses."""
    resp = await client.request(url_host, url_port, b"GET", path, [], b"", read_timeout_s=timeout_s)
    try:
        async with asyncio.timeout(timeout_s):
            body = await resp.read()
        return resp.status, body
    finally:
        with contextlib.suppress(Exception):
            await resp.aclose()
