"""pelatihan_api app factory."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.common.app import Periodic, ServiceSpec, add_service_client, create_service_app
from services.common.outbox import Transport, http_transport
from services.common.state import AppState
from services.pelatihan_api import models  # noqa: F401  (registers every table)
from services.pelatihan_api.audit.router import router as audit_router
from services.pelatihan_api.certificates.router import router as certificates_router
from services.pelatihan_api.completion.router import router as completion_router
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.enrolments.router import router as enrolments_router
from services.pelatihan_api.ingest.router import router as ingest_router
from services.pelatihan_api.institutions.router import router as institutions_router
from services.pelatihan_api.ledger.compaction import compact as compact_jp_deltas
from services.pelatihan_api.ledger.router import router as ledger_router
from services.pelatihan_api.messages import MESSAGES
from services.pelatihan_api.models.outbox import OutboxEvent
from services.pelatihan_api.outside.router import router as outside_router
from services.pelatihan_api.programs.router import router as programs_router
from services.pelatihan_api.recommendations.router import router as recommendations_router
from services.pelatihan_api.reports.router import router as reports_router
from services.pelatihan_api.sessions.delete_router import router as sessions_delete_router
from services.pelatihan_api.sessions.router import router as sessions_router
from services.pelatihan_api.state import PelatihanState, pelatihan_state
from services.pelatihan_api.sync.router import router as sync_router


def _transports(app: FastAPI) -> dict[str, Transport]:
    state = pelatihan_state(app)
    return {
        "publik": http_transport(state.publik_client, "/internal/v1/events"),
        # Webhook-worthy events (docs/integrators.md); the gateway fans them out to subscribers.
        "gateway": http_transport(state.gateway_client, "/internal/v1/events"),
    }


def _gateway_client(state: AppState) -> httpx.AsyncClient:
    """The pooled client to the gateway (revoked subjects are read through it)."""
    assert isinstance(state, PelatihanState)
    return state.gateway_client


async def _build_state(app: FastAPI, shared: AppState) -> PelatihanState:
    settings = shared.settings
    assert isinstance(settings, PelatihanSettings)
    return shared.extend(
        PelatihanState,
        kinerja_client=add_service_client(
            shared, settings.kinerja_url, timeout_s=settings.upstream_timeout_s
        ),
        publik_client=add_service_client(shared, settings.publik_url, timeout_s=settings.upstream_timeout_s),
        gateway_client=add_service_client(
            shared, settings.gateway_url, timeout_s=settings.upstream_timeout_s
        ),
    )


def create_app(settings: PelatihanSettings | None = None) -> FastAPI:
    """Build pelatihan_api; nothing connects until the lifespan starts."""
    settings = settings or PelatihanSettings()
    spec = ServiceSpec(
        name="pelatihan",
        revocations_client=_gateway_client,
        path_prefix="/pelatihan",
        messages=MESSAGES,
        schema="pelatihan",
        title="pelatihan_api — training with partner institutions",
        description=(
            "Partner institutions, programmes, sessions, enrolment with waitlists, attendance, completion, "
            "certificates and the 20 JP ledger."
        ),
        routers=[
            institutions_router,
            programs_router,
            sessions_router,
            sessions_delete_router,
            enrolments_router,
            completion_router,
            certificates_router,
            ledger_router,
            outside_router,
            reports_router,
            sync_router,
            recommendations_router,
            ingest_router,
            audit_router,
        ],
        openapi_tags=[
            {
                "name": "institutions",
                "description": "Partner institutions (universities, LAN, BPSDM, others).",
            },
            {"name": "programs", "description": "Programmes: competency, tags, JP and mode."},
            {"name": "sessions", "description": "Sessions (angkatan) with capacity, window and eligibility."},
            {
                "name": "enrolments",
                "description": "Requests, supervisor approval, waitlist and cancellation.",
            },
            {"name": "completion", "description": "Attendance, results and feedback."},
            {"name": "certificates", "description": "Public verification and revocation."},
            {"name": "ledger", "description": "The 20 JP ledger."},
            {"name": "reports", "description": "Reports for integrators, JSON or CSV."},
            {"name": "sync", "description": "The change log for incremental sync (admin, integrator)."},
            {"name": "recommendations", "description": "Training that answers evaluation gaps."},
            {"name": "audit", "description": "The hash-chained log of every change (admin, training admin)."},
            {"name": "internal", "description": "Events from kinerja (service tokens only)."},
            {
                "name": "outside-learning",
                "description": "Learning done elsewhere: claims, their verification, and the JP caps.",
            },
        ],
        outbox_model=OutboxEvent,
        outbox_transports=_transports,
        build_state=_build_state,
        periodic=[Periodic("jp-compaction", compact_jp_deltas, settings.jp_compaction_interval_s)],
    )
    return create_service_app(settings, spec)
