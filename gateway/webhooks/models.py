"""Webhook endpoints and the inbox of events received from the services. Their deliveries (the gateway's
outbox, destination ``webhook``) are ``gateway.changes.WebhookDelivery``, beside the sink that writes them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, Boolean, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base
from services.common.outbox import InboxMixin

DESTINATION = "webhook"
# How an endpoint's deliveries are signed (docs/integrators.md, "Verifying a delivery"):
# STANDARD_WEBHOOKS is the Standard Webhooks specification (`v1,<base64 HMAC-SHA256>` over
# `msg_id.timestamp.body`, keyed with the base64-decoded secret after `whsec_`); LEGACY is the scheme of
# endpoints registered before it (`v1=<hex HMAC-SHA256>` over `timestamp.body`, keyed with the whole secret
# string), kept until an admin rotates the endpoint's secret, and at the latest until 2027-06-30.
LEGACY = "LEGACY"
STANDARD_WEBHOOKS = "STANDARD_WEBHOOKS"


class WebhookEndpoint(Base):
    """An integrator's HTTPS endpoint and the event types it receives."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(500))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    # Kept as is, not hashed: every delivery is signed with it (HMAC needs the secret itself). Only the
    # gateway's database role can read this schema, and no endpoint returns it after creation.
    secret: Mapped[str] = mapped_column(String(128))
    # The database default is LEGACY, not the new scheme: a replica still running the code from before the
    # change (during a rolling deployment) inserts endpoints with a legacy secret and no scheme, and those
    # must be signed the way that code promised. New code always sets the scheme.
    signing_scheme: Mapped[str] = mapped_column(String(20), server_default=LEGACY)
    # After a rotation, the secret it replaced (and its scheme) also signs until previous_secret_expires_at.
    previous_secret: Mapped[str | None] = mapped_column(String(128))
    previous_signing_scheme: Mapped[str | None] = mapped_column(String(20))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # The API client (integrator) the endpoint delivers to: its scopes decide whether deliveries carry NIPs
    # (``kinerja:individual`` / ``pelatihan:individual``, checked at each send). No client: no NIPs.
    client_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("gateway.api_client.client_id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class InboxEvent(InboxMixin, Base):
    """Event ids received from the services (processing is effectively once)."""


__all__ = ["DESTINATION", "LEGACY", "STANDARD_WEBHOOKS", "InboxEvent", "WebhookEndpoint"]
