"""Webhook endpoints (admin), their deliveries and replays, and ``POST /internal/v1/events`` where the
services' outboxes hand events to the gateway (role ``service``; the gateway's own route, never a
forwarded one: the proxy only forwards ``/kinerja/``, ``/pelatihan/`` and ``/publik/``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response, status

from gateway.state import gateway_state
from gateway.webhooks import service
from gateway.webhooks.delivery import policy_of
from gateway.webhooks.schemas import (
    DeliveryOut,
    DeliveryStatus,
    EndpointCreate,
    EndpointCreated,
    EndpointOut,
    EndpointSecretRotated,
    EndpointUpdate,
    EventEnvelope,
    IngestResult,
    ReplayRequest,
    ReplayResult,
)
from services.common.auth import AdminDep, Principal, Role, require_roles
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page
from services.common.routing import ServiceRouter

router = ServiceRouter(prefix="/webhooks", tags=["webhooks"])
internal_router = ServiceRouter(prefix="/internal/v1", tags=["internal"])

ServiceDep = Annotated[Principal, Depends(require_roles(Role.SERVICE))]
EndpointIdPath = Annotated[uuid.UUID, Path(description="The endpoint's id.")]


def _wake(request: Request) -> None:
    gateway_state(request.app).webhook_dispatcher.wake()


@router.post(
    "/endpoints",
    operation_id="create_webhook_endpoint",
    summary="Register a webhook endpoint",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
)
async def create_endpoint(
    body: EndpointCreate, request: Request, session: SessionDep, admin: AdminDep
) -> EndpointCreated:
    """Register an https URL to receive the given event types (admin only). The URL's host must resolve to
    public addresses. The response carries the endpoint's signing `secret`, shown this once."""
    return await service.create_endpoint(
        session, body, policy_of(gateway_state(request.app).settings), actor=admin.subject
    )


@router.get(
    "/endpoints",
    operation_id="list_webhook_endpoints",
    summary="List webhook endpoints",
    responses=problem_responses(401, 403, 422),
)
async def list_endpoints(
    session: SessionDep, _admin: AdminDep, limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None
) -> Page[EndpointOut]:
    """Webhook endpoints, oldest first (admin only); pass `next_cursor` as `cursor` for the next page."""
    return await service.list_endpoints(session, cursor=cursor, limit=limit)


@router.get(
    "/endpoints/{endpoint_id}",
    operation_id="get_webhook_endpoint",
    summary="Show a webhook endpoint",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_endpoint(endpoint_id: EndpointIdPath, session: SessionDep, _admin: AdminDep) -> EndpointOut:
    """One webhook endpoint (admin only; never its secret)."""
    return await service.get_endpoint(session, endpoint_id)


@router.patch(
    "/endpoints/{endpoint_id}",
    operation_id="update_webhook_endpoint",
    summary="Change a webhook endpoint",
    responses=problem_responses(401, 403, 404, 422),
)
async def update_endpoint(
    endpoint_id: EndpointIdPath,
    body: EndpointUpdate,
    request: Request,
    session: SessionDep,
    admin: AdminDep,
) -> EndpointOut:
    """Change an endpoint's URL (checked again), event types or description, or pause it with
    `active: false` (admin only). Deliveries of a paused endpoint fail instead of being sent."""
    return await service.update_endpoint(
        session, endpoint_id, body, policy_of(gateway_state(request.app).settings), actor=admin.subject
    )


@router.post(
    "/endpoints/{endpoint_id}/rotate-secret",
    operation_id="rotate_webhook_secret",
    summary="Rotate a webhook endpoint's signing secret",
    responses={
        200: {"description": "The new secret, shown this once"},
        **problem_responses(401, 403, 404, 422),
    },
)
async def rotate_secret(
    endpoint_id: EndpointIdPath, request: Request, response: Response, session: SessionDep, admin: AdminDep
) -> EndpointSecretRotated:
    """Give the endpoint a new signing secret, returned this once, and sign its deliveries per the Standard
    Webhooks specification from now on (this is how an endpoint registered before that scheme moves to it).
    Until `previous_secret_expires_at` (the gateway's `webhook_secret_overlap_s`, 24 hours by default) the
    previous secret signs every delivery too, so the receiver can deploy the new one without losing a
    delivery; rotating again ends that overlap at once (admin only)."""
    settings = gateway_state(request.app).settings
    response.headers["Cache-Control"] = "no-store"
    return await service.rotate_secret(
        session, endpoint_id, actor=admin.subject, overlap_s=settings.webhook_secret_overlap_s
    )


@router.delete(
    "/endpoints/{endpoint_id}",
    operation_id="delete_webhook_endpoint",
    summary="Delete a webhook endpoint",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_endpoint(endpoint_id: EndpointIdPath, session: SessionDep, admin: AdminDep) -> None:
    """Delete an endpoint with its delivery history (admin only); deliveries not yet sent are dropped."""
    await service.delete_endpoint(session, endpoint_id, actor=admin.subject)


@router.post(
    "/endpoints/{endpoint_id}/replay",
    operation_id="replay_webhook_deliveries",
    summary="Deliver past events again",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def replay(
    endpoint_id: EndpointIdPath,
    body: ReplayRequest,
    request: Request,
    session: SessionDep,
    admin: AdminDep,
) -> ReplayResult:
    """Queue again the endpoint's deliveries after `from_cursor` (a cursor of
    `GET /webhooks/deliveries?endpoint_id=`) or created at or after `since`, up to `limit` per call
    (admin only). Each is a new delivery with the same `Webhook-Id` (event id), signed afresh."""
    result = await service.replay(session, endpoint_id, body, actor=admin.subject)
    _wake(request)
    return result


@router.get(
    "/deliveries",
    operation_id="list_webhook_deliveries",
    summary="List webhook deliveries",
    responses=problem_responses(401, 403, 422),
)
async def list_deliveries(
    session: SessionDep,
    _admin: AdminDep,
    endpoint_id: Annotated[uuid.UUID | None, Query(description="Only this endpoint's deliveries.")] = None,
    delivery_status: Annotated[
        DeliveryStatus | None, Query(alias="status", description="Only deliveries in this state.")
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[DeliveryOut]:
    """Deliveries, oldest first, with their state, attempts and last error (admin only). A `next_cursor`
    from this list (filtered by `endpoint_id`) is also a starting point for a replay."""
    return await service.list_deliveries(
        session, endpoint_id=endpoint_id, status=delivery_status, cursor=cursor, limit=limit
    )


@internal_router.post(
    "/events",
    # Not part of the public contract: only our services call it (docs/integrators.md, "Event sources").
    include_in_schema=False,
    operation_id="internal_events_receive",
    summary="Receive an event from a service",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 413, 422),
)
async def receive_event(
    event: EventEnvelope, request: Request, session: SessionDep, _service: ServiceDep
) -> IngestResult:
    """The services' outboxes deliver here (role `service` only). Each event is stored once (idempotent on
    its id) and queues one signed delivery per active endpoint subscribed to its webhook type, in the same
    transaction. Unknown event types and events missing required data fields are refused with 422 (the
    sender marks them FAILED and does not retry)."""
    result = await service.ingest(session, event)
    if result.deliveries:
        _wake(request)
    return result
