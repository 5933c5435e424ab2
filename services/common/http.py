"""HTTP clients for calls between apps: one long-lived pooled client per upstream, explicit timeouts,
the current X-Request-ID forwarded, and a service token attached where the callee requires one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator

import httpx

from services.common.request_id import HEADER, current_request_id


async def _forward_request_id(request: httpx.Request) -> None:
    rid = current_request_id()
    if rid and HEADER not in request.headers:
        request.headers[HEADER] = rid


class ServiceTokenProvider:
    """Gets a short-lived service token from the gateway (client-credentials grant) and caches it."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, client: httpx.AsyncClient) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self.client = client
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at:
                return self._token
            resp = await self.client.post(
                self.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self._secret,
                },
            )
            resp.raise_for_status()
            body = resp.json()
            self._token = str(body["access_token"])
            # Renew a little early so a token never expires in flight.
            self._expires_at = time.monotonic() + max(5.0, float(body.get("expires_in", 60)) * 0.8)
            return self._token

    def invalidate(self) -> None:
        self._token = None


class ServiceTokenAuth(httpx.Auth):
    """Attaches the service token; on a 401 fetches a new one and retries once."""

    def __init__(self, provider: ServiceTokenProvider) -> None:
        self.provider = provider

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {await self.provider.token()}"
        response = yield request
        if response.status_code == 401:
            self.provider.invalidate()
            request.headers["Authorization"] = f"Bearer {await self.provider.token()}"
            yield request


class RetryStaleConnection(httpx.AsyncBaseTransport):
    """Sends an idempotent request (GET, HEAD, OPTIONS) once more when its connection failed before any answer
    came: a pooled keep-alive connection the upstream closed just as it was reused (ReadError,
    RemoteProtocolError, WriteError). Nothing else is re-sent: a POST's first attempt may have been applied."""

    IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
            if request.method not in self.IDEMPOTENT:
                raise
            return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def make_client(
    base_url: str = "",
    *,
    timeout_s: float = 5.0,
    connect_timeout_s: float | None = None,
    auth: httpx.Auth | None = None,
    max_connections: int = 100,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """One pooled client for one upstream; create it in the lifespan and close it there. Idempotent requests
    survive a stale pooled connection (:class:`RetryStaleConnection`) unless ``transport`` is given."""
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    if transport is None:
        transport = RetryStaleConnection(httpx.AsyncHTTPTransport(limits=limits, trust_env=False))
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s or min(timeout_s, 2.0)),
        limits=limits,
        event_hooks={"request": [_forward_request_id]},
        auth=auth,
        trust_env=False,
        transport=transport,
    )
