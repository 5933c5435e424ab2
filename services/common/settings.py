"""Settings base shared by every app (pydantic-settings; nothing else reads the environment).

Placeholder secrets (the development defaults) are refused when ``environment`` is ``production``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "dev-only")


def _split_csv(value: object) -> object:
    # From the environment a list is "a,b,c" or a JSON list; pydantic-settings would try JSON only.
    if isinstance(value, str):
        if value.lstrip().startswith("["):
            return json.loads(value)
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


CsvList = Annotated[list[str], NoDecode, BeforeValidator(_split_csv)]
"""A list setting given as ``a,b,c`` or as a JSON list."""

CsvFloats = Annotated[list[float], NoDecode, BeforeValidator(_split_csv)]
"""A list of numbers given as ``5,300,1800`` or as a JSON list."""


def normalise_database_url(url: str) -> str:
    """Return a SQLAlchemy async URL (``postgresql+asyncpg://``) for any PostgreSQL URL."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("database_url must be a PostgreSQL URL (postgresql://...)")


class AppSettings(BaseSettings):
    """Settings every app has. Each app subclasses it with its own ``env_prefix``."""

    # populate_by_name: code and tests may pass ``fake_now=`` although the environment names it ASN_FAKE_NOW.
    model_config = SettingsConfigDict(
        extra="ignore", env_file=None, validate_default=True, populate_by_name=True
    )

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000

    database_url: str | None = Field(default=None, description="PostgreSQL URL; required to serve.")
    # The role split (issue 14 finding 3; asn_cli/runtime_roles.py). Read by ``asn migrate`` only: the app
    # serves with DATABASE_URL, which in production names the runtime role.
    migration_database_url: str | None = Field(
        default=None,
        description="The schema owner's URL for `asn migrate` (default: DATABASE_URL).",
    )
    runtime_role: str | None = Field(
        default=None,
        description="The role the app serves as; `asn migrate` grants it its rights (and creates it when "
        "allowed). Default: the user of DATABASE_URL when MIGRATION_DATABASE_URL is set, else "
        "<database>_<app>_runtime.",
    )
    runtime_database_password: SecretStr | None = Field(
        default=None, description="The password `asn migrate` gives the runtime role it creates."
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # Connections the pool keeps beyond db_pool_size for the app's own work beside its requests (the outbox
    # dispatcher, periodic tasks, /readyz). Without them, every outbox poll while the requests held
    # db_pool_size connections opened an overflow connection that the pool closed again when it came back:
    # one new PostgreSQL backend per poll under load, and the read path's prepared statements with it (issue 21).
    db_pool_reserve: int = Field(default=2, ge=0, le=50)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_pool_timeout_s: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=15_000, ge=100)
    # Off by default: a pre-ping costs a round trip on every checkout (a point read made six instead of
    # three). A connection that died with a database restart fails its request with 503 and is discarded.
    db_pool_pre_ping: bool = False
    # Admission in front of the pool (services/common/admission.py): at most db_pool_size requests use the
    # database at once (db_pool_reserve is left to background work), this many more wait in arrival order, and the rest get 503 with
    # Retry-After at once instead of waiting out db_pool_timeout_s. Per process (per worker, per replica).
    db_admission_queue: int = Field(default=256, ge=0, le=100_000)
    db_admission_max_wait_s: float = Field(default=3.0, gt=0)
    # Shedding in front of the framework (services/common/admission.py Shedder): more HTTP requests than this
    # in the process at once get 503 + Retry-After before routing or the token check run. Default (None):
    # db_pool_size + db_admission_queue, the most the database gate would hold anyway. Per process.
    max_in_flight: int | None = Field(default=None, ge=1, le=1_000_000)
    # ... and while the process's event loop runs more than this many ms behind (a timer every 10 ms notes
    # how late it fires), every request gets that 503 at once: under CPU overload requests wait in the
    # socket buffers and the loop before they are counted in flight (issue 21). 0: off. Per process.
    shed_loop_lag_ms: float = Field(default=0, ge=0, le=60_000)
    # Under `asn serve` (its eager event loop, asn_cli/eventloop.py), while the shedder refuses, a new connection
    # whose first read is one GET or HEAD with no body gets the same 503 at accept, with Connection: close,
    # instead of several turns of the loop later. Not for an app with layers in front of the shedder (publik's
    # cached reads are never shed). Per process.
    shed_new_connections: bool = True
    # ... and, with it on, while the accept queue stands (every connection accepted for 100 ms, more than 16 of
    # them within the last 100 ms, had waited more than this many ms in the kernel's queue before the loop took it in: the loop itself
    # is behind, where the in-flight count cannot see), those connections' GETs get the same 503 at accept
    # (asn_cli/eventloop.py StandingQueue). One stall, a burst that drains or a connection now and then refuses
    # nothing. 0: off. Per process.
    shed_accept_wait_ms: float = Field(default=10, ge=0, le=60_000)
    # After start-up, move every object start-up made (modules, routes, models: about a million) out of the
    # garbage collector's reach (gc.freeze). Left in, each full collection scanned them all again, 100+ ms
    # stalls that cost a 50-item list about 4 ms per request on average (issue 21, docs/benchmarks.md). Off
    # in the in-process tests, which build hundreds of apps in one process (frozen cycles are never freed).
    gc_freeze: bool = True
    # Encoded list pages kept per process while the tables they read have not changed (services/common/
    # readcache.py): a kept page costs one shared read of the tables' change marks instead of the statement and
    # the page's decoding and encoding. MiB; 0 reads every page afresh. Per process (per worker, per replica).
    read_cache_mb: int = Field(default=32, ge=0, le=4096)

    @property
    def in_flight_limit(self) -> int:
        """The shedder's limit: ``max_in_flight``, else pool size plus admission queue."""
        return self.max_in_flight or self.db_pool_size + self.db_admission_queue

    @property
    def shed_accept_wait_s(self) -> float | None:
        """The connection screen's accept-queue limit in seconds, ``None`` when off."""
        return self.shed_accept_wait_ms / 1000 if self.shed_accept_wait_ms > 0 else None

    @property
    def shed_loop_lag_s(self) -> float | None:
        """The shedder's lag limit in seconds, ``None`` when off."""
        return self.shed_loop_lag_ms / 1000 if self.shed_loop_lag_ms > 0 else None

    # Token verification (every service verifies every token itself).
    jwt_issuer: str = "https://asn.bengkuluprov.go.id"
    jwt_audience: str = "asn-bengkulu-api"
    jwks_url: str | None = Field(default=None, description="The gateway's JWKS, fetched and cached.")
    jwt_public_keys_pem: str | None = Field(default=None, description="PEM public key(s), instead of JWKS.")
    jwks_refresh_min_interval_s: float = Field(default=30.0, ge=0)
    token_revocations_refresh_s: float = Field(
        default=30.0,
        gt=0,
        description="How often a service reads the gateway's revoked subjects (/internal/v1/token-revocations).",
    )
    jwks_max_age_s: float = Field(
        default=600.0,
        gt=0,
        description="The cached JWKS is fetched again once this old, so a key the gateway stopped serving "
        "stops verifying tokens within this time (docs/security.md, Key and token lifecycle).",
    )

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Outbox retries: exponential backoff capped at outbox_max_backoff_s; with the defaults an event keeps
    # being retried for about five hours of receiver downtime before it is marked FAILED (and replayable).
    outbox_max_attempts: int = Field(default=70, ge=1)
    outbox_max_backoff_s: float = Field(default=300.0, gt=0)
    upstream_timeout_s: float = Field(default=5.0, gt=0)
    log_level: str = "INFO"
    log_json: bool = True
    # The test clock (services/common/clock.py): one variable for every app, without the app's prefix, so a
    # test run sets the whole stack to the same instant. Development and test only; production refuses it.
    fake_now: datetime | None = Field(
        default=None,
        validation_alias="ASN_FAKE_NOW",
        description="Test clock: the instant (ISO 8601 with an offset) the province clock starts from.",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str | None) -> str | None:
        return normalise_database_url(value) if value else None

    @field_validator("fake_now")
    @classmethod
    def _aware_instant(cls, value: datetime | None) -> datetime | None:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError("ASN_FAKE_NOW must carry a UTC offset, e.g. 2026-12-31T23:30:00+07:00")
        return value

    @model_validator(mode="after")
    def _refuse_fake_clock_in_production(self) -> AppSettings:
        if self.environment == "production" and self.fake_now is not None:
            raise ValueError("ASN_FAKE_NOW (the test clock) is refused in production")
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> AppSettings:
        if self.environment != "production":
            return self
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                secret = value.get_secret_value().lower()
                if not secret or any(marker in secret for marker in PLACEHOLDER_MARKERS):
                    raise ValueError(f"{name} holds a placeholder secret; set a real one outside development")
        return self

    def require_database_url(self) -> str:
        """The database URL, or a clear error when none is configured."""
        if not self.database_url:
            prefix = self.model_config.get("env_prefix", "")
            raise RuntimeError(f"no database configured: set {prefix}DATABASE_URL")
        return self.database_url
