"""Request and response bodies of the webhook endpoints, and the event envelope the services send."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


class WebhookEventType(StrEnum):
    """The event types an endpoint can subscribe to."""

    EVALUATION_FINALIZED = "evaluation.finalized"
    ENROLMENT_CONFIRMED = "enrolment.confirmed"
    TRAINING_COMPLETED = "training.completed"
    SKP_APPROVED = "skp.approved"
    EMPLOYEE_CHANGED = "employee.changed"


class SigningScheme(StrEnum):
    """How an endpoint's deliveries are signed: per the Standard Webhooks specification, or the legacy
    scheme of endpoints registered before it (until their secret is rotated; it ends 2027-06-30)."""

    STANDARD_WEBHOOKS = "STANDARD_WEBHOOKS"
    LEGACY = "LEGACY"


class DeliveryStatus(StrEnum):
    """Where a delivery stands: waiting (or between retries), accepted by the receiver, or given up."""

    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


def _unique_sorted(values: list[WebhookEventType]) -> list[WebhookEventType]:
    return sorted(set(values))


EventTypes = Annotated[
    list[WebhookEventType],
    AfterValidator(_unique_sorted),
    Field(min_length=1, description="The event types to receive.", examples=[["evaluation.finalized"]]),
]
Url = Annotated[
    str,
    Field(
        min_length=8,
        max_length=2048,
        description="An https URL whose host resolves to public addresses; redirects are not followed.",
        examples=["https://tpp.bengkuluprov.go.id/hooks/asn"],
    ),
]

ClientId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description="The API client (integrator) the endpoint delivers to. Deliveries carry NIPs only when "
        "this client holds the scope of the event's service (`kinerja:individual` for kinerja events, "
        "`pelatihan:individual` for pelatihan events), checked at each send; without a client, never.",
        examples=["bappeda-dashboard"],
    ),
]

_ENDPOINT_EXAMPLE: dict[str, Any] = {
    "id": "4f1c2b9e-8d6a-4e3f-9b7c-2a1d0e5f6c7b",
    "url": "https://tpp.bengkuluprov.go.id/hooks/asn",
    "description": "TPP payroll",
    "event_types": ["evaluation.finalized", "training.completed"],
    "client_id": "bappeda-dashboard",
    "active": True,
    "signing_scheme": "STANDARD_WEBHOOKS",
    "previous_secret_expires_at": None,
    "created_at": "2026-04-01T02:00:00Z",
    "updated_at": "2026-04-01T02:00:00Z",
}
_SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2Wc7cDsrfxY="


class EndpointCreate(BaseModel):
    """A new webhook endpoint."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://tpp.bengkuluprov.go.id/hooks/asn",
                    "event_types": ["evaluation.finalized", "training.completed"],
                    "description": "TPP payroll",
                    "client_id": "bappeda-dashboard",
                }
            ]
        },
    )

    url: Url
    event_types: EventTypes
    description: str | None = Field(default=None, max_length=500)
    client_id: ClientId | None = None


class EndpointUpdate(BaseModel):
    """Changes to an endpoint; fields left out stay as they are. ``active: false`` pauses deliveries."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"active": False}, {"event_types": ["skp.approved"]}]}
    )

    url: Url | None = None
    event_types: EventTypes | None = None
    description: str | None = Field(default=None, max_length=500)
    client_id: ClientId | None = Field(default=None, description="A client to link; `null` unlinks.")
    active: bool | None = None


class EndpointOut(BaseModel):
    """A webhook endpoint (never its secret)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_ENDPOINT_EXAMPLE]})

    id: uuid.UUID
    url: str
    description: str | None = None
    event_types: list[WebhookEventType]
    client_id: str | None = Field(
        default=None,
        description="The API client the endpoint delivers to; its scopes decide whether deliveries carry "
        "NIPs (none without a client).",
    )
    active: bool
    signing_scheme: SigningScheme = Field(
        description="`STANDARD_WEBHOOKS` for endpoints registered or rotated since 2026-12; `LEGACY` until then."
    )
    previous_secret_expires_at: datetime | None = Field(
        default=None, description="After a rotation: until when the previous secret also signs deliveries."
    )
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointOut):
    """A new endpoint with its signing secret, which is shown this once."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{**_ENDPOINT_EXAMPLE, "secret": _SECRET_EXAMPLE}]},
    )

    secret: str = Field(
        description="The Standard Webhooks signing secret (`whsec_` and base64); store it now, it is never "
        "shown again."
    )


class EndpointSecretRotated(BaseModel):
    """An endpoint's new signing secret, shown this once, and until when the previous one also signs."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "4f1c2b9e-8d6a-4e3f-9b7c-2a1d0e5f6c7b",
                    "secret": _SECRET_EXAMPLE,
                    "signing_scheme": "STANDARD_WEBHOOKS",
                    "previous_secret_expires_at": "2026-12-21T02:00:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    secret: str = Field(
        description="The new Standard Webhooks secret (`whsec_` and base64), shown this once."
    )
    signing_scheme: SigningScheme = Field(description="Always `STANDARD_WEBHOOKS` after a rotation.")
    previous_secret_expires_at: datetime = Field(
        description="Until then every delivery carries both signatures; afterwards only the new secret's."
    )


class DeliveryOut(BaseModel):
    """One attempt-tracked delivery of one event to one endpoint."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0c2d4e6f-8a1b-4c3d-9e5f-7a9b1c3d5e7f",
                    "endpoint_id": "4f1c2b9e-8d6a-4e3f-9b7c-2a1d0e5f6c7b",
                    "event_id": "5b6f0e7e-3c1e-4c57-9d0b-1f2e3a4b5c6d",
                    "event_type": "evaluation.finalized",
                    "status": "DELIVERED",
                    "attempts": 3,
                    "created_at": "2026-04-15T03:00:00Z",
                    "next_attempt_at": "2026-04-15T03:00:09Z",
                    "delivered_at": "2026-04-15T03:00:09Z",
                    "last_error": None,
                    "replay_of": None,
                }
            ]
        },
    )

    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID = Field(description="Sent as `Webhook-Id`; the same for retries and replays.")
    event_type: WebhookEventType
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime = Field(description="When a PENDING delivery is tried next.")
    delivered_at: datetime | None = None
    last_error: str | None = Field(
        default=None, description="Why the last attempt failed (HTTP status, timeout)."
    )
    replay_of: uuid.UUID | None = Field(default=None, description="The delivery this replay repeats.")


class ReplayRequest(BaseModel):
    """Which of an endpoint's past deliveries to send again: those after a cursor of
    ``GET /webhooks/deliveries?endpoint_id=`` (exactly what that list shows after it), or those created at or
    after a time. Replays are not replayed again."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"since": "2026-04-15T00:00:00Z"}, {"from_cursor": "WyIyMDI2LTA0..."}]
        },
    )

    from_cursor: str | None = Field(default=None, max_length=512)
    since: datetime | None = None
    limit: int = Field(default=500, ge=1, le=1000, description="At most this many deliveries per call.")

    @model_validator(mode="after")
    def _one_start(self) -> ReplayRequest:
        if (self.from_cursor is None) == (self.since is None):
            raise ValueError("give exactly one of from_cursor and since")
        return self


class ReplayResult(BaseModel):
    """How many deliveries were queued again, and where to continue when there were more than ``limit``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"queued": 12, "next_cursor": None}]})

    queued: int
    next_cursor: str | None = Field(default=None, description="Replay again from here for the rest.")


class EventEnvelope(BaseModel):
    """An event from a service's outbox (docs/events.md)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "5b6f0e7e-3c1e-4c57-9d0b-1f2e3a4b5c6d",
                    "type": "kinerja.evaluation_finalized",
                    "source": "kinerja",
                    "occurred_at": "2026-04-15T03:00:00Z",
                    "data": {
                        "evaluation_id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
                        "nip": "198609262015051001",
                        "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                        "period": "2026-Q1",
                        "status": "FINAL",
                    },
                }
            ]
        },
    )

    id: uuid.UUID
    type: str = Field(min_length=1, max_length=80)
    version: int = Field(
        default=1,
        ge=1,
        description="The payload's version (docs/events.md); a version not known here gets 422.",
    )
    source: str = Field(min_length=1, max_length=40)
    occurred_at: datetime
    data: dict[str, Any]


class IngestResult(BaseModel):
    """What became of a received event."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"event_id": "5b6f0e7e-3c1e-4c57-9d0b-1f2e3a4b5c6d", "status": "stored", "deliveries": 2}
            ]
        }
    )

    event_id: uuid.UUID
    status: Literal["stored", "duplicate"]
    deliveries: int = Field(description="Deliveries queued (one per active endpoint subscribed to the type).")
