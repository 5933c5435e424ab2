"""Queries on webhook endpoints and deliveries. Flushes, never commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, DateTime, String, any_, column, delete, literal, select, table, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.changes import WebhookDelivery
from gateway.webhooks.models import WebhookEndpoint

# The API clients as the webhooks read them (their scopes), without importing gateway.identity: identity
# records its changes through gateway.changes, which holds the webhook outbox.
_api_client = table(
    "api_client",
    column("client_id", String(64)),
    column("scopes", ARRAY(String(64))),
    column("revoked_at", DateTime(timezone=True)),
    schema="gateway",
)


async def client_scopes(session: AsyncSession, client_ids: set[str]) -> dict[str, frozenset[str]]:
    """The scopes of these API clients, by client id; a revoked or unknown client is left out."""
    if not client_ids:
        return {}
    rows = await session.execute(
        select(_api_client.c.client_id, _api_client.c.scopes).where(
            _api_client.c.client_id.in_(client_ids), _api_client.c.revoked_at.is_(None)
        )
    )
    return {r.client_id: frozenset(r.scopes or ()) for r in rows}


async def add(session: AsyncSession, row: WebhookEndpoint) -> None:
    """Insert an endpoint and load its database defaults."""
    session.add(row)
    await session.flush()
    await session.refresh(row)


async def endpoint_by_id(
    session: AsyncSession, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> WebhookEndpoint | None:
    """The endpoint with this id, if any (locked for the transaction with ``for_update``)."""
    return await session.get(WebhookEndpoint, endpoint_id, with_for_update=for_update)


async def endpoints_by_ids(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, WebhookEndpoint]:
    """The endpoints with these ids that still exist, by id."""
    if not ids:
        return {}
    rows = await session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id.in_(ids)))
    return {e.id: e for e in rows}


async def list_endpoints(
    session: AsyncSession, *, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[WebhookEndpoint]:
    """Up to ``limit`` endpoints, oldest first, after the given (created_at, id) (keyset)."""
    query = select(WebhookEndpoint).order_by(WebhookEndpoint.created_at, WebhookEndpoint.id).limit(limit)
    if after is not None:
        query = query.where(tuple_(WebhookEndpoint.created_at, WebhookEndpoint.id) > tuple_(*after))
    return list(await session.scalars(query))


async def delete_endpoint(session: AsyncSession, endpoint_id: uuid.UUID) -> bool:
    """Delete an endpoint (its deliveries go with it); False when there was none."""
    result = await session.execute(
        delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).returning(WebhookEndpoint.id)
    )
    return result.first() is not None


async def subscribed_endpoints(session: AsyncSession, event_type: str) -> list[WebhookEndpoint]:
    """The active endpoints that receive ``event_type``."""
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.active.is_(True), literal(event_type) == any_(WebhookEndpoint.event_types)
    )
    return list(await session.scalars(query.order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)))


async def list_deliveries(
    session: AsyncSession,
    *,
    endpoint_id: uuid.UUID | None,
    status: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    since: datetime | None = None,
    originals_only: bool = False,
    limit: int,
) -> list[WebhookDelivery]:
    """Up to ``limit`` deliveries, oldest first, after (created_at, id); filtered as asked."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.created_at, WebhookDelivery.id).limit(limit)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if after is not None:
        query = query.where(tuple_(WebhookDelivery.created_at, WebhookDelivery.id) > tuple_(*after))
    if since is not None:
        query = query.where(WebhookDelivery.created_at >= since)
    if originals_only:
        query = query.where(WebhookDelivery.replay_of.is_(None))
    return list(await session.scalars(query))
