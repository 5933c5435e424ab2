"""Keeps the live IKM items current without putting work on every survey.

A survey is one INSERT. The replica that took it notes (unit, year); every ``ikm_refresh_interval_s``
(default 1 s) it recomputes those units' IKM in one grouped SQL query, upserts their IKM feed items and, when
any of them changed, bumps the publication version once, so caches everywhere rebuild. Surveys themselves
never touch the version: this batch is the only way they reach the cached reads. A key stays noted for two intervals, so a survey
whose transaction committed just after a refresh started is still counted by the next one. At start-up every
replica recomputes all IKM items once, which repairs anything a crashed replica left unrefreshed.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import clock
from services.publik_api.publications.repository import bump_version
from services.publik_api.surveys import repository
from services.publik_api.surveys.ikm import IkmResult, compute_ikm

log = logging.getLogger("asn.publik.ikm")
Key = tuple[uuid.UUID, int]


def ikm_public(result: IkmResult) -> dict[str, object]:
    """The IKM figures as a feed item's data."""
    return {
        "respondents": result.respondents,
        "ikm": float(result.ikm) if result.ikm is not None else None,
        "mutu": result.mutu,
        "kinerja": result.kinerja,
    }


class IkmRefresher:
    """Batches IKM item refreshes per replica."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, policy_version: str, interval_s: float
    ) -> None:
        self.sessionmaker = sessionmaker
        self.policy_version = policy_version
        self.interval_s = interval_s
        self.pending: dict[Key, float] = {}
        self.day = clock.today()

    def note(self, unit_id: uuid.UUID, year: int) -> None:
        """A survey for this unit and year was taken (or is about to commit)."""
        self.pending[(unit_id, year)] = time.monotonic()

    async def _write(self, keys: list[Key] | None) -> int:
        async with self.sessionmaker() as session, session.begin():
            rows = await repository.sums_by_unit_year(session, keys)
            now = clock.now()
            changed = False
            for unit_id, year, respondents, sums in rows:
                public = ikm_public(compute_ikm(respondents, sums))
                changed |= await repository.upsert_ikm_item(
                    session, unit_id, year, public, self.policy_version, now
                )
            if changed:
                await bump_version(session)
        return len(rows)

    async def flush(self) -> int:
        """Recompute the IKM items of the noted units; returns how many were written."""
        if not self.pending:
            return 0
        started = time.monotonic()
        todo = list(self.pending)
        written = await self._write(todo)
        horizon = started - 2 * self.interval_s
        for key in todo:
            if self.pending.get(key, 0.0) < horizon:
                self.pending.pop(key, None)
        return written

    async def new_day(self) -> bool:
        """Bump the version once when the WIB date changes: reads that depend on the date (the current year,
        an SKM period that has just ended and may now show its respondent profile) must be re-rendered even
        when nothing was written. Returns whether it bumped."""
        today = clock.today()
        if today == self.day:
            return False
        async with self.sessionmaker() as session, session.begin():
            await bump_version(session)
        self.day = today
        return True

    async def refresh_all(self) -> int:
        """Recompute every unit's IKM items (start-up repair)."""
        return await self._write(None)

    async def run_forever(self) -> None:
        """Repair once, then flush every interval until cancelled; failures are logged and retried."""
        try:
            await self.refresh_all()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("IKM start-up refresh failed", exc_info=True)
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.flush()
                await self.new_day()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("IKM refresh failed; retrying", exc_info=True)
