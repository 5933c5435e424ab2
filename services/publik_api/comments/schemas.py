"""Bodies of the comments and follow-up routes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CommentRead(BaseModel):
    """One citizen comment (masked for unit_admin readers)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1c2d3e4f-5a6b-7c8d-9e0f-1a2b3c4d5e6f",
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "service_id": None,
                    "comment": "Antrean loket panjang; hubungi saya di [disamarkan].",
                    "submitted_at": "2026-04-20T02:00:00Z",
                    "handled_at": None,
                    "handled_by": None,
                    "masked": True,
                }
            ]
        }
    )

    id: uuid.UUID
    unit_id: uuid.UUID
    service_id: uuid.UUID | None
    comment: str
    submitted_at: datetime
    handled_at: datetime | None
    handled_by: str | None
    masked: bool = Field(description="True when personal data (NIK, NIP, e-mail, phone) was masked.")


class CommentPage(BaseModel):
    """A keyset page of comments, newest first."""

    items: list[CommentRead]
    next_cursor: str | None


class FollowUpCreate(BaseModel):
    """A unit's public follow-up statement (tindak lanjut) on a period's survey results."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "period": "2026-S1",
                    "statement": "Loket tambahan dibuka setiap Senin; antrean daring tersedia sejak Juli.",
                }
            ]
        },
    )

    period: str = Field(pattern=r"^\d{4}(-S[12])?$", description="The SKM period the follow-up answers.")
    statement: str = Field(min_length=10, max_length=4000)
