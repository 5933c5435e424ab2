"""The small cache of pre-rendered public responses, invalidated by the publication version.

Every change to what is public bumps ``publik.publication_state.version`` in the same transaction. Each
replica polls that one row every ``cache_poll_interval_s`` (default 1 s) and ignores entries rendered under an
older version, so a replica serves a superseded response for at most that interval after the change commits.
The replica that made the change does not wait for the poll: after any write request it checks the version
on every cached read for a few seconds (one indexed single-row query), so its own changes show at once.

Entries are kept in least-recently-used order: when the cache is full the entry read longest ago goes, one at
a time, so a burst of new keys cannot empty the cache and a hot entry survives it. Keys are the path and the
normalised known query (see the middleware), so unknown parameters make no new entries at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("asn.publik.cache")
DIRTY_WINDOW_S = 3.0
GZIP_MIN_BYTES = 256


@dataclass
class Entry:
    """One rendered response: body, strong ETag, and the header lists it is sent with."""

    version: int
    body: bytes
    etag: bytes
    content_type: bytes
    headers: list[tuple[bytes, bytes]]
    gz_body: bytes | None = None
    gz_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    not_modified: list[tuple[bytes, bytes]] = field(default_factory=list)
    gz_not_modified: list[tuple[bytes, bytes]] = field(default_factory=list)


class PublicCache:
    """Rendered public responses keyed by path and query, valid for one publication version."""

    def __init__(
        self, engine: AsyncEngine, *, max_entries: int, poll_interval_s: float, max_age_s: int
    ) -> None:
        self.engine = engine
        self.max_entries = max_entries
        self.poll_interval_s = poll_interval_s
        self.cache_control = f"public, max-age={max_age_s}, must-revalidate".encode()
        self.version = -1
        self.entries: OrderedDict[bytes, Entry] = OrderedDict()
        self._dirty_until = 0.0
        # Renders under way, per (key, version): the first miss renders, later misses wait for it.
        self.rendering: dict[tuple[bytes, int], asyncio.Future[Entry | None]] = {}

    async def read_version(self) -> int:
        """The committed publication version."""
        async with self.engine.connect() as conn:
            value = await conn.scalar(text("SELECT version FROM publik.publication_state WHERE id = 1"))
        self.version = int(value or 0)
        return self.version

    def mark_dirty(self) -> None:
        """A write happened in this replica: check the version on each read for a short while."""
        self._dirty_until = time.monotonic() + DIRTY_WINDOW_S

    async def current(self) -> int:
        """The version to serve under: polled, or read now while this replica's own change settles."""
        if self._dirty_until and time.monotonic() < self._dirty_until:
            with contextlib.suppress(Exception):
                return await self.read_version()
        return self.version

    def get(self, key: bytes, version: int) -> Entry | None:
        """A fresh entry (now the most recently used), or None."""
        entry = self.entries.get(key)
        if entry is None or entry.version != version:
            return None
        self.entries.move_to_end(key)
        return entry

    def put(
        self, key: bytes, version: int, body: bytes, content_type: bytes, extra: list[tuple[bytes, bytes]]
    ) -> Entry:
        """Store a rendered 200 response and precompute its headers (and gzip form)."""
        self.entries.pop(key, None)
        while len(self.entries) >= self.max_entries:
            # Least recently used first; entries of superseded versions are never read, so they age out too.
            self.entries.popitem(last=False)
        digest = hashlib.sha256(body).hexdigest()[:32]
        etag = f'"{digest}"'.encode()
        common = [
            (b"cache-control", self.cache_control),
            (b"vary", b"Accept-Encoding"),
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", b"ETag, X-Request-ID"),
            (b"x-content-type-options", b"nosniff"),
            # Cached hits are answered before the edge middleware, which adds this to every other response.
            (b"referrer-policy", b"no-referrer"),
            *extra,
        ]
        entry = Entry(
            version=version,
            body=body,
            etag=etag,
            content_type=content_type,
            headers=[
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"etag", etag),
                *common,
            ],
        )
        if len(body) >= GZIP_MIN_BYTES:
            entry.gz_body = gzip.compress(body, compresslevel=6, mtime=0)
            # A different representation needs a different strong validator.
            gz_etag = f'"{digest}-gz"'.encode()
            entry.gz_headers = [
                (b"content-type", content_type),
                (b"content-length", str(len(entry.gz_body)).encode()),
                (b"content-encoding", b"gzip"),
                (b"etag", gz_etag),
                *common,
            ]
            entry.gz_not_modified = [(b"etag", gz_etag), *common]
        entry.not_modified = [(b"etag", etag), *common]
        self.entries[key] = entry
        return entry

    async def poll_forever(self) -> None:
        """Refresh the known version until cancelled; database trouble keeps the last known version."""
        while True:
            try:
                await self.read_version()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("publication version poll failed", exc_info=True)
            await asyncio.sleep(self.poll_interval_s)
