"""pelatihan's running state: the shared parts and its clients to kinerja, publik and the gateway."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from services.common.state import AppState, app_state
from services.pelatihan_api.config import PelatihanSettings


@dataclass(kw_only=True)
class PelatihanState(AppState):
    """Built by the lifespan (services/pelatihan_api/main.py)."""

    settings: PelatihanSettings
    kinerja_client: httpx.AsyncClient
    publik_client: httpx.AsyncClient
    gateway_client: httpx.AsyncClient


def pelatihan_state(app: Any) -> PelatihanState:
    """The running pelatihan app's state."""
    return app_state(app, PelatihanState)
