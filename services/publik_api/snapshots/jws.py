"""JWS helpers for snapshots (RS256, pinned).

TEMPORARY HOME: the house rule is that python-jose is imported only in ``services/common/auth.py``. These two
functions are meant to move there (``sign_jws``/``verify_jws``/``jws_header``); until then they live here so
publik can sign its snapshots.
"""

from __future__ import annotations

import base64
from typing import Any

from jose import jws
from jose.exceptions import JOSEError

ALGORITHMS = ["RS256"]  # pinned; never taken from the token header


class JwsInvalid(Exception):
    """The JWS is malformed or its signature does not verify."""


def sign_jws(payload: bytes, private_pem: str, kid: str) -> str:
    """A compact RS256 JWS over ``payload`` with ``kid`` in the protected header."""
    return str(jws.sign(payload, private_pem, headers={"kid": kid, "typ": "JOSE"}, algorithm="RS256"))


def jws_header(token: str) -> dict[str, Any]:
    """The protected header, unverified (to pick the key by ``kid``)."""
    try:
        header = jws.get_unverified_header(token)
    except JOSEError as exc:
        raise JwsInvalid("malformed JWS") from exc
    return dict(header)


def _canonical_b64(segment: str) -> bool:
    # base64 decoders ignore the unused low bits of the last character, so two different strings can
    # decode to the same bytes; only the canonical spelling is accepted, so every byte of a JWS matters.
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (ValueError, TypeError):
        return False
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == segment


def verify_jws(token: str, jwk: dict[str, Any]) -> bytes:
    """The payload bytes when the RS256 signature verifies with ``jwk``; JwsInvalid otherwise."""
    parts = token.split(".")
    if len(parts) != 3 or not all(_canonical_b64(p) for p in parts):
        raise JwsInvalid("malformed JWS")
    if jws_header(token).get("alg") != "RS256":
        raise JwsInvalid("algorithm not accepted")
    key = {k: v for k, v in jwk.items() if k in ("kty", "n", "e", "kid", "alg", "use")}
    try:
        payload = jws.verify(token, key, algorithms=ALGORITHMS)
    except (JOSEError, ValueError, TypeError) as exc:
        raise JwsInvalid("signature does not verify") from exc
    return bytes(payload)
