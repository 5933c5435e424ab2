"""Value sets of the SKP domain (api-contract §3; domain.md §1.5). Pure, shared by models and schemas."""

from __future__ import annotations

from enum import StrEnum


class SkpStatus(StrEnum):
    """Where an SKP stands: drafted by the employee, submitted, approved (frozen) or returned with a reason."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    RETURNED = "RETURNED"


class Approach(StrEnum):
    """How results are expressed for the year: measurable indicators, or a narrative (domain.md §1.5)."""

    KUANTITATIF = "KUANTITATIF"
    KUALITATIF = "KUALITATIF"


class ResultKind(StrEnum):
    """Hasil Kerja Utama (main) or Tambahan (additional)."""

    UTAMA = "UTAMA"
    TAMBAHAN = "TAMBAHAN"


class Aspect(StrEnum):
    """The aspect a non-JPT indicator measures (SKP non-JPT column "Aspek")."""

    KUANTITAS = "KUANTITAS"
    KUALITAS = "KUALITAS"
    WAKTU = "WAKTU"
    BIAYA = "BIAYA"


class Perspective(StrEnum):
    """The balanced-scorecard perspective of a JPT result (SKP JPT column "Perspektif").

    The Lampiran example shows "Penerima Layanan"; the other three are the customary set (domain.md §1.5).
    """

    PENERIMA_LAYANAN = "PENERIMA_LAYANAN"
    PROSES_BISNIS = "PROSES_BISNIS"
    PENGUATAN_INTERNAL = "PENGUATAN_INTERNAL"
    ANGGARAN = "ANGGARAN"


EDITABLE = frozenset({SkpStatus.DRAFT, SkpStatus.RETURNED})
