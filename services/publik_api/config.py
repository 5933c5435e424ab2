"""Settings of publik_api (environment prefix `PUBLIK_`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.common.settings import AppSettings


class PublikSettings(AppSettings):
    """Everything publik_api can be configured with."""

    model_config = SettingsConfigDict(env_prefix="PUBLIK_", extra="ignore", validate_default=True)

    port: int = 8003
    gateway_url: str = Field(default="http://127.0.0.1:8000", description="For JWKS and service tokens.")
    service_client_id: str = "svc-publik"
    service_client_secret: SecretStr = SecretStr("dev-only-svc-publik-secret")
    outbox_enabled: bool = True
    outbox_poll_interval_s: float = Field(default=0.5, gt=0)
