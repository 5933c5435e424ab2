"""Value sets of evaluations (api-contract §3; domain.md §1.6-1.8). Pure, shared by models, schemas, reports."""

from __future__ import annotations

from enum import StrEnum


class Rating(StrEnum):
    """Rating Hasil Kerja / Rating Perilaku Kerja (PermenPANRB 6/2022); SIASN ids 1, 2, 3 in this order."""

    DI_ATAS_EKSPEKTASI = "DI_ATAS_EKSPEKTASI"
    SESUAI_EKSPEKTASI = "SESUAI_EKSPEKTASI"
    DI_BAWAH_EKSPEKTASI = "DI_BAWAH_EKSPEKTASI"


class Predikat(StrEnum):
    """Predikat kinerja pegawai from the 3x3 quadrant; SIASN ``kuadranNilai`` 1..5 in this order.
    ``KURANG`` is the regulation's "Kurang/Misconduct"."""

    SANGAT_BAIK = "SANGAT_BAIK"
    BAIK = "BAIK"
    BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN"
    KURANG = "KURANG"
    SANGAT_KURANG = "SANGAT_KURANG"


class OrgPredikat(StrEnum):
    """Capaian kinerja organisasi (SE MenPANRB 3/2023 step 1), set by the leader one level up."""

    ISTIMEWA = "ISTIMEWA"
    BAIK = "BAIK"
    BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN"
    KURANG = "KURANG"
    SANGAT_KURANG = "SANGAT_KURANG"


class EvaluationStatus(StrEnum):
    """DRAFT while the evaluator works on it; FINAL once the predikat is computed and the record locked."""

    DRAFT = "DRAFT"
    FINAL = "FINAL"


class EvaluationKind(StrEnum):
    """A period RESULT (one per person and period, the only one with a predikat) or a PART of it (an
    earlier supervisor's assessment of the stretch they supervised)."""

    RESULT = "RESULT"
    PART = "PART"


class ObjectionStatus(StrEnum):
    """A keberatan waits for the evaluator's own supervisor, who accepts or rejects it."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class Berakhlak(StrEnum):
    """The seven BerAKHLAK core values (domain.md §1.6), the keys of ``behavior_notes``."""

    BERORIENTASI_PELAYANAN = "BERORIENTASI_PELAYANAN"
    AKUNTABEL = "AKUNTABEL"
    KOMPETEN = "KOMPETEN"
    HARMONIS = "HARMONIS"
    LOYAL = "LOYAL"
    ADAPTIF = "ADAPTIF"
    KOLABORATIF = "KOLABORATIF"


GUBERNUR = "GUBERNUR"
"""``on_behalf`` of an evaluation an admin writes for a unit head, whose evaluator is the governor."""
