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
    "held": [],
}


class HeldItem(BaseModel):
    """An item the disclosure rules hold back: a correction that waits, or figures withheld."""

    item_id: uuid.UUID
    kind: str
    unit_id: uuid.UUID
    waiting: bool = Field(description="True: a correction waits and is not public; false: published reduced.")
    reasons: list[str] = Field(description="Why, first line a summary, then each figure it would give away.")


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
    pending_items: int = Field(description="Items not public yet, including corrections that wait.")
    held: list[HeldItem] = Field(default_factory=list)
