"""Request and response bodies of /v1/evaluations and /v1/objections."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.kinerja_api.calendar.periods import PERIOD_PATTERN
from services.kinerja_api.tables.evaluation_enums import (
    Berakhlak,
    EvaluationKind,
    EvaluationStatus,
    ObjectionStatus,
    OrgPredikat,
    Predikat,
    Rating,
)

NIP = Annotated[str, Field(pattern=r"^[0-9]{18}$", examples=["198503152010011002"])]
PeriodStr = Annotated[str, Field(pattern=PERIOD_PATTERN, examples=["2026-Q1"])]
NOTE_MAX = 2000


class BehaviorNote(BaseModel):
    """The evaluator's note on one BerAKHLAK value, with an optional level. A level of
    ``DI_BAWAH_EKSPEKTASI`` marks a development need sent to pelatihan on finalisation."""

    model_config = ConfigDict(extra="forbid")

    level: Rating | None = None
    note: str = Field(default="", max_length=NOTE_MAX)


BehaviorNoteIn = Annotated[
    BehaviorNote | Annotated[str, Field(max_length=NOTE_MAX)],
    Field(description="An object {level, note}, or a plain string (stored as {level: null, note})."),
]


class MainRating(BaseModel):
    """The evaluator's rating of one main (UTAMA) result of the SKP, with a note on the realisation and its
    evidence."""

    model_config = ConfigDict(extra="forbid")

    rating: Rating
    note: str = Field(default="", max_length=NOTE_MAX)


MAX_MAIN_RESULTS = 100
"""An SKP holds at most 50 results; a stretch may meet two SKPs."""

EVALUATION_EXAMPLE: dict[str, Any] = {
    "id": "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
    "kind": "RESULT",
    "result_id": None,
    "nip": "199001012015031001",
    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
    "period": "2026-Q1",
    "period_start": "2026-01-01",
    "period_end": "2026-03-31",
    "evaluator_nip": "198503152010011002",
    "on_behalf": None,
    "status": "FINAL",
    "result_rating": "DI_ATAS_EKSPEKTASI",
    "behavior_rating": "SESUAI_EKSPEKTASI",
    "behavior_notes": {"KOLABORATIF": {"level": "DI_BAWAH_EKSPEKTASI", "note": "Jarang berbagi data tim."}},
    "main_ratings": {
        "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d": {"rating": "DI_ATAS_EKSPEKTASI", "note": "Target terlampaui."}
    },
    "result_reason": None,
    "behavior_reason": None,
    "predikat": "BAIK",
    "version": 3,
    "finalized_at": "2026-04-10T03:00:00Z",
    "acknowledged_at": None,
    "reopened_count": 0,
    "decider_nip": "197801012000031001",
    "closed_reason": None,
    "org_alignment_reason": None,
    "created_at": "2026-04-01T02:00:00Z",
    "updated_at": "2026-04-10T03:00:00Z",
}


class EvaluationCreate(BaseModel):
    """Start an evaluation of ``nip`` for ``period`` (a quarter ``2026-Q1`` or a year ``2026``)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"nip": "199001012015031001", "period": "2026-Q1"}]}
    )

    nip: NIP
    period: PeriodStr


class EvaluationUpdate(BaseModel):
    """Ratings and notes; only the fields sent change. Needs ``If-Match`` with the current ETag."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "result_rating": "DI_ATAS_EKSPEKTASI",
                    "behavior_rating": "SESUAI_EKSPEKTASI",
                    "behavior_notes": {
                        "BERORIENTASI_PELAYANAN": "Cepat menanggapi keluhan.",
                        "KOLABORATIF": {"level": "DI_BAWAH_EKSPEKTASI", "note": "Jarang berbagi data tim."},
                    },
                }
            ]
        },
    )

    result_rating: Rating | None = None
    behavior_rating: Rating | None = None
    behavior_notes: dict[Berakhlak, BehaviorNoteIn] | None = Field(
        default=None, description="Keyed by the seven BerAKHLAK values; replaces the stored notes."
    )
    main_ratings: dict[uuid.UUID, MainRating] | None = Field(
        default=None,
        max_length=MAX_MAIN_RESULTS,
        description="Ratings of the main (UTAMA) results of the SKPs covering the dates, keyed by the result's "
        "id (GET /v1/evaluations/{id}/main-results lists them); replaces the stored ratings.",
    )
    result_reason: str | None = Field(
        default=None,
        max_length=NOTE_MAX,
        description="Why: required when result_rating is DI_BAWAH_EKSPEKTASI.",
    )
    behavior_reason: str | None = Field(
        default=None,
        max_length=NOTE_MAX,
        description="Why: required when behavior_rating is DI_BAWAH_EKSPEKTASI or departs from the median of the "
        "seven BerAKHLAK levels.",
    )


class EvaluationRead(BaseModel):
    """An evaluation as stored. ``predikat`` is set once FINAL."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [EVALUATION_EXAMPLE]})

    id: uuid.UUID
    kind: EvaluationKind = Field(
        description="RESULT: the period result (one per person and period, the only one with a predikat); "
        "PART: an earlier supervisor's assessment of the stretch they supervised."
    )
    result_id: uuid.UUID | None = Field(description="The result a PART belongs to; null on a RESULT.")
    nip: str
    unit_id: uuid.UUID
    period: str
    period_start: date = Field(description="First day of the stretch this record assesses.")
    period_end: date = Field(description="Last day of the stretch (a result's is the period's end).")
    evaluator_nip: str | None = Field(description="Null when an admin evaluated in the governor's name.")
    on_behalf: str | None = Field(description='"GUBERNUR" when an admin evaluated in the governor\'s name.')
    status: EvaluationStatus
    result_rating: Rating | None
    behavior_rating: Rating | None
    behavior_notes: dict[Berakhlak, BehaviorNote]
    main_ratings: dict[uuid.UUID, MainRating] = Field(
        description="Ratings of the main (UTAMA) results of the SKPs covering the dates."
    )
    result_reason: str | None
    behavior_reason: str | None
    predikat: Predikat | None
    version: int
    finalized_at: datetime | None
    acknowledged_at: datetime | None
    reopened_count: int
    decider_nip: str | None = Field(
        description="The evaluator's superior, who decides objections; stored at the first finalisation."
    )
    closed_reason: str | None = Field(description="Why an admin closed a PART whose author left the service.")
    org_alignment_reason: str | None = Field(
        default=None,
        description="Why an admin let a unit head's result rating depart from the rating the organisation "
        "predikat gives (`PUT /v1/evaluations/{id}/org-alignment-exception`).",
    )
    created_at: datetime
    updated_at: datetime


class MainResultItem(BaseModel):
    """A main (UTAMA) result of an approved SKP covering the evaluation's dates, and its rating so far."""

    skp_id: uuid.UUID
    skp_result_id: uuid.UUID
    text: str
    rating: Rating | None
    note: str | None


class PeriodicResult(BaseModel):
    """One FINAL periodic result of the year, which the annual result rests on."""

    period: str
    result_rating: Rating
    behavior_rating: Rating


class MainResults(BaseModel):
    """What the evaluator rates before finalising (domain.md §11.3): the main results of the approved SKPs
    covering the dates, whether those SKPs cover every day, and the rule over the seven BerAKHLAK levels."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "covered": True,
                    "items": [
                        {
                            "skp_id": "5b0e2a7c-3d41-4f6e-9a2b-7c8d9e0f1a2b",
                            "skp_result_id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
                            "text": "Tersusunnya rencana pengembangan kompetensi",
                            "rating": "SESUAI_EKSPEKTASI",
                            "note": "",
                        }
                    ],
                    "behavior_median": "SESUAI_EKSPEKTASI",
                }
            ]
        }
    )

    covered: bool = Field(description="True when approved SKPs cover every day of the evaluation's dates.")
    items: list[MainResultItem]
    behavior_median: Rating | None = Field(
        description="The median of the seven BerAKHLAK levels once all seven are set; the overall behaviour "
        "rating equals it unless behavior_reason says why not."
    )
    periodic: list[PeriodicResult] = Field(
        default_factory=list,
        description="Of an annual result: the year's FINAL periodic results, oldest first.",
    )
    prefill_result_rating: Rating | None = Field(
        default=None,
        description="Of an annual result: the most frequent periodic result rating (a tie goes to the latest); "
        "departing from it needs result_reason.",
    )
    prefill_behavior_rating: Rating | None = Field(
        default=None, description="The same for the behaviour rating (departing needs behavior_reason)."
    )


class PartList(BaseModel):
    """The parts of a result the caller may read, oldest stretch first."""

    items: list[EvaluationRead]


class PartCreate(BaseModel):
    """Which of the caller's stretches the part assesses (default: the first without a part)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"start_on": "2026-01-01"}]})

    start_on: date | None = None


class ReasonBody(BaseModel):
    """Why (kept in the audit log)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Salah input rating hasil kerja."}]}
    )

    reason: str = Field(min_length=3, max_length=2000)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class ObjectionCreate(ReasonBody):
    """A keberatan against a FINAL evaluation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "Realisasi triwulan ini melampaui target, mohon ditinjau."}]
        },
    )


class ObjectionDecide(BaseModel):
    """The decision of the atasan pejabat penilai (PP 30/2019 Pasal 59): rejecting keeps the ratings;
    accepting sets them (`result_rating` and/or `behavior_rating`), the predikat is computed again and the
    result stays FINAL. The decision is final."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"accept": True, "result_rating": "SESUAI_EKSPEKTASI", "note": "Bukti dukung valid."},
                {"accept": False, "note": "Rating sesuai bukti dukung."},
            ]
        },
    )

    accept: bool
    note: str | None = Field(default=None, max_length=4000)
    result_rating: Rating | None = Field(default=None, description="The result rating the atasan sets.")
    behavior_rating: Rating | None = Field(default=None, description="The behaviour rating the atasan sets.")


class ObjectionRead(BaseModel):
    """A keberatan and its decision."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "7d1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                    "evaluation_id": "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                    "nip": "199001012015031001",
                    "reason": "Realisasi melampaui target.",
                    "status": "PENDING",
                    "decider_nip": None,
                    "decision_note": None,
                    "created_at": "2026-04-12T03:00:00Z",
                    "decided_at": None,
                }
            ]
        },
    )

    id: uuid.UUID
    evaluation_id: uuid.UUID
    nip: str
    reason: str
    status: ObjectionStatus
    decider_nip: str | None
    decision_note: str | None
    created_at: datetime
    decided_at: datetime | None


class CurveStatus(StrEnum):
    """The unit's distribution status: no organisation predikat set (NOT_CHECKED), fewer than 10 final results
    (TOO_SMALL, our rule), within the pattern (OK) or breaking a rule of it (BREAKS)."""

    NOT_CHECKED = "NOT_CHECKED"
    TOO_SMALL = "TOO_SMALL"
    OK = "OK"
    BREAKS = "BREAKS"


class CurveWarning(BaseModel):
    """One rule of the SE MenPANRB 3/2023 pattern the unit's predikat counts break."""

    rule: str = Field(examples=["BAIK_MAX_70"])
    expected: str = Field(examples=["BAIK <= 70%"])
    actual: str = Field(examples=["80% (8 of 10)"])
    explanation: str


class CurveRead(BaseModel):
    """The unit's curve for the period with this result counted: a warning, never a refusal."""

    status: CurveStatus
    org_predikat: OrgPredikat | None
    total: int = Field(description="FINAL results of the unit for the period, this one included.")
    warnings: list[CurveWarning]


class FinalizedRead(EvaluationRead):
    """A finalised result with the unit's curve as it is now (issue 16; domain.md §11.3)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **EVALUATION_EXAMPLE,
                    "curve": {
                        "status": "BREAKS",
                        "org_predikat": "BAIK",
                        "total": 10,
                        "warnings": [
                            {
                                "rule": "BAIK_MAX_70",
                                "expected": "BAIK <= 70%",
                                "actual": "80% (8 of 10)",
                                "explanation": "With organisation predikat BAIK, at most 70% of employees may be BAIK; 8 of 10 are.",
                            }
                        ],
                    },
                }
            ]
        },
    )

    curve: CurveRead
