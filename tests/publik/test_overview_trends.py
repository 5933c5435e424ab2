"""The province overview and a unit's trends: built from what is published, in its published form (suppressed
cells stay null), cached like the feed; the trend charts are SVG with a text alternative."""

from __future__ import annotations

import asyncio
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import event

from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app
from services.publik_api.state import publik_state
from tests.publik.conftest import envelope, performance, publish, send_event, submit_survey, training
from tests.support.fixtures import Tokens, running

SVG = "{http://www.w3.org/2000/svg}"
# KURANG 2 is a small cell: it and the smallest other cell are hidden wherever the spread is shown.
SMALL = {"SANGAT_BAIK": 6, "BAIK": 25, "BUTUH_PERBAIKAN": 5, "KURANG": 2, "SANGAT_KURANG": 0}


async def _unit(client: httpx.AsyncClient, tokens: Tokens, name: str) -> uuid.UUID:
    unit = uuid.uuid4()
    data = {"unit_id": str(unit), "code": "U" + unit.hex[:6], "name": name, "parent_id": None, "active": True}
    assert (await send_event(client, tokens, envelope("kinerja.unit", data))).status_code == 202
    return unit


async def _published_history(client: httpx.AsyncClient, tokens: Tokens, unit: uuid.UUID, name: str) -> None:
    for period in ("2025-Q4", "2026-Q1", "2026-Q2"):
        data = performance(unit, period, counts=SMALL, name=name)
        await send_event(client, tokens, envelope("kinerja.unit_performance", data))
        await publish(client, tokens, period)
    for year, met in ((2025, 20), (2026, 31)):
        stats = training(unit, year, unit_name=name, pns_meeting_20jp=met, share_meeting_20jp=met / 40)
        await send_event(client, tokens, envelope("pelatihan.training_stats", stats))
        await publish(client, tokens, str(year))


async def test_overview_lists_every_unit_with_its_newest_published_figures(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    busy = await _unit(publik, tokens, "Dinas Kependudukan dan Pencatatan Sipil")
    quiet = await _unit(publik, tokens, "Badan Pendapatan Daerah")
    await _published_history(publik, tokens, busy, "Dinas Kependudukan dan Pencatatan Sipil")
    # A figure waiting for approval is not in the overview.
    await send_event(publik, tokens, envelope("kinerja.unit_performance", performance(busy, "2026-Q3")))
    for _ in range(5):
        assert (await submit_survey(publik, busy, [4, 4, 3, 3, 4, 4, 3, 3, 4])).status_code == 201
    deadline = asyncio.get_running_loop().time() + 5
    while True:  # the IKM refresher folds the answers in within its interval
        body = (await publik.get("/v1/overview")).json()
        row = next(u for u in body["units"] if u["unit_id"] == str(busy))
        done = row["ikm"] is not None and row["ikm"]["respondents"] == 5
        if done or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.1)
    assert [u["name"] for u in body["units"]] == sorted(u["name"] for u in body["units"])
    assert row["ikm"] == {
        "period": "2026",
        "respondents": 5,
        "ikm": 88.89,
        "mutu": "A",
        "kinerja": "SANGAT_BAIK",
    }
    predikat = row["predikat"]
    assert predikat["period"] == "2026-Q2"
    feed = (await publik.get(f"/v1/feed?unit_id={busy}&kind=UNIT_PERFORMANCE&period=2026-Q2")).json()
    published = feed["items"][0]
    # Exactly the published form: the small cell stays hidden, and so does its secondary cell.
    assert predikat["counts"] == published["data"]["counts"]
    assert predikat["counts"]["KURANG"] is None
    assert sorted(predikat["suppressed"]) == sorted(
        s for s in published["suppressed"] if s.startswith("counts.")
    )
    assert row["jp"]["period"] == "2026"
    assert row["jp"]["pns_meeting_20jp"] == 31
    assert row["innovations"] == 0
    assert row["last_update"] is not None
    other = next(u for u in body["units"] if u["unit_id"] == str(quiet))
    assert other["ikm"] is None
    assert other["predikat"] is None
    assert other["jp"] is None
    assert body["truncated"] is False
    assert body["min_group_size"] == 5
    # Cached like the feed.
    first = await publik.get("/v1/overview")
    assert first.headers["access-control-allow-origin"] == "*"
    again = await publik.get("/v1/overview", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


async def test_trends_and_charts_show_the_published_periods(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = await _unit(publik, tokens, "Dinas Dukcapil")
    await _published_history(publik, tokens, unit, "Dinas Dukcapil")
    body = (await publik.get(f"/v1/units/{unit}/trends")).json()
    assert [p["period"] for p in body["predikat"]] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert [p["period"] for p in body["jp"]] == ["2025", "2026"]
    assert [p["pns_meeting_20jp"] for p in body["jp"]] == [20, 31]
    assert all(p["counts"]["KURANG"] is None for p in body["predikat"])
    assert "disembunyikan" in body["text"]["predikat"]
    assert "77,5 %" in body["text"]["jp"]
    two = (await publik.get(f"/v1/units/{unit}/trends?periods=2")).json()
    assert [p["period"] for p in two["predikat"]] == ["2026-Q1", "2026-Q2"]
    for figure in ("ikm", "predikat", "jp"):
        resp = await publik.get(f"/v1/units/{unit}/trends/{figure}.svg")
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("image/svg+xml")
        assert "default-src 'none'" in resp.headers["content-security-policy"]
        root = ET.fromstring(resp.content)
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None
        assert title.text
        assert desc is not None
        assert desc.text == body["text"][figure]
        assert root.find(f".//{SVG}script") is None
    assert (await publik.get(f"/v1/units/{unit}/trends/other.svg")).status_code == 422
    assert (await publik.get(f"/v1/units/{uuid.uuid4()}/trends")).status_code == 404
    assert (await publik.get(f"/v1/units/{unit}/trends?periods=13")).status_code == 422


async def test_cached_overview_and_trends_make_no_database_query(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    app = create_app(publik_settings(cache_poll_interval_s=60, ikm_refresh_interval_s=60))
    async with running(app) as client:
        unit = await _unit(client, tokens, "Dinas Dukcapil")
        await asyncio.sleep(3.1)  # the event's write made this replica re-read the version for a while
        paths = ["/v1/overview", f"/v1/units/{unit}/trends", f"/v1/units/{unit}/trends/ikm.svg"]
        for path in paths:
            assert (await client.get(path)).status_code == 200
        queries: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            queries.append(statement)

        sync_engine = publik_state(app).engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", count)
        try:
            for _ in range(5):
                for path in paths:
                    assert (await client.get(path)).status_code == 200
        finally:
            event.remove(sync_engine, "before_cursor_execute", count)
        assert queries == []


async def test_reads_that_miss_together_render_once(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    """After a version change every read in flight misses at once: one renders, the others wait for it
    (without this, each of 64 connections rendered the same bytes, a quarter of the throughput under a
    survey stream: bench/publik_surveys.py)."""
    app = create_app(publik_settings(cache_poll_interval_s=60, ikm_refresh_interval_s=60))
    async with running(app) as client:
        await _unit(client, tokens, "Dinas Dukcapil")
        await asyncio.sleep(3.1)  # past this replica's own write window: the version is the polled one
        renders: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if "publik.unit" in statement and "publik.item" in statement:
                renders.append(statement)

        sync_engine = publik_state(app).engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", count)
        try:
            answers = await asyncio.gather(*(client.get("/v1/overview") for _ in range(20)))
        finally:
            event.remove(sync_engine, "before_cursor_execute", count)
        assert {a.status_code for a in answers} == {200}
        assert len({a.content for a in answers}) == 1
        assert len(renders) == 1, renders
