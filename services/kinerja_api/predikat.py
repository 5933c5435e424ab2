"""The predikat quadrant of PermenPANRB 6/2022 and the distribution curve of SE MenPANRB 3/2023. Pure.

domain.md §1.7: behaviour below expectation gives KURANG (Kurang/Misconduct) unless results are also below,
which gives SANGAT_KURANG; results below with behaviour at least meeting expectation gives BUTUH_PERBAIKAN;
only results above AND behaviour above gives SANGAT_BAIK; everything else is BAIK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from services.kinerja_api.tables.evaluation_enums import OrgPredikat, Predikat, Rating

_A, _S, _B = Rating.DI_ATAS_EKSPEKTASI, Rating.SESUAI_EKSPEKTASI, Rating.DI_BAWAH_EKSPEKTASI

MATRIX: Mapping[tuple[Rating, Rating], Predikat] = {
    # (rating hasil kerja, rating perilaku kerja) -> predikat
    (_A, _B): Predikat.KURANG,
    (_A, _S): Predikat.BAIK,
    (_A, _A): Predikat.SANGAT_BAIK,
    (_S, _B): Predikat.KURANG,
    (_S, _S): Predikat.BAIK,
    (_S, _A): Predikat.BAIK,
    (_B, _B): Predikat.SANGAT_KURANG,
    (_B, _S): Predikat.BUTUH_PERBAIKAN,
    (_B, _A): Predikat.BUTUH_PERBAIKAN,
}

RATING_SIASN: Mapping[Rating, int] = {_A: 1, _S: 2, _B: 3}
"""SIASN ``perilakuDanKinerja``: 1 DIATAS, 2 SESUAI, 3 DIBAWAH EKSPEKTASI."""
PREDIKAT_SIASN: Mapping[Predikat, int] = {p: i for i, p in enumerate(Predikat, start=1)}
"""SIASN ``kuadranNilai``: 1 SANGAT BAIK .. 5 SANGAT KURANG."""


def predikat(result_rating: Rating, behavior_rating: Rating) -> Predikat:
    """The predikat of a (result, behaviour) rating pair."""
    return MATRIX[(result_rating, behavior_rating)]


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule of the distribution pattern that the unit's predikat counts break."""

    rule: str
    expected: str
    actual: str
    explanation: str


MIN_RESULTS = 10
"""Below this many final results a unit is reported as too small to apply the distribution pattern (our
rule, domain.md §11.3; not a rule of SE 3/2023)."""


def _pct(n: int, total: int) -> float:
    """A share for display only (0.1 % steps); the rules compare exact fractions (:func:`_share`)."""
    return round(100.0 * n / total, 1) if total else 0.0


def _share(n: int, total: int) -> Fraction:
    """The exact share n/total: 60 % means 60 %, not 59.95 % rounded up (domain.md §11.3)."""
    return Fraction(n, total) if total else Fraction(0)


def curve_check(org: OrgPredikat, counts: Mapping[Predikat, int]) -> list[Violation]:
    """Check the employee predikat counts against the pattern the organisation predikat implies
    (SE MenPANRB 3/2023 step 2, table in domain.md §1.8). Each violation says which rule, what the rule
    expects, what was found and why it matters. An empty unit breaks no rule."""
    total = sum(counts.get(p, 0) for p in Predikat)
    if total == 0:
        return []
    n = {p: counts.get(p, 0) for p in Predikat}
    out: list[Violation] = []
    org_label = org.value

    def share(*ps: Predikat) -> float:
        return _pct(sum(n[p] for p in ps), total)

    def exact(*ps: Predikat) -> Fraction:
        return _share(sum(n[p] for p in ps), total)

    def names(*ps: Predikat) -> str:
        return " + ".join(p.value for p in ps)

    def at_most(rule: str, pct: int, *ps: Predikat) -> None:
        if exact(*ps) > Fraction(pct, 100):
            out.append(
                Violation(
                    rule,
                    f"{names(*ps)} <= {pct:g}%",
                    f"{share(*ps):g}% ({sum(n[p] for p in ps)} of {total})",
                    f"With organisation predikat {org_label}, at most {pct:g}% of employees may be "
                    f"{names(*ps)}; {sum(n[p] for p in ps)} of {total} are.",
                )
            )

    def at_least(rule: str, pct: int, *ps: Predikat) -> None:
        if exact(*ps) < Fraction(pct, 100):
            out.append(
                Violation(
                    rule,
                    f"{names(*ps)} >= {pct:g}%",
                    f"{share(*ps):g}% ({sum(n[p] for p in ps)} of {total})",
                    f"With organisation predikat {org_label}, at least {pct:g}% of employees must be "
                    f"{names(*ps)}; only {sum(n[p] for p in ps)} of {total} are.",
                )
            )

    def most(rule: str, p: Predikat) -> None:
        largest = max(n.values())
        if n[p] < largest:
            others = [q.value for q in Predikat if n[q] == largest]
            out.append(
                Violation(
                    rule,
                    f"{p.value} is the largest group",
                    f"{p.value} {n[p]}; largest {', '.join(others)} {largest}",
                    f"With organisation predikat {org_label}, most employees ('sebagian besar') should be "
                    f"{p.value}, but {', '.join(others)} outnumber them.",
                )
            )

    sb, b, bp, k, sk = (
        Predikat.SANGAT_BAIK,
        Predikat.BAIK,
        Predikat.BUTUH_PERBAIKAN,
        Predikat.KURANG,
        Predikat.SANGAT_KURANG,
    )
    if org is OrgPredikat.ISTIMEWA:
        most("SANGAT_BAIK_MOST", sb)
        at_most("SANGAT_BAIK_MAX_70", 70, sb)
    elif org is OrgPredikat.BAIK:
        most("BAIK_MOST", b)
        at_most("BAIK_MAX_70", 70, b)
        if n[bp] + n[k] == 0:
            out.append(
                Violation(
                    "SOME_BUTUH_PERBAIKAN_OR_KURANG",
                    f"{bp.value} + {k.value} >= 1",
                    "0",
                    f"With organisation predikat {org_label} there must be some employees rated "
                    f"{bp.value} and/or {k.value}; there are none.",
                )
            )
    elif org is OrgPredikat.BUTUH_PERBAIKAN:
        at_least("BUTUH_PERBAIKAN_MIN_60", 60, bp)
        at_most("SANGAT_BAIK_MAX_10", 10, sb)
    elif org is OrgPredikat.KURANG:
        at_least("KURANG_MIN_60", 60, k)
        at_least("BUTUH_PERBAIKAN_MIN_10", 10, bp)
        at_most("SANGAT_BAIK_MAX_10", 10, sb)
    else:
        at_least("SANGAT_KURANG_MIN_60", 60, sk)
        at_least("KURANG_OR_BUTUH_PERBAIKAN_MIN_10", 10, k, bp)
        at_most("NO_SANGAT_BAIK", 0, sb)
    return out
