"""The penilai's rank (PP 30/2019, PermenPANRB 6/2022; domain.md §11.2): the pejabat penilai is the direct
superior holding a JPT, ADMINISTRATOR or PENGAWAS position, or someone the PPK delegated, recorded here by
the admin (who, for whom, from, to, the decree number; audited).

The rule is checked when acting (approving an SKP, finalising a result or a part), not when importing the
reporting line: a BKD's import with pelaksana coordinators still loads, and the coordinator learns what to do
(409 ``penilai-rank-required``) the first time they act. The admin acting in the governor's name for unit
heads is outside this rule (the callers skip it).

The check itself (``require_penilai``) sits in services.kinerja_api.staff, below the evaluations and skp
packages that call it; this module keeps the delegations the admin records.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import record_change
from services.common.i18n import msg
from services.common.pagination import decode_cursor, page_of
from services.kinerja_api.caller import Caller
from services.kinerja_api.employees import repository
from services.kinerja_api.employees.errors import DelegationNotFound, UnknownReference
from services.kinerja_api.employees.schemas import DelegationCreate
from services.kinerja_api.events import SINK
from services.kinerja_api.tables.employees import PenilaiDelegation

ENTITY = "penilai_delegation"


def delegation_data(d: PenilaiDelegation) -> dict[str, Any]:
    """A delegation as the audit log and the change log keep it."""
    return {
        "id": str(d.id),
        "delegate_nip": d.delegate_nip,
        "for_nip": d.for_nip,
        "valid_from": d.valid_from,
        "valid_to": d.valid_to,
        "decree_number": d.decree_number,
        "created_by": d.created_by,
    }


async def create(session: AsyncSession, actor: Caller, data: DelegationCreate) -> PenilaiDelegation:
    """The admin records a delegation (audited)."""
    for field, nip in (("delegate_nip", data.delegate_nip), ("for_nip", data.for_nip)):
        if await repository.get(session, nip) is None:
            raise UnknownReference(
                msg("no employee with NIP {nip}", nip=nip), errors=[{"loc": ["body", field], "msg": nip}]
            )
    row = PenilaiDelegation(
        id=uuid.uuid4(),
        delegate_nip=data.delegate_nip,
        for_nip=data.for_nip,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        decree_number=data.decree_number,
        created_by=actor.subject,
    )
    session.add(row)
    await session.flush()
    await record_change(
        session,
        SINK,
        actor=actor.subject,
        action="penilai_delegation.create",
        entity=ENTITY,
        entity_id=str(row.id),
        before=None,
        after=delegation_data(row),
        reason=data.decree_number,
    )
    return row


async def listed(
    session: AsyncSession,
    *,
    delegate_nip: str | None,
    for_nip: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[PenilaiDelegation], str | None]:
    """A keyset page of delegations in id order."""
    after = decode_cursor(cursor, 1)
    stmt = select(PenilaiDelegation)
    if delegate_nip is not None:
        stmt = stmt.where(PenilaiDelegation.delegate_nip == delegate_nip)
    if for_nip is not None:
        stmt = stmt.where(PenilaiDelegation.for_nip == for_nip)
    if after:
        stmt = stmt.where(PenilaiDelegation.id > uuid.UUID(str(after[0])))
    stmt = stmt.order_by(PenilaiDelegation.id).limit(limit + 1)
    rows = list((await session.scalars(stmt)).all())
    return page_of(rows, limit, lambda d: [str(d.id)])


async def delete(session: AsyncSession, actor: Caller, delegation_id: uuid.UUID, reason: str) -> None:
    """The admin withdraws a delegation (audited with the reason); acts done under it stay."""
    row = await session.get(PenilaiDelegation, delegation_id, with_for_update=True)
    if row is None:
        raise DelegationNotFound(msg("no penilai delegation {id}", id=delegation_id))
    before = delegation_data(row)
    await session.delete(row)
    await session.flush()
    await record_change(
        session,
        SINK,
        actor=actor.subject,
        action="penilai_delegation.delete",
        entity=ENTITY,
        entity_id=str(delegation_id),
        before=before,
        after=None,
        reason=reason,
    )
