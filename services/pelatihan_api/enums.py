"""Value sets of pelatihan (api-contract §4): named str enums, so OpenAPI shows them as schemas."""

from __future__ import annotations

from enum import StrEnum


class InstitutionKind(StrEnum):
    """A partner institution's kind."""

    UNIVERSITAS = "UNIVERSITAS"
    LAN = "LAN"
    BPSDM = "BPSDM"
    LAINNYA = "LAINNYA"


class Competency(StrEnum):
    """The competency a programme develops (PP 11/2017 Pasal 210: teknis, manajerial, sosial kultural)."""

    TEKNIS = "TEKNIS"
    MANAJERIAL = "MANAJERIAL"
    SOSIAL_KULTURAL = "SOSIAL_KULTURAL"


class Mode(StrEnum):
    """Klasikal (face to face) or non-klasikal (e-learning, coaching, ...; domain.md §3.2)."""

    KLASIKAL = "KLASIKAL"
    NONKLASIKAL = "NONKLASIKAL"


class EnrolmentStatus(StrEnum):
    """Where an enrolment stands."""

    PENDING_APPROVAL = "PENDING_APPROVAL"
    CONFIRMED = "CONFIRMED"
    WAITLISTED = "WAITLISTED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


# A "live" enrolment blocks a second one for the same employee and session (partial unique index).
LIVE_STATUSES = (
    EnrolmentStatus.PENDING_APPROVAL,
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.FAILED,
)


class PositionType(StrEnum):
    """Jabatan type, as kinerja reports it (api-contract §3)."""

    JPT = "JPT"
    ADMINISTRATOR = "ADMINISTRATOR"
    PENGAWAS = "PENGAWAS"
    PELAKSANA = "PELAKSANA"
    FUNGSIONAL = "FUNGSIONAL"


class Employment(StrEnum):
    """PNS or PPPK."""

    PNS = "PNS"
    PPPK = "PPPK"


PNS_RANKS = (
    "I/a", "I/b", "I/c", "I/d",
    "II/a", "II/b", "II/c", "II/d",
    "III/a", "III/b", "III/c", "III/d",
    "IV/a", "IV/b", "IV/c", "IV/d", "IV/e",
)  # fmt: skip


def rank_order(rank: str | None) -> int:
    """Position of a PNS golongan/ruang in seniority (-1 when not a PNS rank)."""
    try:
        return PNS_RANKS.index(rank) if rank is not None else -1
    except ValueError:
        return -1


def in_check(column: str, values: tuple[str, ...] | list[str]) -> str:
    """A CHECK expression ``column IN (...)`` for a value set."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


class LearningPath(StrEnum):
    """The path of learning done outside the province's own sessions (domain.md §3.2, §11.5)."""

    KLASIKAL = "KLASIKAL"
    E_LEARNING = "E_LEARNING"
    SEMINAR_WORKSHOP = "SEMINAR_WORKSHOP"
    COACHING = "COACHING"
    MENTORING = "MENTORING"
    SELF_STUDY = "SELF_STUDY"
    OTHER = "OTHER"


class ClaimStatus(StrEnum):
    """Where a claim of outside learning stands: claimed by the employee, then verified (its JP enter the
    ledger) or rejected; a verified claim may later be revoked (its JP leave the ledger)."""

    CLAIMED = "CLAIMED"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"
    REVOKED = "REVOKED"


# Caps per path per calendar year until an admin changes them (pelatihan.learning_cap; docs/pelatihan.md).
DEFAULT_CAPS = {
    LearningPath.KLASIKAL: 60,
    LearningPath.E_LEARNING: 40,
    LearningPath.SEMINAR_WORKSHOP: 16,
    LearningPath.COACHING: 20,
    LearningPath.MENTORING: 20,
    LearningPath.SELF_STUDY: 10,
    LearningPath.OTHER: 10,
}
