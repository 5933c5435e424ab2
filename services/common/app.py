"""The common skeleton of a service app: lifespan (engine, sessions, HTTP clients, token verifier, outbox
dispatcher), edge middleware, problem+json handlers, and /healthz and /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from services.common import fastapi_params
from services.common.admission import Admission, shedder
from services.common.auth import NotBefore, PrincipalDep, build_verifier
from services.common.body_limits import service_body_limits
from services.common.clock_api import clock_router, install_fake_now, uninstall_fake_now
from services.common.db import (
    create_engine,
    create_sessionmaker,
    database_state,
    migration_head,
)
from services.common.docs import install_docs
from services.common.errors import install_problem_handlers, problem_openapi, problem_responses
from services.common.http import make_client
from services.common.i18n import Catalogue
from services.common.logging import configure_logging
from services.common.metrics import install_metrics
from services.common.middleware import EdgeMiddleware
from services.common.openapi import install_openapi_document
from services.common.outbox import OutboxDispatcher, OutboxMixin, Transport
from services.common.revocations import ServiceRevocations
from services.common.routing import ServiceRouter, install_route_memo
from services.common.settings import AppSettings
from services.common.state import AppState, app_state, bind_metrics, bind_state, find_metrics, find_state

Hook = Callable[[FastAPI], Awaitable[None]]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """Background upkeep the lifespan runs every ``interval_s`` seconds, first after one interval (each run in
    its own transaction; a failure is logged and the next run comes as planned). Cancelled on shutdown."""

    name: str
    run: Callable[[AppState], Awaitable[None]]
    interval_s: float


async def _run_periodic(job: Periodic, state: AppState) -> None:
    while True:
        await asyncio.sleep(job.interval_s)
        try:
            await job.run(state)
        except Exception:
            log.exception("periodic %s failed", job.name)


# Turns the shared state the lifespan built into the app's own state class (AppState.extend), adding its parts.
StateBuilder = Callable[[FastAPI, AppState], Awaitable[AppState]]


@dataclass
class ServiceSpec:
    """What differs between the services' skeletons."""

    name: str
    schema: str
    title: str
    description: str
    version: str = "1.0.0"
    routers: Sequence[ServiceRouter] = ()
    outbox_model: type[OutboxMixin] | None = None
    # Builds the app's own state (services/common/state.py) before the on_startup hooks run.
    build_state: StateBuilder | None = None
    # Builds the dispatcher's transports from the running app (its clients live in its state).
    outbox_transports: Callable[[FastAPI], dict[str, Transport]] | None = None
    on_startup: Sequence[Hook] = ()
    on_shutdown: Sequence[Hook] = ()
    # Upkeep in the background beside the outbox dispatcher (pelatihan's compaction of its report deltas).
    periodic: Sequence[Periodic] = ()
    # Extra readiness facts (the gateway's upstreams): returns (facts, verdict), the verdict being "ready",
    # "degraded" (200, still serving) or "down" (503: nothing this app exists for can be served).
    readiness_extra: Callable[[FastAPI], Awaitable[tuple[dict[str, Any], str]]] | None = None
    # The service's pooled client to the gateway, from which it reads revoked subjects every
    # ``token_revocations_refresh_s`` (services/common/revocations.py); None: the gateway itself.
    revocations_client: Callable[[AppState], httpx.AsyncClient] | None = None
    openapi_tags: list[dict[str, Any]] = field(default_factory=list)
    # Where the gateway serves this app's paths (``/kinerja``; "" for the gateway): its OpenAPI servers end so.
    path_prefix: str = ""
    # Named schemas its OpenAPI needs that no route model brings along (services/common/openapi.py).
    openapi_schemas: Sequence[type[Enum]] = ()
    # The app's problem types and message templates, English and Indonesian (services/<app>/messages.py).
    messages: Catalogue | None = None
    # Extra middleware inside the shared edge layer (body limit, request id, access log, metrics), outermost
    # first: the gateway's CORS, rate limits, public cache and proxy.
    middleware: Sequence[Middleware] = ()
    # Layers in front of the whole stack, error handling included, outermost first: publik's cached public
    # reads, answered before anything else runs (services/publik_api/cache/middleware.py).
    front: Sequence[Callable[[ASGIApp], ASGIApp]] = ()


class ServiceApp(FastAPI):
    """A FastAPI app whose middleware stack can have layers in front of Starlette's own error layer."""

    front: Sequence[Callable[[ASGIApp], ASGIApp]] = ()

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        for layer in reversed(self.front):
            stack = layer(stack)
        return stack


class Health(BaseModel):
    """Liveness: the process answers."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str


class WhoAmI(BaseModel):
    """The caller as this service sees it, after verifying the token itself."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject": "198609262015051001",
                    "roles": ["pegawai"],
                    "nip": "198609262015051001",
                    "institution_id": None,
                }
            ]
        }
    )

    subject: str
    roles: list[str]
    nip: str | None = None
    institution_id: str | None = None


class Readiness(BaseModel):
    """Readiness, defined once (docs/operations.md): 503 ``not_ready`` only when the database is unreachable
    or not migrated to head (the gateway: also when no upstream is ready); 200 ``degraded`` with the
    reasons when the app serves but something it leans on is missing; 200 ``ready`` otherwise."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ready",
                    "app": "kinerja",
                    "database": "ok",
                    "migration": "kinerja_0005",
                    "migration_head": "kinerja_0005",
                }
            ]
        }
    )

    status: str
    app: str
    database: str
    migration: str | None = None
    migration_head: str | None = None
    reasons: list[str] = []
    upstreams: dict[str, Any] | None = None


def create_service_app(settings: AppSettings, spec: ServiceSpec) -> FastAPI:
    """Build a service app. Nothing connects until the lifespan starts."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(spec.name, settings.log_level, json_logs=settings.log_json)
        install_fake_now(settings)
        engine = create_engine(settings, application_name=spec.name)
        jwks_client = make_client(timeout_s=settings.upstream_timeout_s)
        state = AppState(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            migration_head=migration_head(spec.name),
            jwks_client=jwks_client,
            owned_clients=[jwks_client],
        )
        if settings.jwks_url or settings.jwt_public_keys_pem:
            state.verifier = build_verifier(
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                jwks_url=settings.jwks_url,
                public_keys_pem=settings.jwt_public_keys_pem,
                client=jwks_client,
                min_refresh_interval_s=settings.jwks_refresh_min_interval_s,
                max_age_s=settings.jwks_max_age_s,
            )
        metrics = find_metrics(app)
        # Requests get the pool's steady connections; the overflow stays free for the outbox dispatcher, the
        # revocation reader and /readyz, and is not opened and closed per request (a profile showed new
        # connections, each with an SSL probe, taking 15 % of a point read when requests used the overflow).
        state.admission = Admission(
            settings.db_pool_size,
            max_queue=settings.db_admission_queue,
            max_wait_s=settings.db_admission_max_wait_s,
            on_refuse=(lambda reason: metrics.admission_refused.labels(reason).inc()) if metrics else None,
        )
        bind_state(app, state)
        if spec.build_state is not None:
            state = await spec.build_state(app, state)
            bind_state(app, state)
        for hook in spec.on_startup:
            await hook(app)
        if settings.gc_freeze:
            gc.collect()
            gc.freeze()
        revocations_task: asyncio.Task[None] | None = None
        if spec.revocations_client is not None and state.verifier is not None:
            state.verifier.not_before = NotBefore()
            revocations = ServiceRevocations(
                spec.revocations_client(state),
                state.verifier.not_before,
                interval_s=settings.token_revocations_refresh_s,
            )
            revocations_task = asyncio.create_task(revocations.run_forever(), name=f"{spec.name}-revocations")
        dispatcher_task: asyncio.Task[None] | None = None
        if spec.outbox_model is not None and spec.outbox_transports is not None:
            dispatcher = OutboxDispatcher(
                state.sessionmaker,
                spec.outbox_model,
                spec.outbox_transports(app),
                source=spec.name,
                poll_interval_s=getattr(settings, "outbox_poll_interval_s", 0.5),
                max_attempts=settings.outbox_max_attempts,
                max_backoff_s=settings.outbox_max_backoff_s,
            )
            state.outbox = dispatcher
            if getattr(settings, "outbox_enabled", True):
                dispatcher_task = asyncio.create_task(dispatcher.run_forever(), name=f"{spec.name}-outbox")
        periodic_tasks = [
            asyncio.create_task(_run_periodic(job, state), name=f"{spec.name}-{job.name}")
            for job in spec.periodic
        ]
        try:
            yield
        finally:
            for task in (*periodic_tasks, revocations_task, dispatcher_task):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            for hook in spec.on_shutdown:
                await hook(app)
            for client in state.owned_clients:
                await client.aclose()
            await engine.dispose()
            uninstall_fake_now(settings)

    fastapi_params.install()  # query/header parameters read without re-deriving their types per request
    app = ServiceApp(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=lifespan,
        # Served by install_docs from packaged assets instead of FastAPI's CDN pages (no outside access).
        docs_url=None,
        redoc_url=None,
        openapi_tags=[*spec.openapi_tags, {"name": "ops", "description": "Health and readiness probes."}],
        # No OpenTelemetry here (metrics are Prometheus, services/common/metrics.py). Left on, FastAPI asks the
        # OpenTelemetry API for a tracer provider on every request, which reads os.environ each time (4 % of
        # a point read in a py-spy profile, docs/benchmarks.md).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    # Outermost the app's own fast paths (publik's cache: cheap, never shed), then the shedder.
    screen = settings.shed_new_connections and not spec.front
    app.front = [
        *spec.front,
        shedder(
            settings.in_flight_limit,
            settings.shed_loop_lag_s,
            screen_connections=screen,
            max_accept_wait_s=settings.shed_accept_wait_s,
        ),
    ]
    install_problem_handlers(app)
    problem_openapi(app)
    install_docs(app)
    install_openapi_document(app, prefix=spec.path_prefix, extra_schemas=spec.openapi_schemas)
    bind_metrics(app, install_metrics(app, spec.name))  # GET /metrics, hidden (services/common/metrics.py)
    for middleware in reversed(spec.middleware):  # Starlette runs the last-added first
        app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)
    app.add_middleware(
        EdgeMiddleware,
        max_body_bytes=settings.max_body_bytes,
        # Paths that take larger bodies (the CSV import): the table the gateway reads too.
        path_limits=service_body_limits(spec.name),
        catalogue=spec.messages,
    )

    @app.get("/healthz", tags=["ops"], operation_id="healthz", summary="Liveness probe")
    async def healthz() -> Health:
        """The process is alive. Does not touch the database."""
        return Health(status="ok")

    @app.get(
        "/readyz",
        tags=["ops"],
        operation_id="readyz",
        summary="Readiness probe",
        responses={503: {"model": Readiness, "description": "Not ready"}},
    )
    async def readyz(request: Request, response: Response) -> Readiness:
        """503 only when the database is unreachable or not migrated to head. A service that cannot obtain
        its own service token from the gateway is still serving (its callers' tokens verify, its own reads
        work): 200 `degraded` with the reason, so a cold start where the gateway comes up last cannot
        deadlock. The gateway is `degraded` when some upstreams are not ready and 503 only when none is:
        taking the single entry point out of rotation would turn one service's outage into everyone's."""
        running = app_state(request.app, AppState)
        state = await database_state(running.engine, spec.schema, running.migration_head)
        reasons: list[str] = []
        if state["database"] != "ok":
            reasons.append(f"database unreachable ({state.get('error', 'error')})")
        elif not state["ready"]:
            reasons.append(f"schema at {state.get('migration')}, expected {state.get('migration_head')}")
        ready = bool(state["ready"])
        extra: dict[str, Any] | None = None
        verdict = "ready"
        if spec.readiness_extra is not None:
            extra, verdict = await spec.readiness_extra(request.app)
            if verdict != "ready":
                down = sorted(name for name, facts in extra.items() if not facts.get("ready", True))
                reasons.append(f"upstreams not ready: {', '.join(down)}")
        token_problem = await _service_token_problem(request.app)
        if token_problem is not None:
            reasons.append(token_problem)
        if not ready or verdict == "down":
            status = "not_ready"
            response.status_code = 503
        else:
            status = "degraded" if reasons else "ready"
        return Readiness(
            status=status,
            app=spec.name,
            database=state["database"],
            migration=state.get("migration"),
            migration_head=state.get("migration_head"),
            reasons=reasons,
            upstreams=extra,
        )

    @app.get(
        "/v1/whoami",
        tags=["ops"],
        operation_id="whoami",
        summary="The verified caller",
        responses=problem_responses(401),
    )
    async def whoami(principal: PrincipalDep) -> WhoAmI:
        """Who the bearer token says the caller is, as verified by this service (a debugging aid for clients)."""
        return WhoAmI(
            subject=principal.subject,
            roles=sorted(principal.roles),
            nip=principal.nip,
            institution_id=principal.institution_id,
        )

    for router in spec.routers:
        app.include_router(router)
    app.include_router(
        clock_router(settings)
    )  # the test clock (404 in production; services/common/clock_api.py)
    # Requests to static paths handed to their route without FastAPI's walk (services/common/routing.py).
    install_route_memo(app)
    return app


async def _service_token_problem(app: FastAPI) -> str | None:
    """Why this service cannot obtain its own service token right now, or None (also when it needs none).
    The token is cached, so a ready service answers from memory; a failure is bounded by the client timeout."""

    state = find_state(app, AppState)
    provider = state.service_tokens if state is not None else None
    if provider is None:
        return None
    try:
        await provider.token()
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        detail = (
            f"HTTP {exc.response.status_code}"
            if isinstance(exc, httpx.HTTPStatusError)
            else type(exc).__name__
        )
        return f"cannot obtain its service token from the gateway ({detail})"
    return None


def add_service_client(state: AppState, base_url: str, *, timeout_s: float) -> httpx.AsyncClient:
    """A long-lived client to another service that authenticates with this service's own token
    (client-credentials at the gateway) and forwards the request id. Closed by the lifespan."""
    from services.common.http import ServiceTokenAuth, ServiceTokenProvider

    settings: Any = state.settings  # a calling service's settings: gateway_url and its client credentials
    provider = state.service_tokens
    if provider is None:
        token_client = make_client(settings.gateway_url, timeout_s=timeout_s)
        state.owned_clients.append(token_client)
        provider = ServiceTokenProvider(
            "/auth/token",
            settings.service_client_id,
            settings.service_client_secret.get_secret_value(),
            token_client,
        )
        state.service_tokens = provider
    client = make_client(base_url, timeout_s=timeout_s, auth=ServiceTokenAuth(provider))
    state.owned_clients.append(client)
    return client
