"""Bodies of the gateway's /reports."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.common.reports import ReportMeta


class CatalogueParameter(BaseModel):
    """One query or path parameter of a report."""

    name: str
    location: str = Field(description="`query` or `path`.")
    required: bool
    type: str = Field(examples=["string (uuid)"])
    description: str | None = None


class CatalogueEntry(BaseModel):
    """One report: where it is, what it takes, what it answers and who may call it."""

    name: str = Field(examples=["kinerja.predikat-distribution"])
    service: str = Field(description="kinerja, pelatihan, publik or gateway.")
    path: str = Field(description="The path at the gateway.", examples=["/kinerja/v1/reports/compliance"])
    method: str = Field(examples=["GET"])
    operation_id: str
    summary: str
    description: str
    parameters: list[CatalogueParameter]
    media_types: list[str] = Field(examples=[["application/json", "text/csv"]])
    roles: list[str] = Field(examples=[["admin", "integrator"]])
    schema_version: str = Field(examples=["1"])
    rows: str | None = Field(description="The JSON key of the row list; null when the body is one row.")
    columns: list[dict[str, Any]] = Field(
        description="`{name, type, description}` of each CSV column (and `items`, the element type, for an array)."
    )
    data_as_of: str = Field(description="How the report's `data_as_of` is measured.")


class Catalogue(ReportMeta):
    """Every report of the platform, from the merged OpenAPI (``generated_at``: when it was built)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "generated_at": "2026-04-20T02:00:00Z",
                    "data_as_of": "2026-04-20T02:00:00Z",
                    "missing_services": [],
                    "reports": [
                        {
                            "name": "pelatihan.jp-compliance",
                            "service": "pelatihan",
                            "path": "/pelatihan/v1/reports/jp-compliance",
                            "method": "GET",
                            "operation_id": "pelatihan_reports_jp_compliance",
                            "summary": "20 JP compliance per unit",
                            "description": "For each unit: active PNS ...",
                            "parameters": [
                                {
                                    "name": "year",
                                    "location": "query",
                                    "required": False,
                                    "type": "integer",
                                    "description": "Calendar year; this year when omitted.",
                                }
                            ],
                            "media_types": ["application/json", "text/csv"],
                            "roles": ["admin", "integrator"],
                            "schema_version": "1",
                            "rows": "units",
                            "columns": [{"name": "unit_id", "type": "string", "description": "The unit."}],
                            "data_as_of": "Live: computed from the current ledger and roster.",
                        }
                    ],
                }
            ]
        }
    )

    reports: list[CatalogueEntry]
    missing_services: list[str] = Field(
        description="Services whose OpenAPI could not be read just now; their reports are absent."
    )


class MissingPart(BaseModel):
    """A part of a composed report that could not be fetched."""

    service: str = Field(examples=["publik"])
    status: int = Field(description="502, 503 or 504, or the 404 the service answered.", examples=[503])
    detail: str


class KinerjaCompliance(BaseModel):
    """How many active employees completed each step (from kinerja's compliance report)."""

    headcount: int
    skp_approved: int
    realization_reported: int
    evaluated: int


class KinerjaPart(BaseModel):
    """kinerja's figures for the unit and period."""

    total: int
    counts: dict[str, int]
    org_predikat: str | None
    curve_check_ok: bool
    compliance: KinerjaCompliance


class PelatihanPart(BaseModel):
    """pelatihan's 20 JP figures for the unit and year."""

    pns_total: int
    pns_meeting_20jp: int
    pns_below_20jp: int
    share_meeting_20jp: float
    jp_delivered: int


class PublikPart(BaseModel):
    """publik's IKM for the unit and year."""

    respondents: int
    ikm: float | None
    mutu: str | None
    kinerja: str | None


class UnitScorecard(ReportMeta):
    """One unit's performance, training and citizen satisfaction, composed from the three services. A part
    that could not be fetched is null and listed in ``missing``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "generated_at": "2026-04-20T02:00:00Z",
                    "data_as_of": "2026-04-15T09:30:00Z",
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "period": "2026-Q1",
                    "year": 2026,
                    "kinerja": {
                        "total": 10,
                        "counts": {
                            "SANGAT_BAIK": 1,
                            "BAIK": 8,
                            "BUTUH_PERBAIKAN": 1,
                            "KURANG": 0,
                            "SANGAT_KURANG": 0,
                        },
                        "org_predikat": "BAIK",
                        "curve_check_ok": False,
                        "compliance": {
                            "headcount": 12,
                            "skp_approved": 12,
                            "realization_reported": 11,
                            "evaluated": 10,
                        },
                    },
                    "pelatihan": {
                        "pns_total": 11,
                        "pns_meeting_20jp": 7,
                        "pns_below_20jp": 4,
                        "share_meeting_20jp": 0.6364,
                        "jp_delivered": 260,
                    },
                    "publik": None,
                    "missing": [
                        {"service": "publik", "status": 503, "detail": "publik has no healthy instance"}
                    ],
                }
            ]
        }
    )

    unit_id: uuid.UUID
    period: str
    year: int
    kinerja: KinerjaPart | None
    pelatihan: PelatihanPart | None
    publik: PublikPart | None
    missing: list[MissingPart] = Field(description="Parts that could not be fetched; empty when complete.")
