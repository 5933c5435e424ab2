"""The event envelope and the ``data`` of each event type publik accepts (docs/events.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.common.periods import KINERJA_PATTERN

PERIOD_PATTERN = KINERJA_PATTERN  # kinerja's periods: YYYY, YYYY-Qn, YYYY-MM (services/common/periods.py)

ENVELOPE_EXAMPLE: dict[str, Any] = {
    "id": "5b6f0e7e-3c1e-4c57-9d0b-1f2e3a4b5c6d",
    "type": "kinerja.unit_performance",
    "source": "kinerja",
    "occurred_at": "2026-04-15T03:00:00Z",
    "data": {
        "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
        "unit_name": "Badan Kepegawaian Daerah",
        "period": "2026-Q1",
        "headcount": 40,
        "evaluated": 38,
        "counts": {"SANGAT_BAIK": 6, "BAIK": 25, "BUTUH_PERBAIKAN": 5, "KURANG": 2, "SANGAT_KURANG": 0},
        "compliance": {"skp_approved": 39, "realization_reported": 38, "evaluated": 38},
        "policy_version": "2026.1",
        "data_as_of": "2026-04-15T03:00:00Z",
    },
}


class EventEnvelope(BaseModel):
    """What the outbox dispatchers of kinerja and pelatihan POST."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ENVELOPE_EXAMPLE]})

    id: uuid.UUID
    type: str = Field(min_length=1, max_length=80)
    version: int = Field(
        default=1,
        ge=1,
        description="The payload's version (docs/events.md); a version not known here gets 422.",
    )
    source: str = Field(min_length=1, max_length=40)
    occurred_at: datetime
    data: dict[str, Any]


class IngestResult(BaseModel):
    """Whether the event was applied now or had been applied before."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"event_id": ENVELOPE_EXAMPLE["id"], "status": "stored"}]}
    )

    event_id: uuid.UUID
    status: str = Field(description="`stored` the first time, `duplicate` afterwards.")


class _Strict(BaseModel):
    # Unknown fields are refused: an unexpected field is exactly how personal data would slip in.
    model_config = ConfigDict(extra="forbid")


class UnitData(_Strict):
    """``kinerja.unit``: a unit was created or changed."""

    unit_id: uuid.UUID
    code: str | None = Field(default=None, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    parent_id: uuid.UUID | None = None
    active: bool = True


class PredikatCounts(_Strict):
    """How many evaluated employees got each predikat."""

    SANGAT_BAIK: int = Field(ge=0)
    BAIK: int = Field(ge=0)
    BUTUH_PERBAIKAN: int = Field(ge=0)
    KURANG: int = Field(ge=0)
    SANGAT_KURANG: int = Field(ge=0)


class Compliance(_Strict):
    """How many of the unit's employees completed each step of the cycle."""

    skp_approved: int = Field(ge=0)
    realization_reported: int = Field(ge=0)
    evaluated: int = Field(ge=0)


class UnitPerformanceData(_Strict):
    """``kinerja.unit_performance``: a unit's aggregate for a period whose evaluations are final."""

    unit_id: uuid.UUID
    unit_name: str = Field(min_length=1, max_length=200)
    period: str = Field(pattern=PERIOD_PATTERN)
    headcount: int = Field(ge=0)
    evaluated: int = Field(ge=0)
    counts: PredikatCounts
    compliance: Compliance
    policy_version: str | None = Field(default=None, max_length=32)
    data_as_of: datetime | None = None


class TrainingStatsData(_Strict):
    """``pelatihan.training_stats``: a unit's training figures for a year."""

    unit_id: uuid.UUID
    unit_name: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2100)
    participants: int = Field(ge=0)
    jp_delivered: float = Field(ge=0)
    pns_total: int = Field(ge=0)
    pns_meeting_20jp: int = Field(ge=0)
    share_meeting_20jp: float | None = Field(default=None, ge=0, le=1)
    data_as_of: datetime | None = None


class OrgRealizationData(_Strict):
    """A realisation of an organisation indicator in one period."""

    period: str = Field(pattern=PERIOD_PATTERN)
    realization: str = Field(max_length=4000)


class OrgIndicatorData(_Strict):
    """An indicator of an organisation target, with its target and realisations."""

    text: str = Field(max_length=1000)
    target: str = Field(max_length=200)
    realizations: list[OrgRealizationData] = Field(max_length=5)


class OrgResultData(_Strict):
    """An organisation target (a result of the unit head's approved SKP)."""

    kind: str = Field(pattern="^(UTAMA|TAMBAHAN)$")
    text: str = Field(max_length=2000)
    indicators: list[OrgIndicatorData] = Field(max_length=30)


class OrganisationPerformanceData(_Strict):
    """``kinerja.organisation_performance``: a unit's targets and their realisation up to a period, by unit
    only (no NIP, name, position or rating of the head)."""

    unit_id: uuid.UUID
    unit_name: str = Field(min_length=1, max_length=200)
    period: str = Field(pattern=PERIOD_PATTERN)
    results: list[OrgResultData] = Field(max_length=50)
    data_as_of: datetime | None = None
