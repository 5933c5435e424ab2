"""kinerja's running state: the shared parts and its clients to the services its outbox delivers to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from services.common.state import AppState, app_state
from services.kinerja_api.config import KinerjaSettings


@dataclass(kw_only=True)
class KinerjaState(AppState):
    """Built by the lifespan (services/kinerja_api/main.py)."""

    settings: KinerjaSettings
    publik_client: httpx.AsyncClient
    gateway_client: httpx.AsyncClient
    pelatihan_client: httpx.AsyncClient


def kinerja_state(app: Any) -> KinerjaState:
    """The running kinerja app's state."""
    return app_state(app, KinerjaState)
