"""The distribution pattern compares exact fractions (issue 16; domain.md §11.3): 60 % means 60 %, not
59.95 % rounded up, and "at most 70 %" refuses 70.01 %. Property tests over unit sizes that make the edge
shares exact."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.kinerja_api.predikat import curve_check
from services.kinerja_api.tables.evaluation_enums import OrgPredikat, Predikat

BP, B, SB, K = Predikat.BUTUH_PERBAIKAN, Predikat.BAIK, Predikat.SANGAT_BAIK, Predikat.KURANG


def broken(org: OrgPredikat, counts: dict[Predikat, int]) -> set[str]:
    return {v.rule for v in curve_check(org, counts)}


# 59.95 % = 1199 of 2000; 60 % = 3 of 5; 70 % = 7 of 10; 70.01 % = 7001 of 10000 (scaled by k).
@given(k=st.integers(min_value=1, max_value=50))
@settings(max_examples=25, deadline=None)
def test_59_95_percent_is_below_60(k: int) -> None:
    total = 2000 * k
    counts = {BP: 1199 * k, B: total - 1199 * k}
    assert "BUTUH_PERBAIKAN_MIN_60" in broken(OrgPredikat.BUTUH_PERBAIKAN, counts)


@given(k=st.integers(min_value=2, max_value=400))
@settings(max_examples=25, deadline=None)
def test_exactly_60_percent_meets_at_least_60(k: int) -> None:
    counts = {BP: 3 * k, B: 2 * k}
    assert "BUTUH_PERBAIKAN_MIN_60" not in broken(OrgPredikat.BUTUH_PERBAIKAN, counts)


@given(k=st.integers(min_value=1, max_value=400))
@settings(max_examples=25, deadline=None)
def test_exactly_70_percent_meets_at_most_70(k: int) -> None:
    counts = {B: 7 * k, BP: 3 * k}
    assert "BAIK_MAX_70" not in broken(OrgPredikat.BAIK, counts)
    counts = {SB: 7 * k, B: 3 * k}
    assert "SANGAT_BAIK_MAX_70" not in broken(OrgPredikat.ISTIMEWA, counts)


@given(k=st.integers(min_value=1, max_value=20))
@settings(max_examples=20, deadline=None)
def test_70_01_percent_breaks_at_most_70(k: int) -> None:
    total = 10000 * k
    counts = {B: 7001 * k, BP: total - 7001 * k}
    assert "BAIK_MAX_70" in broken(OrgPredikat.BAIK, counts)
    counts = {SB: 7001 * k, B: total - 7001 * k}
    assert "SANGAT_BAIK_MAX_70" in broken(OrgPredikat.ISTIMEWA, counts)


@given(n=st.integers(min_value=1, max_value=300), total=st.integers(min_value=1, max_value=300))
@settings(max_examples=200, deadline=None)
def test_at_least_60_is_exact(n: int, total: int) -> None:
    n = min(n, total)
    counts = {K: n, BP: total - n}
    assert ("KURANG_MIN_60" in broken(OrgPredikat.KURANG, counts)) == (100 * n < 60 * total)
