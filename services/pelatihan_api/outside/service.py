"""Learning outside the province's own sessions (pembelajaran mandiri; domain.md §11.5, issue 18).

An employee claims learning done elsewhere (a LAN e-learning course, a seminar, coaching, mentoring,
self-study, ...). Their direct supervisor — as pelatihan's roster says, from kinerja's ``kinerja.employee``
events — or a training admin verifies or rejects it; a verified claim's JP enter the ledger (a ``jp_entry``
linked to the claim), and revoking it takes them out again. Every step goes through ``record_change``.

Refused: JP that would take the path's verified JP for the year above its cap (``learning_cap``, 409
``jp-cap-exceeded``), learning that ends after today (422), and a provider and certificate number already
credited (409 ``already-credited``, backed by a partial unique index). Anyone else — another supervisor
included — gets 404 for a claim.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.auth import Principal, Role
from services.common.changes import record_change
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.common.i18n import msg
from services.common.pagination import decode_cursor, page_of
from services.pelatihan_api.clients.kinerja import KinerjaClient
from services.pelatihan_api.enums import ClaimStatus, LearningPath, Mode
from services.pelatihan_api.errors import AlreadyCredited, CapExceeded, InvalidTransition
from services.pelatihan_api.events import SINK
from services.pelatihan_api.models.ledger import JpEntry
from services.pelatihan_api.models.outside import LearningCap, OutsideLearning
from services.pelatihan_api.outside import repository
from services.pelatihan_api.outside.schemas import ClaimCreate, ClaimRead
from services.pelatihan_api.roster import repository as roster
from services.pelatihan_api.stats import service as stats

ENTITY = "outside_learning"
C = ClaimStatus


def state(row: OutsideLearning) -> dict[str, Any]:
    """A claim as the audit log keeps it."""
    return ClaimRead.model_validate(row).model_dump(mode="json")


def _training_admin(principal: Principal) -> bool:
    return principal.has(Role.ADMIN, Role.PELATIHAN_ADMIN)


async def _supervises(session: AsyncSession, principal: Principal, nip: str) -> bool:
    """True when the roster (kinerja's events) names the caller as ``nip``'s direct supervisor."""
    if principal.nip is None or principal.nip == nip:
        return False
    facts = await roster.get(session, nip)
    return facts is not None and facts.supervisor_nip == principal.nip


async def _may_decide(session: AsyncSession, principal: Principal, nip: str) -> bool:
    return _training_admin(principal) or await _supervises(session, principal, nip)


def _bad(field: str, text: str) -> InvalidInput:
    return InvalidInput(text, errors=[{"loc": ["body", field], "msg": str(text)}])


async def _check_cap(session: AsyncSession, nip: str, path: str, year: int, jp: int) -> None:
    cap = await repository.cap(session, path)
    used = await repository.verified_jp(session, nip, path, year)
    if used + jp > cap:
        raise CapExceeded(
            msg(
                "{path} may add at most {cap} JP to a year; {used} JP are verified for {year}, so {jp} more "
                "would exceed it.",
                path=path,
                cap=cap,
                used=used,
                year=year,
                jp=jp,
            )
        )


async def _check_not_credited(session: AsyncSession, row_or_body: Any, besides: uuid.UUID | None) -> None:
    number = row_or_body.certificate_number
    if number and await repository.credited_elsewhere(session, row_or_body.provider, number, besides=besides):
        raise AlreadyCredited(
            msg(
                "Certificate {number} of {provider} was already credited.",
                number=number,
                provider=row_or_body.provider,
            )
        )


async def claim(session: AsyncSession, principal: Principal, body: ClaimCreate) -> OutsideLearning:
    """The employee records learning done elsewhere for their own ledger (CLAIMED until decided)."""
    if principal.nip is None:
        raise Forbidden(msg("Only an employee may claim learning, for themself."))
    today = clock.today()
    if body.ends_on < body.starts_on:
        raise _bad("ends_on", msg("ends_on is before starts_on"))
    if body.ends_on > today:
        raise _bad(
            "ends_on", msg("Learning can be claimed once it has ended; today is {today}.", today=today)
        )
    year = body.ends_on.year
    await _check_cap(session, principal.nip, body.path.value, year, body.jp)
    await _check_not_credited(session, body, None)
    now = clock.now()
    row = OutsideLearning(
        id=uuid.uuid4(),
        nip=principal.nip,
        path=body.path.value,
        title=body.title,
        provider=body.provider,
        certificate_number=body.certificate_number,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        year=year,
        jp=body.jp,
        evidence_url=str(body.evidence_url),
        status=C.CLAIMED.value,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    await record_change(
        session, SINK, actor=principal.subject, action="outside_learning.claim", entity=ENTITY,
        entity_id=str(row.id), after=state(row),
    )  # fmt: skip
    return row


async def get_visible(session: AsyncSession, principal: Principal, claim_id: uuid.UUID) -> OutsideLearning:
    """The claim for its employee, their direct supervisor or a training admin; 404 for anyone else."""
    row = await repository.get(session, claim_id)
    if row is None or not (principal.nip == row.nip or await _may_decide(session, principal, row.nip)):
        raise NotFound(msg("No such claim."))
    return row


async def _for_decision(session: AsyncSession, principal: Principal, claim_id: uuid.UUID) -> OutsideLearning:
    row = await repository.get(session, claim_id)
    if row is None:
        raise NotFound(msg("No such claim."))
    if not await _may_decide(session, principal, row.nip):
        if principal.nip == row.nip:
            raise Forbidden(msg("An employee cannot decide on their own claim."))
        raise NotFound(msg("No such claim."))
    await repository.lock_employee(session, row.nip)
    locked = await repository.get(session, claim_id, for_update=True)
    assert locked is not None
    return locked


async def verify(
    session: AsyncSession,
    kinerja: KinerjaClient,
    principal: Principal,
    claim_id: uuid.UUID,
    reason: str | None,
) -> OutsideLearning:
    """Verify a CLAIMED claim: its JP enter the ledger (the cap and duplicates are checked again)."""
    row = await _for_decision(session, principal, claim_id)
    if row.status != C.CLAIMED:
        raise InvalidTransition(
            msg("The claim is {status}; only CLAIMED can be verified.", status=row.status)
        )
    await _check_cap(session, row.nip, row.path, row.year, row.jp)
    await _check_not_credited(session, row, row.id)
    before = state(row)
    now = clock.now()
    row.status, row.decided_by, row.decided_at, row.reason, row.updated_at = (
        C.VERIFIED.value,
        principal.nip or principal.subject,
        now,
        reason,
        now,
    )
    session.add(
        JpEntry(
            nip=row.nip,
            year=row.year,
            jp=row.jp,
            outside_learning_id=row.id,
            program_title=row.title,
            mode=Mode.KLASIKAL.value if row.path == LearningPath.KLASIKAL else Mode.NONKLASIKAL.value,
            completed_on=row.ends_on,
            certificate_number=row.certificate_number,
        )
    )
    try:
        await session.flush()
    except IntegrityError as exc:  # a simultaneous verification of the same certificate
        raise AlreadyCredited(msg("The certificate was credited meanwhile.")) from exc
    return await _recorded(session, kinerja, principal, row, "outside_learning.verify", before, reason)


async def reject(
    session: AsyncSession, principal: Principal, claim_id: uuid.UUID, reason: str | None
) -> OutsideLearning:
    """Reject a CLAIMED claim, with a reason."""
    if not reason:
        raise _bad("reason", msg("A reason is required."))
    row = await _for_decision(session, principal, claim_id)
    if row.status != C.CLAIMED:
        raise InvalidTransition(
            msg("The claim is {status}; only CLAIMED can be rejected.", status=row.status)
        )
    before = state(row)
    now = clock.now()
    row.status, row.decided_by, row.decided_at, row.reason, row.updated_at = (
        C.REJECTED.value,
        principal.nip or principal.subject,
        now,
        reason,
        now,
    )
    await session.flush()
    await record_change(
        session, SINK, actor=principal.subject, action="outside_learning.reject", entity=ENTITY,
        entity_id=str(row.id), before=before, after=state(row), reason=reason,
    )  # fmt: skip
    return row


async def revoke(
    session: AsyncSession,
    kinerja: KinerjaClient,
    principal: Principal,
    claim_id: uuid.UUID,
    reason: str | None,
) -> OutsideLearning:
    """Revoke a VERIFIED claim, with a reason: its JP leave the ledger."""
    if not reason:
        raise _bad("reason", msg("A reason is required."))
    row = await _for_decision(session, principal, claim_id)
    if row.status != C.VERIFIED:
        raise InvalidTransition(
            msg("The claim is {status}; only VERIFIED can be revoked.", status=row.status)
        )
    before = state(row)
    now = clock.now()
    row.status, row.reason, row.updated_at = C.REVOKED.value, reason, now
    await session.execute(update(JpEntry).where(JpEntry.outside_learning_id == row.id).values(revoked_at=now))
    await session.flush()
    return await _recorded(session, kinerja, principal, row, "outside_learning.revoke", before, reason)


async def _recorded(
    session: AsyncSession,
    kinerja: KinerjaClient,
    principal: Principal,
    row: OutsideLearning,
    action: str,
    before: dict[str, Any],
    reason: str | None,
) -> OutsideLearning:
    """Record a change that moved the ledger, with the unit's new training figures for publik."""
    figures = await stats.event_for_nip(session, kinerja, row.nip, row.year)
    await record_change(
        session, SINK, actor=principal.subject, action=action, entity=ENTITY, entity_id=str(row.id),
        before=before, after=state(row), events=[figures] if figures is not None else [], reason=reason,
    )  # fmt: skip
    return row


async def list_claims(
    session: AsyncSession,
    principal: Principal,
    *,
    nip: str | None,
    status: ClaimStatus | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[OutsideLearning], str | None]:
    """Newest first. With ``nip``: that employee's claims (the employee, their supervisor, a training admin;
    403 otherwise). Without: a training admin sees every claim, an employee their direct reports' (the
    claims they may decide)."""
    supervisor: str | None = None
    if nip is not None:
        if not (principal.nip == nip or await _may_decide(session, principal, nip)):
            raise Forbidden(
                msg("Only the employee, their direct supervisor or a training admin may list these.")
            )
    elif not _training_admin(principal):
        if principal.nip is None:
            raise Forbidden(
                msg("Only the employee, their direct supervisor or a training admin may list these.")
            )
        supervisor = principal.nip
    rows = await repository.page(
        session,
        nip=nip,
        supervisor_nip=supervisor,
        status=status.value if status is not None else None,
        after=decode_cursor(cursor, 2),
        limit=limit,
    )
    return page_of(rows, limit, lambda r: (r.created_at.isoformat(), str(r.id)))


async def caps(session: AsyncSession) -> dict[str, int]:
    """Every path's cap (the settings table over the documented defaults)."""
    return await repository.caps(session)


async def set_cap(
    session: AsyncSession, principal: Principal, path: LearningPath, jp_per_year: int
) -> LearningCap:
    """An admin changes one path's cap (claims already verified stay)."""
    row = await session.get(LearningCap, path.value, with_for_update=True)
    if row is None:
        row = LearningCap(path=path.value, jp_per_year=jp_per_year)
        session.add(row)
        before = None
    else:
        before = {"path": row.path, "jp_per_year": row.jp_per_year}
        row.jp_per_year = jp_per_year
    row.updated_at = clock.now()
    await session.flush()
    await record_change(
        session, SINK, actor=principal.subject, action="learning_cap.set", entity="learning_cap",
        entity_id=path.value, before=before, after={"path": row.path, "jp_per_year": row.jp_per_year},
    )  # fmt: skip
    return row
