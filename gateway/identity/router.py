"""Identity endpoints: the token endpoint (RFC 6749), the JWKS, and the administration of accounts and
API clients. Each route parses, authorises and calls one function of ``gateway.identity.service``."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Path, Request, Response
from fastapi.responses import JSONResponse

from gateway.config import GatewaySettings
from gateway.identity import service
from gateway.identity.schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ClientCreate,
    ClientCreated,
    ClientOut,
    ClientSecretRotated,
    ClientUpdate,
    Jwks,
    OAuthProblem,
    TokenForm,
    TokenResponse,
)
from gateway.ratelimit import client_ip
from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import PROBLEM_JSON, problem_response, problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page

router = APIRouter(tags=["identity"])

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    ref = {"$ref": "#/components/schemas/OAuthProblem"}
    descriptions = {
        400: "invalid_request or unsupported_grant_type",
        401: "invalid_client or invalid_grant",
        429: "Too many failed attempts for this account or client from this address (see Retry-After)",
    }
    return {
        s: {"model": OAuthProblem, "description": descriptions[s], "content": {PROBLEM_JSON: {"schema": ref}}}
        for s in statuses
    }


def _oauth_problem(request: Request, exc: service.OAuthError) -> JSONResponse:
    rendered = problem_response(exc.status, detail=exc.detail, slug=exc.slug, instance=request.url.path)
    body = json.loads(bytes(rendered.body))
    body["error"] = exc.error
    if exc.detail:
        body["error_description"] = exc.detail
    return JSONResponse(
        body, status_code=exc.status, media_type=PROBLEM_JSON, headers={**_NO_STORE, **exc.headers}
    )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """HTTP Basic client credentials (RFC 6749 §2.3.1: each part form-urlencoded), or None when absent."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise service.InvalidRequest("Only HTTP Basic client authentication is accepted here.")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise service.InvalidClient(
            "Malformed Basic credentials.", headers={"WWW-Authenticate": 'Basic realm="asn"'}
        ) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise service.InvalidClient(
            "Malformed Basic credentials.", headers={"WWW-Authenticate": 'Basic realm="asn"'}
        )
    return unquote_plus(client_id), unquote_plus(secret)


@router.post(
    "/auth/token",
    operation_id="issue_token",
    summary="Obtain an access token",
    response_model=TokenResponse,
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
        **_oauth_responses(400, 401, 429),
        **problem_responses(422),
    },
)
async def issue_token(
    request: Request,
    response: Response,
    session: SessionDep,
    form: Annotated[TokenForm, Form()],
) -> TokenResponse | JSONResponse:
    """OAuth 2.0 token endpoint (RFC 6749), form-encoded.

    `grant_type=password` with `username` and `password` for people; `grant_type=client_credentials` with
    `client_id` and `client_secret` (in the body or as HTTP Basic) for systems. Errors are problem+json
    documents that also carry the RFC 6749 `error` code. After repeated failures an account is locked for
    a while, and failed attempts are rate limited per account and address.
    """
    try:
        token_request = service.TokenRequest(
            grant_type=form.grant_type,
            username=form.username,
            password=form.password,
            client_id=form.client_id,
            client_secret=form.client_secret,
            basic=_basic_credentials(request),
        )
        state = request.app.state
        ctx = service.TokenContext(
            settings=state.settings,
            signer=state.keyring.signer,
            limiter=state.limiter,
            client_ip=client_ip(request.scope),
        )
        token = await service.issue_token(session, token_request, ctx)
    except service.OAuthError as exc:
        # Answered, not raised: the session still commits, so failed-login counts and lockouts persist.
        return _oauth_problem(request, exc)
    response.headers.update(_NO_STORE)
    return token


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
    state = request.app.state
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
    settings: GatewaySettings = request.app.state.settings
    return await service.create_client(
        session, body, default_rate_limit=settings.client_rate_limit_per_minute, actor=admin.subject
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
    responses=problem_responses(401, 403, 404, 422),
)
async def revoke_client(
    client_id: Annotated[str, Path(max_length=64)], session: SessionDep, admin: AdminDep
) -> ClientOut:
    """Stop an API client from obtaining new tokens (admin only; repeating it changes nothing). Tokens
    already issued stay valid until they expire, at most `client_token_ttl_s`."""
    return await service.revoke_client(session, client_id, actor=admin.subject)


ClientIdPath = Annotated[str, Path(max_length=64, examples=["cl_5b1f0c9e7a2d4e61"])]
_CLIENT_EXAMPLE = {
    "client_id": "cl_5b1f0c9e7a2d4e61",
    "name": "Dashboard Bappeda",
    "roles": ["integrator"],
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
    client_id: ClientIdPath, request: Request, response: Response, session: SessionDep, admin: AdminDep
) -> ClientSecretRotated:
    """Issue a new secret for an API client (admin only); it is returned once. The secret it replaces keeps
    working until `previous_secret_expires_at` (the gateway's `client_secret_grace_s` later), so the
    integrator can switch without downtime; rotating again ends that grace at once. 409 when revoked."""
    settings: GatewaySettings = request.app.state.settings
    response.headers.update(_NO_STORE)
    return await service.rotate_client_secret(
        session, client_id, grace_s=settings.client_secret_grace_s, actor=admin.subject
    )
