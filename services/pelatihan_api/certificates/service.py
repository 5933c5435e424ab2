"""Issuing, verifying and revoking certificates."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.changes import record_change
from services.common.errors import Conflict, NotFound
from services.common.i18n import msg
from services.pelatihan_api.certificates.numbers import new_number, well_formed
from services.pelatihan_api.certificates.schemas import CertificateRead
from services.pelatihan_api.clients.kinerja import KinerjaClient
from services.pelatihan_api.events import SINK
from services.pelatihan_api.models.certificates import Certificate
from services.pelatihan_api.models.enrolments import Enrolment
from services.pelatihan_api.models.ledger import JpEntry
from services.pelatihan_api.stats import service as stats


def mask_nip(nip: str) -> str:
    """Hide every digit: a NIP's first eight are the holder's birth date (domain.md §5.1), and the public
    check needs none of them to tell whether a certificate is genuine (issue 18)."""
    return "*" * len(nip)


def to_read(row: Certificate) -> CertificateRead:
    """The public view of a certificate."""
    return CertificateRead(
        number=row.number,
        valid=row.revoked_at is None,
        revoked=row.revoked_at is not None,
        revoked_at=row.revoked_at,
        revoked_reason=row.revoked_reason,
        holder_nip=mask_nip(row.nip),
        program_title=row.program_title,
        institution_name=row.institution_name,
        jp=row.jp,
        completed_on=row.completed_on,
        issued_at=row.issued_at,
    )


async def issue(
    session: AsyncSession,
    enrolment: Enrolment,
    *,
    program_title: str,
    institution_name: str,
    jp: int,
    completed_on: date,
) -> Certificate:
    """A certificate with a fresh number (the unique constraint backs the 50 random bits)."""
    row = Certificate(
        number=new_number(completed_on.year),
        enrolment_id=enrolment.id,
        nip=enrolment.nip,
        program_title=program_title,
        institution_name=institution_name,
        jp=jp,
        completed_on=completed_on,
        issued_at=clock.now(),
    )
    session.add(row)
    await session.flush()
    return row


async def _by_number(session: AsyncSession, number: str, *, for_update: bool = False) -> Certificate:
    if not well_formed(number):
        raise NotFound(msg("No such certificate."))
    stmt = select(Certificate).where(Certificate.number == number)
    if for_update:
        stmt = stmt.with_for_update()
    row = (await session.scalars(stmt)).first()
    if row is None:
        raise NotFound(msg("No such certificate."))
    return row


async def verify(session: AsyncSession, number: str) -> Certificate:
    """The certificate with this number (404 when unknown or mistyped)."""
    return await _by_number(session, number)


def certificate_state(row: Certificate) -> dict[str, Any]:
    """A certificate as the audit log keeps it."""
    return {
        "number": row.number,
        "enrolment_id": str(row.enrolment_id),
        "nip": row.nip,
        "jp": row.jp,
        "completed_on": row.completed_on.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "revoked_reason": row.revoked_reason,
    }


async def revoke(
    session: AsyncSession, kinerja: KinerjaClient, number: str, reason: str, *, actor: str
) -> Certificate:
    """Withdraw a certificate; its JP stop counting in the ledger, and the unit's training figures go to
    publik again with the change. A second revocation is a 409."""
    row = await _by_number(session, number, for_update=True)
    if row.revoked_at is not None:
        raise Conflict(msg("The certificate is already revoked."))
    before = certificate_state(row)
    now = clock.now()
    row.revoked_at, row.revoked_reason = now, reason
    await session.execute(
        update(JpEntry).where(JpEntry.enrolment_id == row.enrolment_id).values(revoked_at=now)
    )
    await session.flush()
    figures = await stats.event_for_nip(session, kinerja, row.nip, row.completed_on.year)
    await record_change(
        session,
        SINK,
        actor=actor,
        action="certificate.revoke",
        entity="certificate",
        entity_id=row.number,
        before=before,
        after=certificate_state(row),
        events=[figures] if figures is not None else [],
        reason=reason,
    )
    return row
