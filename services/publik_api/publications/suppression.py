"""Small-group suppression of published figures (primary and secondary).

A figure drawn from fewer than ``k`` people is suppressed (primary). Then enough further figures are
suppressed that no suppressed one can be worked out from what stays visible (secondary): within a set of
cells that add up to a shown total, either no cell is hidden, or at least two are and the hidden cells
together hold at least ``k`` people, so neither any single hidden cell nor a small hidden remainder can be
recovered by subtraction. A figure that restates a hidden one (a share of a hidden count, a second copy of
a hidden total) is hidden with it.
"""

from __future__ import annotations

from typing import Any

PREDIKAT = ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")


def _small(value: int, k: int) -> bool:
    return 0 < value < k


def suppress_cells(cells: dict[str, int], total: int, k: int) -> set[str]:
    """The cells of a distribution (summing to a shown ``total``) to hide."""
    if total < k:
        return set(cells)
    hidden = {name for name, v in cells.items() if _small(v, k)}
    if not hidden:
        return hidden
    # Add the smallest visible non-empty cells (empty ones add no uncertainty about the hidden total) until
    # the hidden cells are >= 2 and together hold >= k people.
    while len(hidden) < len(cells) and (len(hidden) < 2 or sum(cells[c] for c in hidden) < k):
        candidates = sorted((v == 0, v, name) for name, v in cells.items() if name not in hidden)
        hidden.add(candidates[0][2])
    return hidden


def suppress_count(value: int, group: int, k: int) -> bool:
    """Whether a count of people out of a group must be hidden (the count or the whole group is small)."""
    return _small(value, k) or _small(group, k)


def unit_performance(data: dict[str, Any], k: int) -> tuple[dict[str, Any], list[str]]:
    """Public view of a kinerja.unit_performance figure set, and the suppressed field paths."""
    public = {key: value for key, value in data.items() if key not in ("counts", "compliance")}
    suppressed: list[str] = []
    counts: dict[str, int] = {p: int(data["counts"].get(p, 0)) for p in PREDIKAT}
    evaluated = int(data["evaluated"])
    hidden = suppress_cells(counts, evaluated, k)
    if _small(evaluated, k):
        public["evaluated"] = None
        suppressed.append("evaluated")
    public["counts"] = {p: (None if p in hidden else v) for p, v in counts.items()}
    suppressed.extend(f"counts.{p}" for p in PREDIKAT if p in hidden)
    headcount = int(data["headcount"])
    compliance: dict[str, int | None] = {}
    for name, value in data["compliance"].items():
        if suppress_count(int(value), headcount, k) or (name == "evaluated" and _small(evaluated, k)):
            compliance[name] = None
            suppressed.append(f"compliance.{name}")
        else:
            compliance[name] = int(value)
    public["compliance"] = compliance
    return public, suppressed


def training_stats(data: dict[str, Any], k: int) -> tuple[dict[str, Any], list[str]]:
    """Public view of a pelatihan.training_stats figure set, and the suppressed field paths."""
    public = dict(data)
    suppressed: list[str] = []
    if _small(int(data["participants"]), k):
        # jp_delivered sums the hours of the same few people.
        for name in ("participants", "jp_delivered"):
            public[name] = None
            suppressed.append(name)
    if suppress_count(int(data["pns_meeting_20jp"]), int(data["pns_total"]), k):
        # The share reveals the count as soon as the total is shown.
        for name in ("pns_meeting_20jp", "share_meeting_20jp"):
            public[name] = None
            suppressed.append(name)
    return public, suppressed
