"""Business rules of partner institutions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import record_change
from services.common.errors import Conflict
from services.common.i18n import msg
from services.common.pagination import decode_cursor, page_of
from services.pelatihan_api.events import SINK
from services.pelatihan_api.institutions import repository
from services.pelatihan_api.institutions.schemas import InstitutionCreate, InstitutionRead
from services.pelatihan_api.models.institutions import Institution


async def create_institution(session: AsyncSession, body: InstitutionCreate, *, actor: str) -> Institution:
    """Register a partner; names are unique (409)."""
    if await repository.by_name(session, body.name) is not None:
        raise Conflict(msg("An institution named {name!r} already exists.", name=body.name))
    row = Institution(name=body.name, kind=body.kind.value)
    session.add(row)
    await session.flush()
    await record_change(
        session,
        SINK,
        actor=actor,
        action="institution.create",
        entity="institution",
        entity_id=str(row.id),
        after=InstitutionRead.model_validate(row).model_dump(mode="json"),
    )
    return row


async def list_institutions(
    session: AsyncSession, *, cursor: str | None, limit: int
) -> tuple[list[Institution], str | None]:
    """A keyset page of institutions by name."""
    rows = await repository.page(session, decode_cursor(cursor, 2), limit)
    return page_of(rows, limit, lambda r: (r.name, str(r.id)))
