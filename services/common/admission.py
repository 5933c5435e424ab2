"""Admission in front of the database pool: a request that cannot get a connection soon is refused at once.

Without it, a burst beyond the pool's capacity queued inside SQLAlchemy's pool until ``db_pool_timeout_s``
(5 s) and then failed with 503, so under overload every request got slow and many failed late. Here each
app admits at most ``capacity`` requests to the database at a time (the pool's steady size), lets
up to ``max_queue`` more wait in arrival order, and refuses the rest *immediately* with 503 and
``Retry-After``; a queued request that still has no slot after ``max_wait_s`` is refused too. Refusals are
counted in ``/metrics`` (``asn_admission_refused_total{reason}``).

The limit is per process: with ``--workers N`` or several replicas each process has its own (as each has its
own pool), so the database sees at most N x capacity connections (docs/operations.md).

:class:`Shedder` is the same idea one layer further out: a raw ASGI layer in front of the framework that
refuses a request with 503 and ``Retry-After`` when ``max_in_flight`` requests are already in the process,
before routing, the middleware or the token check spend any CPU on it. Under CPU overload the gate above is
reached only after all of that, so refusals there came seconds late (docs/benchmarks.md, issue 21).

A count of requests in the process is not enough under CPU overload: the requests then wait in the socket
buffers and the event loop's ready queue *before* the process reads them, so the count stays low while their
latency grows. :class:`LoopLag` measures that wait directly (a timer that notes how late it fires), and the
shedder also refuses while the loop runs more than ``max_lag_s`` behind: a refusal costs a fraction of a
request, so the loop catches up and the excess gets its 503 within about ``max_lag_s``.

Under ``asn serve`` the shedder also screens new connections (``screen_connections``, asn_cli/eventloop.py):
while it refuses, the event loop answers a new connection's lone GET or HEAD with this same 503 in the turn
that accepts it, instead of after the several turns a new connection takes to reach this layer. And when the
loop itself falls behind accepting (a standing accept queue, where every connection waited more than
``max_accept_wait_s`` before the loop took it in), it answers those connections' GETs with the same 503,
counted as ``accept_wait``: neither the count nor the gate above sees connections the process has not accepted.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from services.common.errors import PROBLEM_JSON, ServiceUnavailable, problem_bytes
from services.common.i18n import current_catalogue, current_language, msg
from services.common.request_id import current_request_id
from services.common.state import find_metrics

if TYPE_CHECKING:
    from services.common.metrics import AppMetrics


class Overloaded(ServiceUnavailable):
    """503 with ``Retry-After``: the app's database capacity is taken and its queue is full."""


class Admission:
    """A FIFO gate with ``capacity`` slots and a bounded queue (single event loop; not thread-safe)."""

    def __init__(
        self,
        capacity: int,
        *,
        max_queue: int,
        max_wait_s: float,
        on_refuse: Callable[[str], None] | None = None,
        retry_after_s: int = 1,
    ) -> None:
        self.capacity = capacity
        self.max_queue = max_queue
        self.max_wait_s = max_wait_s
        self.in_use = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._on_refuse = on_refuse
        self._retry_after = str(retry_after_s)

    @property
    def queued(self) -> int:
        return len(self._waiters)

    def _refuse(self, reason: str) -> Overloaded:
        if self._on_refuse is not None:
            self._on_refuse(reason)
        return Overloaded(
            msg("The service is busy; retry after {seconds} s.", seconds=self._retry_after),
            headers={"Retry-After": self._retry_after},
        )

    async def acquire(self) -> None:
        """Take a slot, wait for one in arrival order, or raise :class:`Overloaded`."""
        if self.in_use < self.capacity and not self._waiters:
            self.in_use += 1
            return
        if len(self._waiters) >= self.max_queue:
            raise self._refuse("queue_full")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self.max_wait_s):
                await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                return  # the slot was handed over as the timer fired: keep it
            self._discard(waiter)
            raise self._refuse("wait_timeout") from None
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot, then cancelled: pass it on
            else:
                self._discard(waiter)
            raise

    def _discard(self, waiter: asyncio.Future[None]) -> None:
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def release(self) -> None:
        """Give the slot back: to the first waiter still waiting, else to the pool of free slots."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot moves on; in_use stays
                return
        self.in_use -= 1


class LoopLag:
    """How far behind the event loop runs: a timer every ``interval_s`` notes how late it fired.

    :meth:`current` is the larger of the last timer's delay and how overdue the next one already is, so a
    loop that has just fallen behind is seen before its timer gets to run. Started on the running loop by
    :meth:`ensure_started` (again on another loop: the in-process tests run one loop per test).
    """

    def __init__(self, interval_s: float = 0.01) -> None:
        self.interval_s = interval_s
        self.lag_s = 0.0
        self._due = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None

    @property
    def due(self) -> float:
        """When (loop time) the next timer should fire."""
        return self._due

    def ensure_started(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self.stop()
            self._loop = loop
            self.lag_s = 0.0
            self._schedule(loop.time())
        return loop

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._loop = None

    def _schedule(self, now: float) -> None:
        assert self._loop is not None
        self._due = now + self.interval_s
        self._handle = self._loop.call_at(self._due, self._tick)

    def _tick(self) -> None:
        assert self._loop is not None
        now = self._loop.time()
        self.observe(now)
        self._schedule(now)

    def observe(self, now: float) -> None:
        """The timer fired at ``now`` (loop time): note its delay."""
        self.lag_s = max(0.0, now - self._due)

    def current(self, now: float) -> float:
        """The loop's lag at ``now`` (loop time), in seconds."""
        return max(self.lag_s, now - self._due)


# Probes and scrapes are never shed: an overloaded process is alive, and its metrics say why it refuses.
SHED_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})


class Shedder:
    """Raw ASGI layer: at most ``max_in_flight`` HTTP requests in the process, and none while the event loop
    runs more than ``max_lag_s`` behind (``None``: no lag limit); the rest get 503 at once.

    Counted in ``/metrics`` as ``asn_admission_refused_total{reason="shed"}`` (the count) and
    ``{reason="loop_lag"}`` (the lag); the connection screen's refusals for a standing accept queue as
    ``{reason="accept_wait"}``. Per process, like :class:`Admission` (with ``--workers N`` the app takes N x
    ``max_in_flight``).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        max_lag_s: float | None = None,
        retry_after_s: int = 1,
        lag: LoopLag | None = None,
        screen_connections: bool = False,
        max_accept_wait_s: float | None = None,
    ) -> None:
        self.app = app
        self.screen_connections = screen_connections
        # The connection screen's accept-queue limit (asn_cli/eventloop.py StandingQueue), None: off.
        self.max_accept_wait_s = max_accept_wait_s
        self._metrics: AppMetrics | None = None
        self.max_in_flight = max_in_flight
        self.max_lag_s = max_lag_s
        self.lag = lag or LoopLag()
        self.in_flight = 0
        self._retry_after = str(retry_after_s).encode()
        self._seconds = str(retry_after_s)
        # The refusal's body and headers by (language, catalogue): rendering the problem cost about 50 us a
        # refusal, as much as a third of what the process spends refusing a request under overload.
        self._answers: dict[tuple[str, int], tuple[list[tuple[bytes, bytes]], bytes, object]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in SHED_EXEMPT:
            if scope["type"] == "lifespan" and self.screen_connections:
                self._offer_screen(scope)
            await self.app(scope, receive, send)
            return
        reason = self._reason()
        if reason is not None:
            await self._refuse(scope, send, reason)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    def _offer_screen(self, scope: Scope) -> None:
        """At start-up, offer the serving loop this shedder as its connection screen (asn_cli/eventloop.py:
        ``asn serve``'s loop refuses on new connections at accept what this shedder would refuse later)."""
        self._metrics = find_metrics(scope.get("app"))
        offer = getattr(asyncio.get_running_loop(), "screen_connections", None)
        if offer is not None:
            offer(self)

    def _reason(self) -> str | None:
        """Why a request arriving now would be refused, or ``None``."""
        if self.in_flight >= self.max_in_flight:
            return "shed"
        if self.max_lag_s is not None:
            loop = self.lag.ensure_started()
            if self.lag.current(loop.time()) > self.max_lag_s:
                return "loop_lag"
        return None

    def busy(self) -> str | None:
        """The connection screen's question (asn_cli/eventloop.py ConnectionScreen): why it would refuse now."""
        return self._reason()

    def refuse(self, path: str, reason: str) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
        """The connection screen's refusal of a request for ``path``, counted as any other; ``None`` for the
        probes and the scrape."""
        return None if path in SHED_EXEMPT else self._counted_answer(self._metrics, reason)

    def _counted_answer(
        self, metrics: AppMetrics | None, reason: str
    ) -> tuple[list[tuple[bytes, bytes]], bytes]:
        if metrics is not None:
            metrics.admission_refused.labels(reason).inc()
        return self._answer()

    async def _refuse(self, scope: Scope, send: Send, reason: str) -> None:
        headers, body = self._counted_answer(find_metrics(scope.get("app")), reason)
        await send({"type": "http.response.start", "status": 503, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body})

    def _answer(self) -> tuple[list[tuple[bytes, bytes]], bytes]:
        """The 503's headers and body, rendered once per language and catalogue. Not kept when a request id is
        bound (the body carries it); in front of the edge middleware none is."""
        catalogue = current_catalogue()
        key = (current_language(), id(catalogue))
        keep = current_request_id() is None
        cached = self._answers.get(key) if keep else None
        if cached is not None and cached[2] is catalogue:
            return cached[0], cached[1]
        body = problem_bytes(503, msg("The service is busy; retry after {seconds} s.", seconds=self._seconds))
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", self._retry_after),
        ]
        if keep:
            self._answers[key] = (headers, body, catalogue)  # the catalogue kept: its id stays its own
        return headers, body


def shedder(
    max_in_flight: int,
    max_lag_s: float | None = None,
    *,
    screen_connections: bool = False,
    max_accept_wait_s: float | None = None,
) -> Callable[[ASGIApp], ASGIApp]:
    """A ``front`` layer (services/common/app.py) with these limits."""
    return lambda app: Shedder(
        app,
        max_in_flight=max_in_flight,
        max_lag_s=max_lag_s,
        screen_connections=screen_connections,
        max_accept_wait_s=max_accept_wait_s,
    )
