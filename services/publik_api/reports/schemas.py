"""Bodies of publik's /v1/reports."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from services.common.reports import ReportMeta


class IkmReportRow(BaseModel):
    """One unit's IKM for the year."""

    unit_id: uuid.UUID
    unit_name: str
    year: int
    respondents: int
    ikm: float | None = Field(description="25 x mean NRR, two decimals; null without respondents.")
    mutu: str | None = Field(description="A-D.")
    kinerja: str | None = Field(description="SANGAT_BAIK, BAIK, KURANG_BAIK or TIDAK_BAIK.")
    nrr: dict[str, float] = Field(description="NRR per unsur, keyed U1..U9; empty without respondents.")


class IkmReport(ReportMeta):
    """IKM per unit for a year: every active unit publik knows, or one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "generated_at": "2026-04-20T02:00:00Z",
                    "data_as_of": "2026-04-19T23:41:07Z",
                    "year": 2026,
                    "unit_id": None,
                    "units": [
                        {
                            "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                            "unit_name": "Dinas Kependudukan dan Pencatatan Sipil",
                            "year": 2026,
                            "respondents": 120,
                            "ikm": 82.41,
                            "mutu": "B",
                            "kinerja": "BAIK",
                            "nrr": {
                                "U1": 3.3,
                                "U2": 3.25,
                                "U3": 3.4,
                                "U4": 3.3,
                                "U5": 3.1,
                                "U6": 3.35,
                                "U7": 3.3,
                                "U8": 3.2,
                                "U9": 3.45,
                            },
                        }
                    ],
                }
            ]
        }
    )

    year: int
    unit_id: uuid.UUID | None = None
    units: list[IkmReportRow]
