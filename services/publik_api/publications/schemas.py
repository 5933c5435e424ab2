"""Bodies of /v1/publications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PUBLICATION_EXAMPLE: dict[str, Any] = {
    "id": "6a1d2c9e-0a3b-4c5d-8e9f-0a1b2c3d4e5f",
    "period": "2026-Q1",
    "status": "PENDING",
    "created_at": "2026-04-15T03:00:00Z",
    "approved_at": None,
    "approved_by": None,
    "items": 12,
    "pending_items": 12,
}


class PublicationRead(BaseModel):
    """A period's publication and how many of its items still wait for approval."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [PUBLICATION_EXAMPLE]})

    id: uuid.UUID
    period: str
    status: str = Field(description="`PENDING` (something waits for approval) or `APPROVED`.")
    created_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    items: int
    pending_items: int
