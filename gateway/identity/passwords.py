"""Password and client-secret hashing with argon2id (argon2-cffi)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A real hash of a random value, verified when the account is unknown so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("no-such-account-dummy-password")


def hash_secret(secret: str) -> str:
    """An argon2id hash of a password or client secret."""
    return str(_hasher.hash(secret))


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    """True when ``secret`` matches; always spends the same work, even without a hash."""
    try:
        return _hasher.verify(secret_hash or _DUMMY_HASH, secret) and secret_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_secret_async(secret: str) -> str:
    """hash_secret off the event loop (argon2 is CPU-bound by design)."""
    return await asyncio.to_thread(hash_secret, secret)


async def verify_secret_async(secret_hash: str | None, secret: str) -> bool:
    """verify_secret off the event loop."""
    return await asyncio.to_thread(verify_secret, secret_hash, secret)
