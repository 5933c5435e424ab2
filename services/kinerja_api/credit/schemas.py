"""Bodies of the credit points (figures are decimal strings with three places: `"18.750"`)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.common.reports import ReportMeta
from services.kinerja_api.tables.employee_enums import Jenjang
from services.kinerja_api.tables.evaluation_enums import Predikat


class CreditLine(BaseModel):
    """The credit points earned in one level: coefficient * percentage * months / 12."""

    jenjang: Jenjang
    months: int = Field(ge=0, le=12, description="Months of the year whose first day was in this level.")
    coefficient: Decimal = Field(description="The level's annual coefficient.")
    credit_points: Decimal | None = Field(
        description="This level's share, rounded to three decimals; null until the annual result is FINAL."
    )


class CreditPoints(BaseModel):
    """The angka kredit of one JF for one year, with its computation."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nip": "198001012005011001",
                    "year": 2026,
                    "predikat": "SANGAT_BAIK",
                    "percentage": "150",
                    "credit_points": "18.750",
                    "lines": [
                        {
                            "jenjang": "AHLI_PERTAMA",
                            "months": 12,
                            "coefficient": "12.5",
                            "credit_points": "18.750",
                        }
                    ],
                    "formula": "12.5 * 150% * 12/12 = 18.750",
                }
            ]
        }
    )

    nip: str
    year: int
    predikat: Predikat = Field(description="The FINAL annual predikat.")
    percentage: Decimal = Field(description="Percentage of the coefficient the predikat earns.")
    credit_points: Decimal = Field(description="The total, rounded half-up to three decimals.")
    lines: list[CreditLine]
    formula: str = Field(description="The computation, written out.")


class CreditRow(BaseModel):
    """One row of the report: a JF of the unit and their angka kredit (null until the annual result is FINAL)."""

    nip: str
    name: str
    unit_id: uuid.UUID
    year: int
    status: str = Field(description="`FINAL`, `NOT_FINAL` (a DRAFT result) or `NO_RESULT`.")
    predikat: Predikat | None
    months: int = Field(description="Months of the year in a functional level.")
    credit_points: Decimal | None
    lines: list[CreditLine]


class CreditReport(ReportMeta):
    """A keyset page (NIP order) of the angka kredit of the JFs of a unit (or the province) for a year."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "generated_at": "2027-02-01T02:00:00Z",
                    "data_as_of": "2027-02-01T02:00:00Z",
                    "year": 2026,
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "items": [
                        {
                            "nip": "198001012005011001",
                            "name": "Dewi Lestari",
                            "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                            "year": 2026,
                            "status": "FINAL",
                            "predikat": "SANGAT_BAIK",
                            "months": 12,
                            "credit_points": "18.750",
                            "lines": [
                                {
                                    "jenjang": "AHLI_PERTAMA",
                                    "months": 12,
                                    "coefficient": "12.5",
                                    "credit_points": "18.750",
                                }
                            ],
                        }
                    ],
                    "next_cursor": None,
                }
            ]
        }
    )

    year: int
    unit_id: uuid.UUID | None
    items: list[CreditRow]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= to get the next page.")
