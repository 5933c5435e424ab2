"""publik's snapshot-signing keys, served in the gateway's JWKS so anyone can verify a snapshot with
``/.well-known/jwks.json``. They carry ``x-purpose: snapshot``; token verifiers ignore such keys, so a
snapshot key can never mint an access token."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

log = logging.getLogger("asn.jwks")
_TTL_S = 300.0
_RETRY_S = 15.0


class SnapshotKeys:
    """Fetches publik's /v1/snapshots/jwks.json through an upstream instance and caches it."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._keys: list[dict[str, Any]] = []
        self._next_fetch = 0.0
        self._lock = asyncio.Lock()

    async def keys(self, base_urls: list[str]) -> list[dict[str, Any]]:
        """The cached keys, refreshed every few minutes; publik being down keeps the last ones."""
        if time.monotonic() < self._next_fetch:
            return self._keys
        async with self._lock:
            if time.monotonic() >= self._next_fetch:
                await self._refresh(base_urls)
        return self._keys

    async def _refresh(self, base_urls: list[str]) -> None:
        for base in base_urls:
            try:
                resp = await self.client.get(base + "/v1/snapshots/jwks.json", timeout=2.0)
                resp.raise_for_status()
                keys = resp.json().get("keys", [])
            except (httpx.HTTPError, ValueError):
                continue
            self._keys = [k for k in keys if isinstance(k, dict) and k.get("x-purpose") == "snapshot"]
            self._next_fetch = time.monotonic() + _TTL_S
            return
        log.warning("publik's snapshot keys could not be fetched; serving the last known ones")
        self._next_fetch = time.monotonic() + _RETRY_S
