"""What the gateway sends (``destination: webhook``): one delivery of one event to one integrator endpoint.

Unlike the services' events it is not POSTed as an envelope to another service: the webhook dispatcher
signs the payload and POSTs it to the endpoint's URL (docs/integrators.md "Webhooks"). Its outbox row
carries the endpoint and the event id as columns too, so :meth:`WebhookQueued.outbox_rows` writes them.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from pydantic import Field

from services.common.changes.events import Catalogue, Event


class WebhookQueued(Event):
    """One event for one endpoint: the body the endpoint receives (its `type` is the public webhook type,
    e.g. `evaluation.finalized`; the mapping from the services' types is in docs/integrators.md)."""

    event_type: ClassVar[str] = "gateway.webhook"
    destinations: ClassVar[tuple[str, ...]] = ("webhook",)

    event_id: uuid.UUID = Field(description="The service event's id (the same on every replay).")
    type: str = Field(description="The webhook event type.")
    occurred_at: str = Field(description="When the service recorded the event (ISO 8601, UTC).")
    data: dict[str, Any] = Field(description="The fields integrators may see (ids and states).")
    endpoint_id: uuid.UUID = Field(description="The endpoint the delivery goes to.")
    replay_of: uuid.UUID | None = Field(
        default=None, exclude=True, description="The delivery a replay repeats (a column, not sent)."
    )

    def outbox_rows(self) -> list[dict[str, Any]]:
        """One ``webhook_delivery`` row, typed by the webhook type, with its endpoint and event ids."""
        return [
            {
                "destination": "webhook",
                "event_type": self.type,
                "version": self.version,
                "payload": self.payload(),
                "endpoint_id": self.endpoint_id,
                "event_id": self.event_id,
                "replay_of": self.replay_of,
            }
        ]


GATEWAY_EVENTS = Catalogue("gateway", [WebhookQueued])
