"""One pure-ASGI edge middleware for every app: request id, body limit, security headers, last-resort errors.

Pure ASGI (not BaseHTTPMiddleware) so contextvars flow into the endpoint and streaming is untouched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.errors import PROBLEM_JSON, exception_to_problem, problem_bytes
from services.common.i18n import DEFAULT_LANGUAGE, Catalogue, bind, current_language, msg, negotiate
from services.common.links import link
from services.common.metrics import observe_request
from services.common.request_id import HEADER, accept_or_generate, set_request_id

log = logging.getLogger("asn.access")
_RID_HEADER = HEADER.lower().encode()
_SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
_HTML_CSP = (b"content-security-policy", b"default-src 'self'; frame-ancestors *; object-src 'none'")
_PROBLEM = PROBLEM_JSON.encode()


class BodyTooLarge(StarletteHTTPException):
    """The request body passed the configured limit while it was read.

    An HTTPException, because FastAPI turns any other exception raised while it reads a body into a 400;
    this one it re-raises, and the problem handler answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))


def _vary_on_language(headers: list[Any]) -> None:
    """Add Accept-Language to Vary (a cache must not serve an Indonesian problem to an English reader)."""
    for i, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            if b"accept-language" not in value.lower() and value.strip() != b"*":
                headers[i] = (name, value + b", Accept-Language")
            return
    headers.append((b"vary", b"Accept-Language"))


def _too_large(limit: int) -> str:
    return msg("The body is larger than {limit} bytes.", limit=limit)


def _framing_error(lengths: int, length: int | None, codings: int, coding: bytes | None) -> str | None:
    """Why a request's body framing is ambiguous (RFC 9112 §6.1-6.3), or None when it is sound.

    A body is framed by exactly one Content-Length of digits, or by exactly one ``Transfer-Encoding:
    chunked``, never both. Servers differ on the rest: one reads ``chunked`` where another reads the
    length, one merges duplicate lengths where another takes the first. Whatever our server accepted, a
    request the next hop could read differently is refused here, before any of its body is used."""
    if codings:
        if lengths:
            return msg("The request has both Content-Length and Transfer-Encoding.")
        if codings > 1 or coding is None or coding.strip().lower() != b"chunked":
            return msg("Transfer-Encoding must be exactly 'chunked'.")
        return None
    if lengths > 1:
        return msg("The request has more than one Content-Length.")
    if length is not None and length < 0:
        return msg("The Content-Length is not a number.")
    return None


class EdgeMiddleware:
    """Sets X-Request-ID, picks the language of problem answers from Accept-Language, refuses oversized
    bodies with 413, adds security headers, and turns any escaped exception into a problem+json response
    that still carries the request id."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        path_limits: Mapping[str, int] | None = None,
        access_log: bool = True,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.app = app
        # The app's problem types and message templates (services/<app>/messages.py).
        self.catalogue = catalogue
        self.max_body_bytes = max_body_bytes
        # Exact paths that take larger bodies (a CSV import); every other path keeps max_body_bytes.
        self.path_limits = dict(path_limits or {})
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        length: int | None = None
        accept_language: str | None = None
        lengths = 0
        coding: bytes | None = None
        codings = 0
        for name, value in scope["headers"]:
            if name == _RID_HEADER:
                incoming = value.decode("latin-1")
            elif name == b"accept-language":
                accept_language = value.decode("latin-1")
            elif name == b"content-length":
                lengths += 1
                # Digits only: int() would also take "+5", " 5" or "5_0", which another parser reads otherwise.
                length = int(value) if value.isdigit() else -1
            elif name == b"transfer-encoding":
                codings += 1
                coding = value
        rid = accept_or_generate(incoming)
        set_request_id(rid)
        bind(negotiate(accept_language) if accept_language else DEFAULT_LANGUAGE, self.catalogue)
        rid_header = (_RID_HEADER, rid.encode())
        started = time.perf_counter()
        status = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers: list[Any] = list(message.get("headers", []))
                # Set once: a response proxied by the gateway already carries the service's headers, and a
                # repeated header is a list ("nosniff, nosniff"), which not every client reads as meant.
                # One pass over the headers finds what is there and the content type.
                present = set()
                content_type = b""
                for name, value in headers:
                    lower = name.lower()
                    present.add(lower)
                    if lower == b"content-type" and not content_type:
                        content_type = value
                headers.append(rid_header)
                for header in _SECURITY_HEADERS:
                    if header[0] not in present:
                        headers.append(header)
                if content_type.startswith(b"text/html"):
                    if _HTML_CSP[0] not in present:
                        headers.append(_HTML_CSP)
                elif content_type.startswith(_PROBLEM):
                    # Problem answers are written in the negotiated language (services/common/i18n.py).
                    if b"content-language" not in present:
                        headers.append((b"content-language", current_language().encode()))
                    _vary_on_language(headers)
                message["headers"] = headers
            await send(message)

        if lengths or codings:
            framing_error = _framing_error(lengths, length, codings, coding)
            if framing_error is not None:
                # The server and the next hop could frame this body differently (request smuggling): refuse
                # it whatever the server implementation let through, and close the connection.
                await self._send_raw(
                    send_wrapper, 400, problem_bytes(400, framing_error), {"Connection": "close"}
                )
                self._log(scope, status, started)
                return

        limit = (
            self.path_limits.get(scope["path"], self.max_body_bytes)
            if self.path_limits
            else self.max_body_bytes
        )
        if length is not None and length > limit:
            await self._send_problem(send_wrapper, 413, _too_large(limit))
            self._log(scope, status, started)
            return

        received = 0

        async def receive_wrapper() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        # HTTP/1.1 (RFC 9112 §6.3): a request without Content-Length or Transfer-Encoding, or with a length
        # of 0, has no body, and the server delivers none: nothing to count (most requests are GETs).
        bodiless = not codings and not length
        try:
            await self.app(scope, receive if bodiless else receive_wrapper, send_wrapper)
        except BodyTooLarge:
            if not status:
                await self._send_problem(send_wrapper, 413, _too_large(limit))
        except Exception as exc:
            if status:
                log.exception("error after the response started")
            else:
                problem_status, body, headers = exception_to_problem(exc, link(scope, scope.get("path", "")))
                await self._send_raw(send_wrapper, problem_status, body, headers)
        finally:
            self._log(scope, status, started)

    def _log(self, scope: Scope, status: int, started: float) -> None:
        # Prometheus request counters and latency (services/common/metrics.py).
        observe_request(scope, status, time.perf_counter() - started)
        if not self.access_log:
            return
        path = scope.get("path", "")
        # Probes hit every app every few seconds; a healthy answer is not worth a line at INFO.
        level = logging.DEBUG if path in _PROBES and status == 200 else logging.INFO
        log.log(
            level,
            "%s %s %s",
            scope.get("method"),
            path,
            status,
            extra={"status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 2)},
        )

    async def _send_problem(self, send: Send, status: int, detail: str) -> None:
        await self._send_raw(send, status, problem_bytes(status, detail), {})

    @staticmethod
    async def _send_raw(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
        raw = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
        ]
        raw.extend((k.lower().encode(), v.encode()) for k, v in headers.items())
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})
