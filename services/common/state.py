"""The typed state of a running app, and the only place that touches Starlette's untyped ``app.state``.

The lifespan (services/common/app.py) builds one dataclass per app: :class:`AppState` holds what every app
has (settings, engine, sessions, clients, verifier, outbox); each app extends it with its own parts
(``KinerjaState`` in services/kinerja_api/state.py, ``PelatihanState``, ``PublikState``, ``GatewayState``).
Code reads it through :func:`app_state` with the class it needs, which checks the type, so a reader gets a
typed object or a clear error, never a silent ``None``. Tests set state through the same typed object
(``kinerja_state(app).engine``). tests/common/test_boundaries.py fails on an ``app.state`` read anywhere else.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from services.common.admission import Admission
    from services.common.auth import TokenVerifier
    from services.common.db import ReadConnection
    from services.common.http import ServiceTokenProvider
    from services.common.metrics import AppMetrics
    from services.common.outbox import OutboxDispatcher
    from services.common.settings import AppSettings

T = TypeVar("T")
S = TypeVar("S", bound="AppState")

_STATE = "asn_state"
_METRICS = "asn_metrics"


@dataclass(kw_only=True)
class AppState:
    """What every app holds while it runs (built by the shared lifespan)."""

    settings: AppSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    migration_head: str | None
    # The gate in front of the pool (services/common/admission.py); None: unlimited (bare test apps).
    admission: Admission | None = None
    jwks_client: httpx.AsyncClient
    verifier: TokenVerifier | None = None
    # Closed by the lifespan on shutdown, in order.
    owned_clients: list[httpx.AsyncClient] = field(default_factory=list)
    # This service's own token at the gateway (services/common/app.py add_service_client); None until needed.
    service_tokens: ServiceTokenProvider | None = None
    outbox: OutboxDispatcher | None = None
    # The read path of read-only requests, one per app (services/common/db.py get_reader); built when needed.
    reader: ReadConnection | None = None

    def token_verifier(self) -> TokenVerifier:
        """The verifier of callers' tokens; raises when the app was configured with none."""
        if self.verifier is None:
            raise RuntimeError("this app verifies no tokens: no JWKS URL or public key is configured")
        return self.verifier

    def extend(self, kind: type[S], **parts: Any) -> S:
        """This state as an app's own state class, with that app's parts added."""
        return kind(**{f.name: getattr(self, f.name) for f in fields(AppState)}, **parts)

    def upstream_names(self) -> Collection[str]:
        """The services this app forwards to by path prefix (the gateway's; used for metric labels)."""
        return ()

    def public_cache_figures(self) -> tuple[int, int] | None:
        """(entries, version) of a public-read cache, for the metrics (publik's); None without one."""
        return None


def bind_state(app: Any, state: object) -> None:
    """Make ``state`` the app's state (the lifespan; a test building a bare app)."""
    setattr(app.state, _STATE, state)


def find_state(app: Any, kind: type[T]) -> T | None:
    """The app's state when it is a ``kind`` (None before the lifespan ran, or on another kind of app)."""
    state = getattr(getattr(app, "state", None), _STATE, None)
    return state if isinstance(state, kind) else None


def app_state(app: Any, kind: type[T]) -> T:
    """The app's state as ``kind``; raises when the lifespan has not built it (or built another kind)."""
    state = find_state(app, kind)
    if state is None:
        raise RuntimeError(f"the app holds no {kind.__name__}: is its lifespan running?")
    return state


def bind_metrics(app: Any, metrics: AppMetrics) -> None:
    """Give the app its metrics registry (at creation, before any lifespan)."""
    setattr(app.state, _METRICS, metrics)


def find_metrics(app: Any) -> AppMetrics | None:
    """The app's metrics registry, when it has one."""
    metrics: AppMetrics | None = getattr(getattr(app, "state", None), _METRICS, None)
    return metrics
