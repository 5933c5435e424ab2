"""CORS: the API answers the origins listed in settings; public reads (GET/HEAD under /publik/, the JWKS
and the docs) are open to any origin, so the regional website can embed them."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PUBLIC_PREFIXES = ("/publik/", "/.well-known/", "/openapi.json")
# Anonymous writes the regional website's visitors make from any page (no cookies, so "*" is safe).
_PUBLIC_WRITES = frozenset({("POST", "/publik/v1/surveys"), ("POST", "/publik/v1/surveys/form-token")})
_ALLOW_HEADERS = b"authorization, content-type, if-match, if-none-match, x-request-id, x-device-id, accept"
_ALLOW_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
_EXPOSE = b"etag, x-request-id, retry-after, location, cache-control"


class CorsMiddleware:
    """Adds CORS headers and answers preflight requests."""

    def __init__(self, app: ASGIApp, *, allowed_origins: Sequence[str]) -> None:
        self.app = app
        self.allowed = {o.rstrip("/") for o in allowed_origins}

    def _allow_origin(self, scope: Scope, origin: str, method: str) -> bytes | None:
        path: str = scope["path"]
        if (path.startswith(_PUBLIC_PREFIXES) and method in ("GET", "HEAD")) or (
            method,
            path,
        ) in _PUBLIC_WRITES:
            return b"*"
        if origin in self.allowed or "*" in self.allowed:
            return origin.encode()
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = None
        requested_method = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value.decode("latin-1")
            elif name == b"access-control-request-method":
                requested_method = value.decode("latin-1").upper()
        if origin is None:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS" and requested_method:
            allow = self._allow_origin(scope, origin, requested_method)
            headers = [(b"content-length", b"0"), (b"vary", b"Origin")]
            status = 403
            if allow is not None:
                status = 204
                headers += [
                    (b"access-control-allow-origin", allow),
                    (b"access-control-allow-methods", _ALLOW_METHODS),
                    (b"access-control-allow-headers", _ALLOW_HEADERS),
                    (b"access-control-max-age", b"600"),
                ]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        allow = self._allow_origin(scope, origin, method)
        if allow is None:
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if not k.startswith(b"access-control-")
                ]
                headers += [
                    (b"access-control-allow-origin", allow),
                    (b"access-control-expose-headers", _EXPOSE),
                    (b"vary", b"Origin"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)
