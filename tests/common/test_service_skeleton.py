"""Every service serves /healthz, /readyz and /openapi.json, and answers errors as problem+json."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app as pelatihan_app
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app as publik_app
from tests.support.fixtures import running

APPS: list[tuple[Callable[..., FastAPI], type[Any]]] = [
    (kinerja_app, KinerjaSettings),
    (pelatihan_app, PelatihanSettings),
    (publik_app, PublikSettings),
]


@pytest.mark.parametrize(("factory", "settings_cls"), APPS)
async def test_probes_and_spec(
    db: str, settings_for: Callable[..., Any], factory: Any, settings_cls: Any
) -> None:
    app = factory(settings_for(settings_cls))
    async with running(app) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["migration"] == ready.json()["migration_head"]
        assert (await client.get("/openapi.json")).status_code == 200
        missing = await client.get("/no-such-path", headers={"X-Request-ID": "abc-123"})
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert missing.headers["x-request-id"] == "abc-123"
        assert missing.json()["status"] == 404
