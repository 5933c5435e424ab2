"""The gateway's running state: the shared parts, the edge (upstreams, rate limits, client usage), the
signing keys, webhook delivery and the report clients."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gateway.config import GatewaySettings
from services.common.auth import TokenVerifier
from services.common.ratelimit import Limiter
from services.common.state import AppState, app_state

if TYPE_CHECKING:  # the modules below read the state themselves
    from gateway.identity.keys import KeyRing
    from gateway.identity.passwords import ClientSecrets
    from gateway.identity.revocations import GatewayRevocations
    from gateway.identity.snapshot_keys import SnapshotKeys
    from gateway.identity.usage import ClientUsage
    from gateway.reports.catalogue import CatalogueCache
    from gateway.reports.clients import ReportClients
    from gateway.upstreams import Upstreams
    from gateway.webhooks.delivery import WebhookDispatcher


@dataclass(kw_only=True)
class GatewayEdge:
    """What the edge middleware (rate limits, proxy) reads; a test may bind just this to a bare app."""

    settings: GatewaySettings
    limiter: Limiter
    upstreams: Upstreams
    verifier: TokenVerifier | None = None
    client_usage: ClientUsage | None = None


@dataclass(kw_only=True)
class GatewayState(AppState, GatewayEdge):
    """Built by the lifespan (gateway/main.py)."""

    settings: GatewaySettings
    keyring: KeyRing
    snapshot_keys: SnapshotKeys
    report_clients: ReportClients
    client_secrets: ClientSecrets
    webhook_dispatcher: WebhookDispatcher
    webhook_task: asyncio.Task[None] | None = None
    # Subjects' "not before" times, read from the database (gateway/identity/revocations.py).
    revocations: GatewayRevocations | None = None
    # Built on the first catalogue request (gateway/reports/router.py).
    report_catalogue: CatalogueCache | None = None

    def upstream_names(self) -> Collection[str]:
        return self.upstreams.names


def gateway_state(app: Any) -> GatewayState:
    """The running gateway's state."""
    return app_state(app, GatewayState)


def gateway_edge(app: Any) -> GatewayEdge:
    """The edge's part of the gateway's state (the whole state on the real gateway)."""
    return app_state(app, GatewayEdge)
