"""Secrets at rest: passwords (chosen by people, so slow argon2id) and API-client secrets (random and long,
so a keyed HMAC-SHA256 is enough and costs microseconds, not 64 MiB and 0.2 s).

argon2 work is bounded: at most ``concurrency`` verifications run at once and at most ``queue`` wait; a
request beyond that is refused at once (``Busy``, answered 429 ``slow_down`` with Retry-After) instead of
queueing memory and threads without end.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A real hash of a random value, verified when the account is unknown so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("no-such-account-dummy-password")
HMAC_PREFIX = "hmac-sha256$"


def hash_secret(secret: str) -> str:
    """An argon2id hash of a password."""
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


class Busy(Exception):
    """Too much argon2 work is running and waiting already."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("password checks are saturated")
        self.retry_after_s = retry_after_s


class HashGate:
    """A semaphore with a bounded queue around argon2 verifications."""

    def __init__(self, concurrency: int, queue: int) -> None:
        self.limit = concurrency + queue
        self._semaphore = asyncio.Semaphore(concurrency)
        self._admitted = 0
        self.refused = 0

    @property
    def admitted(self) -> int:
        """Verifications running or waiting now."""
        return self._admitted

    async def verify(self, secret_hash: str | None, secret: str) -> bool:
        """verify_secret off the event loop, within the bounds; Busy beyond them."""
        if self._admitted >= self.limit:
            self.refused += 1
            raise Busy(1)
        self._admitted += 1
        try:
            async with self._semaphore:
                return await asyncio.to_thread(verify_secret, secret_hash, secret)
        finally:
            self._admitted -= 1


# Used where no app state exists (bootstrap, tests); the gateway builds its own from settings.
DEFAULT_GATE = HashGate(concurrency=2, queue=16)


async def verify_secret_async(secret_hash: str | None, secret: str, gate: HashGate = DEFAULT_GATE) -> bool:
    """verify_secret off the event loop, under ``gate``."""
    return await gate.verify(secret_hash, secret)


@dataclass(frozen=True, slots=True)
class ClientSecrets:
    """API-client secrets under HMAC-SHA256 keyed by a server key (gateway setting ``client_secret_key``).

    Hashes made before this scheme are argon2id; they still verify (under the gate) and ``needs_upgrade``
    tells the caller to store the HMAC form once the secret proved right."""

    key: bytes
    gate: HashGate

    def hash(self, secret: str) -> str:
        """The stored form of a client secret."""
        return HMAC_PREFIX + hmac.new(self.key, secret.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def needs_upgrade(secret_hash: str | None) -> bool:
        """True for a stored hash of the earlier (argon2) scheme."""
        return secret_hash is not None and not secret_hash.startswith(HMAC_PREFIX)

    async def verify(self, secret_hash: str | None, secret: str) -> bool:
        """True when ``secret`` matches the stored hash (HMAC in constant time, or argon2 under the gate)."""
        expected = self.hash(secret)
        if secret_hash is None or secret_hash.startswith(HMAC_PREFIX):
            return secret_hash is not None and hmac.compare_digest(expected, secret_hash)
        return await self.gate.verify(secret_hash, secret)
