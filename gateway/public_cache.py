"""A short-lived shared cache of publik's public reads at the gateway.

publik already answers its public reads from stored bytes, but forwarding still costs the gateway an
upstream round trip per request (measured: the cached feed through the gateway reached 0.25-0.30 of direct).
Responses that publik marks ``Cache-Control: public`` with a strong ``ETag`` may be kept by any shared cache
for ``max-age``; the gateway keeps them for at most ``public_cache_ttl_s`` (1 s by default, within publik's
own documented staleness between replicas) and answers repeats, and ``If-None-Match`` revalidations, itself.

Only anonymous GET/HEAD under ``/publik/`` are considered, keyed by path, query and whether the client takes
gzip (the only ``Vary`` publik sends); anything else, or a response that is not public, goes through as is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.conditional import none_match_hits

_PREFIX = "/publik/"
_STORED_HEADERS_SKIP = frozenset({b"x-request-id", b"date", b"server", b"set-cookie"})


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
        self, app: ASGIApp, *, ttl_s: float = 1.0, max_entries: int = 1024, max_body: int = 512 * 1024
    ) -> None:
        self.app = app
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.max_body = max_body
        self.entries: dict[tuple[str, bytes, bool], _Entry] = {}

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
        key = (scope["path"], scope.get("query_string", b""), gzip_ok)
        now = time.monotonic()
        entry = self.entries.get(key)
        if entry is not None and entry.expires > now:
            await self._answer(entry, scope, send, if_none_match)
            return
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
        if len(self.entries) >= self.max_entries:
            self.entries = {k: e for k, e in self.entries.items() if e.expires > now}
            if len(self.entries) >= self.max_entries:
                self.entries.clear()
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
