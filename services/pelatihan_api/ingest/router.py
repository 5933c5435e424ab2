"""``POST /internal/v1/events``: kinerja's outbox delivers here (role ``service``; never forwarded by the gateway)."""

from __future__ import annotations

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.pelatihan_api.deps import ServiceDep
from services.pelatihan_api.ingest import service
from services.pelatihan_api.ingest.schemas import EventAck, EventEnvelope

router = ServiceRouter(prefix="/internal/v1", tags=["internal"])


@router.post(
    "/events",
    summary="Receive an event",
    operation_id="internal_events_receive",
    responses=problem_responses(401, 403, 422),
)
async def receive_event(event: EventEnvelope, session: SessionDep, _: ServiceDep) -> EventAck:
    """Apply `kinerja.employee` (the roster) or `kinerja.development_needs` (recommendations). Idempotent on
    the event id: a redelivered event answers 200 `duplicate` and changes nothing. 422 tells the sender not
    to retry."""
    applied = await service.receive(session, event)
    return EventAck(id=event.id, status="applied" if applied else "duplicate")
