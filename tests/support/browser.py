"""What the browser tests (tests/browser/) share: the tools they need (skipped with a visible reason when
Chromium, Playwright or axe-core is missing), a real HTTP server for an ASGI app (`serve`, from tests/support/fixtures.py), publik seeded with the demo
data, a headless Chromium page that collects the page's errors, and axe-core's WCAG check."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from asn_cli.seed import app_session
from services.publik_api import demo
from services.publik_api.config import PublikSettings
from tests.support.fixtures import free_port

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def missing_tools() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return "Chromium not installed at /usr/bin/chromium (apt-get install -y chromium)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright for Python not installed (.venv/bin/pip install playwright)"
    if not AXE.exists():
        return f"axe-core not installed at {AXE} (cd tests/browser && npm install --no-save axe-core)"
    return None


needs_browser = pytest.mark.skipif(missing_tools() is not None, reason=missing_tools() or "")
"""``pytestmark = needs_browser`` in every browser test module."""


async def publik_with_demo(
    db: str,
    settings_for: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    **overrides: Any,
) -> tuple[PublikSettings, dict[str, Any]]:
    """publik's settings on a database seeded with the demo data (no gateway, no kinerja behind it), and
    the demo's context (``publik_demo_units`` names each unit's id); the artifacts folder exists."""
    monkeypatch.setenv("PUBLIK_DATA_DIR", str(tmp_path))
    context: dict[str, Any] = {}
    async with app_session(db) as session:
        await demo.seed_demo(session, context)
    settings: PublikSettings = settings_for(
        PublikSettings,
        data_dir=tmp_path,
        gateway_url=f"http://127.0.0.1:{free_port()}",
        kinerja_url=f"http://127.0.0.1:{free_port()}",
        **overrides,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    return settings, context


@dataclass
class Browser:
    """A headless Chromium context and its first page; ``errors`` collects the page's uncaught errors."""

    context: Any
    page: Any
    errors: list[str] = field(default_factory=list)


@contextlib.asynccontextmanager
async def chromium(*, width: int, height: int, bypass_csp: bool = False) -> AsyncIterator[Browser]:
    """Chromium with one page of ``width`` x ``height``. ``bypass_csp`` only lets a test inject axe into a
    CSP-protected page (publik's embed pages)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            ctx = await browser.new_context(
                viewport={"width": width, "height": height}, bypass_csp=bypass_csp
            )
            found = Browser(ctx, await ctx.new_page())
            found.page.on("pageerror", lambda e: found.errors.append(str(e)))
            yield found
        finally:
            await browser.close()


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 AA (and best-practice) violations on the page as it is now."""
    await page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


async def assert_accessible(page: Any) -> None:
    """No axe-core violation on the page (the failure lists each rule, its help and how many nodes)."""
    violations = await axe_violations(page)
    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]
