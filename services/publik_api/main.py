"""publik_api app factory."""

from __future__ import annotations

from fastapi import FastAPI

from services.common.app import ServiceSpec, create_service_app
from services.publik_api import models  # noqa: F401  (registers every table)
from services.publik_api.config import PublikSettings


def create_app(settings: PublikSettings | None = None) -> FastAPI:
    """Build publik_api; nothing connects until the lifespan starts."""
    settings = settings or PublikSettings()
    spec = ServiceSpec(
        name="publik",
        schema="publik",
        title="publik_api — public transparency feed",
        description=(
            "What has been published about unit performance, training and citizen satisfaction (SKM/IKM): "
            "feeds, scorecards, surveys, the embeddable widget and signed snapshots. Reads need no token."
        ),
        routers=[],
    )
    return create_service_app(settings, spec)
