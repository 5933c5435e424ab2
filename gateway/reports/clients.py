"""One long-lived pooled ``httpx.AsyncClient`` per upstream for the reports the gateway composes, created in
the lifespan. Each call goes to a healthy instance picked by ``gateway.upstreams`` (the proxy's own view of
health), with explicit timeouts; the request id is forwarded by the client's hook and the caller's token
is passed by the caller (the services verify it again)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from gateway.config import GatewaySettings
from gateway.state import gateway_state
from gateway.upstreams import Upstreams
from services.common.http import make_client


class UpstreamUnavailable(Exception):
    """No healthy instance, a refused connection, a timeout or a 5xx: the part is missing."""

    def __init__(self, service: str, status: int, detail: str) -> None:
        super().__init__(detail)
        self.service, self.status, self.detail = service, status, detail


class ReportClients:
    """The pooled clients, keyed by upstream name."""

    def __init__(self, upstreams: Upstreams, settings: GatewaySettings) -> None:
        self.upstreams = upstreams
        self.clients = {
            name: make_client(
                timeout_s=settings.upstream_read_timeout_s,
                connect_timeout_s=settings.upstream_connect_timeout_s,
                max_connections=16,
            )
            for name in upstreams.names
        }

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def get(
        self, service: str, path: str, params: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        """GET ``path`` on a healthy instance of ``service``; 4xx answers are returned, the rest raise."""
        instance = self.upstreams.pick(service)
        client = self.clients.get(service)
        if instance is None or client is None:
            raise UpstreamUnavailable(service, 503, f"{service} has no healthy instance")
        try:
            resp = await client.get(instance.url + path, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise UpstreamUnavailable(service, 504, f"{service} did not answer in time") from exc
        except httpx.ConnectError as exc:
            self.upstreams.eject(instance, "connection refused (reports)")
            raise UpstreamUnavailable(service, 503, f"{service} refused the connection") from exc
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(service, 502, f"{service} failed: {type(exc).__name__}") from exc
        if resp.status_code >= 500:
            status = resp.status_code if resp.status_code in (503, 504) else 502
            raise UpstreamUnavailable(service, status, f"{service} answered {resp.status_code}")
        return resp


async def stop(app: FastAPI) -> None:
    """Lifespan hook: close the pools."""
    await gateway_state(app).report_clients.aclose()
