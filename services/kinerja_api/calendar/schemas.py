"""Bodies of /v1/calendar."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

ENTRY_EXAMPLE: dict[str, Any] = {
    "period": "2026-Q1",
    "start_on": "2026-01-01",
    "end_on": "2026-03-31",
    "skp_due_on": "2026-01-31",
    "realization_due_on": "2026-03-31",
    "evaluation_due_on": "2026-04-15",
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
    source: CalendarSource


class CalendarYear(BaseModel):
    """Q1..Q4 and the annual period of a year."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"year": 2026, "periods": [ENTRY_EXAMPLE]}]})

    year: int
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
    """Rules of one year: the days an employee has to object to a final result (default 14)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"objection_days": 14}]})

    objection_days: int = Field(ge=1, le=90, description="Days from finalisation to lodge an objection.")


class YearRulesRead(YearRules):
    """The rules of a year and whether an admin set them."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"year": 2026, "objection_days": 14, "source": "DEFAULT"}]}
    )

    year: int
    source: CalendarSource
