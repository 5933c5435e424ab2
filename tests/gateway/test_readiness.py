"""The gateway stays in rotation when one upstream is down: /readyz says `degraded` with 200, lists the
upstream that is down, and answers 503 only when its own database is not ready."""

from __future__ import annotations

from collections.abc import Callable

from gateway.config import GatewaySettings
from tests.gateway.helpers import gateway


async def test_one_upstream_down_is_degraded_not_unready(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings(jwt_public_keys_pem=None)) as (_, client):
        resp = await client.get("/readyz")
        assert resp.status_code == 200
        body = resp.json()
        assert body["status"] == "degraded"
        assert body["database"] == "ok"
        assert body["upstreams"]["kinerja"]["instances"][0]["healthy"] is False
        # The upstream's own requests still fail fast and honestly.
        down = await client.get("/kinerja/v1/units")
        assert down.status_code == 503
