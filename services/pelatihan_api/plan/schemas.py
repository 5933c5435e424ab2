"""Response body of ``GET /v1/reports/development-plan``."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.common.reports import ReportMeta


class PlannedSession(BaseModel):
    """A session of the year with seats left that answers one of the person's needs."""

    session_id: uuid.UUID
    program_title: str
    starts_on: date
    jp: int
    seats_left: int
    matched_tags: list[str]


class PlanRow(BaseModel):
    """One person of the unit who still needs JP or whose latest evaluation revealed a gap."""

    nip: str
    employment: str
    jp_total: int = Field(description="JP credited in the year.")
    jp_required: int | None = Field(description="20 for PNS; null for PPPK.")
    jp_gap: int = Field(description="JP still missing to 20 (0 for PPPK or when met).")
    evaluation_period: str | None = Field(description="The latest finalised evaluation the gaps come from.")
    behaviour_rating: str | None = Field(description="That evaluation's overall behaviour rating.")
    behavior_gaps: list[str] = Field(description="BerAKHLAK values rated below expectation.")
    result_below_expectation: bool
    needs: list[str] = Field(description="Programme tags that answer the gaps (recommendations' rule).")
    sessions: list[PlannedSession] = Field(
        description="Up to five sessions that would cover them, seats left."
    )


class DevelopmentPlan(ReportMeta):
    """A unit's yearly development plan (PP 11/2017 Pasal 205: needs and a plan of execution)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "generated_at": "2026-04-20T02:00:00Z",
                    "data_as_of": "2026-04-20T02:00:00Z",
                    "year": 2026,
                    "unit_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                    "people_total": 12,
                    "people_needing_jp": 5,
                    "people_with_gaps": 2,
                    "people": [
                        {
                            "nip": "198609262015051001",
                            "employment": "PNS",
                            "jp_total": 8,
                            "jp_required": 20,
                            "jp_gap": 12,
                            "evaluation_period": "2026-Q1",
                            "behaviour_rating": "DI_BAWAH_EKSPEKTASI",
                            "behavior_gaps": ["KOLABORATIF"],
                            "result_below_expectation": False,
                            "needs": ["KOLABORATIF"],
                            "sessions": [
                                {
                                    "session_id": "9a4e3c1b-7d2f-4e8a-b5c6-1f0e2d3c4b5a",
                                    "program_title": "Pelatihan Kolaborasi dan Kerja Tim Lintas OPD",
                                    "starts_on": "2026-08-10",
                                    "jp": 20,
                                    "seats_left": 18,
                                    "matched_tags": ["KOLABORATIF"],
                                }
                            ],
                        }
                    ],
                    "individuals_withheld": False,
                }
            ]
        }
    )

    year: int
    unit_id: uuid.UUID
    people_total: int = Field(description="Active people of the unit (roster).")
    people_needing_jp: int = Field(description="PNS below 20 JP in the year.")
    people_with_gaps: int = Field(description="People whose latest evaluation revealed a gap.")
    people: list[PlanRow] | None = Field(
        description="Who still needs JP or has a gap, by NIP; null when withheld (an integrator without "
        "`pelatihan:individual`)."
    )
    individuals_withheld: bool = False
