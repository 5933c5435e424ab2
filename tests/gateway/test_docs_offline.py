"""The gateway's /docs and /redoc (the merged spec) work with no outside access."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gateway.config import GatewaySettings
from tests.gateway.helpers import gateway
from tests.support.docs import referenced


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_gateway_docs_use_only_packaged_same_origin_assets(
    gateway_settings: Callable[..., GatewaySettings], page: str
) -> None:
    async with gateway(gateway_settings()) as (_, client):
        resp = await client.get(page, headers={"X-Forwarded-Prefix": "/elsewhere"})
        assert resp.status_code == 200
        urls = referenced(resp.text)
        # The gateway sits at the root: a client's X-Forwarded-Prefix is ignored.
        assert all(u.startswith("/") and not u.startswith(("//", "/elsewhere")) for u in urls), urls
        for url in urls:
            assert (await client.get(url)).status_code == 200, url
