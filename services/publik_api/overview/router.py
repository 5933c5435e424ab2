"""HTTP route of /v1/overview: the province overview (public, served from the public-read cache)."""

from __future__ import annotations

from fastapi import Request

from services.common.db import SessionDep
from services.common.routing import ServiceRouter
from services.publik_api.overview import service
from services.publik_api.overview.schemas import Overview
from services.publik_api.state import publik_state

router = ServiceRouter(prefix="/v1", tags=["overview"])


@router.get("/overview", summary="The province overview", operation_id="overview_get")
async def get_overview(request: Request, session: SessionDep) -> Overview:
    """Every unit (by name) with its newest published IKM and mutu, respondents, predikat spread, 20 JP
    compliance, number of published innovations and the time anything about it last changed. Figures are
    exactly as published (suppressed cells null and named), so nothing here points at one person. Cached
    like the feed: `ETag`, 304 on `If-None-Match`, `Cache-Control`, CORS `*`, gzip."""
    settings = publik_state(request.app).settings
    return await service.overview(
        session, min_group_size=settings.min_group_size, policy_version=settings.policy_version
    )
