"""The distribution-curve rules of SE MenPANRB 3/2023 (domain.md §1.8), one organisation predikat at a time,
and the predikat matrix and SIASN codes as pure functions."""

from __future__ import annotations

import pytest

from services.kinerja_api.calendar.periods import BadPeriod, default_deadlines, parse_period, quarter_of
from services.kinerja_api.predikat import MATRIX, PREDIKAT_SIASN, RATING_SIASN, curve_check
from services.kinerja_api.tables.evaluation_enums import OrgPredikat, Predikat, Rating

SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG,
    Predikat.SANGAT_KURANG,
)


def rules(org: OrgPredikat, **counts: int) -> list[str]:
    return [v.rule for v in curve_check(org, {Predikat(k): n for k, n in counts.items()})]


@pytest.mark.parametrize(
    ("org", "counts", "broken"),
    [
        (OrgPredikat.ISTIMEWA, {"SANGAT_BAIK": 6, "BAIK": 4}, []),
        (OrgPredikat.ISTIMEWA, {"SANGAT_BAIK": 8, "BAIK": 2}, ["SANGAT_BAIK_MAX_70"]),
        (OrgPredikat.ISTIMEWA, {"SANGAT_BAIK": 2, "BAIK": 8}, ["SANGAT_BAIK_MOST"]),
        (OrgPredikat.BAIK, {"BAIK": 7, "SANGAT_BAIK": 2, "BUTUH_PERBAIKAN": 1}, []),
        (OrgPredikat.BAIK, {"BAIK": 7, "SANGAT_BAIK": 3}, ["SOME_BUTUH_PERBAIKAN_OR_KURANG"]),
        (OrgPredikat.BAIK, {"BAIK": 9, "KURANG": 1}, ["BAIK_MAX_70"]),
        (OrgPredikat.BUTUH_PERBAIKAN, {"BUTUH_PERBAIKAN": 6, "BAIK": 3, "SANGAT_BAIK": 1}, []),
        (
            OrgPredikat.BUTUH_PERBAIKAN,
            {"BUTUH_PERBAIKAN": 5, "BAIK": 3, "SANGAT_BAIK": 2},
            ["BUTUH_PERBAIKAN_MIN_60", "SANGAT_BAIK_MAX_10"],
        ),
        (OrgPredikat.KURANG, {"KURANG": 6, "BUTUH_PERBAIKAN": 1, "BAIK": 3}, []),
        (OrgPredikat.KURANG, {"KURANG": 6, "BAIK": 4}, ["BUTUH_PERBAIKAN_MIN_10"]),
        (OrgPredikat.SANGAT_KURANG, {"SANGAT_KURANG": 6, "KURANG": 1, "BAIK": 3}, []),
        (
            OrgPredikat.SANGAT_KURANG,
            {"SANGAT_KURANG": 6, "BAIK": 3, "SANGAT_BAIK": 1},
            ["KURANG_OR_BUTUH_PERBAIKAN_MIN_10", "NO_SANGAT_BAIK"],
        ),
    ],
)
def test_curve_rules(org: OrgPredikat, counts: dict[str, int], broken: list[str]) -> None:
    assert rules(org, **counts) == broken


def test_violations_explain_themselves_and_an_empty_unit_breaks_nothing() -> None:
    (v,) = curve_check(OrgPredikat.BAIK, {B: 9, K: 1})
    assert v.expected == "BAIK <= 70%"
    assert v.actual == "90% (9 of 10)"
    assert "at most 70%" in v.explanation
    assert "9 of 10" in v.explanation
    assert curve_check(OrgPredikat.SANGAT_KURANG, {}) == []


def test_matrix_and_siasn_codes() -> None:
    assert len(MATRIX) == 9
    assert {MATRIX[(r, Rating.DI_BAWAH_EKSPEKTASI)] for r in Rating} == {K, SK}
    assert PREDIKAT_SIASN == {SB: 1, B: 2, BP: 3, K: 4, SK: 5}
    assert [RATING_SIASN[r] for r in Rating] == [1, 2, 3]


def test_periods() -> None:
    q1 = parse_period("2026-Q1")
    assert (q1.start.isoformat(), q1.end.isoformat()) == ("2026-01-01", "2026-03-31")
    assert q1.previous().code == "2025-Q4"
    assert default_deadlines(parse_period("2026-Q4")).evaluation_due_on.isoformat() == "2027-01-15"
    assert default_deadlines(parse_period("2026")).evaluation_due_on.isoformat() == "2027-01-31"
    assert quarter_of(q1.end).code == "2026-Q1"
    for bad in ("2026-Q0", "2026-Q5", "26-Q1", "1999", "2026Q1"):
        with pytest.raises(BadPeriod):
            parse_period(bad)
