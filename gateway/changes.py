"""Where the gateway records its changes: its audit chain (accounts, API clients, webhook endpoints) and its
outbox, the webhook deliveries (``gateway.webhook`` events, one per endpoint). It keeps no change log."""

from __future__ import annotations

from gateway.audit.models import AuditEntry
from gateway.webhooks.models import WebhookDelivery
from services.common.changes import ChangeSink, chain_lock_key

SINK = ChangeSink(audit=AuditEntry, lock_key=chain_lock_key("gateway"), outbox=WebhookDelivery)
