"""The gateway answers its own problems (401, 403, an unavailable upstream) in Bahasa Indonesia when
Accept-Language prefers it; /auth/token keeps RFC 6749's codes and English descriptions (docs/errors.md)."""

from __future__ import annotations

from collections.abc import Callable

from gateway.config import GatewaySettings
from services.common.auth import Role
from tests.gateway.helpers import gateway
from tests.gateway.test_identity import NIP, assert_oauth_error, bearer

ID = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.8"}


async def test_gateway_401_and_403_in_indonesian(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings()) as (app, client):
        anonymous = await client.get("/auth/accounts", headers=ID)
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        assert anonymous.headers["content-language"] == "id"
        body = anonymous.json()
        assert body["type"].endswith("/unauthorized")
        assert (body["title"], body["detail"]) == (
            "Autentikasi diperlukan",
            "Token bearer tidak ada atau tidak valid",
        )

        denied = await client.get("/auth/accounts", headers={**ID, **bearer(app, NIP, (Role.PEGAWAI,))})
        assert denied.status_code == 403
        assert denied.headers["content-language"] == "id"
        assert (denied.json()["title"], denied.json()["detail"]) == (
            "Tidak diizinkan",
            "Tindakan ini memerlukan salah satu peran berikut: admin",
        )

        english = await client.get("/auth/accounts", headers={"Accept-Language": "en-GB,id;q=0.5"})
        assert english.headers["content-language"] == "en"
        assert (english.json()["title"], english.json()["detail"]) == (
            "Unauthorized",
            "Missing or invalid bearer token",
        )


async def test_the_proxy_and_the_token_endpoint(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings()) as (_, client):
        down = await client.get("/kinerja/v1/units", headers=ID)  # the upstream points at a closed port
        assert down.status_code == 503
        assert down.headers["content-language"] == "id"
        assert down.json()["title"] == "Layanan tidak tersedia"
        assert "kinerja" in down.json()["detail"]
        assert (
            "tidak tersedia" in down.json()["detail"] or "tidak ada instans" in down.json()["detail"].lower()
        )

        refused = await client.post(
            "/auth/token",
            data={"grant_type": "password", "username": "nobody", "password": "wrong"},
            headers=ID,
        )
        body = assert_oauth_error(refused, 400, "invalid_grant")
        assert body["error_description"].isascii()  # English on purpose: see docs/errors.md
