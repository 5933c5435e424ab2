"""HTTP routes of /v1/outside-learning: claims of learning done elsewhere, their verification, and the caps."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, status

from services.common.auth import PrincipalDep
from services.common.db import SessionDep, after_commit
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page
from services.common.routing import ServiceRouter
from services.pelatihan_api.deps import AdminDep, KinerjaDep, wake_outbox
from services.pelatihan_api.enums import ClaimStatus, LearningPath
from services.pelatihan_api.outside import service
from services.pelatihan_api.outside.schemas import (
    CapBody,
    CapList,
    CapRead,
    ClaimCreate,
    ClaimRead,
    DecisionBody,
)

router = ServiceRouter(prefix="/v1/outside-learning", tags=["outside-learning"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Claim learning done elsewhere",
    operation_id="outside_learning_claim",
    responses=problem_responses(401, 403, 409, 422),
)
async def claim(body: ClaimCreate, session: SessionDep, principal: PrincipalDep) -> ClaimRead:
    """An employee records learning done outside the province's sessions (e-learning, a seminar, coaching,
    mentoring, self-study, ...) for their own ledger; it counts once their direct supervisor or a training
    admin verifies it. 422 for learning that has not ended yet; 409 `jp-cap-exceeded` when the path's verified
    JP for the year plus this claim pass its cap, 409 `already-credited` for a provider and certificate number
    already credited."""
    return ClaimRead.model_validate(await service.claim(session, principal, body))


@router.get(
    "",
    summary="List claims of outside learning",
    operation_id="outside_learning_list",
    responses=problem_responses(401, 403, 422),
)
async def list_claims(
    session: SessionDep,
    principal: PrincipalDep,
    nip: Annotated[str | None, Query(pattern=r"^[0-9]{18}$", description="One employee's claims.")] = None,
    status: Annotated[ClaimStatus | None, Query(description="Only claims in this state.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[ClaimRead]:
    """Newest first. With `nip`: that employee's claims, for the employee, their direct supervisor and
    training admins (403 otherwise). Without: a supervisor sees their direct reports' claims (with
    `status=CLAIMED`, what awaits their decision), a training admin every claim."""
    rows, next_cursor = await service.list_claims(
        session, principal, nip=nip, status=status, cursor=cursor, limit=limit
    )
    return Page[ClaimRead](items=[ClaimRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/caps",
    summary="Caps per learning path",
    operation_id="outside_learning_caps",
    responses=problem_responses(401),
)
async def list_caps(session: SessionDep, _: PrincipalDep) -> CapList:
    """The JP each path may add to one employee's calendar year (any signed-in caller)."""
    found = await service.caps(session)
    return CapList(items=[CapRead(path=LearningPath(p), jp_per_year=jp) for p, jp in sorted(found.items())])


@router.put(
    "/caps/{path}",
    summary="Set a learning path's cap",
    operation_id="outside_learning_cap_set",
    responses=problem_responses(401, 403, 422),
)
async def set_cap(path: LearningPath, body: CapBody, session: SessionDep, admin: AdminDep) -> CapRead:
    """Admins change the JP one path may add to an employee's year. Claims already verified stay."""
    return CapRead.model_validate(await service.set_cap(session, admin, path, body.jp_per_year))


@router.get(
    "/{claim_id}",
    summary="Get a claim",
    operation_id="outside_learning_get",
    responses=problem_responses(401, 404, 422),
)
async def get_claim(claim_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> ClaimRead:
    """One claim, for its employee, their direct supervisor and training admins (404 for anyone else)."""
    return ClaimRead.model_validate(await service.get_visible(session, principal, claim_id))


@router.post(
    "/{claim_id}/verify",
    summary="Verify a claim",
    operation_id="outside_learning_verify",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def verify(
    claim_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    kinerja: KinerjaDep,
    request: Request,
    body: DecisionBody | None = None,
) -> ClaimRead:
    """The employee's direct supervisor (pelatihan's roster, from kinerja) or a training admin verifies a
    CLAIMED claim; its JP enter the ledger for its year. 404 for anyone else (another supervisor included),
    403 for the employee themself, 409 when it is not CLAIMED or the cap or a duplicate now refuses it."""
    row = await service.verify(session, kinerja, principal, claim_id, body.reason if body else None)
    after_commit(session, lambda: wake_outbox(request.app))
    return ClaimRead.model_validate(row)


@router.post(
    "/{claim_id}/reject",
    summary="Reject a claim",
    operation_id="outside_learning_reject",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def reject(
    claim_id: uuid.UUID, body: DecisionBody, session: SessionDep, principal: PrincipalDep
) -> ClaimRead:
    """The direct supervisor or a training admin rejects a CLAIMED claim with a `reason` (required)."""
    return ClaimRead.model_validate(await service.reject(session, principal, claim_id, body.reason))


@router.post(
    "/{claim_id}/revoke",
    summary="Revoke a verified claim",
    operation_id="outside_learning_revoke",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def revoke(
    claim_id: uuid.UUID,
    body: DecisionBody,
    session: SessionDep,
    principal: PrincipalDep,
    kinerja: KinerjaDep,
    request: Request,
) -> ClaimRead:
    """The direct supervisor or a training admin revokes a VERIFIED claim with a `reason`: its JP leave the
    ledger (the ledger entry is kept, marked revoked)."""
    row = await service.revoke(session, kinerja, principal, claim_id, body.reason)
    after_commit(session, lambda: wake_outbox(request.app))
    return ClaimRead.model_validate(row)
