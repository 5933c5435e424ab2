"""The fast path for hot public reads: a pure-ASGI layer in front of FastAPI's routing.

A cached GET is answered from stored bytes and headers (ETag, 304 on If-None-Match, gzip when asked, CORS
``*``, Cache-Control) without routing, dependency injection, a session or serialisation. A miss falls through
to the FastAPI route (which documents the path in OpenAPI and renders the bytes), and the 200 body is kept.
Every other request passes through untouched, with CORS added on public paths, and preflights for them are
answered here. Pure ASGI (not BaseHTTPMiddleware) so nothing is buffered or copied needlessly.

The key is the path and the *normalised known* query (``services.common.query_key``, from the app's own
OpenAPI): parameters the operation does not declare are ignored, the rest sorted with defaults applied, and a
miss renders the route with exactly that query, so ``?kind=IKM&junk=1`` is the entry of ``?kind=IKM``.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.conditional import none_match_hits
from services.common.query_key import KnownQuery, RouteQueries
from services.publik_api.cache.store import Entry, PublicCache
from services.publik_api.state import public_cache_of

_EXACT = frozenset(
    {
        "/v1/feed",
        "/v1/feed.json",
        "/v1/feed.atom",
        "/v1/ikm",
        "/v1/innovations",
        "/v1/overview",
        "/v1/skm-periods",
        "/v1/snapshots/latest",
        "/v1/snapshots/jwks.json",
        "/embed/widget.js",
        "/embed/widget.css",
    }
)
_PATTERNS = (
    re.compile(r"^/v1/units/[0-9a-fA-F-]{36}/scorecard$"),
    re.compile(r"^/v1/units/[0-9a-fA-F-]{36}/services$"),
    re.compile(r"^/v1/units/[0-9a-fA-F-]{36}/trends$"),
    re.compile(r"^/v1/units/[0-9a-fA-F-]{36}/trends/(ikm|predikat|jp)\.svg$"),
    re.compile(r"^/v1/services/[0-9a-fA-F-]{36}$"),
    re.compile(r"^/v1/innovations/[0-9a-fA-F-]{36}/ikm$"),
    re.compile(r"^/v1/snapshots/\d{1,9}$"),
    re.compile(r"^/v1/items/[0-9a-fA-F-]{36}$"),
    re.compile(r"^/embed/units/[0-9a-fA-F-]{36}$"),
)
_RID_VALID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Citizen writes that change nothing public by themselves: the IKM refresher folds surveys in and bumps the
# version in batches, so they must not make this replica re-read the version on every cached read (at 20
# surveys a second that would turn each cached read into a database round trip).
_QUIET_WRITES = frozenset({"/v1/surveys", "/v1/surveys/form-token"})
_PREFLIGHT = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, HEAD, POST, OPTIONS"),
    (b"access-control-allow-headers", b"Content-Type, If-None-Match, X-Request-ID"),
    (b"access-control-max-age", b"86400"),
    (b"content-length", b"0"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
_CORS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag, X-Request-ID, Retry-After"),
]


def cacheable(path: str) -> bool:
    """Whether a GET of this path is served from the cache."""
    return path in _EXACT or any(p.match(path) for p in _PATTERNS)


def is_public(path: str) -> bool:
    """Public API and embed paths (CORS ``*``); admin routes use bearer tokens, never cookies, so ``*`` is safe."""
    return path.startswith(("/v1/", "/embed/"))


def _etag_matches(header: bytes, entry: Entry) -> bool:
    # Either representation's tag (plain or gzip) revalidates the entry: they carry the same content.
    return none_match_hits(header, entry.etag, entry.etag[:-1] + b'-gz"')


class PublicReadMiddleware:
    """Serves cached public GETs directly; everything else goes to the app."""

    def __init__(
        self, app: ASGIApp, *, extra_headers: dict[str, list[tuple[bytes, bytes]]] | None = None
    ) -> None:
        self.app = app
        self.extra_headers = extra_headers or {}
        self.queries: RouteQueries | None = None

    def known_query(self, scope: Scope, path: str) -> KnownQuery | None:
        """The declared query parameters of a cacheable path (from the app's OpenAPI, read once)."""
        if self.queries is None:
            self.queries = RouteQueries.from_openapi(scope["app"].openapi())
        return self.queries.lookup(path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        cache = public_cache_of(scope["app"])
        if cache is not None and (method == "GET" or method == "HEAD") and cacheable(path):
            known = self.known_query(scope, path)
            if known is not None:
                await self._cached(scope, receive, send, cache, path, method, known)
                return
        if method == "OPTIONS" and is_public(path):
            await send({"type": "http.response.start", "status": 204, "headers": _PREFLIGHT})
            await send({"type": "http.response.body", "body": b""})
            return
        dirties = method in _WRITE_METHODS and path not in _QUIET_WRITES
        if cache is not None and dirties:
            cache.mark_dirty()
        if not is_public(path):
            await self.app(scope, receive, send)
            return

        async def send_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_CORS]
            await send(message)

        try:
            await self.app(scope, receive, send_cors)
        finally:
            if cache is not None and dirties:
                cache.mark_dirty()

    async def _cached(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        cache: PublicCache,
        path: str,
        method: str,
        known: KnownQuery,
    ) -> None:
        inm: bytes | None = None
        gzip_ok = False
        rid: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                inm = value
            elif name == b"accept-encoding":
                gzip_ok = b"gzip" in value
            elif name == b"x-request-id" and _RID_VALID.match(value):
                rid = value
        qs = known.normalise(scope["query_string"])
        key = path.encode() + (b"?" + qs if qs else b"")
        version = await cache.current()
        entry = cache.get(key, version)
        if entry is None:
            entry = await self._render_once(
                {**scope, "query_string": qs}, receive, send, cache, key, version, rid
            )
            if entry is None:
                return
        rid_header = (b"x-request-id", rid or uuid.uuid4().hex.encode())
        use_gz = gzip_ok and entry.gz_body is not None
        if inm is not None and _etag_matches(inm, entry):
            validators = entry.gz_not_modified if use_gz else entry.not_modified
            await send({"type": "http.response.start", "status": 304, "headers": [*validators, rid_header]})
            await send({"type": "http.response.body", "body": b""})
            return
        if use_gz:
            assert entry.gz_body is not None
            headers, body = entry.gz_headers, entry.gz_body
        else:
            headers, body = entry.headers, entry.body
        await send({"type": "http.response.start", "status": 200, "headers": [*headers, rid_header]})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    async def _render_once(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        cache: PublicCache,
        key: bytes,
        version: int,
        rid: bytes | None,
    ) -> Entry | None:
        """Render a missing entry once however many reads miss it together: after a version change every
        connection in flight misses at the same moment, and each rendering the same bytes (a query and a
        serialisation each) cost the cached reads a quarter of their throughput under a survey stream
        (bench/publik_surveys.py). The reads that arrive while it renders wait for it; if it ends in no
        entry (an error, a non-200), each renders for itself and gets its own answer."""
        slot = (key, version)
        pending = cache.rendering.get(slot)
        if pending is not None:
            entry = await asyncio.shield(pending)
            if entry is not None:
                return entry
            return await self._render(scope, receive, send, cache, key, version, rid)
        future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        cache.rendering[slot] = future
        entry = None
        try:
            entry = await self._render(scope, receive, send, cache, key, version, rid)
        finally:
            del cache.rendering[slot]
            future.set_result(entry)
        return entry

    async def _render(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        cache: PublicCache,
        key: bytes,
        version: int,
        rid: bytes | None,
    ) -> Entry | None:
        """Run the FastAPI route; keep a 200, pass anything else through as it came (plus CORS).

        The key ignores X-Forwarded-Prefix on purpose: only a problem's ``instance`` is built from it
        (services/common/links.py), and problems are never stored, so a kept body is the same whichever
        way it was asked for (tests/publik/test_forwarded_prefix.py)."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        inner_scope = dict(scope)
        inner_scope["method"] = "GET"
        await self.app(inner_scope, receive, capture)
        body = b"".join(chunks)
        status = int(start.get("status", 500))
        headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
        if status != 200:
            await send({"type": "http.response.start", "status": status, "headers": [*headers, *_CORS]})
            await send({"type": "http.response.body", "body": body})
            return None
        content_type = next((v for k, v in headers if k == b"content-type"), b"application/json")
        extra = []
        if content_type.startswith(b"text/html"):
            extra = self.extra_headers.get("html", [])
        elif content_type.startswith(b"image/svg+xml"):
            extra = self.extra_headers.get("svg", [])
        return cache.put(key, version, body, content_type, extra)
