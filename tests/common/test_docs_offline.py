"""/docs and /redoc work on an intranet with no outside access: every URL the pages reference is
same-origin and answers 200, through the gateway (prefixed) as well as on the service itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from tests.support.docs import referenced
from tests.support.fixtures import running


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_service_docs_use_only_packaged_same_origin_assets(
    db: str, settings_for: Callable[..., Any], page: str
) -> None:
    app = kinerja_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        resp = await client.get(page)
        assert resp.status_code == 200
        assert "'self'" in resp.headers["content-security-policy"]
        urls = referenced(resp.text)
        assert urls, resp.text
        assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
        assert "/openapi.json" in urls
        for url in urls:
            asset = await client.get(url)
            assert asset.status_code == 200, url
            assert asset.content, url
        # Behind the gateway the same page points below the service's prefix.
        prefixed = await client.get(page, headers={"X-Forwarded-Prefix": "/kinerja"})
        assert all(u.startswith("/kinerja/") for u in referenced(prefixed.text)), prefixed.text
        assert (await client.get("/docs-assets/../main.py")).status_code == 404
