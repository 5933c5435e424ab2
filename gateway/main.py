"""Gateway app factory: identity routes, the merged OpenAPI, and the edge (CORS, rate limits, proxy)."""

from __future__ import annotations

from fastapi import FastAPI

from gateway import models  # noqa: F401  (registers every table)
from gateway.config import GatewaySettings
from gateway.cors import CorsMiddleware
from gateway.identity.keys import load_keyring
from gateway.identity.router import router as identity_router
from gateway.identity.schemas import GrantType
from gateway.identity.snapshot_keys import SnapshotKeys
from gateway.identity.usage import ClientUsage
from gateway.messages import MESSAGES
from gateway.openapi import install_merged_openapi
from gateway.proxy import ProxyMiddleware
from gateway.public_cache import PublicCacheMiddleware
from gateway.ratelimit import RateLimitMiddleware, build_limiter
from gateway.reports import clients as report_clients
from gateway.reports.router import router as reports_router
from gateway.upstreams import Upstreams
from gateway.webhooks.delivery import start_webhooks, stop_webhooks
from gateway.webhooks.router import internal_router as webhooks_internal_router
from gateway.webhooks.router import router as webhooks_router
from services.common.app import ServiceSpec, create_service_app
from services.common.middleware import EdgeMiddleware


async def _startup(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings
    keyring = load_keyring(settings)
    app.state.keyring = keyring
    app.state.verifier = keyring.verifier()
    app.state.limiter = build_limiter(settings)
    upstreams = Upstreams(settings)
    await upstreams.start()
    app.state.upstreams = upstreams
    app.state.snapshot_keys = SnapshotKeys(app.state.jwks_client)
    usage = ClientUsage(app.state.sessionmaker, interval_s=settings.client_usage_flush_interval_s)
    usage.start()
    app.state.client_usage = usage


async def _shutdown(app: FastAPI) -> None:
    await app.state.client_usage.close()
    await app.state.upstreams.close()
    await app.state.limiter.close()


async def _readiness(app: FastAPI) -> tuple[dict[str, object], str]:
    facts, verdict = await app.state.upstreams.readiness()
    return facts, verdict


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """Build the gateway; nothing connects until the lifespan starts."""
    settings = settings or GatewaySettings()
    spec = ServiceSpec(
        name="gateway",
        schema="gateway",
        title="ASN Bengkulu API",
        description=(
            "The single public entry point of the ASN performance system of Provinsi Bengkulu. "
            "`/kinerja/v1/...`, `/pelatihan/v1/...` and `/publik/v1/...` are forwarded to the services; "
            "`/auth/token` issues RS256 access tokens verified with `/.well-known/jwks.json`."
        ),
        routers=[identity_router, webhooks_router, webhooks_internal_router, reports_router],
        on_startup=[_startup, start_webhooks, report_clients.start],
        on_shutdown=[report_clients.stop, stop_webhooks, _shutdown],
        readiness_extra=_readiness,
        openapi_schemas=[GrantType],
        messages=MESSAGES,
        openapi_tags=[
            {"name": "identity", "description": "Accounts, API clients, tokens and keys."},
            {"name": "webhooks", "description": "Signed event deliveries to integrators' endpoints."},
            {"name": "reports", "description": "The report catalogue and the composed unit scorecard."},
        ],
    )
    app = create_service_app(settings, spec)
    # Starlette runs the last-added middleware first: Edge -> CORS -> rate limit -> public cache -> proxy -> routes.
    app.user_middleware.clear()
    app.add_middleware(ProxyMiddleware)
    app.add_middleware(PublicCacheMiddleware, ttl_s=settings.public_cache_ttl_s)
    app.add_middleware(RateLimitMiddleware)
    app.add_middleware(CorsMiddleware, allowed_origins=settings.cors_origins)
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes, catalogue=MESSAGES)
    install_merged_openapi(app)
    return app
