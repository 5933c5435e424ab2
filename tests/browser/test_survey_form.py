"""The SKM survey form of the widget in headless Chromium, on a 360 px phone: a citizen answers with the
keyboard and the mouse, the answer reaches the IKM after the refresher, axe-core finds no violation with the
form open, no cookie is set, nothing is asked of any other host; screenshots under test-artifacts/."""

from __future__ import annotations

import asyncio
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
from tests.support.fixtures import Tokens, free_port, serve

pytestmark = needs_browser


def host_page(publik: str, unit_id: str) -> Starlette:
    """The regional website with the script-tag snippet of docs/embed.md."""
    src, uid = html.escape(publik), html.escape(unit_id)

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(
            f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Survei kepuasan (halaman uji)</title></head>
<body><main><h1>Layanan publik</h1>
<div data-unit="{uid}"></div>
<script src="{src}/embed/widget.js" defer></script>
</main></body></html>"""
        )

    return Starlette(routes=[Route("/", page)])


async def _ikm_respondents(api: httpx.AsyncClient, unit_id: str) -> int:
    items = (await api.get(f"/v1/feed?kind=IKM&unit_id={unit_id}")).json()["items"]
    return int(items[0]["data"]["respondents"]) if items else 0


async def test_a_citizen_answers_the_survey_from_the_widget(
    db: str,
    settings_for: Callable[..., Any],
    tokens: Tokens,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host_port = free_port()
    settings, context = await publik_with_demo(
        db,
        settings_for,
        tmp_path,
        monkeypatch,
        embed_frame_ancestors=["'self'", f"http://127.0.0.1:{host_port}"],
        ikm_refresh_interval_s=0.2,
        cache_poll_interval_s=0.2,
    )
    unit_id = context["publik_demo_units"]["SETDA"]
    with serve(create_app(settings)) as publik:
        async with httpx.AsyncClient(base_url=publik, trust_env=False) as api:
            made = await api.post(
                f"/v1/units/{unit_id}/services", json={"name": "Layanan loket"}, headers=tokens.admin()
            )
            assert made.status_code == 201, made.text
            service_id = made.json()["id"]
            await asyncio.sleep(0.5)
            before = await _ikm_respondents(api, unit_id)
            with serve(host_page(publik, unit_id), host_port) as host:
                async with chromium(width=360, height=780, bypass_csp=True) as browser:
                    page = browser.page
                    hosts: set[str] = set()
                    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
                    await page.goto(host + "/", wait_until="networkidle")
                    opener = page.get_by_role("button", name="Isi survei")
                    await opener.wait_for(timeout=10_000)
                    # Keyboard only: reach the button, open the form (focus moves into it).
                    for _ in range(40):
                        await page.keyboard.press("Tab")
                        if await page.evaluate("document.activeElement.textContent") == "Isi survei":
                            break
                    await page.keyboard.press("Enter")
                    form = page.get_by_role("form", name="Survei kepuasan masyarakat")
                    await form.wait_for(timeout=10_000)
                    assert await page.evaluate("document.activeElement.name") == "service_id"
                    # Submitting half a form names what is missing and moves focus there.
                    await page.get_by_role("button", name="Kirim penilaian").click()
                    assert "Lengkapi" in await page.get_by_role("status").inner_text()
                    await page.get_by_label("Layanan yang Anda terima (wajib)").select_option(service_id)
                    # Unsur 1 by keyboard (Space picks the focused radio, arrows move within the group).
                    group = page.get_by_role("group", name="1. Persyaratan")
                    await group.get_by_label("1 — Tidak baik").focus()
                    await page.keyboard.press("ArrowRight")
                    await page.keyboard.press("ArrowRight")
                    await page.keyboard.press("ArrowRight")
                    assert await group.get_by_label("4 — Sangat baik").is_checked()
                    for i in range(2, 10):
                        legend = await page.locator(f"fieldset[data-unsur='{i}'] legend").inner_text()
                        await page.get_by_role("group", name=legend).get_by_label("3 — Baik").check()
                    await page.get_by_label("Kelompok usia").select_option("USIA_30_39")
                    await page.get_by_label("Jenis kelamin").select_option("PEREMPUAN")
                    await page.get_by_label("Saran atau pengaduan", exact=False).fill(
                        "Antrean loket panjang."
                    )
                    scroll = await page.evaluate("document.scrollingElement.scrollWidth")
                    assert scroll <= 360, "the form must fit a 360 px phone"
                    await assert_accessible(page)
                    await page.screenshot(path=str(ARTIFACTS / "publik-survey-form-360.png"), full_page=True)
                    await page.get_by_role("button", name="Kirim penilaian").click()
                    await page.get_by_text("Terima kasih", exact=False).wait_for(timeout=10_000)
                    await page.screenshot(path=str(ARTIFACTS / "publik-survey-sent-360.png"), full_page=True)
                    assert await page.evaluate("document.cookie") == ""
                    assert (await browser.context.cookies()) == []
                    assert hosts <= {host.split("/")[2], publik.split("/")[2]}, hosts
                    assert browser.errors == []
            # The answer is in the IKM once the refresher has run (every 0.2 s here).
            for _ in range(50):
                if await _ikm_respondents(api, unit_id) == before + 1:
                    break
                await asyncio.sleep(0.1)
            assert await _ikm_respondents(api, unit_id) == before + 1
            ikm = (await api.get(f"/v1/ikm?unit_id={unit_id}")).json()
            assert ikm["respondents"] == before + 1
