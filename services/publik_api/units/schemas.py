"""Bodies of /v1/units (publik's public view of a unit)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.publik_api.feed.schemas import FeedItem
from services.publik_api.surveys.schemas import IkmRead


class UnitRead(BaseModel):
    """A unit as publik knows it."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "code": "DUKCAPIL",
                    "name": "Dinas Kependudukan dan Pencatatan Sipil",
                    "parent_id": None,
                    "service_population": 5000,
                }
            ]
        },
    )

    id: uuid.UUID
    code: str | None
    name: str
    parent_id: uuid.UUID | None
    service_population: int | None


class Scorecard(BaseModel):
    """A unit's public scorecard for a year: performance distribution per period, training, IKM, innovations."""

    unit: UnitRead
    year: int
    performance: list[FeedItem] = Field(description="UNIT_PERFORMANCE items of the year, by period.")
    training: FeedItem | None = Field(description="The TRAINING_STATS item of the year.")
    ikm: IkmRead
    innovations: list[FeedItem]
    min_group_size: int = Field(description="Figures from fewer people are suppressed.")
    policy_version: str
    data_as_of: datetime | None = Field(description="The newest `data_as_of` of the figures shown.")
