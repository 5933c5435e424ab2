"""Gateway app factory: identity routes, the merged OpenAPI, and the edge (CORS, rate limits, proxy)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware

from gateway import models  # noqa: F401  (registers every table)
from gateway.audit.router import router as audit_router
from gateway.config import GatewaySettings
from gateway.cors import CorsMiddleware
from gateway.identity.keys import load_client_secret_key, load_keyring
from gateway.identity.passwords import ClientSecrets, HashGate
from gateway.identity.revocations import GatewayRevocations
from gateway.identity.revocations import internal_router as revocations_internal_router
from gateway.identity.revocations import router as revocations_router
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
from gateway.reports.clients import ReportClients
from gateway.reports.router import router as reports_router
from gateway.state import GatewayState, gateway_state
from gateway.upstreams import Upstreams
from gateway.webhooks.delivery import build_webhooks, start_webhooks, stop_webhooks
from gateway.webhooks.router import internal_router as webhooks_internal_router
from gateway.webhooks.router import router as webhooks_router
from services.common.app import ServiceSpec, create_service_app
from services.common.auth import NotBefore
from services.common.state import AppState


async def _build_state(app: FastAPI, shared: AppState) -> GatewayState:
    settings = shared.settings
    assert isinstance(settings, GatewaySettings)
    keyring = load_keyring(settings)
    not_before = NotBefore()
    shared.verifier = keyring.verifier(not_before)
    revocations = GatewayRevocations(
        shared.sessionmaker,
        not_before,
        max_token_ttl_s=max(settings.access_token_ttl_s, settings.client_token_ttl_s),
        interval_s=settings.revocations_refresh_s,
    )
    await revocations.start()
    limiter = build_limiter(settings)
    upstreams = Upstreams(settings)
    await upstreams.start()
    snapshot_keys = SnapshotKeys(shared.jwks_client)
    usage = ClientUsage(shared.sessionmaker, interval_s=settings.client_usage_flush_interval_s)
    usage.start()
    return shared.extend(
        GatewayState,
        keyring=keyring,
        limiter=limiter,
        upstreams=upstreams,
        snapshot_keys=snapshot_keys,
        client_usage=usage,
        revocations=revocations,
        webhook_dispatcher=build_webhooks(shared, settings),
        report_clients=ReportClients(upstreams, settings),
        client_secrets=ClientSecrets(
            load_client_secret_key(settings),
            HashGate(settings.password_hash_concurrency, settings.password_hash_queue),
        ),
    )


async def _shutdown(app: FastAPI) -> None:
    state = gateway_state(app)
    assert state.client_usage is not None
    await state.client_usage.close()
    if state.revocations is not None:
        await state.revocations.close()
    await state.upstreams.close()
    await state.limiter.close()


async def _readiness(app: FastAPI) -> tuple[dict[str, object], str]:
    facts, verdict = await gateway_state(app).upstreams.readiness()
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
        routers=[
            identity_router,
            revocations_router,
            revocations_internal_router,
            webhooks_router,
            webhooks_internal_router,
            reports_router,
            audit_router,
        ],
        build_state=_build_state,
        on_startup=[start_webhooks],
        on_shutdown=[report_clients.stop, stop_webhooks, _shutdown],
        readiness_extra=_readiness,
        openapi_schemas=[GrantType],
        messages=MESSAGES,
        openapi_tags=[
            {"name": "identity", "description": "Accounts, API clients, tokens and keys."},
            {"name": "webhooks", "description": "Signed event deliveries to integrators' endpoints."},
            {"name": "reports", "description": "The report catalogue and the composed unit scorecard."},
            {"name": "audit", "description": "The hash-chained log of identity and webhook changes (admin)."},
        ],
        # Inside the shared edge layer: Edge -> CORS -> rate limit -> public cache -> proxy -> routes.
        middleware=[
            Middleware(CorsMiddleware, allowed_origins=settings.cors_origins),
            Middleware(RateLimitMiddleware),
            Middleware(PublicCacheMiddleware, ttl_s=settings.public_cache_ttl_s),
            Middleware(
                ProxyMiddleware,
                body_timeout_s=settings.body_read_timeout_s,
                bodies_per_client=settings.max_uploads_per_client,
            ),
        ],
    )
    app = create_service_app(settings, spec)
    install_merged_openapi(app)
    return app
