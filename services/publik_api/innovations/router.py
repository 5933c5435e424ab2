"""HTTP routes of /v1/innovations: admins record a unit's public-service innovations; anyone reads them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query, Request, status

from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import InvalidInput, problem_responses
from services.common.i18n import msg
from services.common.pagination import (
    DEFAULT_LIMIT,
    CursorQuery,
    LimitQuery,
    Page,
    decode_cursor,
    encode_cursor,
)
from services.common.routing import ServiceRouter
from services.publik_api.feed import repository as feed
from services.publik_api.innovations import service
from services.publik_api.innovations.schemas import InnovationCreate, InnovationRead
from services.publik_api.state import publik_state

router = ServiceRouter(prefix="/v1/innovations", tags=["innovations"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record an innovation",
    operation_id="innovations_create",
    responses=problem_responses(401, 403, 413, 422, 503),
)
async def create_innovation(
    body: InnovationCreate, request: Request, session: SessionDep, admin: AdminDep
) -> InnovationRead:
    """Record a unit's public-service innovation; it is public at once as an `INOVASI` feed item."""
    settings = publik_state(request.app).settings
    item_id, _name = await service.create(
        session,
        body,
        kinerja=publik_state(request.app).kinerja,
        signer=publik_state(request.app).snapshot_signer,
        policy_version=settings.policy_version,
        actor=admin.subject,
    )
    row = await feed.published_item(session, item_id)
    assert row is not None
    return service.to_read(row)


@router.get("", summary="List innovations", operation_id="innovations_list", responses=problem_responses(422))
async def list_innovations(
    session: SessionDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="Only this unit.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[InnovationRead]:
    """Innovations, newest first, a keyset page at a time. Cached like every public read."""
    raw = decode_cursor(cursor, 2)
    after = None
    if raw is not None:
        try:
            after = (datetime.fromisoformat(str(raw[0])), uuid.UUID(str(raw[1])))
        except ValueError as exc:
            raise InvalidInput(
                msg("cursor is not valid"), errors=[{"loc": ["query", "cursor"], "msg": "bad cursor"}]
            ) from exc
    rows = await feed.published(session, unit_id=unit_id, kind="INOVASI", after=after, limit=limit + 1)
    page = rows[:limit]
    next_cursor = (
        encode_cursor([page[-1]["published_at"].isoformat(), str(page[-1]["id"])])
        if len(rows) > limit
        else None
    )
    return Page[InnovationRead](items=[service.to_read(r) for r in page], next_cursor=next_cursor)
