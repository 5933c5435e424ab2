"""Sending webhooks: the signed POST, and the outbox dispatcher that runs in the gateway's lifespan.

Signatures follow the Standard Webhooks specification (https://www.standardwebhooks.com/):
``webhook-signature: v1,<base64 HMAC-SHA256(key, msg_id + "." + timestamp + "." + body)>``, the key being the
base64-decoded part of the endpoint's secret after ``whsec_``, with ``webhook-timestamp`` (Unix seconds) and
``webhook-id`` (the event id, the same for every retry and replay; signed, so it cannot be swapped). During a
secret rotation the previous secret signs too, space-separated. Endpoints registered before that scheme keep
the legacy one until rotated (``v1=<hex HMAC-SHA256(whole secret, timestamp + "." + body)>``).

2xx is success; anything else, a timeout or a refused connection is retried on the specification's schedule
(``webhook_retry_schedule_s``), then the delivery is FAILED. A target that now resolves to a refused
address, or an endpoint deleted or paused, fails at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.changes import WebhookDelivery
from gateway.config import GatewaySettings
from gateway.state import gateway_state
from gateway.webhooks import repository
from gateway.webhooks.models import (
    DESTINATION,
    WebhookEndpoint,
)
from gateway.webhooks.service import visible_payload
from gateway.webhooks.signing import signature_header
from gateway.webhooks.ssrf import ResolutionFailed, TargetPolicy, TargetRefused, check_target
from services.common import clock
from services.common.outbox import PENDING, OutboxDispatcher, PermanentDeliveryError
from services.common.state import AppState

log = logging.getLogger("asn.webhooks.delivery")

USER_AGENT = "ASN-Bengkulu-Webhooks/1"
# The endpoint of the delivery being sent and its client's scopes, loaded with its batch (one query each per
# batch, and no extra database connection per concurrent delivery).
_batch_endpoint: ContextVar[tuple[WebhookEndpoint | None, frozenset[str]] | None] = ContextVar(
    "_batch_endpoint", default=None
)


def body_of(payload: dict[str, Any]) -> bytes:
    """The JSON body an endpoint receives: the event id, its webhook type, when it happened, and data."""
    event = {
        "id": payload["event_id"],
        "type": payload["type"],
        "occurred_at": payload["occurred_at"],
        "data": payload["data"],
    }
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


class DeliveryFailed(Exception):
    """The receiver did not accept the delivery this time (it will be retried)."""


class WebhookSender:
    """Signs and POSTs one delivery to the address that passed the target check."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        policy: TargetPolicy,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.client = client
        self.policy = policy

    async def __call__(self, envelope: dict[str, Any]) -> None:
        payload: dict[str, Any] = envelope["data"]
        prefetched = _batch_endpoint.get()
        if prefetched is not None:
            endpoint, scopes = prefetched
        else:
            async with self.sessionmaker() as session:
                endpoint = await repository.endpoint_by_id(session, uuid.UUID(payload["endpoint_id"]))
                client = endpoint.client_id if endpoint is not None else None
                found = await repository.client_scopes(session, {client} if client else set())
                scopes = found.get(client or "", frozenset())
        if endpoint is None or not endpoint.active:
            raise PermanentDeliveryError("the endpoint was deleted or paused")
        try:
            target = await check_target(endpoint.url, self.policy)
        except TargetRefused as exc:
            raise PermanentDeliveryError(f"target refused: {exc}") from exc
        except ResolutionFailed as exc:
            raise DeliveryFailed(str(exc)) from exc
        body = body_of(visible_payload(payload, scopes))
        now = clock.real_now()
        timestamp = int(now.timestamp())
        msg_id = str(payload["event_id"])
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Host": target.host_header(),
            "Webhook-Id": msg_id,
            "Webhook-Timestamp": str(timestamp),
            "Webhook-Signature": signature_header(endpoint, msg_id, timestamp, body, now),
        }
        extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
        try:
            resp = await self.client.post(
                target.pinned_url(), content=body, headers=headers, extensions=extensions
            )
        except httpx.TimeoutException as exc:
            raise DeliveryFailed("timed out") from exc
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"connection failed: {type(exc).__name__}") from exc
        if not resp.is_success:
            note = " (redirects are not followed)" if resp.is_redirect else ""
            raise DeliveryFailed(f"HTTP {resp.status_code}{note}")


class WebhookDispatcher(OutboxDispatcher):
    """The outbox dispatcher, delivering a claimed batch concurrently: one slow receiver must not hold up
    every other endpoint's deliveries for its whole timeout in turn. Retries follow a fixed schedule."""

    def __init__(self, *args: Any, retry_schedule_s: Sequence[float], **kwargs: Any) -> None:
        super().__init__(*args, max_attempts=len(retry_schedule_s) + 1, **kwargs)
        self.retry_schedule_s = tuple(retry_schedule_s)

    def backoff(self, attempts: int) -> float:
        """The wait after the ``attempts``-th failed attempt: that entry of the schedule (no jitter: the
        specification's receivers may plan on it, and deliveries are spread by when they first failed)."""
        return self.retry_schedule_s[min(attempts, len(self.retry_schedule_s)) - 1]

    async def run_once(self) -> int:
        model = self.model
        async with self.sessionmaker() as session, session.begin():
            rows = (
                await session.scalars(
                    select(model)
                    .where(model.status == PENDING, model.available_at <= func.now())
                    .order_by(model.available_at, model.created_at)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            endpoints = await repository.endpoints_by_ids(
                session, {row.endpoint_id for row in rows if isinstance(row, WebhookDelivery)}
            )
            scopes = await repository.client_scopes(
                session, {e.client_id for e in endpoints.values() if e.client_id}
            )

            async def deliver(row: Any) -> None:
                endpoint = endpoints.get(row.endpoint_id)
                client = endpoint.client_id if endpoint is not None else None
                _batch_endpoint.set((endpoint, scopes.get(client or "", frozenset())))
                await self._deliver(row)

            await asyncio.gather(*(deliver(row) for row in rows))
            return len(rows)


def policy_of(settings: GatewaySettings) -> TargetPolicy:
    """The target policy the settings ask for."""
    return TargetPolicy(
        allow_http=settings.webhooks_allow_http, allow_private=settings.webhooks_allow_private_targets
    )


def build_webhooks(shared: AppState, settings: GatewaySettings) -> WebhookDispatcher:
    """The sender and the dispatcher (its HTTP client is closed by the lifespan)."""
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.webhook_timeout_s, connect=min(settings.webhook_timeout_s, 3.0)),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
    )
    shared.owned_clients.append(client)
    sender = WebhookSender(shared.sessionmaker, client, policy_of(settings))
    return WebhookDispatcher(
        shared.sessionmaker,
        WebhookDelivery,
        {DESTINATION: sender},
        source="gateway",
        batch_size=20,
        retry_schedule_s=settings.webhook_retry_schedule_s,
        poll_interval_s=settings.outbox_poll_interval_s,
    )


async def start_webhooks(app: FastAPI) -> None:
    """Run the dispatcher unless ``outbox_enabled`` is off."""
    state = gateway_state(app)
    if state.settings.outbox_enabled:
        state.webhook_task = asyncio.create_task(
            state.webhook_dispatcher.run_forever(), name="gateway-webhooks"
        )


async def stop_webhooks(app: FastAPI) -> None:
    """Stop the dispatcher (an attempt in flight is retried later by any replica)."""
    task = gateway_state(app).webhook_task
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
