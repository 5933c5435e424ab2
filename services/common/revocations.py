"""The services' copy of the gateway's revoked subjects (docs/security.md, Key and token lifecycle).

A background task reads ``GET /internal/v1/token-revocations`` from the gateway every
``token_revocations_refresh_s`` (30 s) through the service's pooled, service-token client and replaces the
verifier's :class:`~services.common.auth.NotBefore` with it; the per-request check is a dict lookup. When
the gateway does not answer, the list held is kept and the next read tries again.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from services.common.auth import NotBefore
from services.common.logging import failure_level

log = logging.getLogger("asn.auth.revocations")

PATH = "/internal/v1/token-revocations"


class ServiceRevocations:
    """Reads the gateway's revocation list into a :class:`NotBefore`, now and every ``interval_s``."""

    def __init__(self, client: httpx.AsyncClient, not_before: NotBefore, *, interval_s: float) -> None:
        self.client = client
        self.not_before = not_before
        self.interval_s = interval_s
        # Consecutive failed reads: at start-up the gateway may not be up yet.
        self.failures = 0

    async def load(self) -> bool:
        """One read; True when the list was replaced."""
        try:
            resp = await self.client.get(PATH)
            resp.raise_for_status()
            subjects = resp.json()["subjects"]
            times = {str(k): int(v) for k, v in subjects.items()}
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self.failures += 1
            log.log(
                failure_level(self.failures),
                "token revocations not read from the gateway: %s",
                type(exc).__name__,
            )
            return False
        self.failures = 0
        self.not_before.replace(times)
        return True

    async def run_forever(self) -> None:
        """Read now, then every ``interval_s`` (cancelled by the lifespan)."""
        while True:
            await self.load()
            await asyncio.sleep(self.interval_s)
