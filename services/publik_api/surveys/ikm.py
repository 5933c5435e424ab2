"""The IKM of PermenPANRB 14/2017 (domain.md §4.2-4.4), in exact arithmetic.

NRR_i = sum of answers to unsur i / respondents; IKM = 25 x sum(NRR_i x 1/9), with the weight exactly 1/9
(not the 0.11 of the regulation's worked example, which lowers the score), rounded half-up to two decimals.
Categories are read from the rounded IKM: A 88.31-100, B 76.61-88.30, C 65.00-76.60, D 25.00-64.99.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

UNSUR_NAMES = (
    "Persyaratan",
    "Sistem, Mekanisme, dan Prosedur",
    "Waktu Penyelesaian",
    "Biaya/Tarif",
    "Produk Spesifikasi Jenis Pelayanan",
    "Kompetensi Pelaksana",
    "Perilaku Pelaksana",
    "Penanganan Pengaduan, Saran dan Masukan",
    "Sarana dan Prasarana",
)

# (lowest IKM, mutu, kinerja), highest first (domain.md §4.3).
CATEGORIES = (
    (Decimal("88.31"), "A", "SANGAT_BAIK"),
    (Decimal("76.61"), "B", "BAIK"),
    (Decimal("65.00"), "C", "KURANG_BAIK"),
    (Decimal("25.00"), "D", "TIDAK_BAIK"),
)


def round_half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact fraction half-up to ``places`` decimals, without floating point."""
    scale = 10**places
    q = (value * scale * 2 + 1) // 2
    return Decimal(int(q)).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def category(ikm: Decimal) -> tuple[str, str]:
    """(mutu, kinerja) of a rounded IKM."""
    for lowest, mutu, kinerja in CATEGORIES:
        if ikm >= lowest:
            return mutu, kinerja
    return "D", "TIDAK_BAIK"


@dataclass(frozen=True)
class UnsurScore:
    """One unsur: its NRR (4 decimals) and its value on the 25-100 scale (2 decimals)."""

    unsur: int
    name: str
    nrr: Decimal
    ikm: Decimal


@dataclass(frozen=True)
class IkmResult:
    """The index of one unit and year."""

    respondents: int
    ikm: Decimal | None
    mutu: str | None
    kinerja: str | None
    per_unsur: list[UnsurScore]


def compute_ikm(respondents: int, sums: list[int]) -> IkmResult:
    """The IKM from the number of respondents and the per-unsur answer sums (computed in SQL)."""
    if len(sums) != 9:
        raise ValueError("nine unsur sums are needed")
    if respondents <= 0:
        return IkmResult(respondents=0, ikm=None, mutu=None, kinerja=None, per_unsur=[])
    nrr = [Fraction(s, respondents) for s in sums]
    weighted = sum((n * Fraction(1, 9) for n in nrr), Fraction(0))
    ikm = round_half_up(weighted * 25, 2)
    mutu, kinerja = category(ikm)
    per_unsur = [
        UnsurScore(unsur=i + 1, name=UNSUR_NAMES[i], nrr=round_half_up(n, 4), ikm=round_half_up(n * 25, 2))
        for i, n in enumerate(nrr)
    ]
    return IkmResult(respondents=respondents, ikm=ikm, mutu=mutu, kinerja=kinerja, per_unsur=per_unsur)


def krejcie_morgan(population: int) -> int:
    """Minimum sample for a population (Krejcie & Morgan 1970: chi-square 3.841, P = 0.5, d = 0.05), rounded
    half-up. It reproduces the published table (100 -> 80, 1,000 -> 278, 10,000 -> 370, >= 1,000,000 -> 384)."""
    if population <= 0:
        return 0
    chi2, p, d = Fraction(3841, 1000), Fraction(1, 2), Fraction(5, 100)
    s = chi2 * population * p * (1 - p) / (d * d * (population - 1) + chi2 * p * (1 - p))
    return int((s * 2 + 1) // 2)
