"""Request and response bodies of /v1/programs."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from services.pelatihan_api.enums import Competency, Mode

Tag = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[A-Z0-9_]+$")]

_EXAMPLE: dict[str, JsonValue] = {
    "institution_id": "0b8f7c3e-2a55-4b0e-9a43-6f1d2f0f5a11",
    "title": "Pelatihan Kolaborasi dan Kerja Tim Lintas OPD",
    "competency": "SOSIAL_KULTURAL",
    "tags": ["KOLABORATIF", "HARMONIS"],
    "jp": 20,
    "mode": "KLASIKAL",
}


class ProgramCreate(BaseModel):
    """A new programme. ``tags`` are BerAKHLAK values or topics (UPPER_SNAKE); recommendations match on them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    institution_id: uuid.UUID
    title: str = Field(min_length=3, max_length=300)
    competency: Competency
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    jp: int = Field(ge=1, le=1000, description="Jam pelajaran credited on a pass (1 JP = 45 minutes).")
    mode: Mode


class ProgramRead(BaseModel):
    """A programme."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{"id": "5d0c9c55-3b7f-4c6e-8a58-0d9b8e1f2a33", **_EXAMPLE}]},
    )

    id: uuid.UUID
    institution_id: uuid.UUID
    title: str
    competency: Competency
    tags: list[str]
    jp: int
    mode: Mode
