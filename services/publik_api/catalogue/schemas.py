"""Bodies of the services catalogue."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SERVICE_EXAMPLE: dict[str, Any] = {
    "name": "Pendaftaran dokumen kependudukan daring",
    "description": "KK, KTP-el dan akta kelahiran diurus dari rumah.",
}


class ServiceCreate(BaseModel):
    """A new service of a unit."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SERVICE_EXAMPLE]})

    name: str = Field(min_length=3, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class ServiceUpdate(BaseModel):
    """Changes to a service (omitted fields stay)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"active": False}, {"name": "Layanan loket"}]}
    )

    name: str | None = Field(default=None, min_length=3, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    active: bool | None = None


class ServiceRead(BaseModel):
    """A service as the public sees it."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "active": True,
                    "updated_at": "2026-04-20T02:00:00Z",
                    **SERVICE_EXAMPLE,
                }
            ]
        },
    )

    id: uuid.UUID
    unit_id: uuid.UUID
    name: str
    description: str | None
    active: bool
    updated_at: datetime


class ServiceList(BaseModel):
    """A unit's services, by name."""

    items: list[ServiceRead]
