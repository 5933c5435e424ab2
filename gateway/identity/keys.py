"""The gateway's signing keys: taken from settings, or generated on first run into the data folder.

Every key has a ``kid`` (its RFC 7638 thumbprint), so keys can rotate: the JWKS serves the current key and
any retired keys still configured, and services fetch the JWKS again when they meet an unknown ``kid``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gateway.config import GatewaySettings
from services.common.auth import (
    NotBefore,
    StaticKeySource,
    TokenSigner,
    TokenVerifier,
    generate_private_key_pem,
    public_jwk,
    split_pems,
)


@dataclass
class KeyRing:
    """The current signer plus every public key that still verifies."""

    signer: TokenSigner
    retired: list[dict[str, str]] = field(default_factory=list)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JSON Web Key Set served at /.well-known/jwks.json."""
        return {"keys": [self.signer.jwk, *self.retired]}

    def verifier(self, not_before: NotBefore | None = None) -> TokenVerifier:
        """A verifier that accepts tokens signed by any key in the ring (and not revoked, with ``not_before``)."""
        return TokenVerifier(
            StaticKeySource([self.signer.jwk, *self.retired]),
            issuer=self.signer.issuer,
            audience=self.signer.audience,
            not_before=not_before,
        )


def _load_or_create(data_dir: Path, name: str, make: Callable[[], str]) -> str:
    key_dir = data_dir / "keys"
    path = key_dir / name
    if path.exists():
        return path.read_text()
    key_dir.mkdir(parents=True, exist_ok=True)
    value = make()
    # Written with owner-only permissions, then renamed, so a reader never sees half a key.
    tmp = key_dir / f".{name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    if path.exists():  # another replica won the race; use its key
        tmp.unlink()
        return path.read_text()
    tmp.rename(path)
    return value


def _load_or_create_private_key(data_dir: Path) -> str:
    return _load_or_create(data_dir, "signing-key.pem", generate_private_key_pem)


def load_client_secret_key(settings: GatewaySettings) -> bytes:
    """The server key API-client secrets are HMAC'd with: from settings, else from (or newly into)
    ``data_dir/keys/client-secret.key``."""
    if settings.client_secret_key is not None:
        return settings.client_secret_key.get_secret_value().encode()
    return _load_or_create(settings.data_dir, "client-secret.key", lambda: secrets.token_hex(32)).encode()


def load_keyring(settings: GatewaySettings) -> KeyRing:
    """The key ring from settings, else from (or newly into) ``data_dir/keys``."""
    if settings.signing_key_pem is not None:
        private_pem = settings.signing_key_pem.get_secret_value()
    else:
        private_pem = _load_or_create_private_key(settings.data_dir)
    signer = TokenSigner(private_pem, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    retired = [public_jwk(p) for p in split_pems(settings.extra_verification_keys_pem or "")]
    return KeyRing(signer=signer, retired=[k for k in retired if k["kid"] != signer.kid])
