"""Request and response bodies of /v1/employees."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.kinerja_api import nip as nip_rules
from services.kinerja_api.tables.employee_enums import (
    Employment,
    Jenjang,
    PositionType,
    Rank,
    contract_problem,
    jenjang_problem,
    rank_mismatch,
    siasn_id_problem,
)

EMPLOYEE_EXAMPLE: dict[str, Any] = {
    "nip": "198609262015051001",
    "name": "Rahmat Hidayat",
    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
    "position": "Kepala Sub Bidang Mutasi",
    "position_type": "PENGAWAS",
    "rank": "III/d",
    "employment": "PNS",
    "supervisor_nip": "197503121999031002",
    "active": True,
    "jenjang": None,
    "contract_start": None,
    "contract_end": None,
    "siasn_id": "A8ACA7397AEB3912E040640A040269BB",
}


def _siasn_id_shape(value: str | None) -> str | None:
    if value is not None:
        problem = siasn_id_problem(value)
        if problem:
            raise ValueError(problem)
    return value


JENJANG_DESCRIPTION = (
    "The functional level (JF only): PEMULA, TERAMPIL, MAHIR, PENYELIA, AHLI_PERTAMA, AHLI_MUDA, AHLI_MADYA, "
    "AHLI_UTAMA. Dated like the reporting line (`effective_on`); credit points are prorated by it."
)
SIASN_ID_DESCRIPTION = "SIASN's person id (32 hexadecimal digits, optionally dashed), sent as `pnsDinilaiId`."


def _nip_shape(value: str | None) -> str | None:
    if value is not None and (len(value) != 18 or not value.isascii() or not value.isdigit()):
        raise ValueError("must be exactly 18 digits without spaces")
    return value


class EmployeeCreate(BaseModel):
    """A new employee. The NIP is checked against its layout (domain.md §5.1) for the employment."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{**EMPLOYEE_EXAMPLE, "effective_on": "2026-01-02"}]}
    )

    nip: str = Field(min_length=18, max_length=18, description="18 digits, no spaces.")
    name: str = Field(min_length=1, max_length=200)
    unit_id: uuid.UUID
    position: str = Field(min_length=1, max_length=200)
    position_type: PositionType
    rank: Rank
    employment: Employment
    supervisor_nip: str | None = Field(
        default=None, description="The direct supervisor; null for a unit head."
    )
    active: bool = True
    jenjang: Jenjang | None = Field(default=None, description=JENJANG_DESCRIPTION)
    contract_start: date | None = Field(default=None, description="PPPK only: the contract's first day.")
    contract_end: date | None = Field(default=None, description="PPPK only: the contract's last day.")
    siasn_id: str | None = Field(default=None, max_length=36, description=SIASN_ID_DESCRIPTION)
    effective_on: date | None = Field(
        default=None, description="Since when this reporting line holds (default today); not in the future."
    )

    @field_validator("supervisor_nip")
    @classmethod
    def _supervisor_shape(cls, value: str | None) -> str | None:
        return _nip_shape(value)

    @field_validator("siasn_id")
    @classmethod
    def _siasn_id(cls, value: str | None) -> str | None:
        return _siasn_id_shape(value)

    @model_validator(mode="after")
    def _consistent(self) -> EmployeeCreate:
        try:
            nip_rules.validate_identifier(self.nip, self.employment.value)
        except nip_rules.NipError as exc:
            raise ValueError(str(exc)) from None
        problem = (
            rank_mismatch(self.rank, self.employment)
            or jenjang_problem(self.jenjang, self.position_type)
            or contract_problem(self.employment, self.contract_start, self.contract_end)
        )
        if problem:
            raise ValueError(problem)
        return self


class EmployeeUpdate(BaseModel):
    """A partial change. A change of supervisor, unit or position is recorded from ``effective_on`` (default
    today); a change of position also closes the SKP covering that day (the new position gets its own).

    Send ``supervisor_nip: null`` to make the employee a unit head (answering to the governor)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"supervisor_nip": "197503121999031002", "effective_on": "2026-02-15"}]
        },
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    unit_id: uuid.UUID | None = None
    position: str | None = Field(default=None, min_length=1, max_length=200)
    position_type: PositionType | None = None
    rank: Rank | None = None
    employment: Employment | None = None
    supervisor_nip: str | None = None
    active: bool | None = None
    jenjang: Jenjang | None = Field(default=None, description=JENJANG_DESCRIPTION + " Null clears it.")
    contract_start: date | None = None
    contract_end: date | None = None
    siasn_id: str | None = Field(default=None, max_length=36, description=SIASN_ID_DESCRIPTION)
    effective_on: date | None = None

    @field_validator("supervisor_nip")
    @classmethod
    def _supervisor_shape(cls, value: str | None) -> str | None:
        return _nip_shape(value)

    @field_validator("siasn_id")
    @classmethod
    def _siasn_id(cls, value: str | None) -> str | None:
        return _siasn_id_shape(value)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> EmployeeUpdate:
        for name in ("name", "unit_id", "position", "position_type", "rank", "employment", "active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class EmployeeRead(BaseModel):
    """An employee as stored today."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [EMPLOYEE_EXAMPLE]})

    nip: str
    name: str
    unit_id: uuid.UUID
    position: str
    position_type: PositionType
    rank: Rank
    employment: Employment
    supervisor_nip: str | None
    active: bool
    jenjang: Jenjang | None = Field(default=None, description="The current functional level (JF only).")
    contract_start: date | None = Field(default=None, description="PPPK only: the contract's first day.")
    contract_end: date | None = Field(default=None, description="PPPK only: the contract's last day.")
    siasn_id: str | None = Field(default=None, description="SIASN's person id, when recorded.")


class SupervisorOn(BaseModel):
    """Who was an employee's direct supervisor (and in which unit) on a given day."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nip": "198609262015051001",
                    "on": "2026-03-31",
                    "supervisor_nip": "197503121999031002",
                    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                }
            ]
        }
    )

    nip: str
    on: date
    supervisor_nip: str | None = Field(description="Null when the employee answered to nobody in the system.")
    unit_id: uuid.UUID


class ImportResult(BaseModel):
    """What a CSV import did. ``refused`` is always 0: any bad line rejects the whole file."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"created": 9800, "updated": 150, "unchanged": 50, "refused": 0}]}
    )

    created: int
    updated: int
    unchanged: int
    refused: int = 0


DELEGATION_EXAMPLE: dict[str, Any] = {
    "id": "5b0e2a7c-3d41-4f6e-9a2b-7c8d9e0f1a2b",
    "delegate_nip": "198609262015051001",
    "for_nip": "199001012015031001",
    "valid_from": "2026-01-01",
    "valid_to": "2026-12-31",
    "decree_number": "800/123/BKD/2026",
    "created_by": "admin",
}


class DelegationCreate(BaseModel):
    """Who acts as pejabat penilai (``delegate_nip``) for whom (``for_nip``), from ``valid_from`` to
    ``valid_to`` (both inclusive), under which decree."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{k: v for k, v in DELEGATION_EXAMPLE.items() if k not in ("id", "created_by")}]
        },
    )

    delegate_nip: str = Field(pattern=r"^[0-9]{18}$", description="Who acts as pejabat penilai.")
    for_nip: str = Field(pattern=r"^[0-9]{18}$", description="Whom they evaluate and whose SKP they approve.")
    valid_from: date
    valid_to: date
    decree_number: str = Field(
        min_length=1, max_length=100, description="Number of the PPK's decree (surat keputusan)."
    )

    @model_validator(mode="after")
    def _range(self) -> DelegationCreate:
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        if self.delegate_nip == self.for_nip:
            raise ValueError("nobody is delegated to evaluate themselves")
        return self


class DelegationRead(BaseModel):
    """A recorded delegation."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [DELEGATION_EXAMPLE]})

    id: uuid.UUID
    delegate_nip: str
    for_nip: str
    valid_from: date
    valid_to: date
    decree_number: str
    created_by: str


class WithdrawBody(BaseModel):
    """Why the delegation is withdrawn (audited)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "SK dicabut"}]})

    reason: str = Field(min_length=3, max_length=2000)
