"""Where the gateway records its changes: its audit chain (accounts, API clients, webhook endpoints) and its
outbox, the webhook deliveries (``gateway.webhook`` events, one per endpoint). It keeps no change log.

The outbox model lives here, beside the sink, as the services' ``events.py`` keep theirs: the webhooks
package writes through ``SINK``, so the sink must not import that package back.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.audit.models import AuditEntry
from gateway.db import Base
from services.common.changes import ChangeSink, chain_lock_key
from services.common.outbox import OutboxMixin


class WebhookDelivery(OutboxMixin, Base):
    """One event for one endpoint. ``payload`` holds the endpoint id, the event id, type, time and data; the
    dispatcher signs and POSTs it, retrying with backoff, then marks it FAILED."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index(
            "ix_webhook_delivery_due",
            "available_at",
            "created_at",
            postgresql_where=text("status = 'PENDING'"),
        ),
        Index("ix_webhook_delivery_endpoint", "endpoint_id", "created_at", "id"),
        Index("ix_webhook_delivery_listing", "created_at", "id"),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column()
    # Set on a re-delivery asked for by a replay: the delivery it repeats.
    replay_of: Mapped[uuid.UUID | None] = mapped_column()


SINK = ChangeSink(audit=AuditEntry, lock_key=chain_lock_key("gateway"), outbox=WebhookDelivery)
