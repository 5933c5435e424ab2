"""Webhook rules: endpoint administration, turning the services' events into deliveries, replays.

The one place that maps the services' event types to webhook event types is ``EVENT_MAP``: each entry
names the webhook type and the ``data`` fields an integrator may see. Fields not listed are dropped, so a
service that sends more (a rating, a name) cannot leak it to integrators by accident.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.changes import SINK, WebhookDelivery
from gateway.webhooks import repository
from gateway.webhooks.models import (
    STANDARD_WEBHOOKS,
    InboxEvent,
    WebhookEndpoint,
)
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
    SigningScheme,
    WebhookEventType,
)
from gateway.webhooks.signing import new_secret
from gateway.webhooks.ssrf import ResolutionFailed, TargetPolicy, TargetRefused, check_target
from services.common import clock
from services.common.changes import record_change
from services.common.changes.catalogue import KINERJA_EVENTS, PELATIHAN_EVENTS
from services.common.changes.catalogue.gateway import WebhookQueued
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.i18n import message_of, msg
from services.common.outbox import receive_once
from services.common.pagination import Page, decode_cursor, encode_cursor, page_of

log = logging.getLogger("asn.webhooks")


@dataclass(frozen=True, slots=True)
class EventMapping:
    """How one service event type becomes a webhook event: its type and the data fields passed on."""

    webhook_type: WebhookEventType
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


# Service event type (the envelope's ``type``) -> webhook event. Payloads carry ids and status, never a
# rating, a predikat of a person, a score or a name: integrators fetch details through the API, where
# their role decides what they may read.
EVENT_MAP: dict[str, EventMapping] = {
    "kinerja.evaluation_finalized": EventMapping(
        WebhookEventType.EVALUATION_FINALIZED, ("evaluation_id", "nip", "period", "status"), ("unit_id",)
    ),
    "kinerja.skp_approved": EventMapping(
        WebhookEventType.SKP_APPROVED, ("skp_id", "nip", "year", "status"), ("unit_id",)
    ),
    "kinerja.employee": EventMapping(
        WebhookEventType.EMPLOYEE_CHANGED, ("nip", "active"), ("unit_id", "position_type", "employment")
    ),
    "pelatihan.enrolment_confirmed": EventMapping(
        WebhookEventType.ENROLMENT_CONFIRMED, ("enrolment_id", "session_id", "nip", "status"), ("program_id",)
    ),
    "pelatihan.training_completed": EventMapping(
        WebhookEventType.TRAINING_COMPLETED,
        ("enrolment_id", "session_id", "nip", "status"),
        ("program_id", "jp", "certificate_number", "completed_on"),
    ),
}


# The fields of a webhook ``data`` that name a person. They reach an endpoint only when its API client holds
# the ``<service>:individual`` scope of the event's service (issue 14 finding 4: "any answer that carries a
# person's NIP or name needs a scope"), checked at each send, so a scope withdrawn later also stops retries
# and replays from carrying them.
PERSONAL_FIELDS = frozenset({"nip", "name"})
SCOPE_OF_TYPE: dict[str, str] = {
    mapping.webhook_type.value: f"{source.split('.', 1)[0]}:individual"
    for source, mapping in EVENT_MAP.items()
}


def visible_payload(payload: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
    """``payload`` as an endpoint whose client holds ``scopes`` may receive it: without the scope of its
    event type, the personal fields are dropped from ``data``."""
    if SCOPE_OF_TYPE.get(payload["type"]) in scopes:
        return payload
    data = {k: v for k, v in payload["data"].items() if k not in PERSONAL_FIELDS}
    return {**payload, "data": data}


# The service event types and versions the gateway knows; any other version is refused (422).
RECEIVES = KINERJA_EVENTS + PELATIHAN_EVENTS


def project(event: EventEnvelope) -> tuple[WebhookEventType, dict[str, Any]]:
    """The webhook type and the data integrators may see, or 422 for an unknown type or missing fields."""
    mapping = EVENT_MAP.get(event.type)
    if mapping is None:
        raise InvalidInput(
            msg("No webhook event is made from {type!r}.", type=event.type),
            errors=[{"loc": ["body", "type"], "msg": "unknown event type"}],
        )
    RECEIVES.model(event.type, event.version)
    missing = [f for f in mapping.required if event.data.get(f) is None]
    if missing:
        raise InvalidInput(
            msg("{type} needs the data fields {missing}.", type=event.type, missing=", ".join(missing)),
            errors=[{"loc": ["body", "data", f], "msg": "field required"} for f in missing],
        )
    fields = (*mapping.required, *mapping.optional)
    return mapping.webhook_type, {f: event.data[f] for f in fields if f in event.data}


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


async def ingest(session: AsyncSession, event: EventEnvelope) -> IngestResult:
    """Record an event once and queue one delivery per active endpoint subscribed to its webhook type, in
    the caller's transaction. A repeated event id changes nothing."""
    webhook_type, data = project(event)
    first = await receive_once(
        session, InboxEvent, event_id=event.id, source=event.source, event_type=event.type
    )
    if not first:
        return IngestResult(event_id=event.id, status="duplicate", deliveries=0)
    endpoints = await repository.subscribed_endpoints(session, webhook_type.value)
    payload: dict[str, Any] = {
        "event_id": event.id,
        "type": webhook_type.value,
        "occurred_at": _iso(event.occurred_at),
        "data": data,
    }
    if endpoints:
        # The sending service is the actor; the audit entry names the endpoints the event went to.
        await record_change(
            session,
            SINK,
            actor=event.source,
            action="webhook.fan_out",
            entity="event",
            entity_id=str(event.id),
            after={"type": webhook_type.value, "endpoints": [str(e.id) for e in endpoints]},
            events=[WebhookQueued(**payload, endpoint_id=e.id) for e in endpoints],
        )
    log.info("event received", extra={"event_type": event.type, "deliveries": len(endpoints)})
    return IngestResult(event_id=event.id, status="stored", deliveries=len(endpoints))


# ---------------------------------------------------------------------------------------------- endpoints


async def _checked_url(url: str, policy: TargetPolicy) -> str:
    try:
        await check_target(url, policy)
    except (TargetRefused, ResolutionFailed) as exc:
        raise InvalidInput(message_of(exc), errors=[{"loc": ["body", "url"], "msg": str(exc)}]) from exc
    return url.strip()


def endpoint_state(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint as the audit log keeps it: what ``GET /webhooks/endpoints/{id}`` shows, never its secret."""
    return EndpointOut.model_validate(endpoint).model_dump(mode="json")


async def _checked_client(session: AsyncSession, client_id: str | None) -> str | None:
    if client_id is not None and client_id not in await repository.client_scopes(session, {client_id}):
        raise InvalidInput(
            msg("No active API client {client_id}.", client_id=client_id),
            errors=[{"loc": ["body", "client_id"], "msg": "unknown or revoked client"}],
        )
    return client_id


async def create_endpoint(
    session: AsyncSession, body: EndpointCreate, policy: TargetPolicy, *, actor: str
) -> EndpointCreated:
    """Register an endpoint after checking its URL and client; the signing secret is returned this once."""
    endpoint = WebhookEndpoint(
        url=await _checked_url(body.url, policy),
        description=body.description,
        client_id=await _checked_client(session, body.client_id),
        event_types=[t.value for t in body.event_types],
        secret=new_secret(),
        signing_scheme=STANDARD_WEBHOOKS,
        active=True,
    )
    await repository.add(session, endpoint)
    await record_change(
        session,
        SINK,
        actor=actor,
        action="webhook_endpoint.create",
        entity="webhook_endpoint",
        entity_id=str(endpoint.id),
        after=endpoint_state(endpoint),
    )
    log.info("webhook endpoint created", extra={"endpoint_id": str(endpoint.id)})
    return EndpointCreated.model_validate(endpoint)


async def _existing(session: AsyncSession, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = await repository.endpoint_by_id(session, endpoint_id)
    if endpoint is None:
        raise NotFound(msg("No webhook endpoint {endpoint_id}.", endpoint_id=endpoint_id))
    return endpoint


async def get_endpoint(session: AsyncSession, endpoint_id: uuid.UUID) -> EndpointOut:
    """One endpoint."""
    return EndpointOut.model_validate(await _existing(session, endpoint_id))


def _keyset(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    values = decode_cursor(cursor, 2)
    if values is None:
        return None
    try:
        return datetime.fromisoformat(str(values[0])), uuid.UUID(str(values[1]))
    except ValueError as exc:
        raise InvalidInput(
            msg("cursor is not valid"), errors=[{"loc": ["query", "cursor"], "msg": "bad cursor"}]
        ) from exc


async def list_endpoints(session: AsyncSession, *, cursor: str | None, limit: int) -> Page[EndpointOut]:
    """One page of endpoints, oldest first."""
    rows = await repository.list_endpoints(session, after=_keyset(cursor), limit=limit + 1)
    page, next_cursor = page_of(rows, limit, lambda e: [e.created_at.isoformat(), str(e.id)])
    return Page(items=[EndpointOut.model_validate(e) for e in page], next_cursor=next_cursor)


async def update_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, body: EndpointUpdate, policy: TargetPolicy, *, actor: str
) -> EndpointOut:
    """Change an endpoint's URL (checked again), event types, description or whether it is active."""
    endpoint = await _existing(session, endpoint_id)
    before = endpoint_state(endpoint)
    if body.url is not None:
        endpoint.url = await _checked_url(body.url, policy)
    if body.event_types is not None:
        endpoint.event_types = [t.value for t in body.event_types]
    if "description" in body.model_fields_set:
        endpoint.description = body.description
    if "client_id" in body.model_fields_set:
        endpoint.client_id = await _checked_client(session, body.client_id)
    if body.active is not None:
        endpoint.active = body.active
    await session.flush()
    await session.refresh(endpoint)
    await record_change(
        session,
        SINK,
        actor=actor,
        action="webhook_endpoint.update",
        entity="webhook_endpoint",
        entity_id=str(endpoint_id),
        before=before,
        after=endpoint_state(endpoint),
    )
    log.info("webhook endpoint updated", extra={"endpoint_id": str(endpoint_id)})
    return EndpointOut.model_validate(endpoint)


async def rotate_secret(
    session: AsyncSession,
    endpoint_id: uuid.UUID,
    *,
    actor: str,
    overlap_s: int,
    now: datetime | None = None,
) -> EndpointSecretRotated:
    """Give the endpoint a new Standard Webhooks secret (returned this once) and sign its deliveries per the
    specification from now on. The secret it replaces, in its own scheme (a legacy endpoint's stays legacy),
    also signs every delivery for ``overlap_s`` seconds so the receiver can switch without losing one; a
    secret from an earlier rotation stops at once."""
    endpoint = await repository.endpoint_by_id(session, endpoint_id, for_update=True)
    if endpoint is None:
        raise NotFound(msg("No webhook endpoint {endpoint_id}.", endpoint_id=endpoint_id))
    now = now or clock.real_now()
    before = endpoint_state(endpoint)
    endpoint.previous_secret, endpoint.previous_signing_scheme = endpoint.secret, endpoint.signing_scheme
    endpoint.previous_secret_expires_at = now + timedelta(seconds=overlap_s)
    endpoint.secret, endpoint.signing_scheme = new_secret(), STANDARD_WEBHOOKS
    await session.flush()
    await session.refresh(endpoint)  # updated_at is set by the database
    # Who rotated and when, the new scheme and the overlap; never a secret (endpoint_state leaves it out).
    await record_change(
        session,
        SINK,
        actor=actor,
        action="webhook_endpoint.rotate_secret",
        entity="webhook_endpoint",
        entity_id=str(endpoint.id),
        before=before,
        after=endpoint_state(endpoint),
    )
    return EndpointSecretRotated(
        id=endpoint.id,
        secret=endpoint.secret,
        signing_scheme=SigningScheme.STANDARD_WEBHOOKS,
        previous_secret_expires_at=endpoint.previous_secret_expires_at,
    )


async def delete_endpoint(session: AsyncSession, endpoint_id: uuid.UUID, *, actor: str) -> None:
    """Delete an endpoint and its delivery history; deliveries not yet sent are dropped."""
    before = endpoint_state(await _existing(session, endpoint_id))
    if not await repository.delete_endpoint(session, endpoint_id):
        raise NotFound(msg("No webhook endpoint {endpoint_id}.", endpoint_id=endpoint_id))
    await record_change(
        session,
        SINK,
        actor=actor,
        action="webhook_endpoint.delete",
        entity="webhook_endpoint",
        entity_id=str(endpoint_id),
        before=before,
    )
    log.info("webhook endpoint deleted", extra={"endpoint_id": str(endpoint_id)})


# ---------------------------------------------------------------------------------------------- deliveries


def _delivery_out(row: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        endpoint_id=row.endpoint_id,
        event_id=row.event_id,
        event_type=WebhookEventType(row.event_type),
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.available_at,
        delivered_at=row.delivered_at,
        last_error=row.last_error,
        replay_of=row.replay_of,
    )


def _delivery_key(row: WebhookDelivery) -> list[str]:
    return [row.created_at.isoformat(), str(row.id)]


async def list_deliveries(
    session: AsyncSession,
    *,
    endpoint_id: uuid.UUID | None,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
) -> Page[DeliveryOut]:
    """One page of deliveries, oldest first (filter by endpoint and status)."""
    rows = await repository.list_deliveries(
        session,
        endpoint_id=endpoint_id,
        status=status.value if status else None,
        after=_keyset(cursor),
        limit=limit + 1,
    )
    page, next_cursor = page_of(rows, limit, _delivery_key)
    return Page(items=[_delivery_out(r) for r in page], next_cursor=next_cursor)


async def replay(
    session: AsyncSession, endpoint_id: uuid.UUID, body: ReplayRequest, *, actor: str
) -> ReplayResult:
    """Queue again (as new deliveries, same event ids) the endpoint's original deliveries after a cursor of
    the delivery list or since a time, whatever became of them. 409 when the endpoint is paused."""
    endpoint = await _existing(session, endpoint_id)
    if not endpoint.active:
        raise Conflict(msg("The endpoint is paused; activate it before replaying."))
    if body.from_cursor is not None:
        try:
            after = _keyset(body.from_cursor)
        except InvalidInput as exc:
            raise InvalidInput(
                msg("from_cursor is not valid"),
                errors=[{"loc": ["body", "from_cursor"], "msg": "bad cursor"}],
            ) from exc
    else:
        after = None
    rows = await repository.list_deliveries(
        session,
        endpoint_id=endpoint_id,
        status=None,
        after=after,
        since=body.since,
        originals_only=True,
        limit=body.limit + 1,
    )
    page, _ = page_of(rows, body.limit, _delivery_key)
    await record_change(
        session,
        SINK,
        actor=actor,
        action="webhook_endpoint.replay",
        entity="webhook_endpoint",
        entity_id=str(endpoint.id),
        after={"replayed": [str(r.id) for r in page]},
        events=[
            WebhookQueued.model_validate({**r.payload, "endpoint_id": endpoint.id, "replay_of": r.id})
            for r in page
        ],
    )
    # The continuation is a cursor over the originals; it reads the same in the delivery list.
    next_cursor = encode_cursor(_delivery_key(page[-1])) if len(rows) > body.limit else None
    log.info("webhook replay queued", extra={"endpoint_id": str(endpoint_id), "deliveries": len(page)})
    return ReplayResult(queued=len(page), next_cursor=next_cursor)
