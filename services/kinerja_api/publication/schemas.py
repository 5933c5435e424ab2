"""Bodies of /v1/publication."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict


class PublicationQueued(BaseModel):
    """The aggregate put in the outbox for publik (sent by the dispatcher, not in this request)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "event_id": "5b6f0e7e-3c1e-4c57-9d0b-1f2e3a4b5c6d",
                    "revision": 1,
                    "data": {
                        "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                        "unit_name": "Badan Kepegawaian Daerah",
                        "period": "2026-Q1",
                        "headcount": 12,
                        "evaluated": 12,
                        "counts": {
                            "SANGAT_BAIK": 2,
                            "BAIK": 8,
                            "BUTUH_PERBAIKAN": 1,
                            "KURANG": 1,
                            "SANGAT_KURANG": 0,
                        },
                        "compliance": {"skp_approved": 12, "realization_reported": 11, "evaluated": 12},
                        "policy_version": "PermenPANRB-6/2022+SE-3/2023",
                        "data_as_of": "2026-04-15T03:00:00Z",
                    },
                }
            ]
        }
    )

    event_id: uuid.UUID
    revision: int
    data: dict[str, Any]
