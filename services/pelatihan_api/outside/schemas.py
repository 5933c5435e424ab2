"""Request and response bodies of /v1/outside-learning."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, JsonValue

from services.pelatihan_api.enums import ClaimStatus, LearningPath

_CLAIM: dict[str, JsonValue] = {
    "path": "E_LEARNING",
    "title": "Manajemen ASN (e-learning)",
    "provider": "LAN RI (ASN Unggul)",
    "certificate_number": "LAN-EL-2026-004512",
    "starts_on": "2026-03-02",
    "ends_on": "2026-03-13",
    "jp": 12,
    "evidence_url": "https://asn-unggul.lan.go.id/sertifikat/004512",
}


class ClaimCreate(BaseModel):
    """Learning done elsewhere, claimed by the employee for their own ledger."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CLAIM]})

    path: LearningPath
    title: str = Field(min_length=3, max_length=300)
    provider: str = Field(min_length=2, max_length=200)
    certificate_number: str | None = Field(
        default=None, min_length=1, max_length=40, description="The provider's certificate number, if any."
    )
    starts_on: date
    ends_on: date
    jp: int = Field(ge=1, le=200, description="JP claimed (whole).")
    evidence_url: AnyHttpUrl = Field(
        max_length=500, description="Where the certificate or proof can be seen."
    )


class DecisionBody(BaseModel):
    """Why (required to reject or revoke, optional to verify)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Sertifikat valid"}]}
    )

    reason: str | None = Field(default=None, min_length=3, max_length=500)


class ClaimRead(BaseModel):
    """A claim and where it stands."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0c7f4a1e-2b3d-4c5e-8f90-1a2b3c4d5e6f",
                    "nip": "198609262015051001",
                    **_CLAIM,
                    "year": 2026,
                    "status": "VERIFIED",
                    "decided_by": "197805122003121002",
                    "decided_at": "2026-03-20T02:00:00Z",
                    "reason": None,
                    "created_at": "2026-03-16T01:00:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    nip: str
    path: LearningPath
    title: str
    provider: str
    certificate_number: str | None
    starts_on: date
    ends_on: date
    year: int = Field(description="The year the JP count in (the year the learning ended).")
    jp: int
    evidence_url: str
    status: ClaimStatus
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    created_at: datetime


class CapRead(BaseModel):
    """The JP one path may add to an employee's calendar year."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{"path": "SEMINAR_WORKSHOP", "jp_per_year": 16}]},
    )

    path: LearningPath
    jp_per_year: int


class CapList(BaseModel):
    """Every path's cap."""

    items: list[CapRead]


class CapBody(BaseModel):
    """A new cap for one path."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"jp_per_year": 24}]})

    jp_per_year: int = Field(ge=0, le=1000)
