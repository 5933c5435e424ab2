"""Settings of publik_api (environment prefix `PUBLIK_`)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import AppSettings, CsvList


class PublikSettings(AppSettings):
    """Everything publik_api can be configured with."""

    model_config = SettingsConfigDict(env_prefix="PUBLIK_", extra="ignore", validate_default=True)

    port: int = 8003
    gateway_url: str = Field(default="http://127.0.0.1:8000", description="For JWKS and service tokens.")
    kinerja_url: str = Field(default="http://127.0.0.1:8001", description="kinerja_api, asked about units.")
    pelatihan_url: str = Field(
        default="http://127.0.0.1:8002", description="pelatihan_api, asked for its audit head (anchors)."
    )
    service_client_id: str = "svc-publik"
    service_client_secret: SecretStr = SecretStr("dev-only-svc-publik-secret")
    outbox_enabled: bool = True
    outbox_poll_interval_s: float = Field(default=0.5, gt=0)

    public_base_url: str = Field(
        default="http://127.0.0.1:8000/publik",
        description="Where the public reaches publik (links in feeds).",
    )

    # Publication policy.
    min_group_size: int = Field(default=5, ge=2, description="Figures from fewer people are suppressed.")
    policy_version: str = Field(default="2026.1", description="Published with every item and scorecard.")

    # Public read cache.
    cache_poll_interval_s: float = Field(
        default=1.0,
        gt=0,
        description="How often each replica checks the publication version (staleness bound).",
    )
    cache_max_entries: int = Field(default=1024, ge=16)
    cache_max_age_s: int = Field(default=10, ge=0, description="Cache-Control max-age of public reads.")

    ikm_refresh_interval_s: float = Field(
        default=1.0, gt=0, description="How often surveys taken by a replica are folded into the IKM items."
    )

    # SKM survey abuse guards.
    redis_url: str | None = Field(
        default=None, description="Shared survey rate-limit counters across replicas."
    )
    survey_rate_limit: int = Field(
        default=10, ge=1, description="Surveys per address (an IPv6 /64) per window."
    )
    survey_rate_window_s: int = Field(default=3600, ge=1)
    survey_token_rate_limit: int = Field(
        default=30, ge=1, description="Survey form tokens issued per address (an IPv6 /64) per window."
    )
    survey_form_key: SecretStr = Field(
        default=SecretStr("dev-only-publik-survey-form-key"),
        description="HMAC key of the survey form tokens (every replica needs the same one).",
    )
    survey_form_ttl_s: int = Field(
        default=1800, ge=60, le=86_400, description="How long a survey form token may be answered with."
    )
    trusted_proxies: CsvList = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="Peers (addresses or networks, e.g. 10.0.0.0/8) whose X-Forwarded-For is believed (the gateway).",
    )

    # Snapshots and the widget.
    data_dir: Path = Field(
        default=Path(".data"), description="The snapshot key is generated here on first run."
    )
    snapshot_key_pem: SecretStr | None = Field(default=None, description="PEM private key signing snapshots.")
    anchor_interval_s: float = Field(
        default=3600.0,
        gt=0,
        description="How often every app's audit head is fetched and anchored (a record only when one moved).",
    )
    embed_frame_ancestors: CsvList = Field(
        default_factory=lambda: ["'self'", "https://bengkuluprov.go.id", "https://*.bengkuluprov.go.id"],
        description="Hosts allowed to frame the embed page (CSP frame-ancestors).",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # refuses what is not an address or a network
        return value
