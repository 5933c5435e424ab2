"""Disclosure control of published figures (UU 14/2008 Pasal 17(h); docs/publik.md "Disclosure control").

Every figure set is read as a few *tables*: a distribution of a group over values (the predikat counts over
``evaluated``, "has an approved SKP / has not" over ``headcount``, "meets 20 JP / does not" over
``pns_total``) or a lone count (training participants). A published table shows some cells and hides others
(``None``); its group size is shown or not.

What an outsider can work out of one published table is the sum of any set of cells that contains either
none or all of its hidden cells (the hidden cells are known only as a block: the group size minus the shown
cells). Those are the *pinned* sums (:meth:`Table.pinned`). The guarantee, with ``k`` = ``min_group_size``:

1. every pinned sum is 0 or at least k, and so is its complement (group size minus it);
2. no value holds the whole group as far as anyone can tell (such a distribution is withheld);
3. the difference between the same pinned sum in two published versions of an item, and between a unit and
   the sum of any of its published sub-units (each in any published version), is 0 or at least k in size,
   and its complement within the unit's own members is 0 or at least k.

:func:`decide` builds a table's form from the within-table rules (primary and secondary suppression,
withholding of homogeneous and near-homogeneous groups), then checks it against everything published for
the same item and the unit's family (:class:`Context`). A first publication that fails a cross check is
withheld (group size only); a correction that fails it even with the cells hidden in the previous version
kept hidden (persistent suppression) is not published and waits, with the reasons, for a later correction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

PREDIKAT = ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
COMPLIANCE_STEPS = ("skp_approved", "realization_reported")
# Item kinds whose data are checked as tables; other kinds (INOVASI, IKM) are not figure tables.
TABLE_KINDS = ("UNIT_PERFORMANCE", "TRAINING_STATS")
# How many findings per table are kept for the admin (a large family can produce hundreds).
MAX_REASONS = 10


def _small(value: int, k: int) -> bool:
    return 0 < value < k


@dataclass(frozen=True)
class Table:
    """A published table: shown cells (``None`` = hidden), its group size (``None`` = not shown) and whether
    the cells partition a group (``grouped``) or are a lone count."""

    cells: tuple[int | None, ...]
    total: int | None
    grouped: bool = True

    @property
    def hidden(self) -> frozenset[int]:
        """Indexes of the hidden cells."""
        return frozenset(i for i, v in enumerate(self.cells) if v is None)

    def pinned(self, subset: frozenset[int]) -> int | None:
        """The sum of the cells in ``subset`` when an outsider can work it out, else None."""
        hidden = self.hidden
        inside = subset & hidden
        shown = sum(v for i, v in enumerate(self.cells) if i in subset and v is not None)
        if not inside:
            return shown
        if inside == hidden and self.total is not None:
            outside = sum(v for i, v in enumerate(self.cells) if i not in subset and v is not None)
            return self.total - outside
        return None

    def checked_subsets(self) -> list[frozenset[int]]:
        """The cell sets whose sums are checked: all non-empty ones but the whole group (its group size)."""
        n = len(self.cells)
        sets = [frozenset(c) for r in range(1, n + 1) for c in combinations(range(n), r)]
        return [s for s in sets if not (self.grouped and len(s) == n)]


@dataclass(frozen=True)
class TableSpec:
    """A table of a figure set as it truly is: its true cells, group size, and whether the group size is
    shown."""

    cells: tuple[int, ...]
    total: int | None
    total_shown: bool
    grouped: bool
    labels: tuple[str, ...]


def true_tables(kind: str, raw: dict[str, Any], k: int) -> dict[str, TableSpec]:
    """The tables of a received figure set (``data``)."""
    if kind == "UNIT_PERFORMANCE":
        evaluated, headcount = int(raw["evaluated"]), int(raw["headcount"])
        counts = tuple(int(raw["counts"].get(p, 0)) for p in PREDIKAT)
        specs = {"counts": TableSpec(counts, evaluated, not _small(evaluated, k), True, PREDIKAT)}
        for step in COMPLIANCE_STEPS:
            done = int(raw["compliance"][step])
            specs[f"compliance.{step}"] = TableSpec(
                (done, headcount - done), headcount, True, True, (step, f"not {step}")
            )
        return specs
    if kind == "TRAINING_STATS":
        met, total = int(raw["pns_meeting_20jp"]), int(raw["pns_total"])
        return {
            "participants": TableSpec((int(raw["participants"]),), None, False, False, ("participants",)),
            "pns_meeting_20jp": TableSpec(
                (met, total - met), total, True, True, ("pns_meeting_20jp", "not meeting 20 JP")
            ),
        }
    return {}


def published_tables(kind: str, public: dict[str, Any]) -> dict[str, Table]:
    """The tables an outsider reads off a published figure set (``public_data``)."""
    if kind == "UNIT_PERFORMANCE":
        counts = public.get("counts") or {}
        tables = {"counts": Table(tuple(counts.get(p) for p in PREDIKAT), public.get("evaluated"))}
        headcount = public.get("headcount")
        for step in COMPLIANCE_STEPS:
            done = (public.get("compliance") or {}).get(step)
            rest = None if done is None or headcount is None else headcount - done
            tables[f"compliance.{step}"] = Table((done, rest), headcount)
        return tables
    if kind == "TRAINING_STATS":
        met, total = public.get("pns_meeting_20jp"), public.get("pns_total")
        return {
            "participants": Table((public.get("participants"),), None, grouped=False),
            "pns_meeting_20jp": Table((met, None if met is None or total is None else total - met), total),
        }
    return {}


def _shown(spec: TableSpec, hidden: Iterable[int]) -> Table:
    gone = set(hidden)
    return Table(
        tuple(None if i in gone else v for i, v in enumerate(spec.cells)),
        spec.total if spec.total_shown else None,
        spec.grouped,
    )


def complete(cells: Sequence[int], hidden: set[int], k: int) -> set[int]:
    """Secondary suppression: add the smallest shown non-empty cells (empty ones add no uncertainty) until
    the hidden cells are at least two and hold at least ``k`` people together (or everything is hidden)."""
    hidden = set(hidden)
    if not hidden:
        return hidden
    while len(hidden) < len(cells) and (len(hidden) < 2 or sum(cells[i] for i in hidden) < k):
        candidates = sorted((cells[i] == 0, cells[i], i) for i in range(len(cells)) if i not in hidden)
        hidden.add(candidates[0][2])
    return hidden


def suppress_cells(cells: dict[str, int], total: int, k: int) -> set[str]:
    """The cells of a distribution (summing to a shown ``total``) to hide: primary (1..k-1) and secondary."""
    if total < k:
        return set(cells)
    names = list(cells)
    values = [cells[n] for n in names]
    hidden = complete(values, {i for i, v in enumerate(values) if _small(v, k)}, k)
    return {names[i] for i in hidden}


def within_faults(table: Table, k: int, labels: Sequence[str]) -> list[str]:
    """What one published table would give away on its own (empty when nothing)."""
    faults = []
    for subset in table.checked_subsets():
        value = table.pinned(subset)
        if value is None:
            continue
        what = "+".join(labels[i] for i in sorted(subset))
        if not table.grouped:
            if _small(value, k):
                faults.append(f"{what} = {value}")
            continue
        if _small(value, k):
            faults.append(f"{what} = {value}")
        elif table.total is not None and _small(table.total - value, k):
            faults.append(f"all but {table.total - value} of {table.total} are {what}")
        elif len(subset) == 1 and table.total is not None and value == table.total > 0:
            faults.append(f"all {value} are {what}")
    return faults


def base_hidden(spec: TableSpec, k: int) -> frozenset[int]:
    """The cells a table hides by the within-table rules alone: everything when the group is not shown, is
    smaller than k, is held by one value or leaves fewer than k outside one value; else primary and
    secondary suppression."""
    everything = frozenset(range(len(spec.cells)))
    if not spec.grouped:
        return everything if _small(spec.cells[0], k) else frozenset()
    total = spec.total
    if not spec.total_shown or total is None or _small(total, k) or any(v < 0 for v in spec.cells):
        return everything
    if any(v == total > 0 or _small(total - v, k) for v in spec.cells):
        return everything
    hidden = frozenset(complete(spec.cells, {i for i, v in enumerate(spec.cells) if _small(v, k)}, k))
    if within_faults(_shown(spec, hidden), k, spec.labels):
        return everything
    return hidden


@dataclass
class Context:
    """What is already public around an item: its own published versions (newest first, with their numbers),
    its parent unit's published versions, those of the parent's other sub-units, and those of its own
    sub-units (all of the same kind and period)."""

    earlier: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    parent: list[dict[str, Any]] = field(default_factory=list)
    siblings: list[list[dict[str, Any]]] = field(default_factory=list)
    children: list[list[dict[str, Any]]] = field(default_factory=list)


# (value, group size or None, whether any sub-unit is in the sum)
_Sum = tuple[int, int | None, bool]


def _sums(units: list[list[Table]], subset: frozenset[int]) -> set[_Sum]:
    """Every (sum, group size) an outsider can form from any choice of the units, each in any version."""
    sums: set[_Sum] = {(0, 0, False)}
    for versions in units:
        options: set[tuple[int, int | None]] = set()
        for table in versions:
            value = table.pinned(subset)
            if value is not None:
                options.add((value, table.total))
        grown = set(sums)
        for value, group, _ in sums:
            for v, g in options:
                grown.add((value + v, None if group is None or g is None else group + g, True))
        sums = grown
    return sums


def _diff_fault(d: int, group: int | None, single: bool, k: int) -> str | None:
    if _small(abs(d), k):
        return f"differs by {d}"
    if group is not None and group > 0 and _small(group - d, k):
        return f"leaves {group - d} of the unit's own {group}"
    if single and group is not None and d == group > 0:
        return f"holds all {group} of the unit's own members"
    return None


def cross_faults(key: str, table: Table, labels: Sequence[str], ctx: Context, kind: str, k: int) -> list[str]:
    """What a table would give away next to what is already public: other versions of the same item, the
    parent unit minus its sub-units, and this unit minus its sub-units."""
    faults: list[str] = []
    earlier = [(n, published_tables(kind, p).get(key)) for n, p in ctx.earlier]
    parent = [t for t in (published_tables(kind, p).get(key) for p in ctx.parent) if t is not None]
    siblings = [
        [t for t in (published_tables(kind, p).get(key) for p in vs) if t is not None] for vs in ctx.siblings
    ]
    children = [
        [t for t in (published_tables(kind, p).get(key) for p in vs) if t is not None] for vs in ctx.children
    ]
    for subset in table.checked_subsets():
        mine = table.pinned(subset)
        if mine is None:
            continue
        what = "+".join(labels[i] for i in sorted(subset))
        for n, old in earlier:
            theirs = None if old is None else old.pinned(subset)
            if theirs is not None and _small(abs(mine - theirs), k):
                faults.append(f"{key}: {what} would differ by {mine - theirs} from published version {n}")
        single = len(subset) == 1
        if children:
            for value, group, present in _sums(children, subset):
                if not present:
                    continue
                own = None if group is None or table.total is None else table.total - group
                fault = _diff_fault(mine - value, own, single and table.grouped, k)
                if fault:
                    faults.append(f"{key}: {what} of this unit minus its published sub-units {fault}")
        if parent:
            sums = _sums(siblings, subset)
            for up in parent:
                top = up.pinned(subset)
                if top is None:
                    continue
                for value, group, _ in sums:
                    own = None
                    if up.total is not None and group is not None and table.total is not None:
                        own = up.total - group - table.total
                    fault = _diff_fault(top - value - mine, own, single and table.grouped, k)
                    if fault:
                        faults.append(
                            f"{key}: {what} of the parent unit minus its published sub-units {fault}"
                        )
    return sorted(set(faults))


def render(
    kind: str, raw: dict[str, Any], hidden: dict[str, frozenset[int]], k: int
) -> tuple[dict[str, Any], list[str]]:
    """The public view of a figure set with the given hidden cells, and the hidden field paths."""
    suppressed: list[str] = []
    if kind == "UNIT_PERFORMANCE":
        public = {key: value for key, value in raw.items() if key not in ("counts", "compliance")}
        evaluated = int(raw["evaluated"])
        if _small(evaluated, k):
            public["evaluated"] = None
            suppressed.append("evaluated")
        gone = hidden.get("counts", frozenset())
        public["counts"] = {
            p: (None if i in gone else int(raw["counts"].get(p, 0))) for i, p in enumerate(PREDIKAT)
        }
        suppressed.extend(f"counts.{p}" for i, p in enumerate(PREDIKAT) if i in gone)
        compliance: dict[str, int | None] = {}
        for name, value in raw["compliance"].items():
            if name in COMPLIANCE_STEPS:
                shown = not hidden.get(f"compliance.{name}")
            else:
                # `evaluated` restates the group size of the distribution, shown by the same rule.
                shown = not _small(evaluated, k) and not _small(int(raw["headcount"]), k)
            compliance[name] = int(value) if shown else None
            if not shown:
                suppressed.append(f"compliance.{name}")
        public["compliance"] = compliance
        return public, suppressed
    if kind == "TRAINING_STATS":
        public = dict(raw)
        if hidden.get("participants"):
            # jp_delivered sums the hours of the same few people.
            for name in ("participants", "jp_delivered"):
                public[name] = None
                suppressed.append(name)
        if hidden.get("pns_meeting_20jp"):
            # The share reveals the count as soon as the total is shown.
            for name in ("pns_meeting_20jp", "share_meeting_20jp"):
                public[name] = None
                suppressed.append(name)
        return public, suppressed
    return dict(raw), suppressed


@dataclass
class Decision:
    """The form a figure set may be published in, or (``publishable`` False) why it must wait."""

    public: dict[str, Any]
    suppressed: list[str]
    publishable: bool = True
    reasons: list[str] = field(default_factory=list)


def decide(kind: str, raw: dict[str, Any], k: int, ctx: Context, *, correction: bool) -> Decision:
    """The publishable form of a figure set next to what is already public (see the module docstring)."""
    specs = true_tables(kind, raw, k)
    previous = published_tables(kind, ctx.earlier[0][1]) if ctx.earlier else {}
    chosen: dict[str, frozenset[int]] = {}
    reasons: list[str] = []
    held = False
    for key, spec in specs.items():
        base = base_hidden(spec, k)
        candidates = [base]
        if key in previous and previous[key].hidden - base:
            kept = set(base | previous[key].hidden)
            candidates.append(frozenset(complete(spec.cells, kept, k) if spec.grouped else kept))
        faults: list[str] = []
        for hidden in candidates:
            table = _shown(spec, hidden)
            faults = within_faults(table, k, spec.labels) + cross_faults(
                key, table, spec.labels, ctx, kind, k
            )
            if not faults:
                chosen[key] = hidden
                break
        else:
            reasons.extend(faults[:MAX_REASONS])
            if len(faults) > MAX_REASONS:
                reasons.append(f"{key}: and {len(faults) - MAX_REASONS} more")
            if correction:
                held = True
            chosen[key] = frozenset(range(len(spec.cells)))  # withheld: the group size alone
    public, suppressed = render(kind, raw, chosen, k)
    return Decision(public, suppressed, publishable=not held, reasons=reasons)


def unit_performance(data: dict[str, Any], k: int) -> tuple[dict[str, Any], list[str]]:
    """Public view of a kinerja.unit_performance figure set on its own (nothing else published)."""
    decision = decide("UNIT_PERFORMANCE", data, k, Context(), correction=False)
    return decision.public, decision.suppressed


def training_stats(data: dict[str, Any], k: int) -> tuple[dict[str, Any], list[str]]:
    """Public view of a pelatihan.training_stats figure set on its own (nothing else published)."""
    decision = decide("TRAINING_STATS", data, k, Context(), correction=False)
    return decision.public, decision.suppressed
