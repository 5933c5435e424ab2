"""HTTP routes of /v1/penilai-delegations: the admin records who acts as pejabat penilai for whom without
holding a JPT, ADMINISTRATOR or PENGAWAS position (domain.md §11.2). Admins only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Query, status

from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page
from services.common.routing import ServiceRouter
from services.kinerja_api.deps import CallerDep
from services.kinerja_api.employees import delegations
from services.kinerja_api.employees.schemas import DelegationCreate, DelegationRead, WithdrawBody

router = ServiceRouter(prefix="/v1/penilai-delegations", tags=["employees"])
NipQuery = Annotated[str | None, Query(pattern=r"^[0-9]{18}$")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record a penilai delegation (admin)",
    operation_id="penilai_delegations_create",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_delegation(
    body: DelegationCreate, session: SessionDep, actor: CallerDep, _: AdminDep
) -> DelegationRead:
    """Record the PPK's decree that `delegate_nip` acts as pejabat penilai for `for_nip` from `valid_from`
    to `valid_to` (both inclusive): with it, a delegate who holds no JPT, ADMINISTRATOR or PENGAWAS position
    approves that employee's SKP and finalises their results and parts. Audited."""
    return DelegationRead.model_validate(await delegations.create(session, actor, body))


@router.get(
    "",
    summary="List penilai delegations (admin)",
    operation_id="penilai_delegations_list",
    responses=problem_responses(401, 403, 422),
)
async def list_delegations(
    session: SessionDep,
    _: AdminDep,
    delegate_nip: NipQuery = None,
    for_nip: NipQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[DelegationRead]:
    """Recorded delegations, a keyset page at a time, filtered by delegate and/or evaluated employee."""
    rows, next_cursor = await delegations.listed(
        session, delegate_nip=delegate_nip, for_nip=for_nip, cursor=cursor, limit=limit
    )
    return Page[DelegationRead](
        items=[DelegationRead.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.post(
    "/{delegation_id}/withdraw",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw a penilai delegation (admin)",
    operation_id="penilai_delegations_withdraw",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def withdraw_delegation(
    delegation_id: Annotated[uuid.UUID, Path()],
    body: WithdrawBody,
    session: SessionDep,
    actor: CallerDep,
    _: AdminDep,
) -> None:
    """Withdraw a delegation with a reason (audited). Acts already done under it stay."""
    await delegations.delete(session, actor, delegation_id, body.reason)
