"""Comment rules: the BKD admin reads every unit's comments; a unit_admin reads only its own unit's, with
personal data masked; either marks them handled. A follow-up statement (tindak lanjut) is published at once as
a TINDAK_LANJUT feed item, after the personal-data guard."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.auth import Principal
from services.common.changes import record_change
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.common.i18n import msg
from services.common.roles import Role
from services.publik_api.clients.kinerja import KinerjaClient
from services.publik_api.comments import repository
from services.publik_api.comments.schemas import CommentRead, FollowUpCreate
from services.publik_api.events import SINK
from services.publik_api.ingest.privacy import mask_personal, personal_text
from services.publik_api.models.publications import Item
from services.publik_api.models.surveys import SurveyResponse
from services.publik_api.publications.service import upsert_item
from services.publik_api.snapshots.service import SnapshotSigner
from services.publik_api.unit_registry.service import ensure_unit


async def record_admin_change(
    session: AsyncSession,
    actor: Principal,
    action: str,
    entity: str,
    entity_id: uuid.UUID,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """The one place this module writes down a change: publik's hash-chained audit (``SINK``). Never the
    comment's text (it may hold personal data)."""
    await record_change(
        session,
        SINK,
        actor=actor.subject,
        action=f"{entity}.{action}",
        entity=entity,
        entity_id=str(entity_id),
        before=before,
        after=after,
    )


def scope_of(actor: Principal, unit_id: uuid.UUID | None) -> uuid.UUID | None:
    """The unit the caller may read: any (admin) or its own (unit_admin; another unit's is 403)."""
    if actor.is_admin:
        return unit_id
    if Role.UNIT_ADMIN in actor.roles and actor.unit_id:
        own = uuid.UUID(actor.unit_id)
        if unit_id is not None and unit_id != own:
            raise Forbidden(msg("A unit admin reads only their own unit's comments."))
        return own
    raise Forbidden(msg("This action needs one of the roles: {roles}", roles="admin, unit_admin"))


def to_read(row: SurveyResponse, *, mask: bool) -> CommentRead:
    """A comment as the caller may see it."""
    text = row.comment or ""
    shown = mask_personal(text) if mask else text
    return CommentRead(
        id=row.id,
        unit_id=row.unit_id,
        service_id=row.service_id,
        comment=shown,
        submitted_at=row.submitted_at,
        handled_at=row.handled_at,
        handled_by=row.handled_by,
        masked=shown != text,
    )


async def list_comments(
    session: AsyncSession,
    actor: Principal,
    *,
    unit_id: uuid.UUID | None,
    handled: bool | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[CommentRead]:
    """Comments newest first (one more than ``limit`` to tell whether a next page exists)."""
    scope = scope_of(actor, unit_id)
    rows = await repository.comments(session, unit_id=scope, handled=handled, after=after, limit=limit + 1)
    return [to_read(r, mask=not actor.is_admin) for r in rows]


async def mark_handled(session: AsyncSession, actor: Principal, comment_id: uuid.UUID) -> CommentRead:
    """Mark a comment handled (idempotent: the first handling is kept); 404 outside the caller's unit."""
    row = await repository.get(session, comment_id)
    if row is None or not row.comment:
        raise NotFound(msg("No comment {comment_id}", comment_id=comment_id))
    try:
        scope_of(actor, row.unit_id)
    except Forbidden as exc:
        raise NotFound(msg("No comment {comment_id}", comment_id=comment_id)) from exc
    if row.handled_at is None:
        row.handled_at = clock.now()
        row.handled_by = actor.subject
        await session.flush()
        await record_admin_change(
            session, actor, "handle", "comment", row.id, {"handled": False}, {"handled": True}
        )
    return to_read(row, mask=not actor.is_admin)


async def publish_follow_up(
    session: AsyncSession,
    actor: Principal,
    unit_id: uuid.UUID,
    body: FollowUpCreate,
    *,
    kinerja: KinerjaClient | None,
    signer: SnapshotSigner,
    policy_version: str,
) -> Item:
    """Publish a unit's follow-up statement for a period (admin, or that unit's unit_admin)."""
    scope_of(actor, unit_id)
    if personal_text(body.statement):
        raise InvalidInput(
            msg(
                "The statement carries personal data, which publik never publishes (UU 14/2008 Pasal 17(h))."
            ),
            slug="personal-data",
            errors=[{"loc": ["body", "statement"], "msg": "personal data"}],
        )
    if await ensure_unit(session, unit_id, kinerja) is None:
        raise NotFound(msg("No unit {unit_id}", unit_id=unit_id))
    data = {"statement": body.statement, "skm_period": body.period}
    item = await upsert_item(
        session,
        kind="TINDAK_LANJUT",
        unit_id=unit_id,
        period=body.period,
        slug=uuid.uuid4().hex,
        data=data,
        public_data=data,
        suppressed=[],
        policy_version=policy_version,
        data_as_of=clock.now(),
        signer=signer,
        # The publication is audited there ("item.publish", the statement with it), as every item's is.
        actor=actor.subject,
        publish_now=True,
    )
    return item
