"""The token endpoint with OAuth client libraries nobody here wrote, over real HTTP on 127.0.0.1: Authlib
(Python, its httpx AsyncOAuth2Client) and oauth4webapi (Node.js, a strict RFC 6749 client). Both must
get tokens with the password grant (through the public client id) and the client-credentials grant,
and must surface `invalid_client` for a wrong secret, which they only do when the errors follow RFC 6749
§5.2 (application/json, 400/401)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from fastapi import FastAPI

from gateway.config import GatewaySettings
from gateway.identity.bootstrap import ensure_account
from gateway.main import create_app
from gateway.state import gateway_state
from services.common.auth import Role
from tests.gateway.helpers import serve_http
from tests.support.interop import require_node_packages, run_node

NIP = "198609262015051001"
PASSWORD = "correct horse battery"
PUBLIC_CLIENT = "asn-web"


async def _prepare(app: FastAPI, base: str) -> dict[str, Any]:
    """An account for the password grant and a registered client (through the admin API)."""
    async with gateway_state(app).sessionmaker() as session, session.begin():
        await ensure_account(session, username="siti.rahma", password=PASSWORD, roles=[Role.PEGAWAI], nip=NIP)
    admin = gateway_state(app).keyring.signer.issue("admin", [Role.ADMIN], ttl_s=600)
    async with httpx.AsyncClient(base_url=base) as http:
        created = await http.post(
            "/auth/clients",
            json={"name": "Dashboard Bappeda", "roles": ["integrator"]},
            headers={"Authorization": f"Bearer {admin}"},
        )
    assert created.status_code == 201, created.text
    cred: dict[str, Any] = created.json()
    return cred


async def test_authlib_password_and_client_credentials_grants(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    app = create_app(gateway_settings())
    async with serve_http(app) as base:
        cred = await _prepare(app, base)
        token_url = f"{base}/auth/token"

        # A public client: Authlib sends its client_id in the body (auth method "none") with the grant.
        async with AsyncOAuth2Client(client_id=PUBLIC_CLIENT) as public:
            token = await public.fetch_token(token_url, username="siti.rahma", password=PASSWORD)
            principal = await gateway_state(app).token_verifier().verify(token["access_token"])
            assert principal.subject == NIP
            assert token["token_type"] == "bearer"
            with pytest.raises(OAuthError) as wrong_password:
                await public.fetch_token(token_url, username="siti.rahma", password="not the password")
            assert wrong_password.value.error == "invalid_grant"

        for method in ("client_secret_basic", "client_secret_post"):
            async with AsyncOAuth2Client(
                client_id=cred["client_id"],
                client_secret=cred["client_secret"],
                token_endpoint_auth_method=method,
            ) as confidential:
                token = await confidential.fetch_token(token_url, grant_type="client_credentials")
                principal = await gateway_state(app).token_verifier().verify(token["access_token"])
                assert principal.subject == cred["client_id"]
                assert principal.roles == {Role.INTEGRATOR}
                # Authlib sends the token on API calls: the report catalogue needs a reader's token.
                catalogue = await confidential.get(f"{base}/reports")
                assert catalogue.status_code == 200, catalogue.text

            async with AsyncOAuth2Client(
                client_id=cred["client_id"], client_secret="not the secret", token_endpoint_auth_method=method
            ) as wrong:
                with pytest.raises(OAuthError) as refused:
                    await wrong.fetch_token(token_url, grant_type="client_credentials")
                assert refused.value.error == "invalid_client", method
                assert refused.value.description


async def test_oauth4webapi_client_credentials_and_a_wrong_secret(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    require_node_packages()
    app = create_app(gateway_settings())
    async with serve_http(app) as base:
        cred = await _prepare(app, base)
        results = await run_node(
            "oauth_client.mjs",
            base,
            cred["client_id"],
            cred["client_secret"],
            PUBLIC_CLIENT,
            "siti.rahma",
            PASSWORD,
        )
        for how in ("basic", "post"):
            ok = results[how]
            assert ok["ok"] is True, ok
            assert ok["token_type"] == "bearer"
            principal = await gateway_state(app).token_verifier().verify(ok["access_token"])
            assert principal.subject == cred["client_id"]
        assert results["password"]["ok"] is True, results["password"]
        assert (
            await gateway_state(app).token_verifier().verify(results["password"]["access_token"])
        ).subject == NIP

        # A refused client authentication is a 401 with a Basic challenge, which oauth4webapi reports as
        # such; its response body is the RFC 6749 error, readable as JSON.
        for how in ("wrong_basic", "wrong_post"):
            refused = results[how]
            assert refused["ok"] is False
            assert refused["name"] == "WWWAuthenticateChallengeError", refused
            assert refused["status"] == 401
            assert refused["challenges"] == [{"scheme": "basic", "parameters": {"realm": "asn"}}]
            assert refused["content_type"] == "application/json"
            assert refused["body"]["error"] == "invalid_client"
        # A wrong password is a plain 400 body error, which oauth4webapi parses into ResponseBodyError.
        wrong = results["wrong_password"]
        assert (wrong["name"], wrong["status"], wrong["error"]) == ("ResponseBodyError", 400, "invalid_grant")
