"""Bodies of /v1/reports."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.common.reports import ReportMeta
from services.kinerja_api.tables.evaluation_enums import OrgPredikat, Predikat


class CurveViolation(BaseModel):
    """One rule of the SE MenPANRB 3/2023 distribution pattern that the counts break."""

    rule: str = Field(examples=["BAIK_MAX_70"])
    expected: str = Field(examples=["BAIK <= 70%"])
    actual: str = Field(examples=["85% (17 of 20)"])
    explanation: str


class CurveCheck(BaseModel):
    """The distribution check; ``checked`` is false when no organisation predikat is set for the unit, or when
    fewer than 10 results are final (``too_small``: too small to apply the pattern, our rule, domain.md §11.3)."""

    checked: bool
    too_small: bool = False
    ok: bool
    violations: list[CurveViolation]


class PredikatDistribution(ReportMeta):
    """FINAL evaluations of a period per predikat, with the curve check against the organisation predikat."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "generated_at": "2026-04-20T02:00:00Z",
                    "data_as_of": "2026-04-15T09:30:00Z",
                    "period": "2026-Q1",
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "include_subunits": True,
                    "total": 10,
                    "counts": {
                        "SANGAT_BAIK": 1,
                        "BAIK": 8,
                        "BUTUH_PERBAIKAN": 1,
                        "KURANG": 0,
                        "SANGAT_KURANG": 0,
                    },
                    "org_predikat": "BAIK",
                    "curve_check": {
                        "checked": True,
                        "ok": False,
                        "violations": [
                            {
                                "rule": "BAIK_MAX_70",
                                "expected": "BAIK <= 70%",
                                "actual": "80% (8 of 10)",
                                "explanation": "With organisation predikat BAIK, at most 70% of employees may be "
                                "BAIK; 8 of 10 are.",
                            }
                        ],
                    },
                }
            ]
        }
    )

    period: str
    unit_id: uuid.UUID | None
    include_subunits: bool
    total: int
    counts: dict[Predikat, int]
    org_predikat: OrgPredikat | None
    curve_check: CurveCheck


class OrgPredikatSet(BaseModel):
    """The organisation predikat (capaian kinerja organisasi) of a unit for a period."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"org_predikat": "BAIK"}]})

    org_predikat: OrgPredikat


class OrgPredikatRead(OrgPredikatSet):
    """As stored."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "period": "2026-Q1",
                    "org_predikat": "BAIK",
                }
            ]
        },
    )

    unit_id: uuid.UUID
    period: str


class ComplianceDeadlines(BaseModel):
    """The calendar's deadlines for the period."""

    skp_due_on: date
    realization_due_on: date
    evaluation_due_on: date


class ComplianceFlags(BaseModel):
    """Per step: true when its deadline has passed."""

    skp: bool
    realization: bool
    evaluation: bool


class ComplianceCounts(BaseModel):
    """How many active employees completed each step."""

    skp_approved: int
    realization_reported: int
    evaluated: int


class ComplianceItem(BaseModel):
    """An employee who misses at least one step."""

    nip: str
    name: str
    unit_id: uuid.UUID
    skp_approved: bool
    realization_reported: bool
    evaluated: bool


class ComplianceReport(ReportMeta):
    """Who has no approved SKP for the year, no realisation for the period, or no FINAL evaluation."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_version": "1",
                    "generated_at": "2026-04-20T02:00:00Z",
                    "data_as_of": "2026-04-20T02:00:00Z",
                    "period": "2026-Q1",
                    "unit_id": None,
                    "as_of": "2026-04-20",
                    "deadlines": {
                        "skp_due_on": "2026-01-31",
                        "realization_due_on": "2026-03-31",
                        "evaluation_due_on": "2026-04-15",
                    },
                    "overdue": {"skp": True, "realization": True, "evaluation": True},
                    "headcount": 3,
                    "counts": {"skp_approved": 3, "realization_reported": 2, "evaluated": 1},
                    "items": [
                        {
                            "nip": "199001012015031001",
                            "name": "Siti Rahmawati",
                            "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                            "skp_approved": True,
                            "realization_reported": False,
                            "evaluated": False,
                        }
                    ],
                    "next_cursor": None,
                }
            ]
        }
    )

    period: str
    unit_id: uuid.UUID | None
    as_of: date
    deadlines: ComplianceDeadlines
    overdue: ComplianceFlags
    headcount: int
    counts: ComplianceCounts
    items: list[ComplianceItem]
    next_cursor: str | None = None
    individuals_withheld: bool = Field(
        default=False,
        description="True when the caller (an integrator without the scope `kinerja:individual`) gets the "
        "counts only: `items` is then empty whoever is missing a step.",
    )


class SiasnKinerjaPeriodik(BaseModel):
    """One evaluation in the shape of SIASN ``kinerjaperiodik/save`` (domain.md §8.2, §11.4); ``evaluation_id``
    is ours, for tracing: drop it before sending (the rest validates against
    ``docs/schemas/siasn-kinerjaperiodik-save.json``). ``pnsDinilaiId`` is the employee's SIASN person id;
    ``penilaiGolongan`` the SIASN golonganPns reference id; the penilai's name, rank, position and unit are as
    they were at finalisation. ``statusPenilai`` is ``NON ASN`` for the governor's evaluations."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "evaluation_id": "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                    "pnsDinilaiId": "A8ACA7397AEB3912E040640A040269BB",
                    "periodikId": 2,
                    "bulanMulaiPenilaian": 1,
                    "bulanSelesaiPenilaian": 3,
                    "tahun": 2026,
                    "tahunMulaiPenilaian": 2026,
                    "tahunSelesaiPenilaian": 2026,
                    "hasilKinerjaNilai": 1,
                    "perilakuKerjaNilai": 2,
                    "kuadranKinerjaNilai": 2,
                    "koefisienId": None,
                    "penilaiNipNrp": "198503152010011002",
                    "penilaiNama": "Budi Santoso",
                    "penilaiGolongan": "41",
                    "penilaiJabatanNama": "Kepala Bidang Mutasi",
                    "penilaiUnorNama": "Badan Kepegawaian Daerah",
                    "statusPenilai": "ASN",
                }
            ]
        }
    )

    evaluation_id: uuid.UUID
    pnsDinilaiId: str
    periodikId: int
    bulanMulaiPenilaian: int
    bulanSelesaiPenilaian: int
    tahun: int
    tahunMulaiPenilaian: int
    tahunSelesaiPenilaian: int
    hasilKinerjaNilai: int
    perilakuKerjaNilai: int
    kuadranKinerjaNilai: int
    koefisienId: str | None = None
    penilaiNipNrp: str | None
    penilaiNama: str
    penilaiGolongan: str | None
    penilaiJabatanNama: str
    penilaiUnorNama: str | None
    statusPenilai: str


class SiasnMissing(BaseModel):
    """A FINAL result the export could not send: the employee has no SIASN person id."""

    evaluation_id: uuid.UUID
    nip: str


class SiasnKinerjaReport(ReportMeta):
    """A keyset page of SIASN kinerjaperiodik records (``items``/``next_cursor`` as every list)."""

    items: list[SiasnKinerjaPeriodik]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= to get the next page.")
    missing_siasn_id: list[SiasnMissing] = Field(
        default_factory=list,
        description="Results of this page left out because the employee has no `siasn_id` (SIASN wants its "
        "person id, never the NIP): record it (PATCH /v1/employees/{nip} or the CSV import) and export again.",
    )
    unmapped_penilai_golongan: list[uuid.UUID] = Field(
        default_factory=list,
        description="Evaluations of this page whose penilai's golongan has no SIASN reference id in the shipped "
        "table (PPPK golongan): `penilaiGolongan` is null in those records.",
    )
