"""Bodies of /v1/surveys and /v1/ikm."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt

Answer = Annotated[StrictInt, Field(ge=1, le=4)]


class AgeGroup(StrEnum):
    """Respondent's age group (kelompok usia)."""

    USIA_BAWAH_20 = "USIA_BAWAH_20"
    USIA_20_29 = "USIA_20_29"
    USIA_30_39 = "USIA_30_39"
    USIA_40_49 = "USIA_40_49"
    USIA_50_59 = "USIA_50_59"
    USIA_60_KE_ATAS = "USIA_60_KE_ATAS"


class Sex(StrEnum):
    """Respondent's sex (jenis kelamin)."""

    LAKI_LAKI = "LAKI_LAKI"
    PEREMPUAN = "PEREMPUAN"


class Education(StrEnum):
    """Respondent's highest education (pendidikan terakhir)."""

    SD_KE_BAWAH = "SD_KE_BAWAH"
    SMP = "SMP"
    SMA = "SMA"
    DIPLOMA = "DIPLOMA"
    S1 = "S1"
    S2_KE_ATAS = "S2_KE_ATAS"


class Occupation(StrEnum):
    """Respondent's main occupation (pekerjaan utama)."""

    PNS_TNI_POLRI = "PNS_TNI_POLRI"
    PEGAWAI_SWASTA = "PEGAWAI_SWASTA"
    WIRAUSAHA = "WIRAUSAHA"
    PELAJAR_MAHASISWA = "PELAJAR_MAHASISWA"
    LAINNYA = "LAINNYA"


PROFILE_FIELDS: dict[str, type[StrEnum]] = {
    "age_group": AgeGroup,
    "sex": Sex,
    "education": Education,
    "occupation": Occupation,
}


class SurveyCreate(BaseModel):
    """One citizen's SKM answers: U1..U9 in the order of domain.md §4.1, each 1 (tidak baik) to 4 (sangat baik)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "answers": [4, 3, 4, 4, 3, 4, 4, 3, 3],
                    "comment": "Pelayanan cepat dan ramah.",
                    "form_token": "0b6f3c7e7a554f3e9d8c1f2a3b4c5d6e.1780000000.9f86d081884c7d659a2feaa0c55ad015."
                    "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg",
                }
            ]
        },
    )

    unit_id: uuid.UUID
    answers: list[Answer] = Field(min_length=9, max_length=9, description="Exactly nine integers 1-4.")
    comment: str | None = Field(default=None, max_length=1000)
    age_group: AgeGroup | None = Field(default=None, description="Optional respondent profile.")
    sex: Sex | None = None
    education: Education | None = None
    occupation: Occupation | None = None
    service_id: uuid.UUID | None = Field(
        default=None,
        description="The service used: one of the unit's active services (GET /v1/units/{id}/services).",
    )
    form_token: str = Field(
        min_length=1,
        max_length=200,
        description="From POST /v1/surveys/form-token for this unit; one answer per token, until it expires.",
    )


class FormTokenCreate(BaseModel):
    """The unit whose survey form is being opened."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e"}]}
    )

    unit_id: uuid.UUID


class FormTokenRead(BaseModel):
    """A signed token for one survey answer about one unit."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "token": "0b6f3c7e7a554f3e9d8c1f2a3b4c5d6e.1780000000.9f86d081884c7d659a2feaa0c55ad015."
                    "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg",
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "expires_at": "2026-04-20T02:30:00Z",
                }
            ]
        }
    )

    token: str
    unit_id: uuid.UUID
    expires_at: datetime


class SurveyAccepted(BaseModel):
    """The stored response (its id only: answers are not echoed)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1c2d3e4f-5a6b-7c8d-9e0f-1a2b3c4d5e6f",
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "year": 2026,
                }
            ]
        }
    )

    id: uuid.UUID
    unit_id: uuid.UUID
    year: int


class UnsurRead(BaseModel):
    """One unsur's NRR and its value on the 25-100 scale."""

    unsur: int
    name: str
    nrr: float
    ikm: float


class IkmRead(BaseModel):
    """A unit's IKM for a year (domain.md §4.2-4.4)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "unit_name": "Dinas Kependudukan dan Pencatatan Sipil",
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
                }
            ]
        }
    )

    unit_id: uuid.UUID
    unit_name: str
    year: int
    respondents: int
    ikm: float | None = Field(description="25 x mean NRR, two decimals; null without respondents.")
    mutu: str | None = Field(description="A-D.")
    kinerja: str | None = Field(description="SANGAT_BAIK, BAIK, KURANG_BAIK or TIDAK_BAIK.")
    per_unsur: list[UnsurRead]
    service_population: int | None = Field(description="Set by an admin; drives min_sample.")
    min_sample: int | None = Field(description="Krejcie-Morgan minimum sample for the population.")
    sample_sufficient: bool | None = Field(description="False when fewer respondents than min_sample.")
    data_as_of: datetime | None
    period: str | None = Field(default=None, description="The SKM period asked for (GET /v1/skm-periods).")
    service_id: uuid.UUID | None = Field(default=None, description="The service asked for, if any.")
    service_name: str | None = None
    profile: dict[str, dict[str, int | None]] | None = Field(
        default=None,
        description=(
            "Respondents per profile value (TIDAK_DIISI = not given), for an ended SKM period of the whole "
            "unit; null cells are withheld (disclosure rules)."
        ),
    )
    suppressed: list[str] = Field(
        default_factory=list,
        description="Withheld figures: `ikm` (with mutu, kinerja, per_unsur), profile cells.",
    )


class IkmSide(BaseModel):
    """The IKM of one side of an innovation's launch."""

    respondents: int
    ikm: float | None
    mutu: str | None
    kinerja: str | None
    suppressed: bool = Field(description="True when drawn from 1..k-1 answers (then the figures are null).")


class InnovationIkm(BaseModel):
    """Before and after an innovation's launch, for the service it changed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "innovation_id": "2b3c4d5e-6f70-8192-a3b4-c5d6e7f80912",
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                    "title": "Pendaftaran dokumen kependudukan daring",
                    "service_id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
                    "service_name": "Pendaftaran dokumen kependudukan",
                    "launched_on": "2026-03-01",
                    "before": {
                        "respondents": 40,
                        "ikm": 70.5,
                        "mutu": "C",
                        "kinerja": "KURANG_BAIK",
                        "suppressed": False,
                    },
                    "after": {
                        "respondents": 55,
                        "ikm": 84.2,
                        "mutu": "B",
                        "kinerja": "BAIK",
                        "suppressed": False,
                    },
                    "change": 13.7,
                }
            ]
        }
    )

    innovation_id: uuid.UUID
    unit_id: uuid.UUID
    title: str
    service_id: uuid.UUID
    service_name: str | None
    launched_on: date
    before: IkmSide
    after: IkmSide
    change: float | None = Field(description="after.ikm - before.ikm, when both show.")


class ServicePopulation(BaseModel):
    """How many people the unit serves a year (null clears it)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"population": 5000}]})

    population: int | None = Field(ge=1, le=100_000_000)
