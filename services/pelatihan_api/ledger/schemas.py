"""Response bodies of the JP ledger and the compliance report."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.common.reports import ReportMeta


class JpEntryRead(BaseModel):
    """One credited training."""

    model_config = ConfigDict(from_attributes=True)

    program_title: str
    mode: str
    jp: int
    completed_on: date
    certificate_number: str | None = None


class ContractYear(BaseModel):
    """One year of a PPPK's contract that overlaps the requested calendar year, and its JP."""

    starts_on: date
    ends_on: date
    jp_total: int = Field(description="JP credited with a date inside this contract year.")
    jp_ceiling: int = Field(description="At most 24 JP per contract year (PP 49/2018 Pasal 40(1)).")
    above_ceiling: bool = Field(description="jp_total > jp_ceiling: flagged for the training admin.")


class JpLedger(BaseModel):
    """An employee's JP for one year."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nip": "198609262015051001",
                    "year": 2026,
                    "employment": "PNS",
                    "jp_total": 24,
                    "jp_required": 20,
                    "met": True,
                    "entries": [
                        {
                            "program_title": "Pelatihan Kolaborasi dan Kerja Tim Lintas OPD",
                            "mode": "KLASIKAL",
                            "jp": 24,
                            "completed_on": "2026-08-12",
                            "certificate_number": "BGK-2026-7KQ4M2XDP9A",
                        }
                    ],
                }
            ]
        }
    )

    nip: str
    year: int
    employment: str | None = Field(
        default=None, description="PNS or PPPK, from the roster (null if unknown)."
    )
    jp_total: int
    jp_required: int | None = Field(
        description="20 for PNS (PP 17/2020 Pasal 203(4)); null for PPPK, for whom no regulation sets a target."
    )
    met: bool | None = Field(description="jp_total >= jp_required; null for PPPK.")
    contract_years: list[ContractYear] | None = Field(
        default=None,
        description="PPPK only, when kinerja sent the contract's dates: each contract year overlapping the "
        "calendar year, its JP and whether they pass the 24 JP ceiling. Null for PNS.",
    )
    entries: list[JpEntryRead]


class BelowRequirement(BaseModel):
    """A PNS below 20 JP in the year (internal report; never published)."""

    nip: str
    jp_total: int


class UnitCompliance(BaseModel):
    """One unit's PNS against the 20 JP rule, and apart from them its PPPK against their 24 JP ceiling."""

    unit_id: uuid.UUID
    pns_total: int
    pns_meeting_20jp: int
    pns_below_20jp: int
    share_meeting_20jp: float
    jp_delivered: int = Field(description="JP credited to the unit's PNS in the year.")
    pppk_total: int = Field(default=0, description="Active PPPK of the unit (no 20 JP target applies).")
    pppk_jp_delivered: int = Field(default=0, description="JP credited to the unit's PPPK in the year.")
    pppk_above_24jp: int = Field(
        default=0,
        description="PPPK with more than 24 JP in a contract year overlapping the year (contract dates known).",
    )


class ComplianceReport(ReportMeta):
    """Per unit: how many PNS have 20 JP in the year; with ``unit_id``, also who is below."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "generated_at": "2026-04-20T02:00:00Z",
                    "data_as_of": "2026-04-20T02:00:00Z",
                    "year": 2026,
                    "unit_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                    "jp_required": 20,
                    "units": [
                        {
                            "unit_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                            "pns_total": 120,
                            "pns_meeting_20jp": 85,
                            "pns_below_20jp": 35,
                            "share_meeting_20jp": 0.7083,
                            "jp_delivered": 2710,
                            "pppk_total": 14,
                            "pppk_jp_delivered": 180,
                            "pppk_above_24jp": 1,
                        }
                    ],
                    "below": [{"nip": "198609262015051001", "jp_total": 12}],
                }
            ]
        }
    )

    year: int
    unit_id: uuid.UUID | None = None
    jp_required: int
    units: list[UnitCompliance]
    below: list[BelowRequirement] | None = Field(
        default=None,
        description="Only when unit_id is given: the unit's PNS below the requirement, lowest first.",
    )
    individuals_withheld: bool = Field(
        default=False,
        description="True when the caller (an integrator without the scope `pelatihan:individual`) gets the "
        "unit figures only: `below` is then null.",
    )
