"""The province overview (data-view="provinsi") and the card's trend charts in headless Chromium, on the demo
data: the table lists every unit, sorts and filters, links to each card; the charts load as SVG images with a
text alternative and a data table for screen readers; axe-core finds no violation; screenshots are saved under
test-artifacts/."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app
from tests.support.browser import (
    ARTIFACTS,
    assert_accessible,
    chromium,
    needs_browser,
    publik_with_demo,
)
from tests.support.fixtures import Tokens, serve

pytestmark = needs_browser


def overview_page(publik: str) -> Starlette:
    """The regional website's overview page: the snippet of docs/embed.md "Province overview"."""
    src = html.escape(publik)

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(
            f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kinerja unit Provinsi Bengkulu (halaman uji)</title></head>
<body><main><h1>Transparansi kinerja</h1>
<div data-view="provinsi"></div>
<script src="{src}/embed/widget.js" defer></script>
</main></body></html>"""
        )

    return Starlette(routes=[Route("/", page)])


@pytest.fixture
async def demo_publik(
    db: str, settings_for: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[PublikSettings, dict[str, Any]]:
    return await publik_with_demo(db, settings_for, tmp_path, monkeypatch)


async def test_the_overview_sorts_filters_links_and_is_accessible(
    demo_publik: tuple[PublikSettings, dict[str, Any]],
) -> None:
    settings, _ = demo_publik
    with serve(create_app(settings)) as publik:
        async with httpx.AsyncClient(base_url=publik, trust_env=False) as api:
            overview = (await api.get("/v1/overview")).json()
        units = overview["units"]
        assert len(units) >= 2
        with serve(overview_page(publik)) as host:
            async with chromium(width=1280, height=900) as browser:
                page = browser.page
                await page.goto(host + "/", wait_until="networkidle")
                table = page.locator("[data-view=provinsi] table")
                await table.wait_for(timeout=10_000)
                rows = table.locator("tbody tr")
                assert await rows.count() == len(units)
                # Every unit links to its card.
                first = table.locator("tbody tr th a").first
                href = await first.get_attribute("href")
                assert href is not None
                assert href.startswith(publik + "/embed/units/")
                # Sorting by IKM (a header button) puts the highest IKM first when asked for descending.
                ikm_header = table.locator("thead th").nth(1)
                await ikm_header.locator("button").click()
                assert await ikm_header.get_attribute("aria-sort") == "ascending"
                await ikm_header.locator("button").click()
                assert await ikm_header.get_attribute("aria-sort") == "descending"
                best = max(
                    (u for u in units if u["ikm"] and u["ikm"]["ikm"] is not None),
                    key=lambda u: u["ikm"]["ikm"],
                )
                assert await rows.first.locator("th").inner_text() == best["name"]
                await page.screenshot(path=str(ARTIFACTS / "publik-overview.png"), full_page=True)
                await assert_accessible(page)
                # Searching by name narrows the table, and the count is announced.
                target = units[-1]["name"]
                await page.get_by_label("Cari unit").fill(target)
                assert await rows.count() == sum(1 for u in units if target.lower() in u["name"].lower())
                status = await page.locator("[data-view=provinsi] [role=status]").inner_text()
                assert status.endswith(f"dari {len(units)} unit ditampilkan")
                # Keyboard: the search field, then the sort buttons are reachable with Tab.
                await page.get_by_label("Cari unit").focus()
                await page.keyboard.press("Tab")
                assert await page.evaluate("document.activeElement.tagName") in ("DIV", "BUTTON")
                # A phone: the table scrolls inside its region, the page does not.
                await page.set_viewport_size({"width": 360, "height": 800})
                await page.get_by_label("Cari unit").fill("")
                scroll = await page.evaluate("document.scrollingElement.scrollWidth")
                assert scroll <= 360
                await page.screenshot(path=str(ARTIFACTS / "publik-overview-360.png"), full_page=True)
                await assert_accessible(page)
                assert browser.errors == []


def _event(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": kind,
        "source": kind.split(".")[0],
        "occurred_at": "2026-04-15T03:00:00Z",
        "data": data,
    }


async def _publish_history(api: httpx.AsyncClient, tokens: Tokens, unit_id: str, name: str) -> None:
    """Two quarters of predikat spread (one with a small cell), a year of training figures and the unit's
    targets, received and approved the way kinerja and pelatihan deliver them."""
    spreads = {
        "2025-Q4": {"SANGAT_BAIK": 8, "BAIK": 24, "BUTUH_PERBAIKAN": 6, "KURANG": 0, "SANGAT_KURANG": 0},
        "2026-Q1": {"SANGAT_BAIK": 6, "BAIK": 25, "BUTUH_PERBAIKAN": 5, "KURANG": 2, "SANGAT_KURANG": 0},
    }
    events = []
    for period, counts in spreads.items():
        n = sum(counts.values())
        events.append(
            _event(
                "kinerja.unit_performance",
                {
                    "unit_id": unit_id,
                    "unit_name": name,
                    "period": period,
                    "headcount": n + 2,
                    "evaluated": n,
                    "counts": counts,
                    "compliance": {"skp_approved": n + 1, "realization_reported": n, "evaluated": n},
                },
            )
        )
    events.append(
        _event(
            "kinerja.organisation_performance",
            {
                "unit_id": unit_id,
                "unit_name": name,
                "period": "2026-Q1",
                "results": [
                    {
                        "kind": "UTAMA",
                        "text": "Meningkatnya kualitas tata kelola pemerintahan daerah",
                        "indicators": [
                            {
                                "text": "Nilai SAKIP",
                                "target": "BB",
                                "realizations": [{"period": "2026-Q1", "realization": "B"}],
                            }
                        ],
                    }
                ],
            },
        )
    )
    for event in events:
        sent = await api.post("/internal/v1/events", json=event, headers=tokens.service())
        assert sent.status_code == 202, sent.text
    pubs = (await api.get("/v1/publications?status=PENDING", headers=tokens.admin())).json()["items"]
    for pub in pubs:
        approved = await api.post(f"/v1/publications/{pub['id']}/approve", headers=tokens.admin())
        assert approved.status_code == 200, approved.text


async def test_the_cards_trend_charts_have_text_and_tables(
    demo_publik: tuple[PublikSettings, dict[str, Any]], tokens: Tokens
) -> None:
    settings, context = demo_publik
    unit_id = context["publik_demo_units"]["SETDA"]
    with serve(create_app(settings)) as publik:
        async with httpx.AsyncClient(base_url=publik, trust_env=False) as api:
            card = (await api.get(f"/v1/units/{unit_id}/scorecard")).json()
            await _publish_history(api, tokens, unit_id, card["unit"]["name"])
            trends = (await api.get(f"/v1/units/{unit_id}/trends")).json()
        drawn = [f for f in ("ikm", "predikat", "jp") if trends[f]]
        assert "predikat" in drawn
        async with chromium(width=390, height=844, bypass_csp=True) as browser:
            page = browser.page
            await page.goto(f"{publik}/embed/units/{unit_id}", wait_until="networkidle")
            figures = page.locator(".asn-w-trends figure")
            await figures.first.wait_for(timeout=10_000)
            assert await figures.count() == len(drawn)
            for i, figure in enumerate(drawn):
                img = figures.nth(i).locator("img")
                assert await img.get_attribute("alt") == trends["text"][figure]
                assert await img.evaluate("i => i.complete && i.naturalWidth > 0"), figure
                table = figures.nth(i).locator(".asn-w-sr table")
                assert await table.locator("tbody tr").count() == len(trends[figure])
            # The predikat table says "disembunyikan" wherever the chart shows a grey gap.
            hidden = sum(v is None for p in trends["predikat"] for v in p["counts"].values())
            text = await figures.nth(drawn.index("predikat")).locator("table").inner_text()
            assert text.count("disembunyikan") >= hidden
            capaian = page.locator("section", has_text="Capaian kinerja organisasi").last
            assert await capaian.count() == 1
            scroll = await page.evaluate("document.scrollingElement.scrollWidth")
            assert scroll <= 390
            await page.screenshot(path=str(ARTIFACTS / "publik-trends-phone.png"), full_page=True)
            await assert_accessible(page)
            assert browser.errors == []
