"""Per-client usage: requests counted in memory on the hot path, added to ``api_client`` periodically.

A database write per proxied request would cost more than the forwarding itself, so the rate limiter only
bumps a counter here (a dict update) and a background task flushes the deltas every
``client_usage_flush_interval_s`` seconds with one additive UPDATE per client. Every replica flushes its own
deltas, so the totals add up across replicas; a replica that crashes loses at most one interval of counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.identity import repository
from services.common import clock

log = logging.getLogger("asn.identity.usage")


class ClientUsage:
    """Counts requests per client id and flushes them to the database."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, interval_s: float) -> None:
        self._sessionmaker = sessionmaker
        self._interval_s = interval_s
        self._pending: dict[str, tuple[int, datetime]] = {}
        self._task: asyncio.Task[None] | None = None

    def record(self, client_id: str) -> None:
        """Count one request of ``client_id`` (no I/O)."""
        entry = self._pending.get(client_id)
        self._pending[client_id] = ((entry[0] if entry else 0) + 1, clock.now())

    async def flush(self) -> None:
        """Write the counts gathered so far; on failure they are kept for the next flush."""
        if not self._pending:
            return
        batch, self._pending = self._pending, {}
        try:
            async with self._sessionmaker() as session, session.begin():
                await repository.add_client_usage(session, batch)
        except Exception:
            log.warning("client usage flush failed; kept for the next one", exc_info=True)
            for client_id, (count, last) in batch.items():
                newer, latest = self._pending.get(client_id, (0, last))
                self._pending[client_id] = (count + newer, max(last, latest))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            await self.flush()

    def start(self) -> None:
        """Start the periodic flush."""
        self._task = asyncio.create_task(self._run(), name="gateway-client-usage")

    async def close(self) -> None:
        """Stop the periodic flush and write what is left."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()
