"""Bodies of the public feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

KINDS = ("UNIT_PERFORMANCE", "TRAINING_STATS", "IKM", "INOVASI")

FEED_ITEM_EXAMPLE: dict[str, Any] = {
    "id": "7d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
    "kind": "UNIT_PERFORMANCE",
    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
    "unit_name": "Badan Kepegawaian Daerah",
    "period": "2026-Q1",
    "published_at": "2026-04-20T02:00:00Z",
    "updated_at": "2026-04-20T02:00:00Z",
    "version": 1,
    "data": {
        "headcount": 40,
        "evaluated": 38,
        "counts": {"SANGAT_BAIK": 6, "BAIK": 25, "BUTUH_PERBAIKAN": 5, "KURANG": None, "SANGAT_KURANG": None},
    },
    "suppressed": ["counts.KURANG", "counts.SANGAT_KURANG"],
    "policy_version": "2026.1",
    "data_as_of": "2026-04-15T03:00:00Z",
}


class FeedItem(BaseModel):
    """One published item. Suppressed figures are null in `data` and listed in `suppressed`."""

    model_config = ConfigDict(json_schema_extra={"examples": [FEED_ITEM_EXAMPLE]})

    id: uuid.UUID
    kind: str = Field(description="UNIT_PERFORMANCE, TRAINING_STATS, IKM or INOVASI.")
    unit_id: uuid.UUID
    unit_name: str
    period: str
    published_at: datetime
    updated_at: datetime
    version: int = Field(description="Bumped by each correction; earlier versions are kept.")
    data: dict[str, Any]
    suppressed: list[str]
    policy_version: str
    data_as_of: datetime | None
