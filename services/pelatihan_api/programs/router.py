"""HTTP routes of /v1/programs: training admins define programmes; any caller with a token lists them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, status

from services.common.auth import PrincipalDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page
from services.common.routing import ServiceRouter
from services.pelatihan_api.deps import TrainingAdminDep
from services.pelatihan_api.programs import service
from services.pelatihan_api.programs.schemas import ProgramCreate, ProgramRead

router = ServiceRouter(prefix="/v1/programs", tags=["programs"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a programme",
    operation_id="programs_create",
    responses=problem_responses(401, 403, 422),
)
async def create_program(body: ProgramCreate, session: SessionDep, admin: TrainingAdminDep) -> ProgramRead:
    """Define a programme of a partner institution: competency, tags, JP and mode (pelatihan_admin, admin)."""
    return ProgramRead.model_validate(await service.create_program(session, body, actor=admin.subject))


@router.get(
    "",
    summary="List programmes",
    operation_id="programs_list",
    responses=problem_responses(401, 422),
)
async def list_programs(
    session: SessionDep,
    _: PrincipalDep,
    institution_id: Annotated[
        uuid.UUID | None, Query(description="Only this institution's programmes.")
    ] = None,
    tag: Annotated[str | None, Query(max_length=60, description="Only programmes carrying this tag.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[ProgramRead]:
    """Programmes ordered by title, a keyset page at a time."""
    rows, next_cursor = await service.list_programs(
        session, institution_id=institution_id, tag=tag, cursor=cursor, limit=limit
    )
    return Page[ProgramRead](items=[ProgramRead.model_validate(r) for r in rows], next_cursor=next_cursor)
