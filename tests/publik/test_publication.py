"""Publication policy: nothing public before approval; corrections keep the id and the earlier version;
small groups are suppressed, with secondary suppression."""

from __future__ import annotations

import itertools
import random
import uuid

import asyncpg
import httpx

from services.publik_api.publications import suppression
from tests.publik.conftest import envelope, performance, publish, send_event, training
from tests.support.fixtures import Tokens


async def test_nothing_is_public_before_approval(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    unit = uuid.uuid4()
    await send_event(publik, tokens, envelope("kinerja.unit_performance", performance(unit)))
    await send_event(publik, tokens, envelope("pelatihan.training_stats", training(unit)))
    assert (await publik.get("/v1/feed")).json()["items"] == []
    assert (await publik.get(f"/v1/items/{uuid.uuid4()}")).status_code == 404
    feed_json = (await publik.get("/v1/feed.json")).json()
    assert feed_json["items"] == []
    card = (await publik.get(f"/v1/units/{unit}/scorecard?year=2026")).json()
    assert card["performance"] == []
    assert card["training"] is None
    assert (await publik.get("/v1/snapshots/latest")).status_code == 404
    # The admin sees what waits for approval; the public cannot list publications.
    assert (await publik.get("/v1/publications")).status_code == 401
    pending = (await publik.get("/v1/publications?status=PENDING", headers=tokens.admin())).json()["items"]
    assert {(p["period"], p["pending_items"]) for p in pending} == {("2026-Q1", 1), ("2026", 1)}

    approved = await publish(publik, tokens, "2026-Q1")
    assert approved["status"] == "APPROVED"
    assert approved["pending_items"] == 0
    items = (await publik.get("/v1/feed")).json()["items"]
    assert [(i["kind"], i["period"]) for i in items] == [("UNIT_PERFORMANCE", "2026-Q1")]
    # The other period is still private.
    assert (await publik.get("/v1/feed?kind=TRAINING_STATS")).json()["items"] == []


async def test_a_correction_keeps_the_id_and_the_earlier_version(
    publik: httpx.AsyncClient, tokens: Tokens, db: str
) -> None:
    unit = uuid.uuid4()
    await send_event(publik, tokens, envelope("kinerja.unit_performance", performance(unit)))
    await publish(publik, tokens, "2026-Q1")
    before = (await publik.get("/v1/feed")).json()["items"][0]
    # Five people move from BAIK to SANGAT_BAIK: a change the disclosure rules allow (a change of one person
    # would wait: tests/publik/test_disclosure.py).
    corrected = performance(
        unit, counts={"SANGAT_BAIK": 11, "BAIK": 20, "BUTUH_PERBAIKAN": 5, "KURANG": 2, "SANGAT_KURANG": 0}
    )
    await send_event(publik, tokens, envelope("kinerja.unit_performance", corrected))
    # A correction of a public item waits for the period's next approval.
    assert (await publik.get("/v1/feed")).json()["items"][0]["version"] == 1
    await publish(publik, tokens, "2026-Q1")
    after = (await publik.get("/v1/feed")).json()["items"]
    assert len(after) == 1
    assert after[0]["id"] == before["id"]
    assert after[0]["version"] == 2
    assert after[0]["updated_at"] > before["updated_at"]
    assert after[0]["published_at"] == before["published_at"]
    assert after[0]["data"]["counts"]["SANGAT_BAIK"] == 11
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        old = await conn.fetchrow(
            "SELECT version, data FROM publik.item_version WHERE item_id = $1", uuid.UUID(before["id"])
        )
        snapshots = await conn.fetchval("SELECT count(*) FROM publik.snapshot")
    finally:
        await conn.close()
    assert old is not None
    assert old["version"] == 1
    # A snapshot on the approval and one on the correction's approval.
    assert snapshots == 2


async def test_new_material_in_an_approved_period_waits_for_a_new_approval(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    await send_event(publik, tokens, envelope("kinerja.unit_performance", performance(first)))
    await publish(publik, tokens, "2026-Q1")
    await send_event(
        publik, tokens, envelope("kinerja.unit_performance", performance(second, name="Dinas Sosial"))
    )
    assert len((await publik.get("/v1/feed")).json()["items"]) == 1
    await publish(publik, tokens, "2026-Q1")
    assert len((await publik.get("/v1/feed")).json()["items"]) == 2


async def test_a_unit_with_four_evaluated_people_shows_no_distribution(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = uuid.uuid4()
    small = performance(
        unit, counts={"SANGAT_BAIK": 1, "BAIK": 2, "BUTUH_PERBAIKAN": 1, "KURANG": 0, "SANGAT_KURANG": 0}
    )
    await send_event(publik, tokens, envelope("kinerja.unit_performance", small))
    await publish(publik, tokens, "2026-Q1")
    item = (await publik.get("/v1/feed")).json()["items"][0]
    assert set(item["data"]["counts"].values()) == {None}
    assert item["data"]["evaluated"] is None
    for p in suppression.PREDIKAT:
        assert f"counts.{p}" in item["suppressed"]
    # Nothing in any public rendering carries the hidden figures.
    card = (await publik.get(f"/v1/units/{unit}/scorecard?year=2026")).json()
    assert set(card["performance"][0]["data"]["counts"].values()) == {None}
    snapshot = (await publik.get("/v1/snapshots/latest")).json()
    assert snapshot["n"] == 1


async def test_secondary_suppression_hides_what_the_total_would_reveal(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = uuid.uuid4()
    counts = {"SANGAT_BAIK": 10, "BAIK": 20, "BUTUH_PERBAIKAN": 6, "KURANG": 2, "SANGAT_KURANG": 0}
    await send_event(publik, tokens, envelope("kinerja.unit_performance", performance(unit, counts=counts)))
    await publish(publik, tokens, "2026-Q1")
    item = (await publik.get("/v1/feed")).json()["items"][0]
    shown = item["data"]["counts"]
    # KURANG (2) is a small group; alone it would be total - the others, so a second cell is hidden too.
    assert shown["KURANG"] is None
    hidden = [p for p, v in shown.items() if v is None]
    assert len(hidden) >= 2
    total = item["data"]["evaluated"]
    assert total - sum(v for v in shown.values() if v is not None) >= 5
    assert sorted(f"counts.{p}" for p in hidden) == sorted(
        s for s in item["suppressed"] if s.startswith("counts.")
    )


def test_no_suppressed_cell_can_be_worked_out_from_the_totals() -> None:
    rng = random.Random(5)
    k = 5
    for _ in range(3000):
        cells = {p: rng.choice([0, 0, 1, 2, 3, 4, 5, 8, 20]) for p in suppression.PREDIKAT}
        total = sum(cells.values())
        hidden = suppression.suppress_cells(cells, total, k)
        visible = {p: v for p, v in cells.items() if p not in hidden}
        assert not any(0 < v < k for v in visible.values()), cells
        if total < k:
            assert hidden == set(cells)
            continue
        if not hidden:
            continue
        remainder = total - sum(visible.values())
        # Every hidden cell could take at least two values consistent with what is shown.
        for cell in hidden:
            others = [c for c in hidden if c != cell]
            possible = (
                {
                    remainder - sum(combo)
                    for combo in itertools.product(range(remainder + 1), repeat=len(others))
                    if sum(combo) <= remainder
                }
                if len(others) <= 2
                else {0, 1}
            )
            assert len(possible) >= 2, (cells, hidden)
        assert len(hidden) >= 2, (cells, hidden)
        assert remainder >= k, (cells, hidden)


def test_training_figures_of_small_groups_are_suppressed() -> None:
    public, hidden = suppression.training_stats(
        {
            "participants": 3,
            "jp_delivered": 60.0,
            "pns_total": 40,
            "pns_meeting_20jp": 2,
            "share_meeting_20jp": 0.05,
        },
        5,
    )
    assert public["participants"] is None
    assert public["jp_delivered"] is None
    assert public["pns_meeting_20jp"] is None
    assert public["share_meeting_20jp"] is None
    assert set(hidden) == {"participants", "jp_delivered", "pns_meeting_20jp", "share_meeting_20jp"}
