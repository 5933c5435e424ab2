"""Bodies of /v1/calendar."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.kinerja_api.calendar.periods import Cadence

ENTRY_EXAMPLE: dict[str, Any] = {
    "period": "2026-Q1",
    "start_on": "2026-01-01",
    "end_on": "2026-03-31",
    "skp_due_on": "2026-01-31",
    "realization_due_on": "2026-03-31",
    "evaluation_due_on": "2026-04-15",
    "finalisable_from": "2026-03-31",
    "source": "DEFAULT",
}


class CalendarSource(StrEnum):
    """Whether the deadlines are the defaults or were set by an admin."""

    DEFAULT = "DEFAULT"
    SET = "SET"


class CalendarEntry(BaseModel):
    """The deadlines of one period."""

    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY_EXAMPLE]})

    period: str
    start_on: date
    end_on: date
    skp_due_on: date
    realization_due_on: date
    evaluation_due_on: date
    finalisable_from: date = Field(
        description="The first day (WIB) a result of this period may be finalised: the quarter's last day; for "
        "the year, 31 December or the earlier day an admin set in the year's rules (`annual_final_from`)."
    )
    source: CalendarSource


class CalendarYear(BaseModel):
    """The periodic periods of a year (Q1..Q4, or 01..12 in a monthly year) and its annual period."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"year": 2026, "cadence": "QUARTERLY", "periods": [ENTRY_EXAMPLE]}]}
    )

    year: int
    cadence: Cadence = Field(description="The year's periodic cadence (`GET /v1/calendar/{year}/rules`).")
    periods: list[CalendarEntry]


class CalendarUpdate(BaseModel):
    """New deadlines for one period."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "skp_due_on": "2026-01-31",
                    "realization_due_on": "2026-03-31",
                    "evaluation_due_on": "2026-04-20",
                }
            ]
        },
    )

    skp_due_on: date
    realization_due_on: date
    evaluation_due_on: date

    @model_validator(mode="after")
    def _evaluation_after_realisation(self) -> CalendarUpdate:
        if self.evaluation_due_on < self.realization_due_on:
            raise ValueError("evaluation_due_on must not be before realization_due_on")
        return self


OBJECTION_DAYS = 14
"""PP 30/2019 Pasal 59: an objection within 14 days of receiving the result (from finalisation)."""


class YearRules(BaseModel):
    """Rules of one year, a partial update: a field left out keeps its value (the default until an admin set
    it). The days an employee has to object to a final result (default 14); the cadence of the periodic
    evaluation (QUARTERLY by default, or MONTHLY), which can change only before the year starts; the day from
    which the annual results may be finalised. ``annual_final_from: null`` goes back to 31 December."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"objection_days": 14}, {"cadence": "MONTHLY"}, {"annual_final_from": "2026-12-15"}]
        },
    )

    objection_days: int | None = Field(
        default=None, ge=1, le=90, description="Days from finalisation to lodge an objection (default 14)."
    )
    cadence: Cadence | None = Field(
        default=None,
        description="Periodic evaluation per quarter (`YYYY-Qn`, the default) or per month (`YYYY-MM`); "
        "fixed once the year has started or has evaluations (409 `cadence-locked`).",
    )
    annual_final_from: date | None = Field(
        default=None,
        description="The first day the year's annual results may be finalised, when earlier than 31 December "
        "(a day of that year); null: 31 December.",
    )


class YearRulesRead(BaseModel):
    """The rules of a year and whether an admin set them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2026,
                    "objection_days": 14,
                    "cadence": "QUARTERLY",
                    "annual_final_from": None,
                    "source": "DEFAULT",
                }
            ]
        }
    )

    year: int
    objection_days: int = Field(ge=1, le=90, description="Days from finalisation to lodge an objection.")
    cadence: Cadence = Field(description="The cadence of the year's periodic evaluation.")
    annual_final_from: date | None = Field(
        description="The first day the year's annual results may be finalised, when an admin set one earlier "
        "than 31 December; null: 31 December."
    )
    source: CalendarSource
