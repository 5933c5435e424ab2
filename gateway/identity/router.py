"""Identity endpoints: the token endpoint (RFC 6749), the JWKS, and the administration of accounts and
API clients. Each route parses, authorises and calls one function of ``gateway.identity.service``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import Form, HTTPException, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from gateway.identity import oauth_errors, service
from gateway.identity.oauth_errors import OAuthError
from gateway.identity.schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ClientCreate,
    ClientCreated,
    ClientOut,
    ClientRevoke,
    ClientSecretRotated,
    ClientSecretRotation,
    ClientUpdate,
    Jwks,
    TokenError,
    TokenForm,
    TokenResponse,
)
from gateway.state import gateway_state
from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.metrics import count_event
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page
from services.common.ratelimit import client_address_key
from services.common.routing import ServiceRouter

router = ServiceRouter(tags=["identity"])

_TOKEN_ERROR_REF = {"$ref": "#/components/schemas/TokenError"}


def _token_error_responses() -> dict[int | str, dict[str, Any]]:
    """The token endpoint's error answers (RFC 6749 §5.2), all `application/json` TokenError objects."""

    def answer(description: str, example: dict[str, str], **headers: str) -> dict[str, Any]:
        return {
            "model": TokenError,
            "description": description,
            "content": {"application/json": {"schema": _TOKEN_ERROR_REF, "example": example}},
            "headers": {
                name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
            },
        }

    return {
        400: answer(
            "invalid_request, invalid_grant (wrong username or password, locked or disabled account), "
            "invalid_scope, unauthorized_client or unsupported_grant_type",
            {"error": "invalid_grant", "error_description": service.SAME_FOR_EVERY_REFUSAL},
        ),
        401: answer(
            "invalid_client: unknown or revoked client, wrong or expired secret, or no client authentication",
            {
                "error": "invalid_client",
                "error_description": "The client is unknown, revoked, or the secret is wrong.",
            },
            **{"WWW-Authenticate": 'The HTTP Basic challenge, `Basic realm="asn"`.'},
        ),
        429: answer(
            "slow_down: too many failed attempts for this account or client from this address, or too many "
            "requests from this address",
            {"error": "slow_down", "error_description": "Too many failed login attempts; retry later."},
            **{"Retry-After": "Seconds to wait before trying again."},
        ),
    }


def _token_error(exc: OAuthError) -> Response:
    status, body, headers = oauth_errors.render(exc)
    return Response(body, status_code=status, headers=headers)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """HTTP Basic client credentials (RFC 6749 §2.3.1: each part form-urlencoded), or None when absent."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise oauth_errors.InvalidRequest("Only HTTP Basic client authentication is accepted here.")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise oauth_errors.InvalidClient("Malformed Basic credentials.") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise oauth_errors.InvalidClient("Malformed Basic credentials.")
    return unquote_plus(client_id), unquote_plus(secret)


async def _single_parameters(request: Request) -> None:
    # RFC 6749 §3.2: request parameters must not be included more than once.
    form = await request.form()
    repeated = sorted({key for key in form if len(form.getlist(key)) > 1})
    if repeated:
        raise oauth_errors.InvalidRequest(f"Parameters sent more than once: {', '.join(repeated)}.")


class TokenRoute(APIRoute):
    """The token route answers even a form FastAPI cannot parse or validate as an RFC 6749 error, never as
    problem+json: OAuth client libraries read nothing else from this endpoint."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError:
                return _token_error(oauth_errors.InvalidRequest("The form is malformed."))
            except HTTPException as exc:
                if exc.status_code >= 500:
                    raise
                return _token_error(oauth_errors.InvalidRequest("The request body cannot be read as a form."))

        return handle


async def issue_token(
    request: Request,
    response: Response,
    session: SessionDep,
    form: Annotated[TokenForm, Form()],
) -> TokenResponse | Response:
    """OAuth 2.0 token endpoint (RFC 6749), form-encoded.

    `grant_type=password` with `username` and `password` for people, optionally with the `client_id` of a
    public client (the gateway's `oauth_public_client_ids`, `asn-web` by default; no secret);
    `grant_type=client_credentials` with `client_id` and `client_secret` (in the body or as HTTP Basic) for
    systems. Errors follow RFC 6749 §5.2, not problem+json: an `application/json` object with `error` and
    `error_description`, status 400, or 401 with `WWW-Authenticate` for `invalid_client`, or 429 with
    `Retry-After` (`slow_down`). After repeated failures an account is locked for a while, and failed
    attempts are rate limited per account (or client) and address.
    """
    try:
        await _single_parameters(request)
        token_request = service.TokenRequest(
            grant_type=form.grant_type,
            username=form.username,
            password=form.password,
            client_id=form.client_id,
            client_secret=form.client_secret,
            scope=form.scope,
            basic=_basic_credentials(request),
        )
        state = gateway_state(request.app)
        ctx = service.TokenContext(
            settings=state.settings,
            signer=state.keyring.signer,
            limiter=state.limiter,
            client_ip=client_address_key(request.scope),
            client_secrets=state.client_secrets,
            gate=state.client_secrets.gate,
            count_event=lambda event: count_event(request.app, event),
        )
        token = await service.issue_token(session, token_request, ctx)
    except OAuthError as exc:
        # Answered, not raised: the session still commits, so failed-login counts and lockouts persist.
        return _token_error(exc)
    response.headers.update(oauth_errors.NO_STORE)
    return token


router.add_api_route(
    oauth_errors.TOKEN_PATH,
    issue_token,
    methods=["POST"],
    operation_id="issue_token",
    summary="Obtain an access token",
    response_model=TokenResponse,
    route_class_override=TokenRoute,
    responses={
        200: {
            "description": "A bearer token",
            "content": {
                "application/json": {
                    "example": {
                        "access_token": "eyJhbGciOiJSUzI1NiIs...",
                        "token_type": "bearer",
                        "expires_in": 900,
                    }
                }
            },
        },
        **_token_error_responses(),
    },
)


@router.get(
    "/.well-known/jwks.json",
    operation_id="get_jwks",
    summary="Public keys that verify tokens",
    response_model=Jwks,
    response_model_exclude_none=True,
)
async def jwks(request: Request, response: Response) -> Jwks:
    """The JSON Web Key Set (RFC 7517) of the gateway: the current signing key and retired keys that still
    verify, plus publik's snapshot-signing keys (marked `x-purpose: snapshot`; they never verify a token).
    Match a token's `kid` header to a key; fetch again when an unknown `kid` appears."""
    response.headers["Cache-Control"] = "public, max-age=300"
    state = gateway_state(request.app)
    body = state.keyring.jwks()
    body["keys"] = [*body["keys"], *await state.snapshot_keys.keys(state.upstreams.base_urls("publik"))]
    return Jwks.model_validate(body)


@router.post(
    "/auth/accounts",
    operation_id="create_account",
    summary="Create an account",
    status_code=201,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_account(body: AccountCreate, session: SessionDep, admin: AdminDep) -> AccountOut:
    """Create a person's account (admin only). Role `pegawai` needs a `nip`; `mitra` needs an
    `institution_id`. The password is stored as an argon2id hash and never returned."""
    return await service.create_account(session, body, actor=admin.subject)


@router.get(
    "/auth/accounts",
    operation_id="list_accounts",
    summary="List accounts",
    responses=problem_responses(401, 403, 422),
)
async def list_accounts(
    session: SessionDep,
    _admin: AdminDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[AccountOut]:
    """Accounts ordered by username (admin only); pass `next_cursor` as `cursor` for the next page."""
    return await service.list_accounts(session, cursor=cursor, limit=limit)


@router.patch(
    "/auth/accounts/{username}",
    operation_id="update_account",
    summary="Change an account",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_account(
    username: Annotated[str, Path(max_length=64)],
    body: AccountUpdate,
    session: SessionDep,
    admin: AdminDep,
) -> AccountOut:
    """Enable or disable an account, change its roles or identifiers, or reset its password (which also
    lifts a lockout). Admin only; admins cannot disable themselves or drop their own admin role."""
    return await service.update_account(session, username, body, admin)


@router.post(
    "/auth/clients",
    operation_id="create_client",
    summary="Register an API client",
    status_code=201,
    responses=problem_responses(401, 403, 422),
)
async def create_client(
    body: ClientCreate, request: Request, session: SessionDep, admin: AdminDep
) -> ClientCreated:
    """Register a system that obtains tokens with the client-credentials grant (admin only). Roles:
    `integrator`, or `service` for our own services. The secret is returned once; store it now.
    `rate_limit_per_minute` defaults to the gateway's `client_rate_limit_per_minute` setting."""
    settings = gateway_state(request.app).settings
    return await service.create_client(
        session,
        body,
        default_rate_limit=settings.client_rate_limit_per_minute,
        actor=admin.subject,
        client_secrets=gateway_state(request.app).client_secrets,
    )


@router.get(
    "/auth/clients",
    operation_id="list_clients",
    summary="List API clients",
    responses=problem_responses(401, 403, 422),
)
async def list_clients(
    session: SessionDep,
    _admin: AdminDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[ClientOut]:
    """API clients ordered by client id, with their usage (admin only)."""
    return await service.list_clients(session, cursor=cursor, limit=limit)


@router.post(
    "/auth/clients/{client_id}/revoke",
    operation_id="revoke_client",
    summary="Revoke an API client",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def revoke_client(
    client_id: Annotated[str, Path(max_length=64)],
    session: SessionDep,
    admin: AdminDep,
    body: ClientRevoke | None = None,
) -> ClientOut:
    """Stop an API client from obtaining new tokens (admin only; repeating it changes nothing). Tokens
    already issued stay valid until they expire, at most `client_token_ttl_s`. The services' own clients
    (`svc-*`) need `{"confirm": "<client_id>"}` (else 409): without them the services cannot call each other."""
    confirm = body.confirm if body is not None else None
    return await service.revoke_client(session, client_id, actor=admin.subject, confirm=confirm)


@router.post(
    "/auth/accounts/{username}/unlock",
    operation_id="unlock_account",
    summary="Lift an account's lock-outs",
    responses=problem_responses(401, 403, 404, 422),
)
async def unlock_account(
    username: Annotated[str, Path(max_length=64)], request: Request, session: SessionDep, admin: AdminDep
) -> AccountOut:
    """Lift every lock-out of the account, from every address, and forget its failed logins (admin only;
    audited). Lock-outs are per (username, address) and grow with each repeat."""
    account = await service.unlock_account(session, username, actor=admin.subject)
    count_event(request.app, "unlock")
    return account


ClientIdPath = Annotated[str, Path(max_length=64, examples=["cl_5b1f0c9e7a2d4e61"])]
_CLIENT_EXAMPLE = {
    "client_id": "cl_5b1f0c9e7a2d4e61",
    "name": "Dashboard Bappeda",
    "roles": ["integrator"],
    "scopes": ["kinerja:individual"],
    "active": True,
    "is_demo": False,
    "rate_limit_per_minute": 600,
    "usage_count": 1834,
    "last_used_at": "2026-04-15T03:00:00Z",
    "previous_secret_expires_at": None,
    "revoked_at": None,
    "created_at": "2026-03-01T02:00:00Z",
}


@router.get(
    "/auth/clients/{client_id}",
    operation_id="get_client",
    summary="Show an API client",
    responses={
        200: {"content": {"application/json": {"example": _CLIENT_EXAMPLE}}},
        **problem_responses(401, 403, 404, 422),
    },
)
async def get_client(client_id: ClientIdPath, session: SessionDep, _admin: AdminDep) -> ClientOut:
    """One API client with its rate limit and usage (admin only). `usage_count` counts its token requests
    and the API requests made with its tokens; the gateway adds them every few seconds, not instantly."""
    return await service.get_client(session, client_id)


@router.patch(
    "/auth/clients/{client_id}",
    operation_id="update_client",
    summary="Change an API client",
    responses={
        200: {"content": {"application/json": {"example": _CLIENT_EXAMPLE}}},
        **problem_responses(401, 403, 404, 422),
    },
)
async def update_client(
    client_id: ClientIdPath, body: ClientUpdate, session: SessionDep, admin: AdminDep
) -> ClientOut:
    """Rename an API client, change its roles or its rate limit (admin only). Roles and the limit travel in
    its tokens, so they apply to tokens issued from now on (at most `client_token_ttl_s` later)."""
    return await service.update_client(session, client_id, body, actor=admin.subject)


@router.post(
    "/auth/clients/{client_id}/rotate",
    operation_id="rotate_client_secret",
    summary="Rotate an API client's secret",
    responses={
        200: {
            "description": "The new secret, shown this once",
            "content": {
                "application/json": {
                    "example": {
                        "client_id": "cl_5b1f0c9e7a2d4e61",
                        "client_secret": "mJ9s3Qy0u6v4kZ1p2r8t5w7x0a3b6c9d2e5f8g1h4i7",
                        "previous_secret_expires_at": "2026-04-16T03:00:00Z",
                    }
                }
            },
        },
        **problem_responses(401, 403, 404, 409, 422),
    },
)
async def rotate_client_secret(
    client_id: ClientIdPath,
    request: Request,
    response: Response,
    session: SessionDep,
    admin: AdminDep,
    body: ClientSecretRotation | None = None,
) -> ClientSecretRotated:
    """Issue a new secret for an API client (admin only); it is returned once. The secret it replaces keeps
    working until `previous_secret_expires_at` (the gateway's `client_secret_grace_s` later, or `grace_s`
    from the body), so the integrator can switch without downtime; rotating again ends that grace at once.
    A leaked secret is rotated with `{"grace_s": 0}`: the old secret is refused from that moment. Tokens
    already issued with it run until they expire (revoke them with `/auth/subjects/{sub}/revoke-tokens`).
    409 when revoked."""
    settings = gateway_state(request.app).settings
    response.headers.update(oauth_errors.NO_STORE)
    grace_s = settings.client_secret_grace_s if body is None or body.grace_s is None else body.grace_s
    return await service.rotate_client_secret(
        session,
        client_id,
        grace_s=grace_s,
        actor=admin.subject,
        client_secrets=gateway_state(request.app).client_secrets,
    )
