"""Settings of the gateway (environment prefix ``GATEWAY_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import AppSettings, CsvFloats, CsvList


class GatewaySettings(AppSettings):
    """Everything the gateway can be configured with."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", validate_default=True)

    port: int = 8000

    # Upstreams: each a comma-separated list of instance URLs; requests are spread across them.
    kinerja_urls: CsvList = Field(default_factory=lambda: ["http://127.0.0.1:8001"])
    pelatihan_urls: CsvList = Field(default_factory=lambda: ["http://127.0.0.1:8002"])
    publik_urls: CsvList = Field(default_factory=lambda: ["http://127.0.0.1:8003"])
    upstream_connect_timeout_s: float = Field(default=1.0, gt=0)
    upstream_read_timeout_s: float = Field(default=10.0, gt=0)
    upstream_pool_size: int = Field(default=64, ge=1, le=1024)
    health_check_interval_s: float = Field(default=2.0, gt=0)
    health_failures_to_eject: int = Field(default=2, ge=1)

    # Identity.
    data_dir: Path = Field(default=Path(".data"), description="RS256 keys are generated here on first run.")
    signing_key_pem: SecretStr | None = Field(
        default=None, description="PEM private key; else data_dir/keys."
    )
    extra_verification_keys_pem: str | None = Field(
        default=None, description="Public keys of retired signing keys, still served in the JWKS."
    )
    access_token_ttl_s: int = Field(default=900, ge=60, le=86_400)
    client_token_ttl_s: int = Field(default=300, ge=30, le=3_600)
    revocations_refresh_s: float = Field(
        default=30.0,
        gt=0,
        description="How often each gateway replica reads the revoked subjects' times from the database "
        "(the replica that revoked knows at once).",
    )
    client_secret_grace_s: int = Field(default=86_400, ge=0)
    oauth_public_client_ids: CsvList = Field(
        default_factory=lambda: ["asn-web"],
        description=(
            "client_id values a public client (a browser or mobile app, which holds no secret) may send with "
            "the password grant; the grant also works without any client_id. Any other client_id is refused "
            "with invalid_client. Do not register an API client under one of these ids."
        ),
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins of one username from one address that lock that pair out."
    )
    login_lockout_s: int = Field(
        default=900, ge=1, description="The first lock-out of a (username, address); each next one doubles."
    )
    login_max_lockout_s: int = Field(default=86_400, ge=1, description="The longest lock-out.")
    login_username_slowdown_after: int = Field(
        default=20,
        ge=1,
        description=(
            "Failed logins of one username from all addresses (within login_lockout_s) after which every "
            "attempt for it waits login_username_slowdown_s first: slowed, never blocked."
        ),
    )
    login_username_slowdown_s: float = Field(default=1.0, ge=0, le=10)
    client_rate_limit_per_minute: int = Field(
        default=600, ge=1, description="Requests per minute of an API client that sets no limit of its own."
    )
    client_usage_flush_interval_s: float = Field(
        default=10.0, gt=0, description="How often per-client request counts are added to the database."
    )

    # Webhooks.
    outbox_enabled: bool = Field(default=True, description="Run the webhook delivery loop in this replica.")
    outbox_poll_interval_s: float = Field(default=0.5, gt=0)
    webhooks_allow_private_targets: bool = Field(
        default=False,
        description="Allow webhook targets on loopback, private, link-local or reserved addresses (tests only).",
    )
    webhooks_allow_http: bool = Field(
        default=False, description="Allow http:// webhook targets (tests only)."
    )
    webhook_timeout_s: float = Field(default=5.0, gt=0, le=60)
    webhook_retry_schedule_s: CsvFloats = Field(
        # The Standard Webhooks (Svix) schedule, each wait starting when the previous attempt failed: the
        # immediate attempt, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later. 8 attempts, the last
        # about 27.6 hours after the first; then the delivery is FAILED.
        default_factory=lambda: [5.0, 300.0, 1_800.0, 7_200.0, 18_000.0, 36_000.0, 36_000.0],
        min_length=1,
        max_length=50,
        description="Seconds before each retry of a failed delivery; one attempt more than entries in all.",
    )
    webhook_secret_overlap_s: int = Field(
        default=86_400,
        ge=0,
        description="After a webhook secret rotation, how long the previous secret also signs deliveries.",
    )

    # Edge.
    cors_origins: CsvList = Field(default_factory=list, description="Origins allowed to call the API.")
    anonymous_rate_limit_per_minute: int = Field(
        default=600,
        ge=1,
        description=(
            "Requests per minute from one address (IPv6: one /64) without a token that verifies; an "
            "Authorization header that is not a valid token counts here too."
        ),
    )
    user_rate_limit_per_minute: int = Field(
        default=1200,
        ge=1,
        description="Requests per minute with one person's tokens, wherever they come from (never per address).",
    )
    public_cache_ttl_s: float = Field(
        default=1.0,
        ge=0,
        description="How long the gateway answers publik's public reads itself (0 turns the cache off).",
    )
    body_read_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description=(
            "A request body sent in pieces must arrive whole within this many seconds (else 408); the "
            "gateway reads it before taking an upstream connection."
        ),
    )
    max_uploads_per_client: int = Field(
        default=8,
        ge=1,
        description="Request bodies one client address may be sending at once (else 429 with Retry-After).",
    )
    login_rate_limit_per_minute: int = Field(
        default=20,
        ge=1,
        description="Token requests per minute for one username or client id from one address.",
    )
    login_failures_per_address_per_minute: int = Field(
        default=60,
        ge=1,
        description=(
            "Failed logins per minute from one address (IPv6: one /64), whatever usernames or client ids it "
            "tries; beyond it the token endpoint answers 429 slow_down."
        ),
    )
    password_hash_concurrency: int = Field(
        default=2, ge=1, le=64, description="argon2 verifications running at once (64 MiB each)."
    )
    password_hash_queue: int = Field(
        default=16,
        ge=0,
        le=10_000,
        description="argon2 verifications that may wait for a slot; beyond it 429 slow_down with Retry-After.",
    )
    client_secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Server key of the HMAC-SHA256 that API-client secrets are stored under; else generated once "
            "under data_dir/keys. Changing it invalidates every client secret."
        ),
    )
    redis_url: str | None = Field(default=None, description="Shared rate-limit counters across replicas.")

    @field_validator("kinerja_urls", "pelatihan_urls", "publik_urls")
    @classmethod
    def _no_trailing_slash(cls, value: list[str]) -> list[str]:
        return [v.rstrip("/") for v in value]

    def upstreams(self) -> dict[str, list[str]]:
        """Upstream name -> instance URLs."""
        return {"kinerja": self.kinerja_urls, "pelatihan": self.pelatihan_urls, "publik": self.publik_urls}
