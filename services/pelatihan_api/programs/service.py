"""Business rules of programmes."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import record_change
from services.common.errors import InvalidInput
from services.common.i18n import msg
from services.common.pagination import decode_cursor, page_of
from services.pelatihan_api.events import SINK
from services.pelatihan_api.institutions import repository as institutions
from services.pelatihan_api.models.programs import Program
from services.pelatihan_api.programs import repository
from services.pelatihan_api.programs.schemas import ProgramCreate, ProgramRead


async def create_program(session: AsyncSession, body: ProgramCreate, *, actor: str) -> Program:
    """Add a programme to an existing institution (422 naming the field when the institution is unknown)."""
    if await institutions.get(session, body.institution_id) is None:
        raise InvalidInput(
            msg("Unknown institution."),
            errors=[{"loc": ["body", "institution_id"], "msg": "no such institution"}],
        )
    row = Program(
        institution_id=body.institution_id,
        title=body.title,
        competency=body.competency.value,
        tags=sorted(set(body.tags)),
        jp=body.jp,
        mode=body.mode.value,
    )
    session.add(row)
    await session.flush()
    await record_change(
        session,
        SINK,
        actor=actor,
        action="program.create",
        entity="program",
        entity_id=str(row.id),
        after=ProgramRead.model_validate(row).model_dump(mode="json"),
    )
    return row


async def list_programs(
    session: AsyncSession,
    *,
    institution_id: uuid.UUID | None,
    tag: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Program], str | None]:
    """A keyset page of programmes by title."""
    rows = await repository.page(
        session, institution_id=institution_id, tag=tag, after=decode_cursor(cursor, 2), limit=limit
    )
    return page_of(rows, limit, lambda r: (r.title, str(r.id)))
