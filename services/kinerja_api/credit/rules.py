"""The conversion of an annual predikat into credit points (pure; domain.md §11.4).

AK = coefficient of the level * percentage of the predikat * months in that level / 12, summed over the levels
held during the year and rounded half-up to three decimals (the BKN slides show three places). A month counts
for the level held on its first day (TMT of a functional position is the first of a month), so a promotion
dated 1 July gives six months in each level.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from services.kinerja_api.tables.employee_enums import Jenjang
from services.kinerja_api.tables.evaluation_enums import Predikat

# Annual coefficients (koefisien per tahun) of each level.
COEFFICIENT: dict[Jenjang, Decimal] = {
    Jenjang.PEMULA: Decimal("3.75"),
    Jenjang.TERAMPIL: Decimal("5"),
    Jenjang.MAHIR: Decimal("12.5"),
    Jenjang.PENYELIA: Decimal("25"),
    Jenjang.AHLI_PERTAMA: Decimal("12.5"),
    Jenjang.AHLI_MUDA: Decimal("25"),
    Jenjang.AHLI_MADYA: Decimal("37.5"),
    Jenjang.AHLI_UTAMA: Decimal("50"),
}
# Percentage of the coefficient each annual predikat earns.
PERCENTAGE: dict[Predikat, Decimal] = {
    Predikat.SANGAT_BAIK: Decimal("150"),
    Predikat.BAIK: Decimal("100"),
    Predikat.BUTUH_PERBAIKAN: Decimal("75"),
    Predikat.KURANG: Decimal("50"),
    Predikat.SANGAT_KURANG: Decimal("25"),
}
THREE_PLACES = Decimal("0.001")


def rounded(value: Decimal) -> Decimal:
    """Half-up to three decimals."""
    return value.quantize(THREE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    """The credit points earned in one level."""

    jenjang: Jenjang
    months: int
    coefficient: Decimal
    exact: Decimal


def compute(predikat: Predikat, months: list[tuple[Jenjang, int]]) -> tuple[list[Line], Decimal]:
    """The lines per level and the rounded total (the sum of the exact lines, rounded once)."""
    pct = PERCENTAGE[predikat]
    lines = [
        Line(j, m, COEFFICIENT[j], COEFFICIENT[j] * pct / Decimal(100) * Decimal(m) / Decimal(12))
        for j, m in months
    ]
    return lines, rounded(sum((line.exact for line in lines), Decimal(0)))
