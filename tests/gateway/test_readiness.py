"""The gateway stays in rotation when one upstream is down: /readyz says `degraded` with 200, lists the
upstream that is down, and answers 503 only when its own database is not ready."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gateway.config import GatewaySettings
from gateway.main import create_app
from services.common.testing import free_port, running


async def test_one_upstream_down_is_degraded_not_unready(
    db: str, settings_for: Callable[..., Any], tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    settings = settings_for(
        GatewaySettings,
        kinerja_urls=[dead],
        pelatihan_urls=[dead],
        publik_urls=[dead],
        data_dir=tmp_path,
        jwt_public_keys_pem=None,
    )
    async with running(create_app(settings)) as client:
        resp = await client.get("/readyz")
        assert resp.status_code == 200
        body = resp.json()
        assert body["status"] == "degraded"
        assert body["database"] == "ok"
        assert body["upstreams"]["kinerja"]["instances"][0]["healthy"] is False
        # The upstream's own requests still fail fast and honestly.
        down = await client.get("/kinerja/v1/units")
        assert down.status_code == 503
