"""Request and response bodies of /v1/skp and /v1/realizations."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from services.common.periods import KINERJA_PATTERN
from services.kinerja_api.skp.enums import Approach, Aspect, Perspective, ResultKind, SkpStatus

MAX_RESULTS = 50
MAX_INDICATORS = 10
PERIOD_RE = re.compile(KINERJA_PATTERN)

_SKP_ID = "3f1c9a52-8b0e-4d7e-9a51-7c2b1d0e4f6a"
_RESULT_ID = "6a0e2f4b-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
_PARENT_ID = "9b8a7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
_INDICATOR_ID = "1d2c3b4a-5f6e-4d8c-9b0a-1f2e3d4c5b6a"
_REAL_ID = "7e6d5c4b-3a2f-4e1d-8c9b-a0f1e2d3c4b5"

INDICATOR_EXAMPLE: dict[str, Any] = {
    "id": _INDICATOR_ID,
    "text": "Persentase usulan mutasi yang diproses tepat waktu",
    "target": "95%",
}
RESULT_EXAMPLE: dict[str, Any] = {
    "id": _RESULT_ID,
    "kind": "UTAMA",
    "text": "Terlaksananya layanan mutasi ASN yang tepat waktu",
    "parent_result_id": _PARENT_ID,
    "aspect": "KUANTITAS",
    "perspective": None,
    "position": 1,
    "indicators": [INDICATOR_EXAMPLE],
}
SKP_EXAMPLE: dict[str, Any] = {
    "id": _SKP_ID,
    "nip": "198609262015051001",
    "year": 2026,
    "valid_from": "2026-01-01",
    "valid_to": "2027-01-01",
    "position": "Analis Sumber Daya Manusia Aparatur",
    "status": "APPROVED",
    "approach": "KUANTITATIF",
    "approver_nip": "197503121999031002",
    "approved_at": "2026-01-20T03:00:00Z",
    "approved_on_behalf": False,
    "returned_reason": None,
    "version": 4,
    "created_at": "2026-01-05T02:00:00Z",
    "updated_at": "2026-01-20T03:00:00Z",
    "results": [RESULT_EXAMPLE],
}

REALIZATION_EXAMPLE: dict[str, Any] = {
    "id": _REAL_ID,
    "skp_id": _SKP_ID,
    "indicator_id": _INDICATOR_ID,
    "period": "2026-Q1",
    "realization": "412 dari 430 usulan diproses tepat waktu (95,8%)",
    "evidence_url": "https://drive.bengkuluprov.go.id/bkd/mutasi/2026-q1.pdf",
    "reported_at": "2026-04-02T02:00:00Z",
    "updated_at": "2026-04-02T02:00:00Z",
    "feedback": [],
}


def _nip_shape(value: str | None) -> str | None:
    if value is not None and (len(value) != 18 or not value.isascii() or not value.isdigit()):
        raise ValueError("must be exactly 18 digits without spaces")
    return value


class SkpCreate(BaseModel):
    """A new SKP for a year. A pegawai creates their own (``nip`` omitted or their own); an admin names the
    employee. It plans for the position held today (a day of the year when today is outside it) and covers
    that position's dates inside the year; a year holds one SKP per position held."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"year": 2026, "approach": "KUANTITATIF"}]}
    )

    year: int = Field(ge=2000, le=2100, description="The performance year.")
    approach: Approach = Field(default=Approach.KUANTITATIF, description="Quantitative or qualitative.")
    nip: str | None = Field(default=None, description="Whose SKP; defaults to the caller's own NIP.")

    @field_validator("nip")
    @classmethod
    def _nip(cls, value: str | None) -> str | None:
        return _nip_shape(value)


class IndicatorIn(BaseModel):
    """An indicator (IKI) with its target."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1000)
    target: str = Field(min_length=1, max_length=200)


class ResultCreate(BaseModel):
    """A planned result. Non-JPT main results name the supervisor's result they support
    (``parent_result_id``); JPT results (and unit heads answering to the governor) give a ``perspective``
    instead."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "UTAMA",
                    "text": "Terlaksananya layanan mutasi ASN yang tepat waktu",
                    "parent_result_id": _PARENT_ID,
                    "aspect": "KUANTITAS",
                    "indicators": [{"text": INDICATOR_EXAMPLE["text"], "target": "95%"}],
                }
            ]
        },
    )

    kind: ResultKind
    text: str = Field(min_length=1, max_length=2000)
    parent_result_id: uuid.UUID | None = None
    aspect: Aspect | None = None
    perspective: Perspective | None = None
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=MAX_INDICATORS)


class ResultUpdate(BaseModel):
    """A partial change of a result; ``indicators``, when sent, replaces the whole list."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": "Terlaksananya layanan mutasi ASN yang tepat waktu dan akurat"}]
        },
    )

    kind: ResultKind | None = None
    text: str | None = Field(default=None, min_length=1, max_length=2000)
    parent_result_id: uuid.UUID | None = None
    aspect: Aspect | None = None
    perspective: Perspective | None = None
    indicators: list[IndicatorIn] | None = Field(default=None, max_length=MAX_INDICATORS)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ResultUpdate:
        for name in ("kind", "text", "indicators"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ReasonIn(BaseModel):
    """Why the supervisor returns the SKP."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Indikator hasil kerja utama belum terukur."}]},
    )

    reason: str = Field(min_length=1, max_length=2000)


class IndicatorRead(BaseModel):
    """An indicator as stored."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [INDICATOR_EXAMPLE]})

    id: uuid.UUID
    text: str
    target: str


class ResultRead(BaseModel):
    """A result as stored, with its indicators."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [RESULT_EXAMPLE]})

    id: uuid.UUID
    kind: ResultKind
    text: str
    parent_result_id: uuid.UUID | None
    aspect: Aspect | None
    perspective: Perspective | None
    position: int
    indicators: list[IndicatorRead]


class SkpRead(BaseModel):
    """An SKP with its results. ``approver_nip`` is null when an admin approved in the governor's name
    (``approved_on_behalf``)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [SKP_EXAMPLE]})

    id: uuid.UUID
    nip: str
    year: int
    valid_from: date = Field(description="First day this SKP covers (its position's start inside the year).")
    valid_to: date = Field(
        description="Day after the last one it covers: 1 January of the next year, or the day the employee "
        "moved to another position (the SKP is then closed and frozen; the new position has its own SKP)."
    )
    position: str = Field(description="The position this SKP plans for.")
    status: SkpStatus
    approach: Approach
    approver_nip: str | None
    approved_at: datetime | None
    approved_on_behalf: bool
    returned_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    results: list[ResultRead]


class Supporter(BaseModel):
    """A subordinate's result that supports (intervenes) one of the supervisor's results."""

    nip: str
    skp_id: uuid.UUID
    skp_status: SkpStatus
    result_id: uuid.UUID
    text: str


class CoverageItem(BaseModel):
    """One of the SKP's results and who supports it."""

    result_id: uuid.UUID
    kind: ResultKind
    text: str
    covered: bool
    supported_by: list[Supporter]


class Coverage(BaseModel):
    """Cascade coverage of an SKP: which results no subordinate's SKP supports yet."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "skp_id": _SKP_ID,
                    "nip": "197503121999031002",
                    "year": 2026,
                    "total": 2,
                    "covered": 1,
                    "uncovered_result_ids": [_PARENT_ID],
                    "results": [
                        {
                            "result_id": _RESULT_ID,
                            "kind": "UTAMA",
                            "text": "Meningkatnya kualitas layanan kepegawaian",
                            "covered": True,
                            "supported_by": [
                                {
                                    "nip": "198609262015051001",
                                    "skp_id": "5c4b3a29-1807-4f6e-9d5c-4b3a29180706",
                                    "skp_status": "APPROVED",
                                    "result_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                                    "text": "Terlaksananya layanan mutasi ASN yang tepat waktu",
                                }
                            ],
                        },
                        {
                            "result_id": _PARENT_ID,
                            "kind": "UTAMA",
                            "text": "Tersusunnya rencana kebutuhan ASN",
                            "covered": False,
                            "supported_by": [],
                        },
                    ],
                }
            ]
        }
    )

    skp_id: uuid.UUID
    nip: str
    year: int
    total: int
    covered: int
    uncovered_result_ids: list[uuid.UUID]
    results: list[CoverageItem]


class RealizationIn(BaseModel):
    """A realisation of one indicator for one period; reporting again for the same pair replaces it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "period": "2026-Q1",
                    "indicator_id": _INDICATOR_ID,
                    "realization": "412 dari 430 usulan diproses tepat waktu (95,8%)",
                    "evidence_url": "https://drive.bengkuluprov.go.id/bkd/mutasi/2026-q1.pdf",
                }
            ]
        },
    )

    period: str = Field(
        description="`YYYY-Q1`..`YYYY-Q4` (a quarterly year), `YYYY-01`..`YYYY-12` (a monthly year) or `YYYY`, "
        "in the SKP's year."
    )
    indicator_id: uuid.UUID
    realization: str = Field(min_length=1, max_length=4000)
    evidence_url: HttpUrl | None = Field(default=None, description="An http(s) link to the evidence.")

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        if not PERIOD_RE.match(value):
            raise ValueError("must be YYYY-Q1..YYYY-Q4, YYYY-01..YYYY-12 or YYYY")
        return value

    @field_validator("evidence_url")
    @classmethod
    def _evidence(cls, value: HttpUrl | None) -> HttpUrl | None:
        if value is not None and len(str(value)) > 2000:
            raise ValueError("must be at most 2000 characters")
        return value


class FeedbackIn(BaseModel):
    """Continuous feedback (umpan balik berkelanjutan) on a realisation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Bagus; lampirkan juga rekap per bidang."}]},
    )

    text: str = Field(min_length=1, max_length=4000)


class FeedbackRead(BaseModel):
    """Feedback as stored."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
                    "realization_id": _REAL_ID,
                    "author_nip": "197503121999031002",
                    "text": "Bagus; lampirkan juga rekap per bidang.",
                    "created_at": "2026-04-03T02:00:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    realization_id: uuid.UUID
    author_nip: str
    text: str
    created_at: datetime


class RealizationRead(BaseModel):
    """A realisation as stored, with the supervisor's feedback when the caller may see it."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [REALIZATION_EXAMPLE]},
    )

    id: uuid.UUID
    skp_id: uuid.UUID
    indicator_id: uuid.UUID
    period: str
    realization: str
    evidence_url: str | None
    reported_at: datetime
    updated_at: datetime
    feedback: list[FeedbackRead] = Field(default_factory=list)


class RealizationList(BaseModel):
    """Every realisation of one SKP (bounded by its indicators times five periods), by period."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"skp_id": _SKP_ID, "items": [REALIZATION_EXAMPLE]}]}
    )

    skp_id: uuid.UUID
    items: list[RealizationRead]
