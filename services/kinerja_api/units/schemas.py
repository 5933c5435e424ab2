"""Request and response bodies of /v1/units."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

UNIT_EXAMPLE: dict[str, Any] = {
    "id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
    "code": "BKD",
    "name": "Badan Kepegawaian Daerah",
    "parent_id": None,
}


class UnitCreate(BaseModel):
    """A new OPD (no ``parent_id``) or sub-unit of an existing unit."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code": "BKD.MUT", "name": "Bidang Mutasi", "parent_id": None}]},
    )

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(min_length=1, max_length=200)
    parent_id: uuid.UUID | None = None


class UnitRead(BaseModel):
    """A unit as stored."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [UNIT_EXAMPLE]})

    id: uuid.UUID
    code: str
    name: str
    parent_id: uuid.UUID | None
