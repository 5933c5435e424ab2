"""Fixtures of the gateway tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.config import GatewaySettings
from tests.gateway.helpers import DEAD_UPSTREAM


@pytest.fixture
def gateway_settings(db: str, settings_for: Callable[..., Any], tmp_path: Path) -> Callable[..., Any]:
    """Gateway settings on the test database, keys under tmp_path, upstreams pointing at nothing."""

    def make(**overrides: Any) -> GatewaySettings:
        values: dict[str, Any] = {
            "data_dir": tmp_path,
            "kinerja_urls": DEAD_UPSTREAM,
            "pelatihan_urls": DEAD_UPSTREAM,
            "publik_urls": DEAD_UPSTREAM,
            **overrides,
        }
        settings: GatewaySettings = settings_for(GatewaySettings, **values)
        return settings

    return make
