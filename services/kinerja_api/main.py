"""kinerja_api app factory."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.common.app import ServiceSpec, add_service_client, create_service_app
from services.common.outbox import Transport, http_transport
from services.common.state import AppState
from services.kinerja_api import models  # noqa: F401  (registers every table)
from services.kinerja_api.audit.router import router as audit_router
from services.kinerja_api.calendar.router import router as calendar_router
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.credit.router import router as credit_router
from services.kinerja_api.documents.router import router as documents_router
from services.kinerja_api.employees.delegations_router import router as delegations_router
from services.kinerja_api.employees.router import router as employees_router
from services.kinerja_api.evaluations.parts_router import router as evaluation_parts_router
from services.kinerja_api.evaluations.router import router as evaluations_router
from services.kinerja_api.events import OutboxEvent
from services.kinerja_api.followup.router import router as followup_router
from services.kinerja_api.messages import MESSAGES
from services.kinerja_api.publication.router import router as publication_router
from services.kinerja_api.reports.router import router as reports_router
from services.kinerja_api.skp.router import realizations_router
from services.kinerja_api.skp.router import router as skp_router
from services.kinerja_api.state import KinerjaState, kinerja_state
from services.kinerja_api.sync.router import router as changes_router
from services.kinerja_api.tasks.router import router as tasks_router
from services.kinerja_api.units.router import router as units_router


def _transports(app: FastAPI) -> dict[str, Transport]:
    state = kinerja_state(app)
    return {
        "publik": http_transport(state.publik_client, "/internal/v1/events"),
        "pelatihan": http_transport(state.pelatihan_client, "/internal/v1/events"),
        # Webhook-worthy events (docs/integrators.md); the gateway fans them out to subscribers.
        "gateway": http_transport(state.gateway_client, "/internal/v1/events"),
    }


def _gateway_client(state: AppState) -> httpx.AsyncClient:
    """The pooled client to the gateway (revoked subjects are read through it)."""
    assert isinstance(state, KinerjaState)
    return state.gateway_client


async def _build_state(app: FastAPI, shared: AppState) -> KinerjaState:
    settings = shared.settings
    assert isinstance(settings, KinerjaSettings)
    return shared.extend(
        KinerjaState,
        publik_client=add_service_client(shared, settings.publik_url, timeout_s=settings.upstream_timeout_s),
        gateway_client=add_service_client(
            shared, settings.gateway_url, timeout_s=settings.upstream_timeout_s
        ),
        pelatihan_client=add_service_client(
            shared, settings.pelatihan_url, timeout_s=settings.upstream_timeout_s
        ),
    )


def create_app(settings: KinerjaSettings | None = None) -> FastAPI:
    """Build kinerja_api; nothing connects until the lifespan starts."""
    settings = settings or KinerjaSettings()
    spec = ServiceSpec(
        name="kinerja",
        revocations_client=_gateway_client,
        path_prefix="/kinerja",
        messages=MESSAGES,
        schema="kinerja",
        title="kinerja_api — ASN registry, SKP and evaluations",
        description=(
            "Org units, employees and the reporting line, SKP plans, realisation reports, periodic and annual "
            "evaluations (PermenPANRB 6/2022), predikat and evaluation reports."
        ),
        routers=[
            units_router,
            employees_router,
            delegations_router,
            skp_router,
            realizations_router,
            audit_router,
            evaluations_router,
            evaluation_parts_router,
            reports_router,
            followup_router,
            credit_router,
            documents_router,
            calendar_router,
            tasks_router,
            publication_router,
            changes_router,
        ],
        openapi_tags=[
            {"name": "units", "description": "Org units (OPD) and their hierarchy."},
            {"name": "employees", "description": "Employees (ASN), the CSV import and the reporting line."},
            {"name": "skp", "description": "SKP plans, their results (RHK) and realisation reports."},
            {
                "name": "evaluations",
                "description": "Periodic and annual evaluations, objections and predikat.",
            },
            {"name": "calendar", "description": "The deadlines of each period."},
            {"name": "tasks", "description": "What is waiting for the caller."},
            {"name": "reports", "description": "Reports for integrators, JSON or CSV."},
            {"name": "publication", "description": "Publishing a unit's aggregate to publik (admin)."},
            {"name": "audit", "description": "The hash-chained audit log (admin)."},
            {"name": "sync", "description": "The change log for incremental sync (admin, integrator)."},
            {
                "name": "credit-points",
                "description": "Angka kredit of functional positions (JF), and the unit report.",
            },
            {
                "name": "follow-up",
                "description": "Follow-up flags from the ratings, per employee and per unit (admin).",
            },
            {
                "name": "documents",
                "description": "The signed evaluation document (PDF) and the public check of its code.",
            },
            {"name": "internal", "description": "Service-to-service reads (service tokens only)."},
        ],
        outbox_model=OutboxEvent,
        outbox_transports=_transports,
        build_state=_build_state,
    )
    return create_service_app(settings, spec)
