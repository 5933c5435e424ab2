"""Bodies of the SKM periods."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.common.periods import SKM_PATTERN

PERIOD_PATTERN = SKM_PATTERN  # 2000-2099 and semesters (services/common/periods.py)


class PeriodCreate(BaseModel):
    """A period by its code: ``2026`` (TAHUN) or ``2026-S1`` / ``2026-S2`` (SEMESTER)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "2026-S1"}]})

    code: str = Field(pattern=PERIOD_PATTERN)


class PeriodRead(BaseModel):
    """A period with its WIB dates."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {"code": "2026-S1", "kind": "SEMESTER", "starts_on": "2026-01-01", "ends_on": "2026-06-30"}
            ]
        },
    )

    code: str
    kind: str = Field(description="SEMESTER or TAHUN.")
    starts_on: date
    ends_on: date


class PeriodList(BaseModel):
    """The periods, newest first."""

    items: list[PeriodRead]
