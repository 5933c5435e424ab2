"""HTTP routes of citizens' comments (admin: all units; unit_admin: its own, masked) and follow-up statements."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query, Request, status

from services.common.auth import PrincipalDep
from services.common.db import SessionDep
from services.common.errors import InvalidInput, problem_responses
from services.common.i18n import msg
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, decode_cursor, encode_cursor
from services.common.routing import ServiceRouter
from services.publik_api.comments import service
from services.publik_api.comments.schemas import CommentPage, CommentRead, FollowUpCreate
from services.publik_api.feed import repository as feed
from services.publik_api.feed.schemas import FeedItem
from services.publik_api.state import publik_state

router = ServiceRouter(tags=["comments"])


@router.get(
    "/v1/comments",
    summary="Citizens' comments",
    operation_id="comments_list",
    responses=problem_responses(401, 403, 422),
)
async def list_comments(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="Only this unit (a unit_admin: its own).")] = None,
    handled: Annotated[bool | None, Query(description="Only handled (true) or open (false) ones.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> CommentPage:
    """The comments citizens left with their answers, newest first. The BKD admin reads every unit's; a
    `unit_admin` reads its own unit's with personal data (NIK, NIP, e-mail, phone numbers) masked."""
    raw = decode_cursor(cursor, 2)
    after = None
    if raw is not None:
        try:
            after = (datetime.fromisoformat(str(raw[0])), uuid.UUID(str(raw[1])))
        except ValueError as exc:
            raise InvalidInput(
                msg("cursor is not valid"), errors=[{"loc": ["query", "cursor"], "msg": "bad cursor"}]
            ) from exc
    rows = await service.list_comments(
        session, principal, unit_id=unit_id, handled=handled, after=after, limit=limit
    )
    page = rows[:limit]
    next_cursor = (
        encode_cursor([page[-1].submitted_at.isoformat(), str(page[-1].id)]) if len(rows) > limit else None
    )
    return CommentPage(items=page, next_cursor=next_cursor)


@router.post(
    "/v1/comments/{comment_id}/handled",
    summary="Mark a comment handled",
    operation_id="comments_mark_handled",
    responses=problem_responses(401, 403, 404),
)
async def mark_handled(comment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> CommentRead:
    """Mark a comment as followed up (admin, or the unit_admin of its unit; others get 404)."""
    return await service.mark_handled(session, principal, comment_id)


@router.post(
    "/v1/units/{unit_id}/follow-ups",
    status_code=status.HTTP_201_CREATED,
    summary="Publish a follow-up statement (tindak lanjut)",
    operation_id="comments_publish_follow_up",
    responses=problem_responses(401, 403, 404, 413, 422, 503),
)
async def publish_follow_up(
    unit_id: uuid.UUID, body: FollowUpCreate, request: Request, session: SessionDep, principal: PrincipalDep
) -> FeedItem:
    """The unit's public answer to a period's survey results and comments: published at once as a
    `TINDAK_LANJUT` feed item and shown on the unit's card. Personal data is refused (422)."""
    settings = publik_state(request.app).settings
    item = await service.publish_follow_up(
        session,
        principal,
        unit_id,
        body,
        kinerja=publik_state(request.app).kinerja,
        signer=publik_state(request.app).snapshot_signer,
        policy_version=settings.policy_version,
    )
    row = await feed.published_item(session, item.id)
    assert row is not None
    return FeedItem.model_validate(row)
