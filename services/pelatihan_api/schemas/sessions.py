"""Request and response bodies of /v1/sessions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from services.pelatihan_api.enums import PNS_RANKS, PositionType

_EXAMPLE: dict[str, JsonValue] = {
    "program_id": "5d0c9c55-3b7f-4c6e-8a58-0d9b8e1f2a33",
    "starts_on": "2026-08-10",
    "ends_on": "2026-08-12",
    "capacity": 30,
    "enrol_opens_at": "2026-07-01T00:00:00Z",
    "enrol_closes_at": "2026-08-01T00:00:00Z",
    "location": "Aula BPSDM Provinsi Bengkulu, Jl. Pembangunan",
    "eligible_position_types": ["PELAKSANA", "FUNGSIONAL"],
    "min_rank": "II/a",
    "eligible_unit_ids": None,
}


class SessionDayIn(BaseModel):
    """One training day of the schedule; ``jp`` omitted on every day spreads the programme's JP over them."""

    model_config = ConfigDict(extra="forbid")

    on: date
    jp: int | None = Field(default=None, ge=0, le=1000, description="Whole JP of the day (all days or none).")


class SessionDay(BaseModel):
    """One scheduled training day and the JP it carries."""

    on: date
    jp: int


Schedule = Field(
    default=None,
    max_length=366,
    description="The training days (between starts_on and ends_on). Omitted: the weekdays of the range. "
    "Days without `jp`: the programme's JP spread over them by largest remainder; with `jp` on every day "
    "they must sum to the programme's JP. Editable until the session starts (409 `schedule-locked` after).",
)


class Eligibility(BaseModel):
    """Optional rules; null means "anyone"."""

    eligible_position_types: list[PositionType] | None = Field(default=None, max_length=5)
    min_rank: str | None = Field(
        default=None, description=f"Lowest PNS golongan/ruang admitted: one of {', '.join(PNS_RANKS)}."
    )
    eligible_unit_ids: list[uuid.UUID] | None = Field(default=None, max_length=500)


class SessionCreate(Eligibility):
    """A new session (angkatan) of a programme."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    program_id: uuid.UUID
    starts_on: date
    ends_on: date
    capacity: int = Field(ge=1, le=100_000)
    enrol_opens_at: AwareDatetime
    enrol_closes_at: AwareDatetime
    location: str = Field(min_length=2, max_length=300)
    days: list[SessionDayIn] | None = Schedule


class SessionPatch(BaseModel):
    """Fields to change; send the ETag you read in ``If-Match``."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"capacity": 40, "location": "Gedung Serbaguna"}]}
    )

    starts_on: date | None = None
    ends_on: date | None = None
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    enrol_opens_at: AwareDatetime | None = None
    enrol_closes_at: AwareDatetime | None = None
    location: str | None = Field(default=None, min_length=2, max_length=300)
    eligible_position_types: list[PositionType] | None = None
    min_rank: str | None = None
    eligible_unit_ids: list[uuid.UUID] | None = None
    days: list[SessionDayIn] | None = Schedule


class SessionRead(BaseModel):
    """A session with its live seat counts."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "9a4e3c1b-7d2f-4e8a-b5c6-1f0e2d3c4b5a",
                    "institution_id": "0b8f7c3e-2a55-4b0e-9a43-6f1d2f0f5a11",
                    **_EXAMPLE,
                    "seats_taken": 12,
                    "waitlist_length": 0,
                    "days": [
                        {"on": "2026-08-10", "jp": 7},
                        {"on": "2026-08-11", "jp": 7},
                        {"on": "2026-08-12", "jp": 6},
                    ],
                    "version": 3,
                }
            ]
        },
    )

    id: uuid.UUID
    program_id: uuid.UUID
    institution_id: uuid.UUID
    starts_on: date
    ends_on: date
    capacity: int
    enrol_opens_at: datetime
    enrol_closes_at: datetime
    location: str
    seats_taken: int
    waitlist_length: int
    eligible_position_types: list[str] | None = None
    min_rank: str | None = None
    eligible_unit_ids: list[uuid.UUID] | None = None
    days: list[SessionDay] = Field(
        default_factory=list, description="The scheduled training days, each with its whole JP."
    )
    version: int
