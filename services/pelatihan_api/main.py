"""pelatihan_api app factory."""

from __future__ import annotations

from fastapi import FastAPI

from services.common.app import ServiceSpec, add_service_client, create_service_app
from services.common.outbox import Transport, http_transport
from services.pelatihan_api import models  # noqa: F401  (registers every table)
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.events import OutboxEvent


def _transports(app: FastAPI) -> dict[str, Transport]:
    return {"publik": http_transport(app.state.publik_client, "/internal/v1/events")}


async def _startup(app: FastAPI) -> None:
    settings: PelatihanSettings = app.state.settings
    app.state.kinerja_client = add_service_client(
        app, settings.kinerja_url, timeout_s=settings.upstream_timeout_s
    )
    app.state.publik_client = add_service_client(
        app, settings.publik_url, timeout_s=settings.upstream_timeout_s
    )


def create_app(settings: PelatihanSettings | None = None) -> FastAPI:
    """Build pelatihan_api; nothing connects until the lifespan starts."""
    settings = settings or PelatihanSettings()
    spec = ServiceSpec(
        name="pelatihan",
        schema="pelatihan",
        title="pelatihan_api — training with partner institutions",
        description=(
            "Partner institutions, programmes, sessions, enrolment with waitlists, attendance, completion, "
            "certificates and the 20 JP ledger."
        ),
        routers=[],
        outbox_model=OutboxEvent,
        outbox_transports=_transports,
        on_startup=[_startup],
    )
    return create_service_app(settings, spec)
