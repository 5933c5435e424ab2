"""The event envelope (docs/events.md) and the payloads pelatihan accepts."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class EventEnvelope(BaseModel):
    """An event as the sender's outbox dispatcher posts it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5b6f0e7e-3c1e-4c57-9d0b-1f2e3a4b5c6d",
                    "type": "kinerja.development_needs",
                    "source": "kinerja",
                    "occurred_at": "2026-04-15T03:00:00Z",
                    "data": {
                        "nip": "198609262015051001",
                        "evaluation_id": "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6",
                        "period": "2026-Q1",
                        "behavior_gaps": ["KOLABORATIF"],
                        "result_below_expectation": False,
                    },
                }
            ]
        }
    )

    id: uuid.UUID
    type: str = Field(max_length=80)
    version: int = Field(
        default=1,
        ge=1,
        description="The payload's version (docs/events.md); a version not known here gets 422.",
    )
    source: str = Field(max_length=40)
    occurred_at: AwareDatetime
    data: dict[str, Any]


class EmployeeData(BaseModel):
    """``kinerja.employee``."""

    nip: str = Field(pattern=r"^[0-9]{18}$")
    unit_id: uuid.UUID | None = None
    employment: str = Field(pattern=r"^(PNS|PPPK)$")
    position_type: str | None = None
    rank: str | None = None
    active: bool = True
    supervisor_nip: str | None = None
    # Optional (a sender may not have them yet): a PPPK's contract, null for PNS.
    contract_start: date | None = None
    contract_end: date | None = None


class DevelopmentNeedsData(BaseModel):
    """``kinerja.development_needs``."""

    nip: str = Field(pattern=r"^[0-9]{18}$")
    evaluation_id: uuid.UUID
    period: str = Field(max_length=10)
    behavior_gaps: list[str] = Field(default_factory=list, max_length=7)
    result_below_expectation: bool = False
    # Optional (issue 18): the overall behaviour rating; older senders omit it.
    behaviour_rating: str | None = Field(
        default=None, pattern=r"^(DI_ATAS_EKSPEKTASI|SESUAI_EKSPEKTASI|DI_BAWAH_EKSPEKTASI)$"
    )


class EventAck(BaseModel):
    """The receiver's answer."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "5b6f0e7e-3c1e-4c57-9d0b-1f2e3a4b5c6d", "status": "applied"}]}
    )

    id: uuid.UUID
    status: str = Field(description="`applied`, or `duplicate` when this event id was processed before.")
