"""Forged, tampered and stale tokens are refused by EVERY app, each verifying the token itself.

The forgeries are built by hand (base64url, hmac, cryptography) so that the test does not depend on what
python-jose would or would not sign: in particular the HS256 tokens keyed with the RSA public key (PEM and
DER), the python-jose confusion attack of CVE-2024-33663.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from gateway.config import GatewaySettings
from gateway.main import create_app as gateway_app
from gateway.state import gateway_state
from services.common.apps import APP_NAMES
from services.common.auth import Role, TokenSigner, generate_private_key_pem
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app as pelatihan_app
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app as publik_app
from tests.support.fixtures import AUDIENCE, ISSUER, running
from tests.support.token_forgery import attacks, claims_for, rs256

DEAD_UPSTREAM = ["http://127.0.0.1:9"]

# ---------------------------------------------------------------------------------------------- forging


@dataclass
class Target:
    """One app under attack: its factory, the protected path, and the key it trusts."""

    name: str
    path: str
    build: Callable[[str], FastAPI]  # private PEM of the trusted key -> app
    roles: list[str]  # roles of the valid baseline token


# ---------------------------------------------------------------------------------------------- targets


@pytest.fixture
def targets(db: str, settings_for: Callable[..., Any], tmp_path: Path) -> dict[str, Target]:
    """Every app, each trusting a key the test controls."""

    def service(factory: Callable[[Any], FastAPI], cls: type[Any]) -> Callable[[str], FastAPI]:
        def build(private_pem: str) -> FastAPI:
            public_pem = TokenSigner(private_pem, issuer=ISSUER, audience=AUDIENCE).public_pem
            return factory(settings_for(cls, jwt_public_keys_pem=public_pem))

        return build

    def gateway(private_pem: str) -> FastAPI:
        settings = settings_for(
            GatewaySettings,
            signing_key_pem=private_pem,
            data_dir=tmp_path,
            kinerja_urls=DEAD_UPSTREAM,
            pelatihan_urls=DEAD_UPSTREAM,
            publik_urls=DEAD_UPSTREAM,
        )
        return gateway_app(settings)

    pegawai = [Role.PEGAWAI]
    return {
        "kinerja": Target("kinerja", "/v1/whoami", service(kinerja_app, KinerjaSettings), pegawai),
        "pelatihan": Target("pelatihan", "/v1/whoami", service(pelatihan_app, PelatihanSettings), pegawai),
        "publik": Target("publik", "/v1/whoami", service(publik_app, PublikSettings), pegawai),
        "gateway": Target("gateway", "/auth/accounts", gateway, [Role.ADMIN]),
    }


@pytest.mark.parametrize("name", list(APP_NAMES))
async def test_every_bad_token_is_refused_with_401(targets: dict[str, Target], name: str) -> None:
    target = targets[name]
    private_pem = generate_private_key_pem()
    app = target.build(private_pem)
    async with running(app) as client:
        if name == "gateway":
            # The gateway signs with its own key ring; the baseline comes from it.
            signer: TokenSigner = gateway_state(app).keyring.signer
        else:
            signer = TokenSigner(private_pem, issuer=ISSUER, audience=AUDIENCE)
        baseline = signer.issue("tester", target.roles, ttl_s=600)
        ok = await client.get(target.path, headers={"Authorization": f"Bearer {baseline}"})
        assert ok.status_code == 200, ok.text

        # Control: a token forged by hand the honest way is accepted, so every refusal below is about the
        # attack and not about the forging code.
        honest = rs256(
            private_pem, {"alg": "RS256", "typ": "JWT", "kid": signer.kid}, claims_for(target.roles)
        )
        control = await client.get(target.path, headers={"Authorization": f"Bearer {honest}"})
        assert control.status_code == 200, control.text

        accepted: dict[str, int] = {}
        for label, token in attacks(private_pem, signer.kid, target.roles).items():
            headers = {} if token is None else {"Authorization": f"Bearer {token}"}
            resp = await client.get(target.path, headers=headers)
            if resp.status_code != 401 or resp.headers["content-type"] != "application/problem+json":
                accepted[label] = resp.status_code
            elif token is not None:
                assert token not in resp.text  # never echoed back
        for label, header in {
            "Basic scheme": "Basic YWRtaW46YWRtaW4=",
            "empty bearer": "Bearer ",
            "token without scheme": baseline,
        }.items():
            resp = await client.get(target.path, headers={"Authorization": header})
            if resp.status_code != 401:
                accepted[label] = resp.status_code
        assert not accepted, f"{name} did not answer 401 to: {accepted}"


async def test_gateway_admin_endpoint_refuses_a_valid_token_without_the_role_with_403(
    targets: dict[str, Target],
) -> None:
    app = targets["gateway"].build(generate_private_key_pem())
    async with running(app) as client:
        signer: TokenSigner = gateway_state(app).keyring.signer
        for roles in ([Role.PEGAWAI], [Role.INTEGRATOR], [Role.MITRA], [Role.PELATIHAN_ADMIN], []):
            token = signer.issue("198609262015051001", roles, ttl_s=600, extra={"nip": "198609262015051001"})
            resp = await client.get("/auth/accounts", headers={"Authorization": f"Bearer {token}"})
            assert resp.status_code == 403, (roles, resp.text)
            assert resp.headers["content-type"] == "application/problem+json"
