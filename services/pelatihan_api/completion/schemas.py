"""Request and response bodies of attendance, completion and feedback."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.pelatihan_api.certificates.schemas import CertificateRead
from services.pelatihan_api.schemas.enrolments import EnrolmentRead

Nip = Annotated[str, StringConstraints(pattern=r"^[0-9]{18}$")]


class AttendanceBody(BaseModel):
    """Who was present on one day; every other confirmed participant is recorded absent."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"on": "2026-08-10", "present": ["198609262015051001"]}]},
    )

    on: date
    present: list[Nip] = Field(max_length=5000)


class AttendanceRead(BaseModel):
    """What was recorded for the day."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "session_id": "9a4e3c1b-7d2f-4e8a-b5c6-1f0e2d3c4b5a",
                    "on": "2026-08-10",
                    "present": 28,
                    "absent": 2,
                }
            ]
        }
    )

    session_id: uuid.UUID
    on: date
    present: int
    absent: int


class CompletionBody(BaseModel):
    """The participant's result."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"passed": True, "score": 87.5}]}
    )

    passed: bool
    score: float | None = Field(default=None, ge=0, le=100)


class CompletionRead(BaseModel):
    """The enrolment after the result, the JP credited and the certificate issued (on a pass)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "enrolment": {
                        "id": "3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9",
                        "session_id": "9a4e3c1b-7d2f-4e8a-b5c6-1f0e2d3c4b5a",
                        "nip": "198609262015051001",
                        "status": "COMPLETED",
                        "waitlist_position": None,
                        "requested_by": "198609262015051001",
                        "passed": True,
                        "score": 87.5,
                        "created_at": "2026-07-02T03:00:00Z",
                    },
                    "jp_credited": 20,
                    "days_present": 3,
                    "session_days": 3,
                    "certificate": {
                        "number": "BGK-2026-7KQ4M2XDP9A",
                        "valid": True,
                        "revoked": False,
                        "holder_nip": "******************",
                        "program_title": "Kolaborasi dan Kerja Tim Lintas OPD",
                        "institution_name": "BPSDM Provinsi Bengkulu",
                        "jp": 20,
                        "completed_on": "2026-08-12",
                        "issued_at": "2026-08-12T09:00:00Z",
                    },
                }
            ]
        }
    )

    enrolment: EnrolmentRead
    jp_credited: int
    days_present: int | None = Field(description="Days marked present; null when no attendance was kept.")
    session_days: int
    certificate: CertificateRead | None = None


class FeedbackBody(BaseModel):
    """An attendee's rating of the session."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"rating": 5, "comment": "Materi relevan"}]}
    )

    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class FeedbackSummary(BaseModel):
    """Anonymous feedback figures of a session."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"session_id": "9a4e3c1b-7d2f-4e8a-b5c6-1f0e2d3c4b5a", "responses": 24, "average_rating": 4.4}
            ]
        }
    )

    session_id: uuid.UUID
    responses: int
    average_rating: float | None
