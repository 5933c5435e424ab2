"""Settings of pelatihan_api (environment prefix `PELATIHAN_`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.common.settings import AppSettings


class PelatihanSettings(AppSettings):
    """Everything pelatihan_api can be configured with."""

    model_config = SettingsConfigDict(env_prefix="PELATIHAN_", extra="ignore", validate_default=True)

    port: int = 8002
    gateway_url: str = Field(default="http://127.0.0.1:8000", description="For JWKS and service tokens.")
    service_client_id: str = "svc-pelatihan"
    service_client_secret: SecretStr = SecretStr("dev-only-svc-pelatihan-secret")
    kinerja_url: str = "http://127.0.0.1:8001"
    publik_url: str = "http://127.0.0.1:8003"
    kinerja_timeout_s: float = Field(
        default=3.0, gt=0, description="Per call to kinerja (supervisor lookups)."
    )
    outbox_enabled: bool = True
    jp_compaction_interval_s: float = Field(
        default=60.0,
        gt=0,
        description="How often the compliance report's per-unit deltas are folded (ledger/compaction.py).",
    )
    outbox_poll_interval_s: float = Field(default=0.5, gt=0)
