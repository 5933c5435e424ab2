"""List settings read from the environment as CSV or JSON; publik trusts proxies by address or network;
placeholder secrets are refused in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from starlette.types import Scope

from gateway.config import GatewaySettings
from services.common.ratelimit import client_address_key
from services.kinerja_api.config import KinerjaSettings
from services.publik_api.config import PublikSettings


def test_lists_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_KINERJA_URLS", "http://a:8001/, http://b:8001")
    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", '["https://app.bkd.example"]')
    settings = GatewaySettings()
    assert settings.kinerja_urls == ["http://a:8001", "http://b:8001"]
    assert settings.cors_origins == ["https://app.bkd.example"]


def test_trusted_proxies_accept_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIK_TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8")
    settings = PublikSettings()
    assert settings.trusted_proxies == ["127.0.0.1", "10.0.0.0/8"]

    def scope(peer: str, forwarded: str) -> Scope:
        return {"type": "http", "client": (peer, 1), "headers": [(b"x-forwarded-for", forwarded.encode())]}

    # Behind the gateway (a pod address in 10/8) the citizen's address is the last hop it appended.
    assert (
        client_address_key(scope("10.2.3.4", "1.1.1.1, 203.0.113.7"), settings.trusted_proxies)
        == "203.0.113.7"
    )
    # Anyone else's X-Forwarded-For is ignored.
    assert (
        client_address_key(scope("198.51.100.9", "203.0.113.7"), settings.trusted_proxies) == "198.51.100.9"
    )
    monkeypatch.setenv("PUBLIK_TRUSTED_PROXIES", "not-an-address")
    with pytest.raises(ValidationError):
        PublikSettings()


def test_placeholder_secrets_are_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        KinerjaSettings(environment="production", database_url="postgresql://x@db/asn")
    ok = KinerjaSettings(
        environment="production",
        database_url="postgresql://x@db/asn",
        service_client_secret="a-real-secret-from-the-vault-0123456789",
    )
    assert ok.environment == "production"
