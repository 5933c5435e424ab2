"""HTTP routes of /v1/institutions: training admins register partners; any caller with a token lists them."""

from __future__ import annotations

from fastapi import status

from services.common.auth import PrincipalDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page
from services.common.routing import ServiceRouter
from services.pelatihan_api.deps import TrainingAdminDep
from services.pelatihan_api.institutions import service
from services.pelatihan_api.institutions.schemas import InstitutionCreate, InstitutionRead

router = ServiceRouter(prefix="/v1/institutions", tags=["institutions"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register a partner institution",
    operation_id="institutions_create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_institution(
    body: InstitutionCreate, session: SessionDep, admin: TrainingAdminDep
) -> InstitutionRead:
    """Register a university, LAN, BPSDM or other partner (pelatihan_admin, admin). Names are unique (409)."""
    return InstitutionRead.model_validate(
        await service.create_institution(session, body, actor=admin.subject)
    )


@router.get(
    "",
    summary="List partner institutions",
    operation_id="institutions_list",
    responses=problem_responses(401, 422),
)
async def list_institutions(
    session: SessionDep, _: PrincipalDep, limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None
) -> Page[InstitutionRead]:
    """Institutions ordered by name, a keyset page at a time."""
    rows, next_cursor = await service.list_institutions(session, cursor=cursor, limit=limit)
    return Page[InstitutionRead](
        items=[InstitutionRead.model_validate(r) for r in rows], next_cursor=next_cursor
    )
