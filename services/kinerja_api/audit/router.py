"""HTTP routes of /v1/audit: admins read the append-only audit log and check its hash chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import InvalidInput, problem_responses
from services.common.i18n import msg
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_cursor, page_of
from services.kinerja_api.audit import service
from services.kinerja_api.audit.schemas import AuditEntryRead, ChainCheck

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "",
    summary="Read the audit log",
    operation_id="audit_list",
    responses=problem_responses(401, 403, 422),
)
async def list_entries(
    session: SessionDep,
    _: AdminDep,
    entity: Annotated[
        str | None, Query(max_length=32, description="Only entries about this kind of record, e.g. `skp`.")
    ] = None,
    entity_id: Annotated[
        str | None, Query(max_length=64, description="Only entries about this record (needs `entity`).")
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[AuditEntryRead]:
    """Entries in the order they were chained (by `seq`), a keyset page at a time: who changed what, when,
    the state before and after, a reason, and `on_behalf_of` when an admin acted in the governor's name."""
    if entity_id is not None and entity is None:
        raise InvalidInput(
            msg("entity_id needs entity"),
            errors=[{"loc": ["query", "entity"], "msg": "required with entity_id"}],
        )
    after = decode_cursor(cursor, 1)
    rows = await service.list_entries(
        session,
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
async def verify(session: SessionDep, _: AdminDep) -> ChainCheck:
    """Recompute every entry's hash and its link to the previous one. A changed row breaks its own hash; a
    deleted row breaks the link of the next; `first_bad_seq` names the first entry that does not match."""
    report = await service.verify_chain(session)
    return ChainCheck(
        entries=report.entries, valid=report.valid, first_bad_seq=report.first_bad_seq, problem=report.problem
    )
