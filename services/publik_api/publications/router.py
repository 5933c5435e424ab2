"""HTTP routes of /v1/publications (admin): list what waits for approval, approve a period."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request

from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import (
    DEFAULT_LIMIT,
    CursorQuery,
    LimitQuery,
    Page,
    decode_cursor,
    encode_cursor,
)
from services.common.routing import ServiceRouter
from services.publik_api.publications import repository, service
from services.publik_api.publications.schemas import PublicationRead
from services.publik_api.state import publik_state

router = ServiceRouter(prefix="/v1/publications", tags=["publications"])


@router.get(
    "",
    summary="List publications",
    operation_id="publications_list",
    responses=problem_responses(401, 403, 422),
)
async def list_publications(
    session: SessionDep,
    _: AdminDep,
    status: Annotated[
        str | None, Query(pattern="^(PENDING|APPROVED)$", description="Only this status.")
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[PublicationRead]:
    """Publications by period with their item counts; `?status=PENDING` lists what waits for approval, and
    `held` says which items wait or are published with figures withheld, and why."""
    after = decode_cursor(cursor, 1)
    rows = await repository.list_publications(
        session, status=status, after=str(after[0]) if after else None, limit=limit
    )
    page = rows[:limit]
    next_cursor = encode_cursor([page[-1]["period"]]) if len(rows) > limit else None
    held = await repository.held_items(session, [r["id"] for r in page])
    return Page[PublicationRead](
        items=[PublicationRead.model_validate({**r, "held": held.get(r["id"], [])}) for r in page],
        next_cursor=next_cursor,
    )


@router.post(
    "/{publication_id}/approve",
    summary="Approve a period's publication",
    operation_id="publications_approve",
    responses=problem_responses(401, 403, 404, 422),
)
async def approve_publication(
    publication_id: uuid.UUID, request: Request, session: SessionDep, principal: AdminDep
) -> PublicationRead:
    """Make the period's pending items and corrections public in the form the disclosure rules allow (a
    correction that would give a person away waits and is listed under `held` with the reasons), bump the publication version (every replica's cache rebuilds)
    and write a signed snapshot. Approving again publishes items that arrived since."""
    pub = await service.approve(
        session,
        publication_id,
        principal.subject,
        publik_state(request.app).snapshot_signer,
        min_group_size=publik_state(request.app).settings.min_group_size,
    )
    items, pending = await repository.publication_counts(session, pub.id)
    held = await repository.held_items(session, [pub.id])
    return PublicationRead(
        id=pub.id,
        period=pub.period,
        status=pub.status,
        created_at=pub.created_at,
        approved_at=pub.approved_at,
        approved_by=pub.approved_by,
        items=items,
        pending_items=pending,
        held=held.get(pub.id, []),
    )
