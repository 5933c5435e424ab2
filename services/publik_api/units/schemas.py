"""Bodies of /v1/units (publik's public view of a unit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from services.publik_api.feed.schemas import FeedItem
from services.publik_api.publications.figures import IkmFigure, JpFigure, PredikatFigure
from services.publik_api.surveys.schemas import IkmRead


class UnitRead(BaseModel):
    """A unit as publik knows it."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "code": "DUKCAPIL",
                    "name": "Dinas Kependudukan dan Pencatatan Sipil",
                    "parent_id": None,
                    "service_population": 5000,
                }
            ]
        },
    )

    id: uuid.UUID
    code: str | None
    name: str
    parent_id: uuid.UUID | None
    service_population: int | None


class Scorecard(BaseModel):
    """A unit's public scorecard for a year: performance distribution per period, training, IKM, innovations."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit": {
                        "id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                        "code": "BKD",
                        "name": "Badan Kepegawaian Daerah",
                        "parent_id": None,
                        "service_population": 5000,
                    },
                    "year": 2026,
                    "performance": [
                        {
                            "id": "7d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
                            "kind": "UNIT_PERFORMANCE",
                            "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                            "unit_name": "Badan Kepegawaian Daerah",
                            "period": "2026-Q1",
                            "version": 1,
                            "policy_version": "2026.1",
                            "data": {
                                "headcount": 40,
                                "evaluated": 38,
                                "counts": {
                                    "SANGAT_BAIK": 6,
                                    "BAIK": 25,
                                    "BUTUH_PERBAIKAN": 5,
                                    "KURANG": None,
                                    "SANGAT_KURANG": None,
                                },
                            },
                            "suppressed": ["counts.KURANG", "counts.SANGAT_KURANG"],
                            "data_as_of": "2026-04-15T03:00:00Z",
                            "published_at": "2026-04-20T02:00:00Z",
                            "updated_at": "2026-04-20T02:00:00Z",
                        }
                    ],
                    "training": None,
                    "ikm": {
                        "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                        "unit_name": "Badan Kepegawaian Daerah",
                        "year": 2026,
                        "respondents": 120,
                        "ikm": 82.41,
                        "mutu": "B",
                        "kinerja": "BAIK",
                        "per_unsur": [{"unsur": 1, "name": "Persyaratan", "nrr": 3.3, "ikm": 82.5}],
                        "service_population": 5000,
                        "min_sample": 357,
                        "sample_sufficient": False,
                        "data_as_of": "2026-04-20T02:00:00Z",
                    },
                    "innovations": [],
                    "min_group_size": 5,
                    "policy_version": "2026.1",
                    "data_as_of": "2026-04-20T02:00:00Z",
                }
            ]
        }
    )

    unit: UnitRead
    year: int
    performance: list[FeedItem] = Field(description="UNIT_PERFORMANCE items of the year, by period.")
    training: FeedItem | None = Field(description="The TRAINING_STATS item of the year.")
    capaian: list[FeedItem] = Field(
        default_factory=list,
        description="CAPAIAN_KINERJA items of the year, by period: the unit's targets (the approved SKP results "
        "of its head at the period's end) and their realisation, by unit only.",
    )
    ikm: IkmRead
    innovations: list[FeedItem]
    follow_ups: list[FeedItem] = Field(
        default_factory=list, description="The unit's newest follow-up statements (tindak lanjut) on the SKM."
    )
    min_group_size: int = Field(description="Figures from fewer people are suppressed.")
    policy_version: str
    data_as_of: datetime | None = Field(description="The newest `data_as_of` of the figures shown.")


class TrendTexts(BaseModel):
    """Each chart's text alternative (Bahasa Indonesia): every figure it draws, in words."""

    ikm: str
    predikat: str
    jp: str


class Trends(BaseModel):
    """A unit's scorecard figures over its newest published periods, oldest first, exactly as published
    (suppressed cells null and named); the charts are at `trends/{ikm,predikat,jp}.svg`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "unit_name": "Dinas Kependudukan dan Pencatatan Sipil",
                    "periods": 8,
                    "ikm": [
                        {"period": "2025", "respondents": 380, "ikm": 80.12, "mutu": "B", "kinerja": "BAIK"},
                        {"period": "2026", "respondents": 412, "ikm": 84.12, "mutu": "B", "kinerja": "BAIK"},
                    ],
                    "predikat": [
                        {
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
                        }
                    ],
                    "jp": [
                        {
                            "period": "2026",
                            "pns_total": 40,
                            "pns_meeting_20jp": 31,
                            "share_meeting_20jp": 0.775,
                            "suppressed": [],
                        }
                    ],
                    "text": {
                        "ikm": "Indeks Kepuasan Masyarakat per tahun. 2025: 80,12 (mutu B, 380 responden); "
                        "2026: 84,12 (mutu B, 412 responden).",
                        "predikat": "Sebaran predikat kinerja pegawai per periode. 2026-Q1 (38 pegawai "
                        "dinilai): Sangat Baik 6, Baik 25, Butuh Perbaikan 5, Kurang disembunyikan, "
                        "Sangat Kurang disembunyikan.",
                        "jp": "Persentase PNS yang memenuhi 20 JP per tahun. 2026: 77,5 %.",
                    },
                    "min_group_size": 5,
                    "policy_version": "2026.1",
                }
            ]
        }
    )

    unit_id: uuid.UUID
    unit_name: str
    periods: int = Field(description="At most this many periods of each figure.")
    ikm: list[IkmFigure] = Field(description="The IKM per year.")
    predikat: list[PredikatFigure] = Field(description="The predikat spread per evaluation period.")
    jp: list[JpFigure] = Field(description="The 20 JP compliance of PNS per year.")
    text: TrendTexts
    min_group_size: int = Field(description="Figures from fewer people are suppressed.")
    policy_version: str


class TrendFigure(StrEnum):
    """Which trend a chart draws (a path segment, lower case like the file name it ends)."""

    ikm = "ikm"
    predikat = "predikat"
    jp = "jp"
