"""Identity rules: the token grants (RFC 6749 password and client credentials), lockout, and the
administration of accounts and API clients. No FastAPI here; token errors are the OAuthError classes of
``gateway.identity.oauth_errors`` (RFC 6749 §5.2), every other error a ProblemError subclass."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.changes import SINK
from gateway.config import GatewaySettings
from gateway.identity import repository
from gateway.identity.models import Account, ApiClient
from gateway.identity.oauth_errors import (
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    SlowDown,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from gateway.identity.passwords import (
    DEFAULT_GATE,
    Busy,
    ClientSecrets,
    HashGate,
    hash_secret_async,
)
from gateway.identity.schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ClientCreate,
    ClientCreated,
    ClientOut,
    ClientSecretRotated,
    ClientUpdate,
    TokenResponse,
    check_role_needs,
)
from services.common import clock
from services.common.auth import Principal, Role, TokenSigner
from services.common.changes import record_change
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.i18n import message_of, msg
from services.common.pagination import Page, decode_cursor, page_of
from services.common.ratelimit import Limiter

log = logging.getLogger("asn.identity")

# Longer inputs are refused before any hashing: argon2 over megabytes would be a cheap way to burn CPU.
_MAX_CREDENTIAL_CHARS = 1024
SAME_FOR_EVERY_REFUSAL = "The username or password is wrong, or the account is locked or disabled."
_TOO_MANY_FAILURES = "Too many failed login attempts; retry later."
# Claim of client tokens carrying the client's own requests-per-minute limit (read by the rate limiter).
RATE_LIMIT_CLAIM = "rate_limit_per_minute"


# ---------------------------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """The parsed form of POST /auth/token; ``basic`` holds HTTP Basic client credentials when sent."""

    grant_type: str | None
    username: str | None = None
    password: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scope: str | None = None
    basic: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class TokenContext:
    """What issuing a token needs from the running app."""

    settings: GatewaySettings
    signer: TokenSigner
    limiter: Limiter
    client_ip: str
    client_secrets: ClientSecrets
    gate: HashGate = DEFAULT_GATE
    # Counts a security event in /metrics ("lockout", "login_slow_down", ...).
    count_event: Callable[[str], None] = field(default=lambda event: None)


def _attempt_key(kind: str, identifier: str, ip: str) -> str:
    # Hashed so an attacker-chosen username cannot make odd or huge limiter keys.
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:32]
    return f"login:{kind}:{digest}:{ip}"


def _failures_key(ip: str) -> str:
    return f"login:failures:{ip}"


async def _admit_attempt(kind: str, identifier: str, ctx: TokenContext) -> str:
    """Refuse (SlowDown) an attempt over the per-(id, address) limit, or from an address whose failed logins
    this minute, whatever ids they named, reached ``login_failures_per_address_per_minute``. Returns the
    (id, address) key, reset on success."""
    settings = ctx.settings
    if (
        await ctx.limiter.count(_failures_key(ctx.client_ip))
        >= settings.login_failures_per_address_per_minute
    ):
        ctx.count_event("login_address_limited")
        raise SlowDown(60, _TOO_MANY_FAILURES)
    key = _attempt_key(kind, identifier, ctx.client_ip)
    allowed, retry = await ctx.limiter.hit(key, settings.login_rate_limit_per_minute)
    if not allowed:
        raise SlowDown(retry, _TOO_MANY_FAILURES)
    return key


async def _failed_attempt(ctx: TokenContext) -> None:
    await ctx.limiter.hit(_failures_key(ctx.client_ip), ctx.settings.login_failures_per_address_per_minute)


async def _verify(gate_call: Any, ctx: TokenContext) -> bool:
    """Await an argon2 verification; the gate's refusal becomes 429 slow_down."""
    try:
        ok: bool = await gate_call
    except Busy as exc:
        ctx.count_event("password_check_busy")
        raise SlowDown(exc.retry_after_s, "The server is busy checking credentials; retry shortly.") from exc
    return ok


# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), tokens separated by single spaces.
_SCOPE = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*")


async def issue_token(session: AsyncSession, request: TokenRequest, ctx: TokenContext) -> TokenResponse:
    """Run one grant and return the token, or raise an OAuthError (failures are recorded first)."""
    if not request.grant_type:
        raise InvalidRequest("grant_type is required.")
    if request.scope is not None and not _SCOPE.fullmatch(request.scope):
        raise InvalidScope("scope must be space-separated scope tokens (RFC 6749 section 3.3).")
    if request.grant_type == "password":
        return await _password_grant(session, request, ctx)
    if request.grant_type == "client_credentials":
        return await _client_credentials_grant(session, request, ctx)
    raise UnsupportedGrantType("grant_type must be 'password' or 'client_credentials'.")


def _sent_client_secret(request: TokenRequest) -> bool:
    return request.basic is not None or bool(request.client_secret)


async def _password_grant(session: AsyncSession, request: TokenRequest, ctx: TokenContext) -> TokenResponse:
    # The password grant is for people, through a public client (a browser or mobile app holds no secret):
    # no client_id at all, or one of the configured public client ids (Authlib and most OAuth libraries
    # always send one). A confidential client that authenticates is told it may not use this grant.
    if _sent_client_secret(request):
        await _authenticate_client(session, request, ctx)
        raise UnauthorizedClient("The password grant is for public clients; send client_id without a secret.")
    if request.client_id and request.client_id not in ctx.settings.oauth_public_client_ids:
        log.info("login refused", extra={"reason": "unknown public client"})
        raise InvalidClient("Unknown public client; the password grant accepts only the configured ones.")
    username, password = request.username, request.password
    if not username or not password:
        raise InvalidRequest("username and password are required.")
    if len(username) > _MAX_CREDENTIAL_CHARS or len(password) > _MAX_CREDENTIAL_CHARS:
        raise InvalidRequest("username or password is too long.")
    settings = ctx.settings
    key = await _admit_attempt("account", username, ctx)

    now = clock.now()
    account = await repository.account_by_username(session, username)
    pair = await repository.lockout_of(session, username, ctx.client_ip) if account else None
    locked = pair is not None and pair.locked_until is not None and pair.locked_until > now
    if locked:
        # Locked for this address only: refused without spending argon2 on it.
        await _failed_attempt(ctx)
        log.info("login refused", extra={"reason": "locked"})
        raise InvalidGrant(SAME_FOR_EVERY_REFUSAL)
    if account is not None and pair is None:
        # An address that has not failed is never blocked, only slowed while the username is under attack.
        since = now - timedelta(seconds=settings.login_lockout_s)
        if (
            await repository.recent_failures(
                session, username, since=since, max_failures=settings.login_max_failures
            )
            >= settings.login_username_slowdown_after
        ):
            ctx.count_event("login_username_slowed")
            await asyncio.sleep(settings.login_username_slowdown_s)
    # Always one argon2 verification (against a dummy hash for unknown usernames), so neither timing nor
    # the answer tells whether the username exists.
    matches = await _verify(ctx.gate.verify(account.password_hash if account else None, password), ctx)
    if account is None or not matches or not account.active:
        await _failed_attempt(ctx)
        if account is not None:
            await _record_failure(session, account, ctx, now)
        log.info("login refused", extra={"reason": "credentials"})
        raise InvalidGrant(SAME_FOR_EVERY_REFUSAL)

    if pair is not None:
        await repository.clear_address_failures(session, username, ctx.client_ip)
    await repository.clear_failed_logins(session, account)
    await ctx.limiter.reset(key)
    return _account_token(account, ctx)


async def _record_failure(session: AsyncSession, account: Account, ctx: TokenContext, now: datetime) -> None:
    """Count the failure of (account, address); a lock-out it causes is audited and counted."""
    settings = ctx.settings
    row = await repository.record_address_failure(
        session,
        account.username,
        ctx.client_ip,
        max_failures=settings.login_max_failures,
        lockout_s=settings.login_lockout_s,
        max_lockout_s=settings.login_max_lockout_s,
        now=now,
    )
    # The account row keeps a summary for the admin: failures since the last success, the latest lock-out.
    account.failed_logins += 1
    locked = row.failures == 0 and row.locked_until is not None and row.locked_until > now
    if locked and row.locked_until is not None:
        account.locked_until = max(account.locked_until or row.locked_until, row.locked_until)
    await session.flush()
    if locked and row.locked_until is not None:
        ctx.count_event("lockout")
        await record_change(
            session,
            SINK,
            actor=f"address:{ctx.client_ip}",
            action="account.lockout",
            entity="account",
            entity_id=account.username,
            after={
                "address": ctx.client_ip,
                "locked_until": row.locked_until.isoformat(),
                "lockouts": row.lockouts,
            },
        )
        log.warning("login locked out", extra={"username": account.username, "address": ctx.client_ip})


def _account_token(account: Account, ctx: TokenContext) -> TokenResponse:
    ttl = ctx.settings.access_token_ttl_s
    extra: dict[str, Any] = {
        "typ": "user",
        "preferred_username": account.username,
        "nip": account.nip,
        "institution_id": account.institution_id if Role.MITRA in account.roles else None,
        "unit_id": account.unit_id if Role.UNIT_ADMIN in account.roles else None,
    }
    token = ctx.signer.issue(account.nip or account.username, account.roles, ttl_s=ttl, extra=extra)
    return TokenResponse(access_token=token, expires_in=ttl)


async def _authenticate_client(session: AsyncSession, request: TokenRequest, ctx: TokenContext) -> ApiClient:
    """The registered client whose credentials (HTTP Basic or the body, not both) are right, or
    InvalidClient. Failures count against the client and address like failed logins."""
    if request.basic is not None:
        if request.client_id or request.client_secret:
            # RFC 6749 §2.3: a client must not use more than one authentication method per request.
            raise InvalidRequest("Send client credentials either in the Authorization header or the body.")
        client_id, secret = request.basic
    else:
        client_id, secret = request.client_id or "", request.client_secret or ""
    if not client_id or not secret:
        raise InvalidClient("Client authentication is required.")
    if len(client_id) > _MAX_CREDENTIAL_CHARS or len(secret) > _MAX_CREDENTIAL_CHARS:
        raise InvalidRequest("client_id or client_secret is too long.")
    key = await _admit_attempt("client", client_id, ctx)

    now = clock.now()
    client = await repository.client_by_id(session, client_id)
    stored = client.secret_hash if client else None
    matches = await _verify(ctx.client_secrets.verify(stored, secret), ctx)
    used_previous = False
    if (
        not matches
        and client is not None
        and client.previous_secret_hash is not None
        and client.previous_secret_expires_at is not None
        and client.previous_secret_expires_at > now
    ):
        # The secret before the last rotation keeps working during the grace period.
        matches = await _verify(ctx.client_secrets.verify(client.previous_secret_hash, secret), ctx)
        used_previous = matches
    if client is None or not matches or not client.active:
        await _failed_attempt(ctx)
        log.info("client authentication refused", extra={"reason": "credentials"})
        raise InvalidClient("The client is unknown, revoked, or the secret is wrong.")
    # A hash of the earlier scheme (argon2) is replaced by the keyed hash now that the secret proved right.
    if used_previous and ClientSecrets.needs_upgrade(client.previous_secret_hash):
        client.previous_secret_hash = ctx.client_secrets.hash(secret)
        await session.flush()
    elif not used_previous and ClientSecrets.needs_upgrade(client.secret_hash):
        client.secret_hash = ctx.client_secrets.hash(secret)
        await session.flush()
    await ctx.limiter.reset(key)
    return client


async def _client_credentials_grant(
    session: AsyncSession, request: TokenRequest, ctx: TokenContext
) -> TokenResponse:
    if request.username or request.password:
        raise InvalidRequest("The client_credentials grant takes no username or password.")
    client = await _authenticate_client(session, request, ctx)
    await repository.record_client_use(session, client, now=clock.now())
    ttl = ctx.settings.client_token_ttl_s
    # The client's own limit rides in the token, so the edge enforces it without a database read; a change
    # applies to tokens issued afterwards. Without the claim the edge applies the current default.
    extra: dict[str, Any] = {
        "typ": "client",
        RATE_LIMIT_CLAIM: client.rate_limit_per_minute,
        # RFC 9068 §2.2.3: space-separated; absent when nothing was granted.
        "scope": " ".join(sorted(client.scopes)) or None,
    }
    token = ctx.signer.issue(client.client_id, client.roles, ttl_s=ttl, extra=extra)
    return TokenResponse(access_token=token, expires_in=ttl)


# ---------------------------------------------------------------------------------------------- accounts


def _account_out(account: Account) -> AccountOut:
    return AccountOut.model_validate(account)


def account_state(account: Account) -> dict[str, Any]:
    """An account as the audit log keeps it: what the admin sees, never the password hash."""
    return _account_out(account).model_dump(mode="json", exclude={"updated_at"})


async def create_account(session: AsyncSession, body: AccountCreate, *, actor: str) -> AccountOut:
    """Create an account; 409 when the username is taken."""
    if await repository.username_exists(session, body.username):
        raise Conflict(msg("An account named {username!r} already exists.", username=body.username))
    account = Account(
        username=body.username,
        password_hash=await hash_secret_async(body.password.get_secret_value()),
        roles=list(body.roles),
        nip=body.nip,
        institution_id=body.institution_id,
        unit_id=body.unit_id,
    )
    try:
        await repository.add(session, account)
    except IntegrityError as exc:  # created by a simultaneous request since the check above
        raise Conflict(msg("An account named {username!r} already exists.", username=body.username)) from exc
    await record_change(
        session,
        SINK,
        actor=actor,
        action="account.create",
        entity="account",
        entity_id=account.username,
        after=account_state(account),
    )
    log.info("account created", extra={"username": account.username, "roles": account.roles})
    return _account_out(account)


async def list_accounts(session: AsyncSession, *, cursor: str | None, limit: int) -> Page[AccountOut]:
    """One page of accounts, ordered by username."""
    after = decode_cursor(cursor, 1)
    rows = await repository.list_accounts(session, after=str(after[0]) if after else None, limit=limit + 1)
    page, next_cursor = page_of(rows, limit, lambda a: [a.username])
    return Page(items=[_account_out(a) for a in page], next_cursor=next_cursor)


def _is_self(account: Account, actor: Principal) -> bool:
    return actor.subject in (account.username, account.nip)


async def update_account(
    session: AsyncSession, username: str, body: AccountUpdate, actor: Principal
) -> AccountOut:
    """Change an account's state, roles, identifiers or password (which also lifts a lockout)."""
    account = await repository.account_by_username(session, username)
    if account is None:
        raise NotFound(msg("No account named {username!r}.", username=username))
    changes = body.model_fields_set
    roles: list[str] = (
        [str(r) for r in body.roles] if "roles" in changes and body.roles is not None else list(account.roles)
    )
    nip = body.nip if "nip" in changes else account.nip
    institution_id = body.institution_id if "institution_id" in changes else account.institution_id
    unit_id = body.unit_id if "unit_id" in changes else account.unit_id
    try:
        check_role_needs(roles, nip, institution_id, unit_id)
    except ValueError as exc:
        raise InvalidInput(message_of(exc), errors=[{"loc": ["body", "roles"], "msg": str(exc)}]) from exc
    active = body.active if body.active is not None else account.active
    if _is_self(account, actor) and (not active or Role.ADMIN not in roles):
        raise Conflict(msg("Admins cannot disable their own account or drop their own admin role."))

    before = account_state(account)
    account.roles, account.nip, account.institution_id, account.active = roles, nip, institution_id, active
    account.unit_id = unit_id
    if body.password is not None:
        account.password_hash = await hash_secret_async(body.password.get_secret_value())
        account.failed_logins = 0
        account.locked_until = None
        await repository.unlock(session, account.username, now=clock.now())
    await session.flush()
    await session.refresh(account)
    after = account_state(account)
    if body.password is not None:
        after["password"] = "changed"  # the audit says that it changed, never what to
    await record_change(
        session,
        SINK,
        actor=actor.subject,
        action="account.update",
        entity="account",
        entity_id=account.username,
        before=before,
        after=after,
    )
    log.info("account updated", extra={"username": account.username, "fields": sorted(changes)})
    return _account_out(account)


async def unlock_account(session: AsyncSession, username: str, *, actor: str) -> AccountOut:
    """Lift every lock-out of the account (from every address) and forget its failed logins; audited."""
    account = await repository.account_by_username(session, username)
    if account is None:
        raise NotFound(msg("No account named {username!r}.", username=username))
    addresses = await repository.unlock(session, username, now=clock.now())
    account.failed_logins = 0
    account.locked_until = None
    await session.flush()
    await session.refresh(account)
    await record_change(
        session,
        SINK,
        actor=actor,
        action="account.unlock",
        entity="account",
        entity_id=username,
        before={"locked_addresses": addresses},
        after={"locked_addresses": []},
    )
    log.info("account unlocked", extra={"username": username, "addresses": len(addresses)})
    return _account_out(account)


# ---------------------------------------------------------------------------------------------- clients


def _client_out(client: ApiClient) -> ClientOut:
    return ClientOut.model_validate(client)


def client_state(client: ApiClient) -> dict[str, Any]:
    """An API client as the audit log keeps it: its settings, never a secret or its usage counters."""
    return _client_out(client).model_dump(mode="json", exclude={"usage_count", "last_used_at"})


async def _client_changed(
    session: AsyncSession, client: ApiClient, action: str, actor: str, before: dict[str, Any] | None
) -> None:
    await record_change(
        session,
        SINK,
        actor=actor,
        action=f"api_client.{action}",
        entity="api_client",
        entity_id=client.client_id,
        before=before,
        after=client_state(client),
    )


async def create_client(
    session: AsyncSession,
    body: ClientCreate,
    *,
    default_rate_limit: int,
    actor: str,
    client_secrets: ClientSecrets,
) -> ClientCreated:
    """Register an API client with a new random secret, returned this once and stored only as a hash."""
    client_id = "cl_" + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        client_id=client_id,
        name=body.name,
        secret_hash=client_secrets.hash(secret),
        roles=list(body.roles),
        scopes=list(body.scopes),
        rate_limit_per_minute=body.rate_limit_per_minute or default_rate_limit,
    )
    await repository.add(session, client)
    await _client_changed(session, client, "create", actor, None)
    log.info("api client created", extra={"client_id": client_id, "roles": client.roles})
    return ClientCreated(
        client_id=client_id,
        client_secret=secret,
        name=client.name,
        roles=client.roles,
        scopes=client.scopes,
        rate_limit_per_minute=client.rate_limit_per_minute,
    )


async def _existing_client(session: AsyncSession, client_id: str) -> ApiClient:
    client = await repository.client_by_id(session, client_id)
    if client is None:
        raise NotFound(msg("No API client {client_id!r}.", client_id=client_id))
    return client


async def get_client(session: AsyncSession, client_id: str) -> ClientOut:
    """One API client with its usage."""
    return _client_out(await _existing_client(session, client_id))


async def update_client(
    session: AsyncSession, client_id: str, body: ClientUpdate, *, actor: str
) -> ClientOut:
    """Rename a client, change its roles, scopes or rate limit (tokens issued from now on carry the new
    ones); audited with the state before and after."""
    client = await _existing_client(session, client_id)
    before = client_state(client)
    changes = body.model_fields_set
    if "name" in changes and body.name is not None:
        client.name = body.name
    if "roles" in changes and body.roles is not None:
        client.roles = [str(r) for r in body.roles]
    if "scopes" in changes and body.scopes is not None:
        client.scopes = [str(s) for s in body.scopes]
    if "rate_limit_per_minute" in changes and body.rate_limit_per_minute is not None:
        client.rate_limit_per_minute = body.rate_limit_per_minute
    await session.flush()
    await _client_changed(session, client, "update", actor, before)
    log.info("api client updated", extra={"client_id": client_id, "fields": sorted(changes)})
    return _client_out(client)


async def rotate_client_secret(
    session: AsyncSession,
    client_id: str,
    *,
    grace_s: int,
    actor: str,
    client_secrets: ClientSecrets,
    now: datetime | None = None,
) -> ClientSecretRotated:
    """Give the client a new secret. The current one keeps working for ``grace_s`` seconds so the
    integrator can deploy the new one; a secret from an earlier rotation stops at once. ``grace_s=0`` (a
    leaked secret) refuses the current one from this moment and forgets its hash. 409 when revoked."""
    client = await repository.client_by_id(session, client_id, for_update=True)
    if client is None:
        raise NotFound(msg("No API client {client_id!r}.", client_id=client_id))
    if not client.active:
        raise Conflict(msg("API client {client_id!r} is revoked; register a new one.", client_id=client_id))
    now = now or clock.now()
    before = client_state(client)
    secret = secrets.token_urlsafe(32)
    client.previous_secret_hash = client.secret_hash if grace_s > 0 else None
    client.previous_secret_expires_at = now + timedelta(seconds=grace_s)
    client.secret_hash = client_secrets.hash(secret)
    await session.flush()
    await _client_changed(session, client, "rotate_secret", actor, before)
    log.info("api client secret rotated", extra={"client_id": client_id, "grace_s": grace_s})
    return ClientSecretRotated(
        client_id=client_id,
        client_secret=secret,
        previous_secret_expires_at=client.previous_secret_expires_at,
    )


async def list_clients(session: AsyncSession, *, cursor: str | None, limit: int) -> Page[ClientOut]:
    """One page of API clients, ordered by client id."""
    after = decode_cursor(cursor, 1)
    rows = await repository.list_clients(session, after=str(after[0]) if after else None, limit=limit + 1)
    page, next_cursor = page_of(rows, limit, lambda c: [c.client_id])
    return Page(items=[_client_out(c) for c in page], next_cursor=next_cursor)


SERVICE_CLIENT_PREFIX = "svc-"


async def revoke_client(
    session: AsyncSession, client_id: str, *, actor: str, confirm: str | None = None
) -> ClientOut:
    """Stop the client from obtaining tokens (idempotent: a repeat changes and records nothing). Tokens
    already issued expire on their own. One of the services' own clients (``svc-*``) is revoked only when
    ``confirm`` repeats its id: without it the services lose their tokens and stop talking to each other."""
    client = await _existing_client(session, client_id)
    if client.active and client_id.startswith(SERVICE_CLIENT_PREFIX) and confirm != client_id:
        raise Conflict(
            msg(
                "{client_id!r} is one of the services' own API clients; revoking it stops the services from "
                'calling each other. Send {{"confirm": "{client_id}"}} to revoke it anyway.',
                client_id=client_id,
            )
        )
    if client.active:
        before = client_state(client)
        client.active = False
        client.revoked_at = clock.now()
        await session.flush()
        await _client_changed(session, client, "revoke", actor, before)
        log.info("api client revoked", extra={"client_id": client_id})
    return _client_out(client)
