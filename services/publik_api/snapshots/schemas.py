"""Bodies of /v1/snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SNAPSHOT_EXAMPLE: dict[str, Any] = {
    "n": 3,
    "hash": "9f2c…",
    "prev_hash": "1a7b…",
    "created_at": "2026-04-20T02:00:00Z",
    "kid": "publik-snapshot-3Jx9aQ1b2c3d4e5f",
    "jws": "eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiJ9.eyJuIjozLC4uLn0.c2ln…",
}


class SnapshotRead(BaseModel):
    """One snapshot. The JWS payload is the canonical JSON `{n, prev_hash, created_at, items}`; `hash` is its
    sha256; verify the signature with the key `kid` from /v1/snapshots/jwks.json (or /.well-known/jwks.json)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [SNAPSHOT_EXAMPLE]})

    n: int
    hash: str = Field(description="sha256 (hex) of the signed payload.")
    prev_hash: str | None = Field(description="The previous snapshot's hash; null for the first.")
    created_at: datetime
    kid: str
    jws: str = Field(description="Compact RS256 JWS whose payload is the snapshot.")


class Jwk(BaseModel):
    """An RSA public key (RFC 7517)."""

    model_config = ConfigDict(populate_by_name=True)

    kty: str
    use: str
    alg: str
    kid: str
    n: str
    e: str
    x_purpose: str = Field(alias="x-purpose", serialization_alias="x-purpose")


class Jwks(BaseModel):
    """The snapshot-signing keys."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "keys": [
                        {
                            "kty": "RSA",
                            "use": "sig",
                            "alg": "RS256",
                            "kid": "snap-7Qm0pLr8sYw3nH6kJ9aB4dF7gE1iU0oZ2xC4",
                            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSo",
                            "e": "AQAB",
                            "x-purpose": "snapshot",
                        }
                    ]
                }
            ]
        }
    )

    keys: list[Jwk]
