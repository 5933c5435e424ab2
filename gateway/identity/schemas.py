"""Request and response bodies of the identity endpoints (accounts, API clients, tokens, JWKS)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)

from services.common.auth import Role
from services.common.i18n import msg

# Roles a person may hold; "service" is reserved for our own services' API clients.
ACCOUNT_ROLES = tuple(r for r in Role.ALL if r != Role.SERVICE)
CLIENT_ROLES = (Role.INTEGRATOR, Role.SERVICE)


class AccountRole(StrEnum):
    """A role a person's account may hold (a named schema, so generated clients get an enum type)."""

    ADMIN = "admin"
    PEGAWAI = "pegawai"
    PELATIHAN_ADMIN = "pelatihan_admin"
    MITRA = "mitra"
    INTEGRATOR = "integrator"
    UNIT_ADMIN = "unit_admin"


class ClientScope(StrEnum):
    """A scope an admin grants an API client: the app's answers that carry people's NIPs or names
    (docs/integrators.md "Scopes")."""

    KINERJA_INDIVIDUAL = "kinerja:individual"
    PELATIHAN_INDIVIDUAL = "pelatihan:individual"


class ClientRole(StrEnum):
    """A role an API client may hold; ``service`` is reserved for our own services."""

    INTEGRATOR = "integrator"
    SERVICE = "service"


USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,63}$"
NIP_PATTERN = r"^[0-9]{18}$"


def _unique_sorted(values: list[str]) -> list[str]:
    # Plain strings after validation (the enums only name the values in OpenAPI).
    return sorted({str(v) for v in values})


def _uuid_string(value: str) -> str:
    # Institutions live in pelatihan; here only the shape of their id can be checked.
    return str(uuid.UUID(value))


Username = Annotated[
    str,
    Field(
        pattern=USERNAME_PATTERN,
        description="3-64 characters: lowercase letters, digits, '.', '_' or '-'.",
        examples=["siti.rahma"],
    ),
]
Password = Annotated[
    SecretStr,
    Field(
        min_length=12, max_length=256, description="At least 12 characters.", examples=["a-long-passphrase"]
    ),
]
Nip = Annotated[
    str, Field(pattern=NIP_PATTERN, description="18 digits, no spaces.", examples=["198609262015051001"])
]
InstitutionId = Annotated[
    str,
    AfterValidator(_uuid_string),
    Field(description="The partner institution (pelatihan) a mitra account acts for."),
]


UnitId = Annotated[
    str,
    AfterValidator(_uuid_string),
    Field(description="The unit (kinerja) a unit_admin account acts for."),
]


def check_role_needs(
    roles: list[str], nip: str | None, institution_id: str | None, unit_id: str | None = None
) -> None:
    """Raise ValueError when a role lacks the identifier it depends on (pegawai: NIP, mitra: institution,
    unit_admin: unit)."""
    if Role.UNIT_ADMIN in roles and unit_id is None:
        raise ValueError("role unit_admin needs a unit_id")
    if Role.PEGAWAI in roles and nip is None:
        raise ValueError(msg("role pegawai needs a nip"))
    if Role.MITRA in roles and institution_id is None:
        raise ValueError(msg("role mitra needs an institution_id"))


class GrantType(StrEnum):
    """The grants POST /auth/token issues tokens for (RFC 6749 §4.3 and §4.4)."""

    PASSWORD = "password"
    CLIENT_CREDENTIALS = "client_credentials"


class OAuthErrorCode(StrEnum):
    """The `error` of a token-endpoint error: the RFC 6749 §5.2 codes, and `slow_down` (RFC 8628 §3.5) for
    too many failed attempts."""

    INVALID_REQUEST = "invalid_request"
    INVALID_CLIENT = "invalid_client"
    INVALID_GRANT = "invalid_grant"
    UNAUTHORIZED_CLIENT = "unauthorized_client"
    UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
    INVALID_SCOPE = "invalid_scope"
    SLOW_DOWN = "slow_down"


class TokenForm(BaseModel):
    """The form of POST /auth/token (application/x-www-form-urlencoded; RFC 6749 §4.3 and §4.4)."""

    # Any text is read (an unknown grant is answered 400 unsupported_grant_type, RFC 6749 §5.2, not 422);
    # clients are told the two values, as the named schema GrantType (gateway/main.py lists it).
    grant_type: Annotated[
        str | None, WithJsonSchema({"anyOf": [TypeAdapter(GrantType).json_schema(), {"type": "null"}]})
    ] = Field(default=None, description="`password` or `client_credentials`.", examples=["password"])
    username: str | None = Field(default=None, description="Password grant.", examples=["siti.rahma"])
    password: str | None = Field(default=None, description="Password grant.")
    client_id: str | None = Field(
        default=None, description="Client-credentials grant (or send HTTP Basic instead)."
    )
    client_secret: str | None = Field(default=None, description="Client-credentials grant.")
    scope: str | None = Field(
        default=None,
        description="Accepted and ignored: the client's roles and granted scopes decide what a token may do "
        "(the token's `scope` claim lists the granted ones).",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"grant_type": "password", "username": "admin", "password": "bengkulu-demo"},
                {
                    "grant_type": "client_credentials",
                    "client_id": "cl_5b1f0c9e7a2d4e61",
                    "client_secret": "mJ9s3Qy0u6v4kZ1p2r8t5w7x0a3b6c9d2e5f8g1h4i7",
                },
            ]
        }
    )


class TokenResponse(BaseModel):
    """An access token (RFC 6749 §5.1)."""

    access_token: str = Field(description="An RS256 JWT; send it as `Authorization: Bearer <token>`.")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.", examples=[900])


class TokenError(BaseModel):
    """An error of the token endpoint (RFC 6749 §5.2), sent as `application/json`, not problem+json."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": "invalid_client",
                    "error_description": "The client is unknown, revoked, or the secret is wrong.",
                    "request_id": "0f8b5c2e4d6a4b1c9e7f3a5d2c4b6e8f",
                }
            ]
        }
    )

    error: OAuthErrorCode = Field(
        description="The RFC 6749 error code (`slow_down`: too many failed attempts, see Retry-After)."
    )
    error_description: str = Field(description="What went wrong, for the developer (not for end users).")
    request_id: str | None = Field(
        default=None, description="The request's X-Request-ID (an extension member; quote it to support)."
    )


class Jwk(BaseModel):
    """One RSA public key (RFC 7517)."""

    kty: str = Field(examples=["RSA"])
    use: str = Field(examples=["sig"])
    alg: str = Field(examples=["RS256"])
    kid: str = Field(description="RFC 7638 thumbprint; matches the `kid` header of tokens.")
    n: str
    e: str = Field(examples=["AQAB"])
    x_purpose: str | None = Field(
        default=None,
        alias="x-purpose",
        description="`snapshot` for publik's snapshot-signing keys; absent on keys that verify tokens.",
    )

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class Jwks(BaseModel):
    """The keys that verify every access token (and signed snapshots)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "keys": [
                        {
                            "kty": "RSA",
                            "use": "sig",
                            "alg": "RS256",
                            "kid": "2Xo1Vt5cQm0pLr8sYw3nH6kJ9aB4dF7gE1iU0oZ2xC4",
                            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSo",
                            "e": "AQAB",
                        }
                    ]
                }
            ]
        }
    )

    keys: list[Jwk]


class AccountCreate(BaseModel):
    """A new person who logs in with a password."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "siti.rahma",
                    "password": "a-long-passphrase",
                    "roles": ["pegawai"],
                    "nip": "198609262015051001",
                }
            ]
        },
    )

    username: Username
    password: Password
    roles: Annotated[list[AccountRole], AfterValidator(_unique_sorted), Field(min_length=1)]
    nip: Nip | None = Field(default=None, description="Required for role pegawai.")
    institution_id: InstitutionId | None = Field(default=None, description="Required for role mitra.")
    unit_id: UnitId | None = Field(default=None, description="Required for role unit_admin.")

    @model_validator(mode="after")
    def _role_needs(self) -> AccountCreate:
        check_role_needs(list(self.roles), self.nip, self.institution_id, self.unit_id)
        return self


class AccountUpdate(BaseModel):
    """Changes to an account; fields left out stay as they are. A new password also lifts a lockout."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"roles": ["pegawai", "pelatihan_admin"]}]}
    )

    active: bool | None = None
    roles: Annotated[list[AccountRole], AfterValidator(_unique_sorted), Field(min_length=1)] | None = None
    password: Password | None = Field(default=None, description="Reset the password (and unlock).")
    nip: Nip | None = None
    institution_id: InstitutionId | None = None
    unit_id: UnitId | None = None


class AccountOut(BaseModel):
    """An account as the admin sees it (never the password hash)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "4f6c2d1e-8a3b-4c5d-9e0f-1a2b3c4d5e6f",
                    "username": "siti.rahma",
                    "roles": ["pegawai"],
                    "nip": "198609262015051001",
                    "institution_id": None,
                    "active": True,
                    "is_demo": False,
                    "locked_until": None,
                    "created_at": "2026-03-01T02:00:00Z",
                    "updated_at": "2026-03-01T02:00:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    username: str = Field(examples=["siti.rahma"])
    roles: list[str] = Field(examples=[["pegawai"]])
    nip: str | None = Field(default=None, examples=["198609262015051001"])
    institution_id: str | None = None
    unit_id: str | None = None
    active: bool
    is_demo: bool
    locked_until: datetime | None = Field(
        default=None,
        description=(
            "The end of the latest lock-out after failed logins. Lock-outs hold for the address the failures "
            "came from only; POST /auth/accounts/{username}/unlock lifts them all."
        ),
    )
    created_at: datetime
    updated_at: datetime


RateLimit = Annotated[
    int,
    Field(
        ge=1,
        le=1_000_000,
        description="Requests per minute allowed to tokens of this client (429 with Retry-After beyond).",
        examples=[600],
    ),
]


class ClientCreate(BaseModel):
    """A new API client (client-credentials grant)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Dashboard Bappeda", "roles": ["integrator"], "rate_limit_per_minute": 600}]
        },
    )

    name: str = Field(min_length=1, max_length=200, examples=["Dashboard Bappeda"])
    roles: Annotated[list[ClientRole], AfterValidator(_unique_sorted), Field(min_length=1)] = Field(
        examples=[["integrator"]]
    )
    scopes: Annotated[list[ClientScope], AfterValidator(_unique_sorted)] = Field(
        default_factory=list,
        description="Grants beyond the roles; without `kinerja:individual` / `pelatihan:individual` an "
        "integrator reads aggregates only.",
        examples=[["kinerja:individual"]],
    )
    rate_limit_per_minute: RateLimit | None = Field(
        default=None, description="Defaults to the gateway's `client_rate_limit_per_minute` setting."
    )


class ClientRevoke(BaseModel):
    """The optional body of a revocation: the services' own clients (``svc-*``) need ``confirm``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"confirm": "svc-kinerja"}]})

    confirm: str | None = Field(
        default=None,
        max_length=64,
        description="The client's id again; required to revoke one of the services' own clients (svc-*).",
        examples=["svc-kinerja"],
    )


class ClientUpdate(BaseModel):
    """Changes to an API client; fields left out stay as they are."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"rate_limit_per_minute": 1200}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    roles: Annotated[list[ClientRole], AfterValidator(_unique_sorted), Field(min_length=1)] | None = None
    scopes: Annotated[list[ClientScope], AfterValidator(_unique_sorted)] | None = Field(
        default=None,
        description="The whole set of scopes (an empty list takes them all away); applies to tokens issued "
        "from now on (at most `client_token_ttl_s` later).",
    )
    rate_limit_per_minute: RateLimit | None = Field(
        default=None, description="Applies to tokens issued from now on (at most `client_token_ttl_s` later)."
    )


class ClientOut(BaseModel):
    """An API client as the admin sees it (never the secret)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "client_id": "cl_5b1f0c9e7a2d4e61",
                    "name": "Dashboard Bappeda",
                    "roles": ["integrator"],
                    "scopes": ["kinerja:individual"],
                    "active": True,
                    "is_demo": False,
                    "rate_limit_per_minute": 600,
                    "usage_count": 1523,
                    "last_used_at": "2026-03-31T17:00:00Z",
                    "previous_secret_expires_at": None,
                    "revoked_at": None,
                    "created_at": "2026-03-01T02:00:00Z",
                }
            ]
        },
    )

    client_id: str
    name: str
    roles: list[str]
    scopes: list[str] = Field(description="What an admin granted beyond the roles (tokens' `scope` claim).")
    active: bool
    is_demo: bool
    rate_limit_per_minute: int | None = Field(
        default=None, description="Null: the gateway's default (`client_rate_limit_per_minute`)."
    )
    usage_count: int = Field(
        description="Token requests plus API requests made with its tokens (added every few seconds)."
    )
    last_used_at: datetime | None = None
    previous_secret_expires_at: datetime | None = Field(
        default=None, description="Until then the secret before the last rotation still works."
    )
    revoked_at: datetime | None = None
    created_at: datetime


class ClientCreated(BaseModel):
    """A new API client with its secret, which is shown this once and never again."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_id": "cl_5b1f0c9e7a2d4e61",
                    "client_secret": "mJ9s3Qy0u6v4kZ1p2r8t5w7x0a3b6c9d2e5f8g1h4i7",
                    "name": "Dashboard Bappeda",
                    "roles": ["integrator"],
                    "rate_limit_per_minute": 600,
                }
            ]
        }
    )

    client_id: str = Field(examples=["cl_5b1f0c9e7a2d4e61"])
    client_secret: str = Field(description="Store it now: only its hash is kept.")
    name: str
    roles: list[str]
    scopes: list[str] = Field(default_factory=list)
    rate_limit_per_minute: int | None = None


class ClientSecretRotation(BaseModel):
    """How long the secret being replaced keeps working (an optional body of the rotate call)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"grace_s": 0}]})

    grace_s: int | None = Field(
        default=None,
        ge=0,
        le=604_800,
        description="Seconds the current secret keeps working. 0 refuses it at once (a leaked secret); "
        "absent or null: the gateway's `client_secret_grace_s` (24 h by default).",
    )


class ClientSecretRotated(BaseModel):
    """A client's new secret (shown this once); the previous one works until ``previous_secret_expires_at``."""

    client_id: str = Field(examples=["cl_5b1f0c9e7a2d4e61"])
    client_secret: str = Field(description="Store it now: only its hash is kept.")
    previous_secret_expires_at: datetime = Field(
        description="The secret before this rotation is refused from this moment on."
    )
