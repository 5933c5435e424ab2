"""Revoking a subject's tokens before they expire: a per-subject "not before" kept by the gateway.

``POST /auth/subjects/{sub}/revoke-tokens`` (admin, audited) stores ``now`` for the subject; every token of
that subject issued before it is then refused with 401 everywhere. The gateway checks it itself (its
verifier holds the list, read from the database every ``revocations_refresh_s`` and updated at once on the
replica that revoked); the services learn it from ``GET /internal/v1/token-revocations`` (service token
only; ``/internal`` is never forwarded) every 30 s (services/common/revocations.py). Only subjects whose
time is younger than the longest token lifetime are listed: older tokens have expired anyway.

The times are on the tokens' own timeline (``iat`` is the host's epoch second, services/common/auth.py),
and a revocation refuses tokens issued in the same second too (the time is rounded up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.changes import SINK
from gateway.identity.models import SubjectNotBefore
from gateway.state import gateway_state
from services.common.auth import AdminDep, NotBefore, Principal, Role, require_roles
from services.common.changes import record_change
from services.common.db import SessionDep, after_commit
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter

log = logging.getLogger("asn.identity.revocations")

SubjectPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="A token's `sub`: an account's username or an API client's id.",
        examples=["siti.rahma"],
    ),
]


class TokensRevoked(BaseModel):
    """A subject whose tokens issued before ``not_before`` are refused."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"subject": "siti.rahma", "not_before": "2026-04-16T03:00:01Z"}]}
    )

    subject: str = Field(examples=["siti.rahma"])
    not_before: datetime = Field(description="Tokens issued (`iat`) before this instant get 401 everywhere.")


class TokenRevocations(BaseModel):
    """Every subject with a live revocation and its time in epoch seconds (for the services)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"subjects": {"siti.rahma": 1776308401}}]})

    subjects: dict[str, int] = Field(examples=[{"siti.rahma": 1776308400}])


# ---------------------------------------------------------------------------------------------- data


async def _current(session: AsyncSession, subject: str) -> SubjectNotBefore | None:
    row: SubjectNotBefore | None = await session.get(SubjectNotBefore, subject, with_for_update=True)
    return row


async def live_revocations(session: AsyncSession, *, max_token_ttl_s: int) -> dict[str, int]:
    """Subjects whose time is younger than the longest token lifetime, with that time (epoch seconds)."""
    since = datetime.fromtimestamp(time.time() - max_token_ttl_s, UTC)
    rows = await session.execute(
        select(SubjectNotBefore.subject, SubjectNotBefore.not_before).where(
            SubjectNotBefore.not_before > since
        )
    )
    return {subject: int(at.timestamp()) for subject, at in rows}


async def revoke_tokens(session: AsyncSession, subject: str, *, actor: str) -> TokensRevoked:
    """Refuse every token of ``subject`` issued until now (audited, with the time before and after)."""
    at = datetime.fromtimestamp(math.floor(time.time()) + 1, UTC)
    existing = await _current(session, subject)
    before = {"not_before": existing.not_before.isoformat()} if existing is not None else None
    await session.execute(
        insert(SubjectNotBefore)
        .values(subject=subject, not_before=at)
        .on_conflict_do_update(index_elements=["subject"], set_={"not_before": at})
    )
    await record_change(
        session,
        SINK,
        actor=actor,
        action="subject.revoke_tokens",
        entity="subject",
        entity_id=subject,
        before=before,
        after={"not_before": at.isoformat()},
    )
    log.info("tokens revoked", extra={"subject": subject})
    return TokensRevoked(subject=subject, not_before=at)


# ---------------------------------------------------------------------------------------------- gateway's list


class GatewayRevocations:
    """Keeps the gateway verifier's :class:`NotBefore` filled from the database."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        not_before: NotBefore,
        *,
        max_token_ttl_s: int,
        interval_s: float,
    ) -> None:
        self._sessionmaker = sessionmaker
        self.not_before = not_before
        self.max_token_ttl_s = max_token_ttl_s
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def load(self) -> None:
        """Read the live list (a failure keeps the list held and is logged)."""
        try:
            async with self._sessionmaker() as session:
                self.not_before.replace(await live_revocations(session, max_token_ttl_s=self.max_token_ttl_s))
        except Exception:
            log.warning("token revocations not read; the list held is kept", exc_info=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.load()

    async def start(self) -> None:
        """Load once, then every ``interval_s``."""
        await self.load()
        self._task = asyncio.create_task(self._run(), name="gateway-token-revocations")

    async def close(self) -> None:
        """Stop the periodic read."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


# ---------------------------------------------------------------------------------------------- routes

router = ServiceRouter(tags=["identity"])
internal_router = ServiceRouter(prefix="/internal/v1", tags=["internal"])


@router.post(
    "/auth/subjects/{subject}/revoke-tokens",
    operation_id="revoke_subject_tokens",
    summary="Revoke every token of a subject issued so far",
    responses=problem_responses(401, 403, 422),
)
async def revoke_subject_tokens(
    subject: SubjectPath, request: Request, session: SessionDep, admin: AdminDep
) -> TokensRevoked:
    """Refuse every token of an account or API client issued until now, before it expires (admin only):
    a stolen token, a leaked client secret (rotate it with `{"grace_s": 0}` too), a person leaving. The
    gateway refuses them at once; the services within 30 s. New tokens (a new login, a new
    client-credentials grant) work from the next second. Audited as `subject.revoke_tokens`."""
    revoked = await revoke_tokens(session, subject, actor=admin.subject)
    not_before = gateway_state(request.app).token_verifier().not_before
    if not_before is not None:  # this replica refuses them once committed; the others at their next read
        at = int(revoked.not_before.timestamp())
        after_commit(session, lambda: not_before.set(subject, at))
    return revoked


@internal_router.get(
    "/token-revocations",
    operation_id="token_revocations",
    summary="Subjects whose earlier tokens are revoked (services)",
    responses=problem_responses(401, 403),
)
async def token_revocations(
    request: Request,
    session: SessionDep,
    caller: Annotated[Principal, Depends(require_roles(Role.SERVICE))],
) -> TokenRevocations:
    """The live revocations, read by the services every 30 s (service token only)."""
    settings = gateway_state(request.app).settings
    ttl = max(settings.access_token_ttl_s, settings.client_token_ttl_s)
    return TokenRevocations(subjects=await live_revocations(session, max_token_ttl_s=ttl))
