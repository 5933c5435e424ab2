"""POST /internal/v1/events: the receiving end of kinerja's and pelatihan's outboxes (never forwarded by the
gateway; callers must hold a service token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, status

from services.common.auth import Principal, Role, require_roles
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.publik_api.ingest import service
from services.publik_api.ingest.schemas import EventEnvelope, IngestResult
from services.publik_api.state import publik_state

router = ServiceRouter(prefix="/internal/v1", tags=["internal"])
ServiceDep = Annotated[Principal, Depends(require_roles(Role.SERVICE))]


@router.post(
    "/events",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Receive an event",
    operation_id="internal_events_receive",
    responses=problem_responses(401, 403, 413, 422),
)
async def receive_event(
    event: EventEnvelope, request: Request, session: SessionDep, _: ServiceDep
) -> IngestResult:
    """Store an event once (idempotent on its id). Figures wait for their period's approval; a new figure set
    for the same unit, period and kind corrects the existing item. Events carrying personal fields (a NIP, a
    name, an individual rating) are refused with 422 and are not retried by the sender."""
    settings = publik_state(request.app).settings
    ctx = service.IngestContext(
        min_group_size=settings.min_group_size,
        policy_version=settings.policy_version,
        signer=publik_state(request.app).snapshot_signer,
    )
    stored = await service.ingest(session, event, ctx)
    return IngestResult(event_id=event.id, status="stored" if stored else "duplicate")
