"""Response bodies of /v1/recommendations."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class Recommendation(BaseModel):
    """An open session whose programme answers a gap, and why."""

    session_id: uuid.UUID
    program_id: uuid.UUID
    program_title: str
    institution_name: str
    matched_tags: list[str]
    jp: int
    mode: str
    starts_on: date
    ends_on: date
    enrol_closes_at: datetime
    seats_left: int
    reason: str


class Recommendations(BaseModel):
    """Recommendations for one employee, from their latest finalised evaluation."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nip": "198609262015051001",
                    "based_on": {
                        "period": "2026-Q1",
                        "behavior_gaps": ["KOLABORATIF"],
                        "result_below_expectation": False,
                    },
                    "items": [
                        {
                            "session_id": "9a4e3c1b-7d2f-4e8a-b5c6-1f0e2d3c4b5a",
                            "program_id": "5d0c9c55-3b7f-4c6e-8a58-0d9b8e1f2a33",
                            "program_title": "Pelatihan Kolaborasi dan Kerja Tim Lintas OPD",
                            "institution_name": "BPSDM Provinsi Bengkulu",
                            "matched_tags": ["KOLABORATIF"],
                            "jp": 20,
                            "mode": "KLASIKAL",
                            "starts_on": "2026-08-10",
                            "ends_on": "2026-08-12",
                            "enrol_closes_at": "2026-08-01T00:00:00Z",
                            "seats_left": 18,
                            "reason": "Evaluasi 2026-Q1: perilaku KOLABORATIF di bawah ekspektasi; program ini bertag KOLABORATIF.",
                        }
                    ],
                }
            ]
        }
    )

    nip: str
    based_on: dict[str, object] | None
    items: list[Recommendation]
