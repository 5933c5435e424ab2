"""Response bodies of /v1/certificates."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class CertificateRead(BaseModel):
    """What anyone may verify about a certificate: no name, and the NIP masked."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "BGK-2026-7KQ4M2XDP9A",
                    "valid": True,
                    "revoked": False,
                    "revoked_at": None,
                    "revoked_reason": None,
                    "holder_nip": "******************",
                    "program_title": "Pelatihan Kolaborasi dan Kerja Tim Lintas OPD",
                    "institution_name": "BPSDM Provinsi Bengkulu",
                    "jp": 20,
                    "completed_on": "2026-08-12",
                    "issued_at": "2026-08-12T09:00:00Z",
                }
            ]
        }
    )

    number: str
    valid: bool = Field(description="True unless revoked.")
    revoked: bool
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    holder_nip: str = Field(
        description="Always fully masked (`*` for each digit): the public check shows no NIP digit, since "
        "the first eight are the holder's birth date."
    )
    program_title: str
    institution_name: str
    jp: int
    completed_on: date
    issued_at: datetime


class RevokeBody(BaseModel):
    """Why the certificate is withdrawn."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "Issued in error"}]})

    reason: str = Field(min_length=3, max_length=500)
