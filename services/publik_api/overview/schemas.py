"""Bodies of GET /v1/overview."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.publik_api.publications.figures import IkmFigure, JpFigure, PredikatFigure

OVERVIEW_EXAMPLE: dict[str, Any] = {
    "units": [
        {
            "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
            "code": "DUKCAPIL",
            "name": "Dinas Kependudukan dan Pencatatan Sipil",
            "parent_id": None,
            "ikm": {"period": "2026", "respondents": 412, "ikm": 84.12, "mutu": "B", "kinerja": "BAIK"},
            "predikat": {
                "period": "2026-Q1",
                "evaluated": 38,
                "counts": {
                    "SANGAT_BAIK": 6,
                    "BAIK": 25,
                    "BUTUH_PERBAIKAN": 5,
                    "KURANG": None,
                    "SANGAT_KURANG": None,
                },
                "suppressed": ["counts.KURANG", "counts.SANGAT_KURANG"],
            },
            "jp": {
                "period": "2026",
                "pns_total": 40,
                "pns_meeting_20jp": 31,
                "share_meeting_20jp": 0.775,
                "suppressed": [],
            },
            "innovations": 2,
            "last_update": "2026-04-20T02:00:00Z",
        }
    ],
    "truncated": False,
    "min_group_size": 5,
    "policy_version": "2026.1",
}


class OverviewUnit(BaseModel):
    """One unit's row: its newest published figures of each kind (null when none is public)."""

    unit_id: uuid.UUID
    code: str | None
    name: str
    parent_id: uuid.UUID | None
    ikm: IkmFigure | None
    predikat: PredikatFigure | None
    jp: JpFigure | None
    innovations: int = Field(description="Published service innovations.")
    last_update: datetime | None = Field(description="When anything published about the unit last changed.")


class Overview(BaseModel):
    """Every unit's newest published figures, by unit name."""

    model_config = ConfigDict(json_schema_extra={"examples": [OVERVIEW_EXAMPLE]})

    units: list[OverviewUnit]
    truncated: bool = Field(description="True when more units exist than the overview lists (its cap).")
    min_group_size: int = Field(description="Figures from fewer people are suppressed.")
    policy_version: str
