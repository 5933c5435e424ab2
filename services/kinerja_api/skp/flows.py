"""The SKP status flow (PermenPANRB 6/2022 stage 1, ``menetapkan SKP``): the employee submits, the direct
supervisor approves or returns with a reason; at the top of the reporting line an admin decides in the
governor's name and the audit log says so. An approved SKP is frozen."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes.catalogue.kinerja import SkpApproved
from services.common.i18n import msg
from services.kinerja_api import clock
from services.kinerja_api.caller import Caller
from services.kinerja_api.skp import repository
from services.kinerja_api.skp.enums import ResultKind, SkpStatus
from services.kinerja_api.skp.errors import (
    NotDirectSupervisor,
    NotOwner,
    SkpFrozen,
    SkpIncomplete,
    SkpNotFound,
    SkpWrongStatus,
)
from services.kinerja_api.skp.models import Skp
from services.kinerja_api.skp.service import (
    GOVERNOR,
    changed,
    check_editable,
    check_if_match,
    check_open,
    employee_of,
    load_visible,
    now,
    skp_data,
    touch,
)
from services.kinerja_api.staff import require_penilai


async def submit(session: AsyncSession, actor: Caller, skp_id: uuid.UUID, *, if_match: str | None) -> Skp:
    """DRAFT or RETURNED -> SUBMITTED, by the owner, once at least one main result has an indicator."""
    skp = await load_visible(session, actor, skp_id, for_update=True)
    if actor.nip != skp.nip:
        raise NotOwner(msg("only the employee whose SKP it is may submit it"))
    check_if_match(skp, if_match)
    check_editable(skp)
    if not any(r.kind == ResultKind.UTAMA.value and r.indicators for r in skp.results):
        raise SkpIncomplete(
            msg("an SKP needs at least one main (UTAMA) result with an indicator before submission")
        )
    before = skp_data(skp)
    skp.status = SkpStatus.SUBMITTED.value
    touch(skp, now())
    await changed(session, actor, "skp.submit", skp, before)
    return skp


async def _decider(session: AsyncSession, actor: Caller, skp: Skp) -> str | None:
    """Who may approve or return: the owner's direct supervisor (from the reporting line); at the top of
    the line, an admin in the governor's name. Returns the ``on_behalf_of`` to record."""
    owner = await employee_of(session, skp.nip)
    if owner.supervisor_nip is None:
        if actor.is_admin:
            return GOVERNOR
        raise NotDirectSupervisor(
            msg(
                "employee {nip} answers to the governor (no supervisor in the reporting line); an admin decides in the governor's name",
                nip=owner.nip,
            )
        )
    if actor.nip is not None and actor.nip == owner.supervisor_nip:
        return None
    raise NotDirectSupervisor(msg("only the employee's direct supervisor may approve or return this SKP"))


async def _decidable(
    session: AsyncSession, actor: Caller, skp_id: uuid.UUID, if_match: str | None, verb: str
) -> tuple[Skp, str | None]:
    skp = await repository.get(session, skp_id, for_update=True)
    if skp is None:
        raise SkpNotFound(msg("no SKP with id {skp_id}", skp_id=skp_id))
    on_behalf_of = await _decider(session, actor, skp)
    check_if_match(skp, if_match)
    check_open(skp)
    if skp.status == SkpStatus.APPROVED.value:
        raise SkpFrozen(msg("SKP {id} is already approved and frozen", id=skp.id))
    if skp.status != SkpStatus.SUBMITTED.value:
        raise SkpWrongStatus(
            msg(
                "SKP {id} is {status}; only a submitted SKP can be {verb}",
                id=skp.id,
                status=skp.status,
                verb=verb,
            )
        )
    return skp, on_behalf_of


async def approve(session: AsyncSession, actor: Caller, skp_id: uuid.UUID, *, if_match: str | None) -> Skp:
    """SUBMITTED -> APPROVED (frozen from now on), by the direct supervisor or, for a unit head answering to
    the governor, by an admin in the governor's name (``approver_nip`` null, ``approved_on_behalf``)."""
    skp, on_behalf_of = await _decidable(session, actor, skp_id, if_match, msg("approved"))
    if on_behalf_of is None:
        await require_penilai(session, actor.nip, skp.nip, on=clock.today(), act=msg("approving an SKP"))
    before = skp_data(skp)
    at = now()
    skp.status = SkpStatus.APPROVED.value
    skp.approver_nip = None if on_behalf_of else actor.nip
    skp.approved_on_behalf = on_behalf_of is not None
    skp.approved_at = at
    skp.returned_reason = None
    touch(skp, at)
    approved = SkpApproved(skp_id=str(skp.id), nip=skp.nip, year=skp.year, status=skp.status)
    await changed(session, actor, "skp.approve", skp, before, events=[approved], on_behalf_of=on_behalf_of)
    return skp


async def return_skp(
    session: AsyncSession, actor: Caller, skp_id: uuid.UUID, reason: str, *, if_match: str | None
) -> Skp:
    """SUBMITTED -> RETURNED with a reason, by whoever may approve; the employee edits or resubmits."""
    skp, on_behalf_of = await _decidable(session, actor, skp_id, if_match, msg("returned"))
    before = skp_data(skp)
    skp.status = SkpStatus.RETURNED.value
    skp.returned_reason = reason
    touch(skp, now())
    await changed(session, actor, "skp.return", skp, before, reason=reason, on_behalf_of=on_behalf_of)
    return skp
