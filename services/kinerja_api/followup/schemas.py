"""Bodies of the follow-up flags (admin only)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.common.reports import ReportMeta
from services.kinerja_api.tables.employee_enums import Employment
from services.kinerja_api.tables.evaluation_enums import Predikat


class ContractYear(BaseModel):
    """A calendar year a PPPK's contract overlaps, with its FINAL annual predikat (null when none yet)."""

    year: int
    predikat: Predikat | None


class FollowUp(BaseModel):
    """The follow-up flags of one employee's annual result (PermenPANRB 6/2022 stage 4)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nip": "199001012023212001",
                    "name": "Siti Rahmawati",
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "year": 2026,
                    "employment": "PPPK",
                    "predikat": "SANGAT_BAIK",
                    "previous_predikat": "SANGAT_BAIK",
                    "reward_candidate": True,
                    "development_plan_required": False,
                    "contract_start": "2024-03-01",
                    "contract_end": "2029-02-28",
                    "contract_years": [{"year": 2024, "predikat": "BAIK"}, {"year": 2025, "predikat": None}],
                }
            ]
        }
    )

    nip: str
    name: str
    unit_id: uuid.UUID
    year: int
    employment: Employment
    predikat: Predikat | None = Field(description="The FINAL annual predikat of the year; null when none.")
    previous_predikat: Predikat | None = Field(description="The FINAL annual predikat of the year before.")
    reward_candidate: bool = Field(description="Sangat Baik this year and the year before.")
    development_plan_required: bool = Field(description="Butuh Perbaikan or lower this year.")
    contract_start: date | None = Field(description="PPPK only.")
    contract_end: date | None = Field(description="PPPK only.")
    contract_years: list[ContractYear] = Field(
        description="PPPK only: every calendar year the contract overlaps with its annual predikat, the "
        "performance input to the contract's renewal (PP 49/2018 Pasal 37)."
    )


class FollowUpReport(ReportMeta):
    """A keyset page (NIP order) of the follow-up flags of a unit's (or the province's) active employees."""

    year: int
    unit_id: uuid.UUID | None
    items: list[FollowUp]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= to get the next page.")
