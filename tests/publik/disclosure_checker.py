"""An outsider's view of everything publik ever published, checked by integer programming.

Independent of the production suppression code: it reads published figure sets the way a member of the
public would, models each table's true cells as integer unknowns constrained only by what is shown and by
the group size, and bounds the sum of every set of cells with ``scipy.optimize.milp`` (min and max). A
derived count is *pinned* when its minimum equals its maximum. A disclosure is (issue 19):

- a pinned count (a cell, a set of cells, a total minus shown cells) with a value 1..k-1, or within 1..k-1
  of its group size, or a single value pinned to hold the whole group;
- a pinned difference between two published versions of the same table with a size 1..k-1;
- a pinned difference between a unit and the sum of any of its published sub-units (each in any published
  version) of size 1..k-1, or within 1..k-1 of (or equal, for one value, to) the unit's own members.

Versions of a table and different units are independent unknowns (the outsider knows nothing that links
them), so the range of a difference is the difference of the ranges and it is pinned when every term is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import combinations, product
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

PREDIKAT = ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
BIG = 10**6


@dataclass(frozen=True)
class Observed:
    """One published table of one version of one item, as the outsider reads it."""

    unit: str
    item: str  # kind and period
    version: int
    table: str
    shown: tuple[int | None, ...]
    group: int | None  # the group size the cells add up to (None: not known)
    share: float | None = None  # a published share of the first cell in the group
    grouped: bool = True  # the cells partition a group (False: a lone count)


def observe(
    unit: str,
    kind: str,
    period: str,
    version: int,
    data: dict[str, Any],
    groups: dict[str, int] | None = None,
) -> list[Observed]:
    """The tables of a published figure set. ``groups`` gives group sizes the outsider knows from
    elsewhere (keys ``evaluated``, ``headcount``, ``pns_total``); a shown group size is used otherwise."""
    known = dict(groups or {})
    item = f"{kind}/{period}"

    def group(name: str) -> int | None:
        return known.get(name, data.get(name))

    tables: list[Observed] = []
    if kind == "UNIT_PERFORMANCE":
        counts = data.get("counts") or {}
        tables.append(
            Observed(
                unit, item, version, "counts", tuple(counts.get(p) for p in PREDIKAT), group("evaluated")
            )
        )
        for step in ("skp_approved", "realization_reported"):
            done = (data.get("compliance") or {}).get(step)
            # The second cell (those who have not) is never shown: it follows from the group size.
            tables.append(
                Observed(unit, item, version, f"compliance.{step}", (done, None), group("headcount"))
            )
    elif kind == "TRAINING_STATS":
        tables.append(
            Observed(unit, item, version, "participants", (data.get("participants"),), None, grouped=False)
        )
        tables.append(
            Observed(
                unit,
                item,
                version,
                "pns_meeting_20jp",
                (data.get("pns_meeting_20jp"), None),
                group("pns_total"),
                data.get("share_meeting_20jp"),
            )
        )
    return tables


def subsets(n: int, grouped: bool) -> list[tuple[int, ...]]:
    """Every non-empty set of cells (the whole group excluded when it is the group size)."""
    sets = [c for r in range(1, n + 1) for c in combinations(range(n), r)]
    return [s for s in sets if not (grouped and len(s) == n)]


@cache
def ranges(
    shown: tuple[int | None, ...], group: int | None, share: float | None
) -> dict[tuple[int, ...], tuple[int, int]]:
    """(min, max) of the sum of every set of cells over all integer tables consistent with what is shown."""
    n = len(shown)
    upper = group if group is not None else BIG
    lo = np.array([0 if v is None else v for v in shown], dtype=float)
    hi = np.array([upper if v is None else v for v in shown], dtype=float)
    constraints = []
    if group is not None:
        constraints.append(LinearConstraint(np.ones((1, n)), group, group))
    if share is not None and group is not None and shown[0] is None:
        row = np.zeros((1, n))
        row[0, 0] = 1
        constraints.append(LinearConstraint(row, share * group - 0.5, share * group + 0.5))
    out: dict[tuple[int, ...], tuple[int, int]] = {}
    for subset in subsets(n, False):
        c = np.zeros(n)
        c[list(subset)] = 1
        found = []
        for sign in (1, -1):
            res = milp(sign * c, constraints=constraints, integrality=np.ones(n), bounds=Bounds(lo, hi))
            assert res.status == 0, (shown, group, res.message)
            found.append(round(sign * res.fun))
        out[subset] = (found[0], found[1])
    return out


def _pinned(obs: Observed, subset: tuple[int, ...]) -> int | None:
    low, high = ranges(obs.shown, obs.group, obs.share)[subset]
    return low if low == high else None


def _small(v: int, k: int) -> bool:
    return 0 < v < k


def disclosures(observed: Iterable[Observed], parents: dict[str, str], k: int) -> list[str]:
    """Every disclosure in a body of published tables (empty when there is none). ``parents`` maps a unit to
    its parent unit."""
    found: list[str] = []
    by_table: dict[tuple[str, str, str], dict[int, Observed]] = {}
    for obs in observed:
        by_table.setdefault((obs.unit, obs.item, obs.table), {})[obs.version] = obs
    for (unit, item, table), versions in by_table.items():
        any_obs = next(iter(versions.values()))
        sets = subsets(len(any_obs.shown), any_obs.grouped)
        for obs in versions.values():
            for subset in sets:
                v = _pinned(obs, subset)
                if v is None:
                    continue
                where = f"{unit} {item} {table} v{obs.version} cells {subset}"
                if _small(v, k):
                    found.append(f"{where} pinned to {v}")
                if obs.group is not None and _small(obs.group - v, k):
                    found.append(f"{where} pinned to {v} of {obs.group}")
                if obs.group is not None and len(subset) == 1 and v == obs.group > 0:
                    found.append(f"{where}: all {v} members pinned to one value")
        for a, b in combinations(sorted(versions), 2):
            for subset in sets:
                va, vb = _pinned(versions[a], subset), _pinned(versions[b], subset)
                if va is not None and vb is not None and _small(abs(va - vb), k):
                    found.append(f"{unit} {item} {table} cells {subset}: v{b} - v{a} pinned to {vb - va}")
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    for (unit, item, table), versions in by_table.items():
        kids = [by_table[(c, item, table)] for c in children.get(unit, []) if (c, item, table) in by_table]
        if not kids:
            continue
        any_obs = next(iter(versions.values()))
        grouped = any_obs.grouped
        for top in versions.values():
            # Each sub-unit: left out, or taken in one of its published versions (at least one taken).
            for choice in product(*[[None, *kid.values()] for kid in kids]):
                taken = [c for c in choice if c is not None]
                if not taken:
                    continue
                own = None
                if top.group is not None and all(c.group is not None for c in taken):
                    own = top.group - sum(c.group for c in taken if c.group is not None)
                for subset in subsets(len(top.shown), grouped):
                    parts = [_pinned(top, subset), *(_pinned(c, subset) for c in taken)]
                    if any(p is None for p in parts):
                        continue
                    d = parts[0] - sum(p for p in parts[1:] if p is not None)  # type: ignore[operator]
                    where = (
                        f"{unit} v{top.version} minus "
                        + ", ".join(f"{c.unit} v{c.version}" for c in taken)
                        + f" {item} {table} cells {subset}"
                    )
                    if _small(abs(d), k):
                        found.append(f"{where} pinned to {d}")
                    if own is not None and own > 0 and _small(own - d, k):
                        found.append(f"{where} pinned to {d} of the unit's own {own}")
                    if own is not None and grouped and len(subset) == 1 and d == own > 0:
                        found.append(f"{where}: all {own} own members pinned to one value")
    return found
