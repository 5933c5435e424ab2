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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit": {
                        "id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                        "code": "BKD",
                        "name": "Badan Kepegawaian Daerah",
                        "parent_id": None,
                        "service_population": 5000,
                    },
                    "year": 2026,
                    "performance": [
                        {
                            "id": "7d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
                            "kind": "UNIT_PERFORMANCE",
                            "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                            "unit_name": "Badan Kepegawaian Daerah",
                            "period": "2026-Q1",
                            "version": 1,
                            "policy_version": "2026.1",
                            "data": {
                                "headcount": 40,
                                "evaluated": 38,
                                "counts": {
                                    "SANGAT_BAIK": 6,
                                    "BAIK": 25,
                                    "BUTUH_PERBAIKAN": 5,
                                    "KURANG": None,
                                    "SANGAT_KURANG": None,
                                },
                            },
                            "suppressed": ["counts.KURANG", "counts.SANGAT_KURANG"],
                            "data_as_of": "2026-04-15T03:00:00Z",
                            "published_at": "2026-04-20T02:00:00Z",
                            "updated_at": "2026-04-20T02:00:00Z",
                        }
                    ],
                    "training": None,
                    "ikm": {
                        "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                        "unit_name": "Badan Kepegawaian Daerah",
                        "year": 2026,
                        "respondents": 120,
                        "ikm": 82.41,
                        "mutu": "B",
                        "kinerja": "BAIK",
                        "per_unsur": [{"unsur": 1, "name": "Persyaratan", "nrr": 3.3, "ikm": 82.5}],
                        "service_population": 5000,
                        "min_sample": 357,
                        "sample_sufficient": False,
                        "data_as_of": "2026-04-20T02:00:00Z",
                    },
                    "innovations": [],
                    "min_group_size": 5,
                    "policy_version": "2026.1",
                    "data_as_of": "2026-04-20T02:00:00Z",
                }
            ]
        }
    )

    unit: UnitRead
    year: int
    performance: list[FeedItem] = Field(description="UNIT_PERFORMANCE items of the year, by period.")
    training: FeedItem | None = Field(description="The TRAINING_STATS item of the year.")
    ikm: IkmRead
    innovations: list[FeedItem]
    follow_ups: list[FeedItem] = Field(
        default_factory=list, description="The unit's newest follow-up statements (tindak lanjut) on the SKM."
    )
    min_group_size: int = Field(description="Figures from fewer people are suppressed.")
    policy_version: str
    data_as_of: datetime | None = Field(description="The newest `data_as_of` of the figures shown.")
