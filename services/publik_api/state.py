"""publik's running state: the shared parts, the snapshot key, the survey limiter, the kinerja client, the
public-read cache and the IKM refresher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.common.state import AppState, app_state, find_state

if TYPE_CHECKING:
    # Annotations only: the routers of every package read this state, so at run time it imports none of
    # them back (no package cycle through the state).
    from services.common.ratelimit import Limiter
    from services.publik_api.cache.store import PublicCache
    from services.publik_api.clients.kinerja import KinerjaClient
    from services.publik_api.config import PublikSettings
    from services.publik_api.snapshots.service import SnapshotSigner
    from services.publik_api.surveys.refresher import IkmRefresher


@dataclass(kw_only=True)
class PublikState(AppState):
    """Built by the lifespan (services/publik_api/main.py)."""

    settings: PublikSettings
    snapshot_signer: SnapshotSigner
    survey_limiter: Limiter
    kinerja: KinerjaClient
    ikm_refresher: IkmRefresher
    # None once the app stops (cached reads then fall through to the routes).
    public_cache: PublicCache | None = None

    def public_cache_figures(self) -> tuple[int, int] | None:
        cache = self.public_cache
        return None if cache is None else (len(cache.entries), cache.version)


def publik_state(app: Any) -> PublikState:
    """The running publik app's state."""
    return app_state(app, PublikState)


def public_cache_of(app: Any) -> PublicCache | None:
    """The public-read cache while the app runs (None before its lifespan and after it)."""
    state = find_state(app, PublikState)
    return state.public_cache if state is not None else None
