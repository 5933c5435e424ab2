"""Request and response bodies of enrolments."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.pelatihan_api.enums import EnrolmentStatus
from services.pelatihan_api.models.enrolments import Enrolment

NIP_PATTERN = r"^[0-9]{18}$"


class EnrolmentCreate(BaseModel):
    """Ask for (or nominate someone for) a seat."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"nip": "198609262015051001"}]})

    nip: str = Field(pattern=NIP_PATTERN, description="The employee's NIP (18 digits).")


class Decision(BaseModel):
    """An optional reason for approving, rejecting or cancelling."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Beban kerja bulan ini"}]}
    )

    reason: str | None = Field(default=None, max_length=500)


class EnrolmentRead(BaseModel):
    """An enrolment and where it stands."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9",
                    "session_id": "9a4e3c1b-7d2f-4e8a-b5c6-1f0e2d3c4b5a",
                    "nip": "198609262015051001",
                    "status": "WAITLISTED",
                    "waitlist_position": 3,
                    "requested_by": "198609262015051001",
                    "decided_by": "197501012000031002",
                    "created_at": "2026-07-02T03:00:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    session_id: uuid.UUID
    nip: str
    status: EnrolmentStatus
    waitlist_position: int | None = None
    requested_by: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    passed: bool | None = None
    score: float | None = None
    created_at: datetime


def enrolment_read(row: Enrolment, waitlist_position: int | None) -> EnrolmentRead:
    """The response body of one enrolment."""
    return EnrolmentRead(
        id=row.id,
        session_id=row.session_id,
        nip=row.nip,
        status=EnrolmentStatus(row.status),
        waitlist_position=waitlist_position,
        requested_by=row.requested_by,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason=row.reason,
        passed=row.passed,
        score=float(row.score) if row.score is not None else None,
        created_at=row.created_at,
    )
