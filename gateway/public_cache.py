"""A short-lived shared cache of publik's public reads at the gateway.

publik already answers its public reads from stored bytes, but forwarding still costs the gateway an
upstream round trip per request (measured: the cached feed through the gateway reached 0.25-0.30 of direct).
Responses that publik marks ``Cache-Control: public`` with a strong ``ETag`` may be kept by any shared cache
for ``max-age``; the gateway keeps them for at most ``public_cache_ttl_s`` (1 s by default, within publik's
own documented staleness between replicas) and answers repeats, and ``If-None-Match`` revalidations, itself.

Only anonymous GET/HEAD under ``/publik/`` are considered, keyed by path, the *normalised known* query and
whether the client takes gzip (the only ``Vary`` publik sends); anything else, or a response that is not
public, goes through as is. The known parameters come from publik's own OpenAPI (fetched in the background
on first use and every few minutes, ``services.common.query_key``; a request never waits for it): undeclared parameters are dropped from the key and from
the forwarded request, so a flood of ``?junk=<random>`` makes no new entries. A full cache drops its least
recently used entry, never the whole cache. Until publik's OpenAPI has been read, nothing is cached.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.state import GatewayEdge
from services.common.conditional import none_match_hits
from services.common.query_key import KnownQuery, RouteQueries
from services.common.state import find_state

log = logging.getLogger("asn.gateway.public_cache")

_PREFIX = "/publik/"
_STORED_HEADERS_SKIP = frozenset({b"x-request-id", b"date", b"server", b"set-cookie"})
SPEC_REFRESH_S = 300.0
SPEC_RETRY_S = 5.0


@dataclass
class _Entry:
    expires: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    not_modified: list[tuple[bytes, bytes]]


def _max_age(cache_control: bytes) -> float | None:
    directives = [d.strip().lower() for d in cache_control.split(b",")]
    if b"public" not in directives or any(d in (b"no-store", b"no-cache", b"private") for d in directives):
        return None
    for d in directives:
        if d.startswith(b"max-age="):
            try:
                return float(d[8:])
            except ValueError:
                return None
    return None


class PublicCacheMiddleware:
    """Pure ASGI; sits just outside the proxy, inside the rate limit and CORS."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        ttl_s: float = 1.0,
        max_entries: int = 1024,
        max_body: int = 512 * 1024,
        queries: RouteQueries | None = None,
    ) -> None:
        self.app = app
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.max_body = max_body
        self.entries: OrderedDict[tuple[str, bytes, bool], _Entry] = OrderedDict()
        # Given (tests, or a deployment that pins them): used as they are. Otherwise read from publik.
        self.queries = queries
        self._fixed = queries is not None
        self._queries_until = 0.0
        self._loading: asyncio.Task[None] | None = None  # the one read of publik's OpenAPI in flight

    def known_query(self, scope: Scope, path: str, now: float) -> KnownQuery | None:
        """The declared query parameters of a publik GET path; None when unknown (then nothing is cached).

        Never waits for publik: when the table is due, one background read of publik's OpenAPI starts and
        this request uses the table known so far. A slow publik must cost a request no more than the proxy's
        own read timeout (tests/drills/test_slow_upstream.py), not an OpenAPI read on top of it."""
        if not self._fixed and now >= self._queries_until and self._loading is None:
            self._loading = asyncio.create_task(self._load_queries(scope["app"]))
            self._loading.add_done_callback(self._loaded)
        return self.queries.lookup(path) if self.queries is not None else None

    def _loaded(self, task: asyncio.Task[None]) -> None:
        self._loading = None
        if not task.cancelled() and task.exception() is not None:
            log.warning("reading publik's OpenAPI failed", exc_info=task.exception())

    async def _load_queries(self, app: ASGIApp) -> None:
        edge = find_state(app, GatewayEdge)
        upstreams = edge.upstreams if edge is not None else None
        spec = None
        if upstreams is not None:
            url = upstreams.base_urls("publik")[0] + "/openapi.json"
            try:
                async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
                    resp = await client.get(url)
                    resp.raise_for_status()
                    spec = resp.json()
            except (httpx.HTTPError, ValueError):
                log.warning("could not read publik's OpenAPI; public reads are not cached meanwhile")
        if isinstance(spec, dict):
            self.queries = RouteQueries.from_openapi(spec, prefix=_PREFIX.rstrip("/"))
            self._queries_until = time.monotonic() + SPEC_REFRESH_S
        else:  # keep the last known table (if any) and try again soon
            self._queries_until = time.monotonic() + SPEC_RETRY_S

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.ttl_s <= 0
            or scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        gzip_ok = False
        if_none_match = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                await self.app(scope, receive, send)  # personal answers are never shared
                return
            if name == b"accept-encoding":
                gzip_ok = b"gzip" in value.lower()
            elif name == b"if-none-match":
                if_none_match = value
        now = time.monotonic()
        if self._fixed or now < self._queries_until:  # the usual case: no await on the hit path
            known = self.queries.lookup(scope["path"]) if self.queries is not None else None
        else:
            known = self.known_query(scope, scope["path"], now)
        if known is None:
            await self.app(scope, receive, send)
            return
        query = known.normalise(scope.get("query_string", b""))
        key = (scope["path"], query, gzip_ok)
        entry = self.entries.get(key)
        if entry is not None and entry.expires > now:
            self.entries.move_to_end(key)
            await self._answer(entry, scope, send, if_none_match)
            return
        # What is stored must answer the key: publik sees the normalised query, not the junk.
        scope = {**scope, "query_string": query}
        if if_none_match is None:
            await self._fetch(key, scope, receive, send, now)
            return
        # A revalidation that misses: fetch the full representation (so the next ones are answered here),
        # then answer the condition ourselves. A 200 is always a valid answer to a conditional GET.
        unconditional = {**scope, "headers": [(n, v) for n, v in scope["headers"] if n != b"if-none-match"]}
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self._fetch(key, unconditional, receive, hold, now)
        stored = self.entries.get(key)
        if stored is not None and stored.expires > now:
            await self._answer(stored, scope, send, if_none_match)
            return
        for message in held:
            await send(message)

    @staticmethod
    async def _answer(entry: _Entry, scope: Scope, send: Send, if_none_match: bytes | None) -> None:
        if if_none_match is not None and none_match_hits(if_none_match, entry.etag):
            await send({"type": "http.response.start", "status": 304, "headers": list(entry.not_modified)})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": entry.status, "headers": list(entry.headers)})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else entry.body})

    async def _fetch(
        self, key: tuple[str, bytes, bool], scope: Scope, receive: Receive, send: Send, now: float
    ) -> None:
        state: dict[str, object] = {"keep": False}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                found = {name.lower(): value for name, value in headers}
                age = _max_age(found.get(b"cache-control", b""))
                etag = found.get(b"etag", b"")
                vary = found.get(b"vary", b"accept-encoding").lower().replace(b" ", b"")
                length = found.get(b"content-length")
                state["keep"] = (
                    message["status"] == 200
                    and scope["method"] == "GET"
                    and age is not None
                    and etag.startswith(b'"')
                    and vary in (b"accept-encoding", b"")
                    and b"set-cookie" not in found
                    and length is not None
                    and length.isdigit()
                    and int(length) <= self.max_body
                )
                if state["keep"]:
                    state["start"] = message
                    state["ttl"] = float(min(self.ttl_s, age or 0.0))
            elif message["type"] == "http.response.body" and state["keep"]:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._store(key, state, b"".join(chunks), now)
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: tuple[str, bytes, bool], state: dict[str, object], body: bytes, now: float) -> None:
        start = state["start"]
        assert isinstance(start, dict)
        ttl = state["ttl"]
        assert isinstance(ttl, float)
        if ttl <= 0:
            return
        self.entries.pop(key, None)
        while len(self.entries) >= self.max_entries:
            self.entries.popitem(last=False)  # the least recently used
        headers = [(n, v) for n, v in start.get("headers", []) if n.lower() not in _STORED_HEADERS_SKIP]
        etag = next(v for n, v in headers if n.lower() == b"etag")
        validators = {
            b"etag",
            b"cache-control",
            b"vary",
            b"access-control-allow-origin",
            b"access-control-expose-headers",
        }
        self.entries[key] = _Entry(
            expires=now + ttl,
            status=int(start["status"]),
            headers=headers,
            body=body,
            etag=etag,
            not_modified=[(n, v) for n, v in headers if n.lower() in validators],
        )
