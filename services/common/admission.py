"""Admission in front of the database pool: a request that cannot get a connection soon is refused at once.

Without it, a burst beyond the pool's capacity queued inside SQLAlchemy's pool until ``db_pool_timeout_s``
(5 s) and then failed with 503, so under overload every request got slow and many failed late. Here each
app admits at most ``capacity`` requests to the database at a time (the pool's steady size), lets
up to ``max_queue`` more wait in arrival order, and refuses the rest *immediately* with 503 and
``Retry-After``; a queued request that still has no slot after ``max_wait_s`` is refused too. Refusals are
counted in ``/metrics`` (``asn_admission_refused_total{reason}``).

The limit is per process: with ``--workers N`` or several replicas each process has its own (as each has its
own pool), so the database sees at most N x capacity connections (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Callable

from services.common.errors import ServiceUnavailable
from services.common.i18n import msg


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
