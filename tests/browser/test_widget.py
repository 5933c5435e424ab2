"""The embeddable widget in headless Chromium: a test page on another localhost origin embeds it with a
script tag and an iframe; the unit name and IKM appear, axe-core finds no WCAG violation, and screenshots
are saved under test-artifacts/."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from services.publik_api.main import create_app
from tests.support.browser import (
    ARTIFACTS,
    assert_accessible,
    chromium,
    needs_browser,
    publik_with_demo,
)
from tests.support.fixtures import free_port, serve

pytestmark = needs_browser


def host_page(publik: str, unit_id: str) -> Starlette:
    """The regional website stand-in: the snippet from docs/embed.md, pasted into a page."""
    src = html.escape(publik)
    uid = html.escape(unit_id)

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(
            f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Situs Pemerintah Provinsi Bengkulu (halaman uji)</title></head>
<body><main><h1>Transparansi kinerja</h1>
<div data-unit="{uid}"></div>
<script src="{src}/embed/widget.js" defer></script>
<h2>Versi iframe</h2>
<iframe src="{src}/embed/units/{uid}" title="Kartu kinerja unit" width="100%" height="900" loading="lazy"></iframe>
</main></body></html>"""
        )

    return Starlette(routes=[Route("/", page)])


async def test_widget_renders_and_is_accessible(
    db: str, settings_for: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host_port = free_port()
    settings, context = await publik_with_demo(
        db,
        settings_for,
        tmp_path,
        monkeypatch,
        embed_frame_ancestors=["'self'", f"http://127.0.0.1:{host_port}"],
    )
    unit_id = context["publik_demo_units"]["SETDA"]
    with serve(create_app(settings)) as publik:
        async with httpx.AsyncClient(base_url=publik, trust_env=False) as api:
            card = (await api.get(f"/v1/units/{unit_id}/scorecard")).json()
        ikm_text = f"{card['ikm']['ikm']:.2f}".replace(".", ",")
        name = card["unit"]["name"]
        with serve(host_page(publik, unit_id), host_port) as host:
            async with chromium(width=390, height=844, bypass_csp=True) as browser:
                page = browser.page
                await page.goto(host + "/", wait_until="networkidle")
                widget = page.locator("[data-unit] .asn-w").first
                await widget.wait_for(timeout=10_000)
                text = await widget.inner_text()
                assert name in text
                assert ikm_text in text
                assert "disembunyikan" not in text or "*" in text
                # Withheld figures carry the documented footnote (docs/publik.md, "Disclosure control").
                assert "disembunyikan" not in text or "tidak ada angka yang menunjuk seseorang" in text
                frame = page.frame_locator("iframe")
                await frame.locator(".asn-w-title").wait_for(timeout=10_000)
                assert name in await frame.locator(".asn-w").inner_text()
                assert await page.evaluate("document.cookie") == ""
                scroll = await page.evaluate("document.scrollingElement.scrollWidth")
                assert scroll <= 390, "the widget must fit a phone screen"
                await page.screenshot(path=str(ARTIFACTS / "publik-widget-phone.png"), full_page=True)
                await assert_accessible(page)
                embed = await browser.context.new_page()
                await embed.set_viewport_size({"width": 1024, "height": 900})
                await embed.goto(f"{publik}/embed/units/{unit_id}", wait_until="networkidle")
                await embed.locator(".asn-w-title").wait_for(timeout=10_000)
                await embed.screenshot(path=str(ARTIFACTS / "publik-embed-page.png"), full_page=True)
                await assert_accessible(embed)
                # Keyboard: the innovation links are reachable with Tab.
                focused = []
                for _ in range(6):
                    await embed.keyboard.press("Tab")
                    focused.append(await embed.evaluate("document.activeElement.tagName"))
                assert "A" in focused
                assert browser.errors == []
