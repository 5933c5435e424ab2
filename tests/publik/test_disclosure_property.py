"""Issue 19, property: over random histories of a unit and its sub-units (up to 30 members, 10 versions),
sent through POST /internal/v1/events and approved through the admin API of the real app on a real
database, nothing ever published (every snapshot, and the feed) lets the independent MILP outsider of
tests/publik/disclosure_checker.py derive a count that gives a person away."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.publik.conftest import envelope, send_event
from tests.publik.disclosure_checker import Observed, disclosures, observe
from tests.publik.test_disclosure import K, snapshot_items
from tests.support.fixtures import Tokens

PREDIKAT = ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
_periods = itertools.count()

# A member is a predikat index; units hold lists of members. A step changes members, then some units send
# their figures, then maybe an approval.
member = st.integers(0, 4)
# Predikat skewed towards BAIK, as real units are: homogeneous and near-homogeneous groups come up often.
skewed = st.one_of(st.just(1), st.just(1), member)
step = st.tuples(
    st.sampled_from(["move", "move", "join", "leave", "none"]),
    st.integers(0, 2),  # which unit (0 = the parent's own members)
    st.integers(0, 40),  # which member
    skewed,  # the new predikat (move, join)
    st.sets(st.integers(0, 2), min_size=1),  # which units send their figures
    st.booleans(),  # approve now
    st.integers(0, 6),  # employees without an approved SKP
)
history = st.tuples(
    st.integers(1, 2),  # sub-units
    st.lists(
        st.lists(skewed, max_size=10), min_size=3, max_size=3
    ),  # own members of parent, child 1, child 2
    st.lists(step, min_size=1, max_size=9),
)


def _figures(unit: uuid.UUID, period: str, members: list[int], missing_skp: int) -> dict[str, Any]:
    n = len(members)
    return {
        "unit_id": str(unit),
        "unit_name": "Unit",
        "period": period,
        "headcount": n,
        "evaluated": n,
        "counts": {p: sum(1 for m in members if m == i) for i, p in enumerate(PREDIKAT)},
        "compliance": {"skp_approved": max(0, n - missing_skp), "realization_reported": n, "evaluated": n},
    }


async def _approve(client: httpx.AsyncClient, tokens: Tokens, period: str) -> None:
    pubs = (await client.get("/v1/publications?limit=200", headers=tokens.admin())).json()["items"]
    pub = next((p for p in pubs if p["period"] == period), None)
    if pub is not None:
        resp = await client.post(f"/v1/publications/{pub['id']}/approve", headers=tokens.admin())
        assert resp.status_code == 200, resp.text


@settings(
    max_examples=20,
    deadline=None,
    # The same 20 histories every run (CI must not pass or fail by chance); `make fuzz`-style longer runs can
    # lift this locally with a hypothesis profile.
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=history)
async def test_no_history_gives_a_person_away(
    publik: httpx.AsyncClient, tokens: Tokens, case: tuple[int, list[list[int]], list[Any]]
) -> None:
    children, own, steps = case
    i = next(_periods)
    period = f"{2000 + i // 12}-{i % 12 + 1:02d}"
    parent = uuid.uuid4()
    units = [parent] + [uuid.uuid4() for _ in range(children)]
    for n, unit in enumerate(units):
        body = {"unit_id": str(unit), "name": f"Unit {n}", "parent_id": str(parent) if n else None}
        r0 = await send_event(publik, tokens, envelope("kinerja.unit", body))
        assert r0.status_code == 202, r0.text
    members = [list(m) for m in own[: children + 1]]
    latest = await publik.get("/v1/snapshots/latest")
    first_snapshot = latest.json()["n"] + 1 if latest.status_code == 200 else 1

    async def send(which: set[int], missing_skp: int) -> None:
        for w in sorted(which):
            if w > children:
                continue
            # The parent's figures cover its own members and its sub-units' (an OPD and its bidang).
            pool = [m for ms in members for m in ms] if w == 0 else members[w]
            data = _figures(units[w], period, pool, missing_skp)
            resp = await send_event(publik, tokens, envelope("kinerja.unit_performance", data))
            assert resp.status_code == 202, resp.text

    await send(set(range(children + 1)), 0)
    await _approve(publik, tokens, period)
    for kind, unit_ix, member_ix, value, senders, approve_now, missing_skp in steps:
        target = members[min(unit_ix, children)]
        total = sum(len(ms) for ms in members)
        if kind == "move" and target:
            target[member_ix % len(target)] = value
        elif kind == "join" and total < 30:
            target.append(value)
        elif kind == "leave" and target:
            target.pop(member_ix % len(target))
        await send(senders, missing_skp)
        if approve_now:
            await _approve(publik, tokens, period)
    await _approve(publik, tokens, period)

    wanted = {str(u) for u in units}
    published: dict[tuple[str, int], dict[str, Any]] = {}
    latest_n = (await publik.get("/v1/snapshots/latest")).json()["n"]
    for n in range(first_snapshot, latest_n + 1):
        for item in snapshot_items((await publik.get(f"/v1/snapshots/{n}")).json()):
            if item["unit_id"] in wanted and item["period"] == period:
                published[(item["unit_id"], item["version"])] = item["data"]
    for unit in units:
        for item in (await publik.get(f"/v1/feed?unit_id={unit}&period={period}")).json()["items"]:
            published[(item["unit_id"], item["version"])] = item["data"]
    observed: list[Observed] = []
    for (unit_id, version), data in published.items():
        # The outsider knows the group sizes: here every employee is evaluated, so `evaluated` (hidden below
        # k) is the headcount, which is always shown.
        observed.extend(
            observe(unit_id, "UNIT_PERFORMANCE", period, version, data, {"evaluated": data["headcount"]})
        )
    found = disclosures(observed, {str(u): str(parent) for u in units[1:]}, K)
    assert found == [], (found[:5], sorted(published.items(), key=lambda kv: kv[0]))
