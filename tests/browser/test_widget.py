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

from asn_cli.seed import app_session
from services.publik_api import demo
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app
from tests.browser.conftest import ARTIFACTS, AXE, CHROMIUM, CHROMIUM_ARGS, missing_tools, serve
from tests.support.fixtures import free_port

pytestmark = pytest.mark.skipif(missing_tools() is not None, reason=missing_tools() or "")

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


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


async def _axe(page: Any) -> list[dict[str, Any]]:
    await page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


async def test_widget_renders_and_is_accessible(
    db: str, settings_for: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.async_api import async_playwright

    monkeypatch.setenv("PUBLIK_DATA_DIR", str(tmp_path))
    context: dict[str, Any] = {}
    async with app_session(db) as session:
        await demo.seed_demo(session, context)
    unit_id = context["publik_demo_units"]["SETDA"]
    host_port = free_port()
    settings: PublikSettings = settings_for(
        PublikSettings,
        data_dir=tmp_path,
        gateway_url=f"http://127.0.0.1:{free_port()}",
        kinerja_url=f"http://127.0.0.1:{free_port()}",
        embed_frame_ancestors=["'self'", f"http://127.0.0.1:{host_port}"],
    )
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(create_app(settings)) as publik:
        async with httpx.AsyncClient(base_url=publik, trust_env=False) as api:
            card = (await api.get(f"/v1/units/{unit_id}/scorecard")).json()
        ikm_text = f"{card['ikm']['ikm']:.2f}".replace(".", ",")
        name = card["unit"]["name"]
        with serve_on(host_page(publik, unit_id), host_port) as host:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    # bypass_csp only lets the test inject axe into the CSP-protected iframe page.
                    ctx = await browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
                    page = await ctx.new_page()
                    errors: list[str] = []
                    page.on("pageerror", lambda e: errors.append(str(e)))
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
                    violations = await _axe(page)
                    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]
                    embed = await ctx.new_page()
                    await embed.set_viewport_size({"width": 1024, "height": 900})
                    await embed.goto(f"{publik}/embed/units/{unit_id}", wait_until="networkidle")
                    await embed.locator(".asn-w-title").wait_for(timeout=10_000)
                    await embed.screenshot(path=str(ARTIFACTS / "publik-embed-page.png"), full_page=True)
                    violations = await _axe(embed)
                    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]
                    # Keyboard: the innovation links are reachable with Tab.
                    focused = []
                    for _ in range(6):
                        await embed.keyboard.press("Tab")
                        focused.append(await embed.evaluate("document.activeElement.tagName"))
                    assert "A" in focused
                    assert errors == []
                finally:
                    await browser.close()


def serve_on(app: Any, port: int) -> Any:
    """serve() on a chosen port (the host page's origin must be known before publik starts)."""
    import contextlib
    import threading
    import time

    import uvicorn

    @contextlib.contextmanager
    def run() -> Any:
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    return run()
