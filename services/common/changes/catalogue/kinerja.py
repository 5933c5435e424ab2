"""Events kinerja sends (``source: kinerja``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field

from services.common.changes.events import Catalogue, Event


class EmployeeChanged(Event):
    """An employee was created, changed or imported. One shape for pelatihan's roster and integrators:
    no name or position title (data minimisation, UU 27/2022)."""

    event_type: ClassVar[str] = "kinerja.employee"
    destinations: ClassVar[tuple[str, ...]] = ("pelatihan", "gateway")

    nip: str = Field(description="The employee's NIP (18 digits).")
    unit_id: str = Field(description="The unit the employee works in (uuid).")
    employment: str = Field(description="`PNS` or `PPPK`.")
    position_type: str = Field(description="`JPT`, `ADMINISTRATOR`, `PENGAWAS`, `FUNGSIONAL` or `PELAKSANA`.")
    rank: str = Field(description="Golongan/ruang, e.g. `III/a`.")
    active: bool = Field(description="False once the employee left.")
    supervisor_nip: str | None = Field(
        description="The direct supervisor's NIP; null at the top of the line."
    )
    # Added by issue 17; consumers must tolerate their absence (older events lack them).
    contract_start: str | None = Field(
        default=None, description="A PPPK's contract start (ISO date); null for a PNS."
    )
    contract_end: str | None = Field(
        default=None, description="A PPPK's contract end (ISO date); null for a PNS."
    )
    jenjang: str | None = Field(
        default=None, description="The functional level, e.g. `AHLI_PERTAMA`; null outside a JF."
    )
    siasn_id: str | None = Field(default=None, description="The SIASN person id, when recorded.")


class UnitChanged(Event):
    """A unit was created or changed (publik accepts surveys for units it knows)."""

    event_type: ClassVar[str] = "kinerja.unit"
    destinations: ClassVar[tuple[str, ...]] = ("publik",)

    unit_id: str = Field(description="The unit's id (uuid).")
    code: str | None = Field(description="The unit's short code.")
    name: str = Field(description="The unit's name.")
    parent_id: str | None = Field(description="The parent unit's id; null for a top-level unit.")
    active: bool = Field(description="False once the unit was dissolved.")


class PredikatCounts(BaseModel):
    """How many FINAL evaluations of the unit carry each predikat."""

    SANGAT_BAIK: int
    BAIK: int
    BUTUH_PERBAIKAN: int
    KURANG: int
    SANGAT_KURANG: int


class Compliance(BaseModel):
    """How many of the unit's employees completed each stage of the cycle."""

    skp_approved: int
    realization_reported: int
    evaluated: int


class UnitPerformance(Event):
    """A unit's aggregate for a period whose evaluations are all final: counts only, never a NIP, name or
    individual rating (UU 14/2008 Pasal 17(h)). publik keeps the latest per (unit, period)."""

    event_type: ClassVar[str] = "kinerja.unit_performance"
    destinations: ClassVar[tuple[str, ...]] = ("publik",)

    unit_id: str = Field(description="The unit's id (uuid).")
    unit_name: str = Field(description="The unit's name.")
    period: str = Field(description="`YYYY`, `YYYY-Qn` or `YYYY-MM` (a month of a monthly year).")
    headcount: int = Field(description="Active employees of the unit.")
    evaluated: int = Field(description="Employees with a FINAL evaluation for the period.")
    counts: PredikatCounts = Field(description="FINAL evaluations per predikat.")
    compliance: Compliance = Field(description="Employees who completed each stage.")
    policy_version: str = Field(description="The rules the figures follow (at most 32 characters).")
    data_as_of: str = Field(description="When the figures were computed (ISO 8601, UTC).")


class DevelopmentNeeds(Event):
    """What a finalised evaluation revealed (pelatihan is internal, so it may receive a NIP). Sent again, for the
    same evaluation, when an accepted objection sets new ratings; pelatihan keeps the latest per evaluation."""

    event_type: ClassVar[str] = "kinerja.development_needs"
    destinations: ClassVar[tuple[str, ...]] = ("pelatihan",)

    nip: str = Field(description="The evaluated employee.")
    evaluation_id: str = Field(description="The evaluation (uuid).")
    period: str = Field(description="`YYYY`, `YYYY-Qn` or `YYYY-MM` (a month of a monthly year).")
    behavior_gaps: list[str] = Field(description="BerAKHLAK values rated below expectation, in their order.")
    result_below_expectation: bool = Field(description="True when the result rating is below expectation.")
    behaviour_rating: str | None = Field(
        default=None,
        description="The evaluation's overall behaviour rating (`DI_ATAS_EKSPEKTASI`, `SESUAI_EKSPEKTASI`, "
        "`DI_BAWAH_EKSPEKTASI`) or null; optional, added without a version bump (receivers tolerate its absence).",
    )


class EvaluationFinalized(Event):
    """An evaluation became FINAL (webhook for integrators): ids and states only, never ratings or notes."""

    event_type: ClassVar[str] = "kinerja.evaluation_finalized"
    destinations: ClassVar[tuple[str, ...]] = ("gateway",)

    evaluation_id: str = Field(description="The evaluation (uuid).")
    nip: str = Field(description="The evaluated employee.")
    period: str = Field(description="`YYYY`, `YYYY-Qn` or `YYYY-MM` (a month of a monthly year).")
    status: str = Field(description="`FINAL`.")
    unit_id: str = Field(description="The employee's unit at the end of the evaluated part (uuid).")


class SkpApproved(Event):
    """An SKP was approved (webhook for integrators)."""

    event_type: ClassVar[str] = "kinerja.skp_approved"
    destinations: ClassVar[tuple[str, ...]] = ("gateway",)

    skp_id: str = Field(description="The SKP (uuid).")
    nip: str = Field(description="The SKP's owner.")
    year: int = Field(description="The SKP's year.")
    status: str = Field(description="`APPROVED`.")


class OrgRealization(BaseModel):
    """What the unit head reported on one indicator for one period."""

    period: str = Field(description="`YYYY-Qn` or `YYYY`.")
    realization: str = Field(description="The reported realisation.")


class OrgIndicator(BaseModel):
    """An indicator of an organisation target, its target and its realisations up to the period."""

    text: str
    target: str
    realizations: list[OrgRealization]


class OrgResult(BaseModel):
    """A result (RHK) of the unit head's approved SKP: an organisation target."""

    kind: str = Field(description="`UTAMA` or `TAMBAHAN`.")
    text: str
    indicators: list[OrgIndicator]


class OrganisationPerformance(Event):
    """Capaian kinerja organisasi: the unit's targets (the approved SKP results of whoever headed the unit at
    the period's end: the Perjanjian Kinerja, public under SAKIP) and their realisation up to the period. By
    unit only: no NIP, name, position, rating or evidence link of the head (domain.md §11.6)."""

    event_type: ClassVar[str] = "kinerja.organisation_performance"
    destinations: ClassVar[tuple[str, ...]] = ("publik",)

    unit_id: str = Field(description="The unit's id (uuid).")
    unit_name: str = Field(description="The unit's name.")
    period: str = Field(description="`YYYY`, `YYYY-Qn` or `YYYY-MM` (a month of a monthly year).")
    results: list[OrgResult] = Field(description="The targets, in the SKP's order.")
    data_as_of: str = Field(description="When the figures were read (ISO 8601, UTC).")


KINERJA_EVENTS = Catalogue(
    "kinerja",
    [
        EmployeeChanged,
        UnitChanged,
        UnitPerformance,
        OrganisationPerformance,
        DevelopmentNeeds,
        EvaluationFinalized,
        SkpApproved,
    ],
)
