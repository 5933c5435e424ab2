"""docs/integrators.md's token verification example runs as written: it accepts a real token of the gateway
and refuses one with another issuer or audience, and one signed by a key that is not for tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.config import GatewaySettings
from gateway.state import gateway_state
from tests.gateway.helpers import gateway

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrators.md"


def _doc_example() -> dict[str, Any]:
    """The names the doc's block defines (run as written; it imports python-jose itself, as an integrator's
    code would, so this test does not: the services use jose through services.common.auth only)."""
    text = DOC.read_text()
    section = text[text.index("### Verifying a token") :]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None
    namespace: dict[str, Any] = {}
    exec(compile(block.group(1), str(DOC), "exec"), namespace)
    return namespace


async def test_documented_verification_checks_iss_and_aud(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    example = _doc_example()
    verify: Callable[[str, dict[str, Any]], dict[str, Any]] = example["verify"]
    refused: type[Exception] = example["jwt"].JWTError
    settings = gateway_settings()
    async with gateway(settings) as (app, client):
        jwks = (await client.get("/.well-known/jwks.json")).json()
        signer = gateway_state(app).keyring.signer
        token = signer.issue("cl_docs", ["integrator"], ttl_s=60)
        claims = verify(token, jwks)
        # The documented values are the ones this installation issues.
        assert (claims["iss"], claims["aud"]) == (settings.jwt_issuer, settings.jwt_audience)
        assert claims["sub"] == "cl_docs"

        for other in ({"iss": "https://elsewhere.example"}, {"aud": "another-api"}):
            # Signed by the real key; only the claim differs.
            forged = signer.issue("cl_docs", ["integrator"], ttl_s=60, extra=other)
            with pytest.raises(refused):
                verify(forged, jwks)
        snapshot_only = {"keys": [{**k, "x-purpose": "snapshot"} for k in jwks["keys"]]}
        with pytest.raises(refused):
            verify(token, snapshot_only)
