"""The outsider of the disclosure tests catches every route of issue 19 in what publik used to publish (so
its silence over today's publications means something)."""

from __future__ import annotations

from typing import Any

from tests.publik.disclosure_checker import disclosures, observe

K = 5


def perf(
    counts: list[int | None], evaluated: int, headcount: int | None = None, skp: int | None = None
) -> dict[str, Any]:
    names = ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
    return {
        "evaluated": evaluated,
        "headcount": headcount if headcount is not None else evaluated,
        "counts": dict(zip(names, counts, strict=True)),
        "compliance": {"skp_approved": skp, "realization_reported": None, "evaluated": evaluated},
    }


def found(*versions: tuple[str, int, dict[str, Any]], parents: dict[str, str] | None = None) -> list[str]:
    observed = []
    for unit, version, data in versions:
        observed.extend(observe(unit, "UNIT_PERFORMANCE", "2026-Q1", version, data))
    return disclosures(observed, parents or {}, K)


def test_a_homogeneous_unit_is_caught() -> None:
    assert any("pinned to one value" in f for f in found(("u", 1, perf([0, 9, 0, 0, 0], 9))))


def test_a_small_complement_is_caught() -> None:
    assert found(("u", 1, perf([5, 6, 0, 0, 0], 11, headcount=11, skp=10)))
    training = {
        "participants": 30,
        "jp_delivered": 1.0,
        "pns_total": 12,
        "pns_meeting_20jp": 11,
        "share_meeting_20jp": 0.9167,
    }
    assert disclosures(observe("u", "TRAINING_STATS", "2026", 1, training), {}, K)
    # The share alone gives the count away when the total is shown.
    assert disclosures(
        observe("u", "TRAINING_STATS", "2026", 1, {**training, "pns_meeting_20jp": None}), {}, K
    )


def test_differencing_between_versions_is_caught() -> None:
    assert found(("u", 1, perf([5, 10, 6, 0, 0], 21)), ("u", 2, perf([6, 10, 5, 0, 0], 21)))
    # Nine BAIK, then a newcomer with BAIK and KURANG hidden: the hidden pair went up by one.
    assert found(("u", 1, perf([0, 9, 0, 0, 0], 9)), ("u", 2, perf([0, None, 0, None, 0], 10)))


def test_differencing_between_a_unit_and_its_sub_units_is_caught() -> None:
    parent, child = perf([5, 10, 6, 0, 0], 21), perf([5, 10, 5, 0, 0], 20)
    assert found(("p", 1, parent), ("c", 1, child), parents={"c": "p"})


def test_safe_publications_are_not_flagged() -> None:
    assert found(("u", 1, perf([5, 10, 6, 0, 0], 21)), ("u", 2, perf([10, 5, 6, 0, 0], 21))) == []
    assert found(("u", 1, perf([10, 20, None, None, 0], 38))) == []
