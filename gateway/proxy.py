"""The gateway's forwarding layer: a pure ASGI middleware that sends ``/kinerja/...``, ``/pelatihan/...``
and ``/publik/...`` to a healthy instance of that service, prefix stripped, responses streamed.

Pure ASGI (not BaseHTTPMiddleware) so the request-id contextvar set by the edge middleware is visible
here. Responses are streamed; a request body is read whole (capped by the edge) before an upstream
connection is taken, so slow senders hold no upstream connection and the body is sent upstream with the
exact length of the bytes read (never the caller's framing). The upstream connection comes from ``gateway.fastclient`` (the choice is
measured in docs/benchmarks.md). Every path out of ``_forward`` closes or returns the upstream connection.
"""

from __future__ import annotations

import asyncio
import logging
import posixpath
from collections import deque
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.fastclient import (
    ConnectFailed,
    ConnectionLost,
    HeaderList,
    PoolTimeout,
    ProtocolError,
    ReadTimeout,
    Response,
)
from gateway.state import gateway_edge
from gateway.upstreams import Instance, Upstreams
from services.common.apps import SERVICE_NAMES
from services.common.errors import problem_bytes
from services.common.i18n import msg
from services.common.ratelimit import client_address_key
from services.common.request_id import current_request_id

log = logging.getLogger("asn.proxy")

# RFC 9110 §7.6.1: connection-specific fields a proxy must not forward.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"proxy-connection",
        b"proxy-authenticate",
        b"proxy-authorization",
    }
)
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# The proxy sets these itself (copies from the client would let it spoof them, X-Forwarded-Prefix included:
# the services build every link from it); Expect was already
# answered by our own server, and the body is sent without waiting for a 100 Continue.
_SET_BY_PROXY = frozenset(
    {b"x-request-id", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-prefix", b"host", b"expect"}
)
_RETRY_AFTER = b"2"
# How long an exchange may run before we start watching for the client leaving (see _DisconnectWatch).
_WATCH_AFTER_S = 0.1


class UpstreamBroken(Exception):
    """The upstream failed after the response had started; the client connection must be dropped."""


def split_service_path(path: str) -> tuple[str, str] | None:
    """``/kinerja/v1/units`` -> ("kinerja", "/v1/units"); None for paths that are not forwarded."""
    if not path.startswith("/"):
        return None
    name, sep, rest = path[1:].partition("/")
    if name not in SERVICE_NAMES:
        return None
    return name, "/" + rest if sep else "/"


# Paths a service serves only to its own network: service-to-service calls and the Prometheus scrape.
_NEVER_FORWARDED = frozenset({"internal", "metrics"})


def is_internal(rest: str) -> bool:
    """True for ``/internal`` and ``/metrics`` (and below), after normalising ``//``, ``.`` and ``..`` so
    tricks cannot reach them."""
    path = rest.lstrip("/")
    if "/." in path or "//" in path or path.startswith("."):
        path = posixpath.normpath("/" + path).lstrip("/")
    # Else there is nothing for normpath to fold (no empty, "." or ".." segment): its first segment is
    # the path's own, found without normpath's split and join on every forwarded request.
    return path.partition("/")[0].lower() in _NEVER_FORWARDED


# The gateway's own server writes these on every response; the upstream's copies would repeat them.
_SET_BY_OUR_SERVER = frozenset({b"x-request-id", b"date", b"server"})


def _filter_response_headers(headers: HeaderList, *, drop_length: bool) -> HeaderList:
    named = _connection_tokens(headers)
    return [
        (name, value)
        for name, value in headers
        if name not in HOP_BY_HOP
        and name not in named
        and name not in _SET_BY_OUR_SERVER
        and not name.startswith(b"proxy-")
        and not (drop_length and name == b"content-length")
    ]


def _connection_tokens(headers: HeaderList) -> set[bytes]:
    tokens: set[bytes] = set()
    for name, value in headers:
        if name == b"connection":
            tokens.update(t.strip().lower() for t in value.split(b","))
    return tokens


def upstream_headers(scope: Scope, prefix: str | None = None) -> HeaderList:
    """The request headers to send upstream: end-to-end ones, plus X-Forwarded-* and X-Request-ID.
    ``prefix`` (``/kinerja``) is the path the gateway stripped; the service puts it in front of its links."""
    raw: HeaderList = scope["headers"]
    named = _connection_tokens(raw)
    out: HeaderList = []
    forwarded_for: bytes | None = None
    host = b""
    for name, value in raw:
        if name == b"host":
            host = value
        if name in HOP_BY_HOP or name in named or name.startswith(b"proxy-") or name in _SET_BY_PROXY:
            continue
        if name == b"x-forwarded-for":
            forwarded_for = value if forwarded_for is None else forwarded_for + b", " + value
            continue
        out.append((name, value))
    client = scope.get("client")
    client_ip = str(client[0]).encode() if client else b"unknown"
    out.append((b"x-forwarded-for", forwarded_for + b", " + client_ip if forwarded_for else client_ip))
    out.append((b"x-forwarded-proto", str(scope.get("scheme", "http")).encode()))
    if host:
        out.append((b"x-forwarded-host", host))
    if prefix:
        out.append((b"x-forwarded-prefix", prefix.encode()))
    rid = current_request_id()
    if rid:
        out.append((b"x-request-id", rid.encode()))
    return out


async def send_problem(
    send: Send, status: int, detail: str, *, retry_after: bool = False, close: bool = False
) -> None:
    """Answer with an RFC 9457 problem document (pure ASGI); ``close`` ends the client connection after
    it (the rest of an unread body is not worth reading)."""
    body = problem_bytes(status, detail)
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if retry_after:
        headers.append((b"retry-after", _RETRY_AFTER))
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _DisconnectWatch:
    """Cancels the forwarding task when the client goes away while we wait on the upstream, so the
    upstream connection is closed at once instead of at the read timeout.

    Armed only after the request body has been read completely: ASGI allows one reader of ``receive``.
    The watcher task starts only when the exchange is still running after ``_WATCH_AFTER_S``: nearly
    every request is done by then. Arming costs a queue entry, not a timer: :class:`_Watches` keeps one
    timer for all the exchanges in flight (a timer and a task per request cost more; measured).
    """

    __slots__ = ("_receive", "_task", "disconnected", "done", "watcher")

    def __init__(self, *, enabled: bool = True) -> None:
        self._task = asyncio.current_task() if enabled else None
        self._receive: Receive | None = None
        self.watcher: asyncio.Task[None] | None = None
        self.disconnected = False
        self.done = False

    def arm(self, receive: Receive, watches: _Watches) -> None:
        if self._task is not None and self._receive is None and not self.done:
            self._receive = receive
            watches.add(self)

    def start(self) -> None:
        """Start watching (called by :class:`_Watches` once the exchange has run ``_WATCH_AFTER_S``)."""
        receive = self._receive
        if self.watcher is None and not self.done and receive is not None:
            self.watcher = asyncio.create_task(self._watch(receive))

    async def _watch(self, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
        if not self.done and self._task is not None:
            self.disconnected = True
            self._task.cancel()

    def stop(self) -> None:
        self.done = True
        self._receive = None
        if self.watcher is not None:
            self.watcher.cancel()

    def swallow(self) -> bool:
        """True when the cancellation came only from our own watcher (the client left)."""
        return self.disconnected and self._task is not None and self._task.uncancel() == 0


class _Watches:
    """The armed :class:`_DisconnectWatch` es of one proxy, in arming order, and one timer that starts the
    watchers of those still running ``_WATCH_AFTER_S`` after they were armed. Every entry waits the same
    delay, so the queue is also in due order: a sweep pops finished and due entries from the front and sets
    the timer for the next one. Bound to the event loop it last ran on (tests run one loop per test)."""

    __slots__ = ("_loop", "_queue", "_timer")

    def __init__(self) -> None:
        self._queue: deque[tuple[float, _DisconnectWatch]] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, watch: _DisconnectWatch) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new loop (the old one's timer will never fire): start afresh.
            self._loop, self._timer = loop, None
            self._queue.clear()
        due = loop.time() + _WATCH_AFTER_S
        self._queue.append((due, watch))
        if self._timer is None:
            self._timer = loop.call_at(due, self._sweep)

    def _sweep(self) -> None:
        self._timer = None
        loop = self._loop
        if loop is None:
            return
        now = loop.time()
        queue = self._queue
        while queue:
            due, watch = queue[0]
            if watch.done:
                queue.popleft()
            elif due <= now:
                queue.popleft()
                watch.start()
            else:
                break
        if queue:
            self._timer = loop.call_at(queue[0][0], self._sweep)


class BodyReader:
    """Reads request bodies that arrive in several pieces, before any upstream connection is taken.

    The whole body must arrive within ``timeout_s`` (else 408): a deadline for the body, not for each
    piece, so a sender trickling a byte at a time cannot hold a request open for long. One client address
    may have at most ``per_client`` such bodies in progress at once (else 429 with Retry-After): a single
    address cannot fill the gateway's memory or tasks with slow uploads. A body that arrives in one piece
    (nearly every API call) is not counted and costs nothing here. The counts are this replica's own: what
    they bound (open connections, buffered bytes) is per process too.
    """

    __slots__ = ("_in_progress", "per_client", "timeout_s")

    def __init__(self, *, timeout_s: float, per_client: int) -> None:
        self.timeout_s = timeout_s
        self.per_client = per_client
        self._in_progress: dict[str, int] = {}

    def in_progress(self, address: str | None = None) -> int:
        """Bodies being read now, from one address or from all."""
        if address is None:
            return sum(self._in_progress.values())
        return self._in_progress.get(address, 0)

    async def read(self, scope: Scope, first: Message, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or None when the request was answered here (408/429) or the client left."""
        address = client_address_key(scope)
        count = self._in_progress.get(address, 0)
        if count >= self.per_client:
            await send_problem(
                send,
                429,
                msg("Too many uploads in progress from this address; retry shortly."),
                retry_after=True,
                close=True,
            )
            return None
        self._in_progress[address] = count + 1
        chunks = [first.get("body", b"")]
        try:
            async with asyncio.timeout(self.timeout_s):
                message = first
                while message.get("more_body", False):
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunks.append(message.get("body", b""))
        except TimeoutError:
            await send_problem(
                send,
                408,
                msg("The request body did not arrive within {seconds:g} s.", seconds=self.timeout_s),
                close=True,
            )
            return None
        finally:
            left = self._in_progress[address] - 1
            if left:
                self._in_progress[address] = left
            else:
                del self._in_progress[address]
        return b"".join(chunks)


class ProxyMiddleware:
    """Forwards the service prefixes to the upstreams; every other path goes to the wrapped app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        watch_disconnect: bool = True,
        body_timeout_s: float = 30.0,
        bodies_per_client: int = 8,
    ) -> None:
        self.app = app
        self.bodies = BodyReader(timeout_s=body_timeout_s, per_client=bodies_per_client)
        # A watcher task per request closes the upstream connection as soon as the client leaves; without
        # it the connection is still closed, but only at the read timeout. The benchmark measures its cost.
        self.watch_disconnect = watch_disconnect
        self.watches = _Watches()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        target = split_service_path(scope["path"])
        if target is None:
            # The gateway's own routes sit at the root: a client's X-Forwarded-Prefix means nothing here.
            headers = [(k, v) for k, v in scope["headers"] if k != b"x-forwarded-prefix"]
            if len(headers) != len(scope["headers"]):
                scope = {**scope, "headers": headers}
            await self.app(scope, receive, send)
            return
        name, rest = target
        if is_internal(rest):
            # Internal endpoints are for service-to-service calls only; from outside they do not exist.
            await send_problem(send, 404, msg("Not found."))
            return
        upstreams = gateway_edge(scope["app"]).upstreams
        await _forward(
            upstreams, name, rest, scope, receive, send, self.watch_disconnect, self.bodies, self.watches
        )


def _target(scope: Scope, name: str, rest: str) -> bytes:
    raw_path: bytes | None = scope.get("raw_path")
    prefix = b"/" + name.encode()
    if raw_path and raw_path.startswith(prefix):
        # Keep the client's percent-encoding exactly; decoding and re-encoding could change the path.
        path = raw_path[len(prefix) :] or b"/"
    else:
        path = quote(rest).encode()
    query: bytes = scope.get("query_string", b"")
    return path + b"?" + query if query else path


async def _forward(
    upstreams: Upstreams,
    name: str,
    rest: str,
    scope: Scope,
    receive: Receive,
    send: Send,
    watch_disconnect: bool,
    bodies: BodyReader,
    watches: _Watches,
) -> None:
    upstream = upstreams.get(name)
    if upstream is None:
        await send_problem(send, 404, msg("Not found."))
        return
    method: str = scope["method"]
    method_b = method.encode()
    target = _target(scope, name, rest)
    headers = upstream_headers(scope, "/" + name)
    watch = _DisconnectWatch(enabled=watch_disconnect)

    first = await receive()
    if first["type"] == "http.disconnect":
        return
    body: bytes
    if first.get("more_body", False):
        # The body comes in pieces: read all of it (the edge caps its size) before an upstream connection
        # is taken, so a slow sender holds none, and send it with the length of the bytes we hold.
        read = await bodies.read(scope, first, receive, send)
        if read is None:
            return
        body = read
    else:
        body = first.get("body", b"")
    watch.arm(receive, watches)

    resp: Response | None = None
    tried: list[Instance] = []
    try:
        while resp is None:
            instance = upstream.pick(tried)
            if instance is None:
                detail = (
                    msg("No healthy instance of {name} is available.", name=name)
                    if not tried
                    else msg("{name} is unavailable; retry shortly.", name=name)
                )
                await send_problem(send, 503, detail, retry_after=True)
                return
            tried.append(instance)
            try:
                resp = await upstream.client.request(
                    instance.host, instance.port, method_b, target, headers, body
                )
            except ConnectFailed as exc:
                # Nothing was sent: safe to try the next instance for any method.
                upstreams.eject(instance, str(exc))
            except ConnectionLost as exc:
                log.warning("upstream %s lost the connection: %s", instance.url, exc)
                if method in _IDEMPOTENT:
                    continue
                await send_problem(
                    send, 503, msg("{name} dropped the request; retry shortly.", name=name), retry_after=True
                )
                return
            except (ReadTimeout, PoolTimeout):
                await send_problem(send, 504, msg("{name} did not answer in time.", name=name))
                return
            except ProtocolError as exc:
                log.warning("upstream %s answered badly: %s", instance.url, exc)
                await send_problem(send, 502, msg("{name} sent an invalid response.", name=name))
                return
        await _relay(resp, send)
    except asyncio.CancelledError:
        if watch.swallow():
            return  # The client left; the finally below closes the upstream connection.
        raise
    finally:
        watch.stop()
        if resp is not None:
            await resp.aclose()


async def _relay(resp: Response, send: Send) -> None:
    headers = _filter_response_headers(resp.headers, drop_length=resp.content_length is None)
    await send({"type": "http.response.start", "status": resp.status, "headers": headers})
    if resp.body is not None:
        # Small fixed-length bodies (nearly every API answer) arrived with the head: one message.
        await send({"type": "http.response.body", "body": resp.body})
        return
    try:
        async for chunk in resp.iter_chunks():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    except (ReadTimeout, ConnectionLost, ProtocolError) as exc:
        # Headers are gone already: the only honest signal left is to break the client connection.
        raise UpstreamBroken(f"upstream failed mid-response: {exc}") from exc
