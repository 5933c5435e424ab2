"""publik_api app factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from fastapi import FastAPI
from starlette.types import ASGIApp

from services.common.app import ServiceSpec, add_service_client, create_service_app
from services.common.apps import APP_NAMES
from services.common.state import AppState
from services.publik_api import models  # noqa: F401  (registers every table)
from services.publik_api.anchors.keeper import OWN, AnchorKeeper
from services.publik_api.anchors.router import router as anchors_router
from services.publik_api.audit.router import router as audit_router
from services.publik_api.cache.middleware import PublicReadMiddleware
from services.publik_api.cache.store import PublicCache
from services.publik_api.catalogue.router import router as catalogue_router
from services.publik_api.clients.kinerja import KinerjaClient
from services.publik_api.comments.router import router as comments_router
from services.publik_api.config import PublikSettings
from services.publik_api.embed.router import router as embed_router
from services.publik_api.feed.router import router as feed_router
from services.publik_api.ingest.router import router as ingest_router
from services.publik_api.innovations.router import router as innovations_router
from services.publik_api.messages import MESSAGES
from services.publik_api.overview.router import router as overview_router
from services.publik_api.periods.router import router as periods_router
from services.publik_api.publications.router import router as publications_router
from services.publik_api.reports.router import router as reports_router
from services.publik_api.snapshots.router import router as snapshots_router
from services.publik_api.snapshots.service import load_signer
from services.publik_api.state import PublikState, publik_state
from services.publik_api.surveys.limits import build_limiter
from services.publik_api.surveys.refresher import IkmRefresher
from services.publik_api.surveys.router import router as surveys_router
from services.publik_api.units.router import router as units_router

TAGS = [
    {"name": "feed", "description": "Published items: JSON with filters, JSON Feed 1.1, Atom. Cached."},
    {"name": "units", "description": "A unit's scorecard and trends; its SKM service population (admin)."},
    {"name": "overview", "description": "Every unit's newest published figures in one read. Cached."},
    {
        "name": "services",
        "description": "Each unit's catalogue of services (jenis layanan), kept by the admin.",
    },
    {"name": "surveys", "description": "The citizen satisfaction survey (SKM) and the IKM."},
    {"name": "comments", "description": "Citizens' comments (admin, unit_admin) and follow-up statements."},
    {"name": "innovations", "description": "Public-service innovations of the units."},
    {"name": "publications", "description": "Approving a period's publication (admin)."},
    {"name": "snapshots", "description": "Signed, hash-chained snapshots of everything published."},
    {"name": "reports", "description": "Reports for integrators (admin, integrator), JSON or CSV."},
    {"name": "embed", "description": "The embeddable widget and its iframe page."},
    {"name": "audit", "description": "The hash-chained log of every publication change (admin)."},
    {"name": "anchors", "description": "Signed, hash-chained anchors of every app's audit head. Public."},
    {
        "name": "internal",
        "description": "Events from kinerja and pelatihan; the audit head (service token; not forwarded).",
    },
]


# A chart opened on its own runs nothing and loads nothing (it is drawn with inline attributes only).
_SVG_CSP = [(b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'")]


def _frame_ancestors_csp(settings: PublikSettings) -> list[tuple[bytes, bytes]]:
    ancestors = " ".join(settings.embed_frame_ancestors) or "'none'"
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )
    return [(b"content-security-policy", csp.encode())]


def create_app(settings: PublikSettings | None = None) -> FastAPI:
    """Build publik_api; nothing connects until the lifespan starts."""
    settings = settings or PublikSettings()
    tasks: list[asyncio.Task[None]] = []

    async def build_state(app: FastAPI, shared: AppState) -> PublikState:
        signer = await load_signer(
            settings.snapshot_key_pem.get_secret_value() if settings.snapshot_key_pem else None,
            settings.data_dir,
        )
        limiter = build_limiter(settings.redis_url)
        kinerja = KinerjaClient(
            add_service_client(shared, settings.kinerja_url, timeout_s=settings.upstream_timeout_s)
        )
        cache = PublicCache(
            shared.engine,
            max_entries=settings.cache_max_entries,
            poll_interval_s=settings.cache_poll_interval_s,
            max_age_s=settings.cache_max_age_s,
        )
        with contextlib.suppress(Exception):  # the database may not be up yet; the poller keeps trying
            await cache.read_version()
        tasks.append(asyncio.create_task(cache.poll_forever(), name="publik-cache-poll"))
        refresher = IkmRefresher(
            shared.sessionmaker,
            policy_version=settings.policy_version,
            interval_s=settings.ikm_refresh_interval_s,
        )
        tasks.append(asyncio.create_task(refresher.run_forever(), name="publik-ikm-refresh"))
        anchor_sources = {
            app: add_service_client(
                shared, getattr(settings, f"{app}_url"), timeout_s=settings.upstream_timeout_s
            )
            for app in APP_NAMES
            if app != OWN
        }
        keeper = AnchorKeeper(
            shared.sessionmaker, signer, anchor_sources, interval_s=settings.anchor_interval_s
        )
        tasks.append(asyncio.create_task(keeper.run_forever(), name="publik-audit-anchors"))
        return shared.extend(
            PublikState,
            snapshot_signer=signer,
            survey_limiter=limiter,
            kinerja=kinerja,
            ikm_refresher=refresher,
            public_cache=cache,
        )

    async def stop(app: FastAPI) -> None:
        state = publik_state(app)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        tasks.clear()
        with contextlib.suppress(Exception):  # fold in the last surveys taken by this replica
            await state.ikm_refresher.flush()
        state.public_cache = None
        await state.survey_limiter.close()

    spec = ServiceSpec(
        name="publik",
        revocations_client=lambda state: add_service_client(
            state, settings.gateway_url, timeout_s=settings.upstream_timeout_s
        ),
        path_prefix="/publik",
        messages=MESSAGES,
        schema="publik",
        title="publik_api — public transparency feed",
        description=(
            "What has been published about unit performance, training and citizen satisfaction (SKM/IKM): "
            "feeds, scorecards, surveys, the embeddable widget and signed snapshots. Reads need no token."
        ),
        routers=[
            feed_router,
            units_router,
            overview_router,
            catalogue_router,
            surveys_router,
            periods_router,
            comments_router,
            innovations_router,
            publications_router,
            snapshots_router,
            anchors_router,
            reports_router,
            embed_router,
            ingest_router,
            audit_router,
        ],
        build_state=build_state,
        on_shutdown=[stop],
        openapi_tags=TAGS,
        front=[_fast_path({"html": _frame_ancestors_csp(settings), "svg": _SVG_CSP})],
    )
    return create_service_app(settings, spec)


def _fast_path(extra_headers: dict[str, list[tuple[bytes, bytes]]]) -> Callable[[ASGIApp], ASGIApp]:
    """The public-read cache in front of the whole middleware stack (error, telemetry and body-limit
    layers included), so a cached hit costs one dictionary lookup and two ASGI messages. Misses and every
    other request continue through the normal stack unchanged."""

    def layer(stack: ASGIApp) -> ASGIApp:
        return PublicReadMiddleware(stack, extra_headers=extra_headers)

    return layer
