"""Identity endpoints: the token endpoint (RFC 6749), the JWKS, and the administration of accounts and
API clients. Each route parses, authorises and calls one function of ``gateway.identity.service``."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Form, Path, Request, Response
from fastapi.responses import JSONResponse

from gateway.identity import service
from gateway.identity.schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ClientCreate,
    ClientCreated,
    ClientOut,
    Jwks,
    OAuthProblem,
    TokenForm,
    TokenResponse,
)
from gateway.ratelimit import client_ip
from services.common.auth import Principal, Role, require_roles
from services.common.db import SessionDep
from services.common.errors import PROBLEM_JSON, problem_response, problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page

router = APIRouter(tags=["identity"])

AdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
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
async def create_account(body: AccountCreate, session: SessionDep, _admin: AdminDep) -> AccountOut:
    """Create a person's account (admin only). Role `pegawai` needs a `nip`; `mitra` needs an
    `institution_id`. The password is stored as an argon2id hash and never returned."""
    return await service.create_account(session, body)


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
async def create_client(body: ClientCreate, session: SessionDep, _admin: AdminDep) -> ClientCreated:
    """Register a system that obtains tokens with the client-credentials grant (admin only). Roles:
    `integrator`, or `service` for our own services. The secret is returned once; store it now."""
    return await service.create_client(session, body)


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
    responses=problem_responses(401, 403, 404),
)
async def revoke_client(
    client_id: Annotated[str, Path(max_length=64)], session: SessionDep, _admin: AdminDep
) -> ClientOut:
    """Stop an API client from obtaining new tokens (admin only; repeating it changes nothing). Tokens
    already issued stay valid until they expire, at most `client_token_ttl_s`."""
    return await service.revoke_client(session, client_id)
