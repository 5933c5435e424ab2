"""Tokens: the only module that imports python-jose.

Every app verifies every token itself (never trusting a header the gateway added). The algorithm list is
pinned to RS256 on every decode: python-jose accepts forged HMAC tokens signed with the public key when the
list is open (CVE-2024-33663, including its DER-key variant).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import jws, jwt
from jose.exceptions import JOSEError

from services.common.errors import Forbidden, Unauthorized
from services.common.i18n import msg
from services.common.roles import Role as Role  # re-exported: routers import it from here
from services.common.roles import Scope as Scope
from services.common.state import AppState, app_state

ALGORITHM = "RS256"
ALGORITHMS = [ALGORITHM]  # pinned; never derived from the token header


# ---------------------------------------------------------------------------------------------- keys


def generate_private_key_pem(bits: int = 2048) -> str:
    """A new RSA private key in PKCS#8 PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem_from_private(private_pem: str) -> str:
    """The public half of a private key, as SubjectPublicKeyInfo PEM."""
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _b64u_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public_pem: str, kid: str | None = None) -> dict[str, str]:
    """An RFC 7517 JWK for an RSA public key; ``kid`` defaults to the RFC 7638 thumbprint."""
    key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("only RSA public keys are supported")
    numbers = key.public_numbers()
    e, n = _b64u_uint(numbers.e), _b64u_uint(numbers.n)
    thumb_input = json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"), sort_keys=True)
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(thumb_input.encode()).digest()).rstrip(b"=").decode()
    return {"kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": kid or thumbprint, "n": n, "e": e}


def split_pems(text: str) -> list[str]:
    """Split a string holding one or more PEM blocks."""
    marker = "-----END PUBLIC KEY-----"
    return [block.strip() + "\n" + marker + "\n" for block in text.split(marker) if block.strip()]


# ---------------------------------------------------------------------------------------------- signing


class TokenSigner:
    """Issues RS256 access tokens with a ``kid`` header (the gateway, and tests)."""

    def __init__(self, private_pem: str, *, issuer: str, audience: str, kid: str | None = None) -> None:
        self._private_pem = private_pem
        self.public_pem = public_pem_from_private(private_pem)
        self.jwk = public_jwk(self.public_pem, kid)
        self.kid = self.jwk["kid"]
        self.issuer = issuer
        self.audience = audience

    def issue(
        self,
        subject: str,
        roles: Iterable[str],
        *,
        ttl_s: int,
        extra: dict[str, Any] | None = None,
        now: float | None = None,
    ) -> str:
        """A signed token for ``subject`` that expires after ``ttl_s`` seconds."""
        issued = int(now if now is not None else time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "roles": sorted(set(roles)),
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_s,
            "jti": uuid.uuid4().hex,
        }
        if extra:
            claims.update({k: v for k, v in extra.items() if v is not None})
        return jwt.encode(claims, self._private_pem, algorithm=ALGORITHM, headers={"kid": self.kid})


# ---------------------------------------------------------------------------------------------- verifying


class KeySource(Protocol):
    """Where verification keys come from."""

    async def get(self, kid: str) -> dict[str, str] | None: ...


class StaticKeySource:
    """Keys configured in settings (PEM), addressed by their RFC 7638 thumbprint or a given kid."""

    def __init__(self, jwks: Iterable[dict[str, str]]) -> None:
        self._keys = {k["kid"]: k for k in jwks}

    @classmethod
    def from_pems(cls, pem_text: str) -> StaticKeySource:
        return cls(public_jwk(p) for p in split_pems(pem_text))

    async def get(self, kid: str) -> dict[str, str] | None:
        return self._keys.get(kid)


class JwksKeySource:
    """The gateway's JWKS, fetched and cached; fetched again (rate limited) when an unknown kid shows up,
    so key rotation needs no restart, and again once the cached set is ``max_age_s`` old, so a key the
    gateway stopped serving (retired or compromised) stops verifying within that time even though no new
    kid ever shows up. When the gateway does not answer, the keys held are kept (tokens keep verifying)."""

    def __init__(
        self,
        url: str,
        client: httpx.AsyncClient,
        *,
        min_refresh_interval_s: float = 30.0,
        max_age_s: float = 600.0,
    ) -> None:
        self.url = url
        self.client = client
        self.min_refresh_interval_s = min_refresh_interval_s
        self.max_age_s = max_age_s
        self._keys: dict[str, dict[str, str]] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> dict[str, str] | None:
        if time.monotonic() - self._fetched_at >= self.max_age_s:
            async with self._lock:
                # Another caller may have refreshed while this one waited for the lock.
                if time.monotonic() - self._fetched_at >= self.max_age_s:
                    await self._refresh()
        key = self._keys.get(kid)
        if key is not None:
            return key
        async with self._lock:
            if kid in self._keys:
                return self._keys[kid]
            if time.monotonic() - self._fetched_at < self.min_refresh_interval_s:
                return None
            await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        try:
            resp = await self.client.get(self.url)
            resp.raise_for_status()
            keys = resp.json().get("keys", [])
        except (httpx.HTTPError, ValueError):
            # Keep the keys we had; the caller sees "unknown key" -> 401, never a crash.
            self._fetched_at = time.monotonic() - self.min_refresh_interval_s + 2.0
            return
        # Only keys meant for access tokens: the JWKS also carries publik's snapshot-signing key, which must
        # never be able to mint an access token.
        self._keys = {
            k["kid"]: k
            for k in keys
            if k.get("kty") == "RSA"
            and k.get("alg", ALGORITHM) == ALGORITHM
            and k.get("use", "sig") == "sig"
            and k.get("x-purpose", "token") == "token"
        }
        self._fetched_at = time.monotonic()


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as proven by a verified token."""

    subject: str
    roles: frozenset[str]
    nip: str | None = None
    institution_id: str | None = None
    unit_id: str | None = None
    token_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    scopes: frozenset[str] = frozenset()

    def has(self, *roles: str) -> bool:
        """True when the caller holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)

    def integrator_with(self, scope: str) -> bool:
        """True when the caller is an integrator whose client was granted ``scope``."""
        return Role.INTEGRATOR in self.roles and scope in self.scopes

    def reads_individuals(self, scope: str) -> bool:
        """Whoever may read every person's rows of an app: admins, our own services, and integrators
        granted the app's ``:individual`` ``scope``."""
        return self.has(Role.ADMIN, Role.SERVICE) or self.integrator_with(scope)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def require(self, *roles: str) -> None:
        """403 unless the caller holds one of ``roles``."""
        if not self.has(*roles):
            raise Forbidden(msg("This action needs one of the roles: {roles}", roles=", ".join(roles)))


class NotBefore:
    """Per-subject "not before" times (epoch seconds): a token whose ``iat`` is earlier than its subject's
    time was revoked (``POST /auth/subjects/{sub}/revoke-tokens`` at the gateway). The gateway fills it from
    its database, services from the gateway's ``/internal/v1/token-revocations`` every 30 s
    (services/common/revocations.py); the check itself is one dict lookup."""

    def __init__(self) -> None:
        self._times: dict[str, int] = {}

    def replace(self, times: dict[str, int]) -> None:
        """The whole list as last read."""
        self._times = dict(times)

    def set(self, subject: str, not_before: int) -> None:
        """One subject's time, known before the next read (the replica that revoked)."""
        self._times[subject] = max(not_before, self._times.get(subject, not_before))

    def revoked(self, principal: Principal) -> bool:
        """True when the principal's token was issued before its subject's time."""
        not_before = self._times.get(principal.subject)
        if not_before is None:
            return False
        iat = principal.claims.get("iat")
        return not isinstance(iat, int | float) or iat < not_before

    def __len__(self) -> int:
        return len(self._times)


class TokenVerifier:
    """Verifies RS256 tokens: pinned algorithm, known ``kid``, signature, ``exp``, ``iss`` and ``aud``."""

    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        leeway_s: int = 10,
        cache_size: int = 10_000,
        not_before: NotBefore | None = None,
    ) -> None:
        self.keys = keys
        # Revoked subjects' times; checked on every call, cached verification or not.
        self.not_before = not_before
        self.issuer = issuer
        self.audience = audience
        self.leeway_s = leeway_s
        # Verified tokens, by their sha256, until they expire: an RS256 check costs more than the rest of a
        # point read, and a client sends the same token many times. Only successes are kept.
        self.cache_size = cache_size
        self._verified: dict[bytes, tuple[float, Principal, str]] = {}
        # Configured keys never change; the gateway's JWKS can drop a key, so hits ask for theirs again.
        self._recheck_hits = isinstance(keys, JwksKeySource)

    async def verify(self, token: str) -> Principal:
        """The principal of a valid, unrevoked token; 401 (Unauthorized) otherwise."""
        principal = await self._verify_cached(token)
        if self.not_before is not None and self.not_before.revoked(principal):
            raise Unauthorized(msg("The token was revoked; sign in again."))
        return principal

    async def _verify_cached(self, token: str) -> Principal:
        key = hashlib.sha256(token.encode()).digest()
        hit = self._verified.get(key)
        now = time.time()
        if hit is not None:
            # A hit still needs its signing key in the JWKS: a key the gateway stopped serving must stop
            # verifying the tokens it signed, cached or not (a dict lookup unless the set is due a refresh).
            if now < hit[0] and (not self._recheck_hits or await self.keys.get(hit[2]) is not None):
                return hit[1]
            del self._verified[key]
        principal, kid = await self._verify(token)
        if len(self._verified) >= self.cache_size:
            # Drop the expired ones, else the oldest half: bounded memory under any token churn.
            live = {k: v for k, v in self._verified.items() if v[0] > now}
            if len(live) >= self.cache_size:
                live = dict(list(live.items())[len(live) // 2 :])
            self._verified = live
        self._verified[key] = (float(principal.claims["exp"]), principal, kid)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, str]:
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError as exc:
            raise Unauthorized(msg("Malformed token")) from exc
        if header.get("alg") != ALGORITHM:
            raise Unauthorized(msg("Token algorithm not accepted"))
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized(msg("Token has no key id"))
        key = await self.keys.get(kid)
        if key is None:
            raise Unauthorized(msg("Token signed by an unknown key"))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require_exp": True,
                    "require_iat": True,
                    "require_sub": True,
                    "require_aud": True,
                    "require_iss": True,
                    "leeway": self.leeway_s,
                },
            )
        except JOSEError as exc:
            raise Unauthorized(msg("Invalid or expired token")) from exc
        roles = claims.get("roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthorized(msg("Token carries no roles"))
        nip = claims.get("nip")
        inst = claims.get("institution_id")
        scope = claims.get("scope")
        unit = claims.get("unit_id")
        principal = Principal(
            subject=str(claims["sub"]),
            roles=frozenset(roles),
            nip=nip if isinstance(nip, str) else None,
            institution_id=inst if isinstance(inst, str) else None,
            unit_id=unit if isinstance(unit, str) else None,
            token_id=claims.get("jti"),
            claims=claims,
            scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
        )
        return principal, kid


# ---------------------------------------------------------------------------------------------- FastAPI deps

_bearer = HTTPBearer(auto_error=False, description="An RS256 access token from the gateway's /auth/token.")


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller when a token was sent (and valid); None when no token was sent."""
    if credentials is None:
        if request.headers.get("authorization"):
            raise Unauthorized(msg("Authorization header must be 'Bearer <token>'"))
        return None
    return await app_state(request.app, AppState).token_verifier().verify(credentials.credentials)


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """The verified caller; 401 without a valid token."""
    if principal is None:
        raise Unauthorized()
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits callers holding any of ``roles`` (401 without a token, 403 without a role)."""

    async def dependency(principal: PrincipalDep) -> Principal:
        principal.require(*roles)
        return principal

    return dependency


def require_individual_reader(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency for answers made of people's rows (NIPs, names): admins, and integrators granted
    ``scope``; 401 without a token, 403 for anyone else (an integrator is told which scope it lacks)."""

    async def dependency(principal: PrincipalDep) -> Principal:
        principal.require(Role.ADMIN, Role.INTEGRATOR)
        if not principal.is_admin and not principal.integrator_with(scope):
            raise Forbidden(
                msg(
                    "This answer carries people's NIPs or names: it needs the scope {scope}, which an admin "
                    "grants to the API client (docs/integrators.md, Scopes).",
                    scope=repr(scope),
                )
            )
        return principal

    return dependency


AdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
"""The caller, who must hold the admin role (BKD)."""


def build_verifier(
    *,
    issuer: str,
    audience: str,
    jwks_url: str | None,
    public_keys_pem: str | None,
    client: httpx.AsyncClient | None,
    min_refresh_interval_s: float = 30.0,
    max_age_s: float = 600.0,
    not_before: NotBefore | None = None,
) -> TokenVerifier:
    """A verifier from settings: configured PEM keys win, else the gateway's JWKS."""
    source: KeySource
    if public_keys_pem:
        source = StaticKeySource.from_pems(public_keys_pem)
    elif jwks_url and client is not None:
        source = JwksKeySource(
            jwks_url, client, min_refresh_interval_s=min_refresh_interval_s, max_age_s=max_age_s
        )
    else:
        raise RuntimeError("token verification needs jwks_url or jwt_public_keys_pem")
    return TokenVerifier(source, issuer=issuer, audience=audience, not_before=not_before)


# ---------------------------------------------------------------------------------------------- JWS (snapshots)


class JwsInvalid(Exception):
    """The JWS is malformed or its signature does not verify."""


def sign_jws(payload: bytes, private_pem: str, kid: str) -> str:
    """A compact RS256 JWS over ``payload`` with ``kid`` in the protected header (publik's snapshots)."""
    return str(jws.sign(payload, private_pem, headers={"kid": kid, "typ": "JOSE"}, algorithm=ALGORITHM))


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
    if jws_header(token).get("alg") != ALGORITHM:
        raise JwsInvalid("algorithm not accepted")
    key = {k: v for k, v in jwk.items() if k in ("kty", "n", "e", "kid", "alg", "use")}
    try:
        payload = jws.verify(token, key, algorithms=ALGORITHMS)
    except (JOSEError, ValueError, TypeError) as exc:
        raise JwsInvalid("signature does not verify") from exc
    return bytes(payload)
