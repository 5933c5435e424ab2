"""Forged and broken bearer tokens: every way an attacker may try to get past token verification."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from services.common.auth import Role, generate_private_key_pem
from tests.support.fixtures import AUDIENCE, ISSUER


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(obj: dict[str, Any]) -> str:
    return b64u(json.dumps(obj, separators=(",", ":")).encode())


def rs256(private_pem: str, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A JWS signed with RSASSA-PKCS1-v1_5 SHA-256, whatever the header says."""
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64u(signature)}"


def hs256(secret: bytes, header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64u(mac)}"


def claims_for(roles: list[str], **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "attacker",
        "roles": roles,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return claims


def attacks(private_pem: str, kid: str, roles: list[str]) -> dict[str, str | None]:
    """Every bad token (None: no Authorization header at all)."""
    public_key = serialization.load_pem_private_key(private_pem.encode(), password=None).public_key()
    public_pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_pkcs1_pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    other_pem = generate_private_key_pem()
    good_header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    valid = rs256(private_pem, good_header, claims_for(roles))
    head, _payload, sig = valid.split(".")
    elevated = claims_for([*roles, Role.ADMIN, Role.SERVICE], sub="someone-else")
    now = int(time.time())
    return {
        "no token": None,
        "expired": rs256(
            private_pem, good_header, claims_for(roles, iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        ),
        "wrong aud": rs256(private_pem, good_header, claims_for(roles, aud="another-api")),
        "no aud": rs256(private_pem, good_header, {k: v for k, v in claims_for(roles).items() if k != "aud"}),
        "wrong iss": rs256(private_pem, good_header, claims_for(roles, iss="https://evil.example")),
        "no exp": rs256(private_pem, good_header, {k: v for k, v in claims_for(roles).items() if k != "exp"}),
        "other key, same kid": rs256(other_pem, good_header, claims_for(roles)),
        "other key, other kid": rs256(other_pem, {**good_header, "kid": "attacker-key"}, claims_for(roles)),
        "alg none": f"{segment({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{segment(claims_for(roles))}.",
        "alg None, no signature": f"{segment({'alg': 'None', 'kid': kid})}.{segment(claims_for(roles))}",
        "HS256 keyed with public PEM": hs256(public_pem, {"alg": "HS256", "kid": kid}, claims_for(roles)),
        "HS256 keyed with public PEM, RS256 header": hs256(public_pem, good_header, claims_for(roles)),
        "HS256 keyed with public DER": hs256(public_der, {"alg": "HS256", "kid": kid}, claims_for(roles)),
        "HS256 keyed with PKCS1 PEM": hs256(
            public_pkcs1_pem, {"alg": "HS256", "kid": kid}, claims_for(roles)
        ),
        "payload changed after signing": f"{head}.{segment(elevated)}.{sig}",
        "signature stripped": f"{head}.{segment(claims_for(roles))}.",
        "no kid": rs256(private_pem, {"alg": "RS256", "typ": "JWT"}, claims_for(roles)),
        "garbage": "not-a-token",
        "garbage with dots": "a.b.c",
        "empty segments": "..",
        "bad base64 header": f"%%%.{segment(claims_for(roles))}.{sig}",
    }
