"""The read side of an app's audit chain over HTTP: ``GET <prefix>`` (a keyset page of entries) and
``GET <prefix>/verify`` (recompute the chain), one router factory and one pair of response schemas for all
four apps, so each app's ``audit/router.py`` is a single call::

    router = audit_router(AuditEntry, prefix="/v1/audit", readers=(Role.ADMIN,))

plus ``GET /internal/v1/audit/head`` (:func:`audit_head_router`, service tokens only): the chain's last
``(seq, hash)``, which publik fetches every hour and anchors outside the app (services/publik_api/anchors/).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.common.auth import Role, require_roles
from services.common.changes.audit import AuditMixin, chain_tip, list_entries, verify_chain
from services.common.db import SessionDep
from services.common.errors import InvalidInput, problem_responses
from services.common.i18n import msg
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_cursor, page_of
from services.common.rfc3339 import normalise
from services.common.routing import ServiceRouter

ENTRY_EXAMPLE: dict[str, Any] = {
    "seq": 42,
    "at": "2026-01-20T03:00:00Z",
    "actor": "admin",
    "on_behalf_of": "GUBERNUR",
    "action": "skp.approve",
    "entity": "skp",
    "entity_id": "3f1c9a52-8b0e-4d7e-9a51-7c2b1d0e4f6a",
    "reason": None,
    "before": {"status": "SUBMITTED", "version": 3},
    "after": {"status": "APPROVED", "version": 4},
    "prev_hash": "5d41402abc4b2a76b9719d911017c592" * 2,
    "hash": "7d793037a0760186574b0282f2f435e7" * 2,
}


class AuditEntryRead(BaseModel):
    """One recorded change: who, when, what, before and after, and its link in the hash chain."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [ENTRY_EXAMPLE]})

    seq: int
    at: datetime
    actor: str = Field(description="The NIP of the employee, or the token subject of an admin or client.")
    on_behalf_of: str | None = Field(description="`GUBERNUR` when an admin acted in the governor's name.")
    action: str
    entity: str
    entity_id: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str

    @field_validator("before", "after")
    @classmethod
    def _rfc3339(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        # Stored states keep the text their hash covers (``2026-12-02 11:37:50+00:00``); the answer writes
        # their timestamps as the rest of the API does. /audit/verify reads the rows, not this model.
        return normalise(value) if value is not None else None


class ChainCheck(BaseModel):
    """The result of recomputing the whole chain: the first entry whose hash or link does not match."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"entries": 1200, "valid": True, "first_bad_seq": None, "problem": None},
                {
                    "entries": 17,
                    "valid": False,
                    "first_bad_seq": 17,
                    "problem": "the entry's content does not match its hash",
                },
            ]
        }
    )

    entries: int = Field(description="How many entries were checked (up to the first bad one).")
    valid: bool
    first_bad_seq: int | None
    problem: str | None


class AuditHead(BaseModel):
    """The last entry of an app's audit chain: ``seq`` 0 and the genesis hash while the chain is empty."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"seq": 42, "hash": ENTRY_EXAMPLE["hash"]}]})

    seq: int = Field(ge=0)
    hash: str = Field(pattern="^[0-9a-f]{64}$")


EntityQuery = Annotated[
    str | None,
    Query(max_length=32, description="Only entries about this kind of record, e.g. `skp` or `enrolment`."),
]
EntityIdQuery = Annotated[
    str | None, Query(max_length=64, description="Only entries about this record (needs `entity`).")
]


def audit_router(model: type[AuditMixin], *, prefix: str, readers: tuple[str, ...]) -> ServiceRouter:
    """The two audit routes of one app, readable by the holders of ``readers`` (401 without a token,
    403 without one of the roles)."""
    router = ServiceRouter(prefix=prefix, tags=["audit"], dependencies=[Depends(require_roles(*readers))])

    @router.get(
        "",
        summary="Read the audit log",
        operation_id="audit_list",
        responses=problem_responses(401, 403, 422),
    )
    async def list_audit_entries(
        session: SessionDep,
        entity: EntityQuery = None,
        entity_id: EntityIdQuery = None,
        limit: LimitQuery = DEFAULT_LIMIT,
        cursor: CursorQuery = None,
    ) -> Page[AuditEntryRead]:
        """Entries in the order they were chained (by `seq`), a keyset page at a time: who changed what,
        when, the state before and after, a reason, and `on_behalf_of` when someone acted in another's name."""
        if entity_id is not None and entity is None:
            raise InvalidInput(
                msg("entity_id needs entity"),
                errors=[{"loc": ["query", "entity"], "msg": "required with entity_id"}],
            )
        after = decode_cursor(cursor, 1)
        rows = await list_entries(
            session,
            model,
            entity=entity,
            entity_id=entity_id,
            after_seq=int(after[0]) if after else None,
            limit=limit + 1,
        )
        page, next_cursor = page_of(rows, limit, lambda e: [e.seq])
        return Page[AuditEntryRead](
            items=[AuditEntryRead.model_validate(e) for e in page], next_cursor=next_cursor
        )

    @router.get(
        "/verify",
        summary="Verify the audit chain",
        operation_id="audit_verify",
        responses=problem_responses(401, 403),
    )
    async def verify(session: SessionDep) -> ChainCheck:
        """Recompute every entry's hash and its link to the previous one. A changed row breaks its own hash; a
        deleted row breaks the link of the next; `first_bad_seq` names the first entry that does not match."""
        report = await verify_chain(session, model)
        return ChainCheck(
            entries=report.entries,
            valid=report.valid,
            first_bad_seq=report.first_bad_seq,
            problem=report.problem,
        )

    return router


def audit_head_router(model: type[AuditMixin], *, prefix: str = "/internal/v1/audit") -> ServiceRouter:
    """``GET <prefix>/head`` for service tokens (401 without a token, 403 for any other role). Under
    ``/internal``, which the gateway never forwards: publik's anchor keeper calls each app directly."""
    router = ServiceRouter(
        prefix=prefix, tags=["internal"], dependencies=[Depends(require_roles(Role.SERVICE))]
    )

    @router.get(
        "/head",
        summary="The head of the audit chain",
        operation_id="audit_head",
        responses=problem_responses(401, 403),
    )
    async def head(session: SessionDep) -> AuditHead:
        """The chain's last entry (`seq`, `hash`), read by publik's anchor keeper to anchor it outside this app;
        nothing about the entry's content."""
        seq, digest = await chain_tip(session, model)
        return AuditHead(seq=seq, hash=digest)

    return router
