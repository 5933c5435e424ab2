"""Request and response bodies of /v1/institutions."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from services.pelatihan_api.enums import InstitutionKind


class InstitutionCreate(BaseModel):
    """A new partner institution."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "BPSDM Provinsi Bengkulu", "kind": "BPSDM"}]},
    )

    name: str = Field(min_length=2, max_length=200)
    kind: InstitutionKind


class InstitutionRead(BaseModel):
    """A partner institution."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0b8f7c3e-2a55-4b0e-9a43-6f1d2f0f5a11",
                    "name": "BPSDM Provinsi Bengkulu",
                    "kind": "BPSDM",
                }
            ]
        },
    )

    id: uuid.UUID
    name: str
    kind: InstitutionKind
