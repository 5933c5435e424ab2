"""Bodies of /v1/innovations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

INNOVATION_EXAMPLE: dict[str, Any] = {
    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
    "title": "Pendaftaran dokumen kependudukan daring",
    "description": "Warga mengurus KK, KTP-el dan akta kelahiran dari rumah; dokumen dikirim dalam bentuk PDF bertanda tangan elektronik.",
    "launched_on": "2025-08-17",
    "url": "https://dukcapil.bengkuluprov.go.id/layanan-online",
}


class InnovationCreate(BaseModel):
    """A public-service innovation of a unit."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [INNOVATION_EXAMPLE]})

    unit_id: uuid.UUID
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(min_length=1, max_length=4000)
    launched_on: date = Field(
        description="The launch date: the IKM of its service is compared before and after."
    )
    url: AnyHttpUrl | None = None
    service_id: uuid.UUID | None = Field(
        default=None, description="The unit's service (jenis layanan) the innovation changed."
    )


class InnovationRead(BaseModel):
    """An innovation as published (it is also an `INOVASI` feed item with the same id)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "2b3c4d5e-6f70-8192-a3b4-c5d6e7f80912",
                    "unit_name": "Dinas Kependudukan dan Pencatatan Sipil",
                    "published_at": "2026-04-20T02:00:00Z",
                    **INNOVATION_EXAMPLE,
                }
            ]
        }
    )

    id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    title: str
    description: str
    launched_on: date
    url: str | None
    service_id: uuid.UUID | None = None
    service_name: str | None = None
    published_at: datetime
