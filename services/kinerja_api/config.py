"""Settings of kinerja_api (environment prefix `KINERJA_`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.common.settings import AppSettings


class KinerjaSettings(AppSettings):
    """Everything kinerja_api can be configured with."""

    model_config = SettingsConfigDict(env_prefix="KINERJA_", extra="ignore", validate_default=True)

    port: int = 8001
    gateway_url: str = Field(default="http://127.0.0.1:8000", description="For JWKS and service tokens.")
    service_client_id: str = "svc-kinerja"
    service_client_secret: SecretStr = SecretStr("dev-only-svc-kinerja-secret")
    publik_url: str = "http://127.0.0.1:8003"
    pelatihan_url: str = "http://127.0.0.1:8002"
    outbox_enabled: bool = True
    outbox_poll_interval_s: float = Field(default=0.5, gt=0)
