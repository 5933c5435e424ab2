"""Queries on claims of outside learning and their caps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.pelatihan_api.enums import DEFAULT_CAPS, ClaimStatus, LearningPath
from services.pelatihan_api.models.outside import LearningCap, OutsideLearning
from services.pelatihan_api.models.roster import RosterEmployee

OL = OutsideLearning


async def get(
    session: AsyncSession, claim_id: uuid.UUID, *, for_update: bool = False
) -> OutsideLearning | None:
    """One claim; ``for_update`` locks it until the transaction ends."""
    stmt = select(OL).where(OL.id == claim_id).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def lock_employee(session: AsyncSession, nip: str) -> None:
    """Serialise verifications of one employee's claims (the cap is a sum over them) until commit."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('pelatihan.outside:' || :nip))"), {"nip": nip}
    )


async def verified_jp(session: AsyncSession, nip: str, path: str, year: int) -> int:
    """JP of the employee's verified claims on ``path`` in ``year``."""
    value = await session.scalar(
        select(func.coalesce(func.sum(OL.jp), 0)).where(
            OL.nip == nip, OL.path == path, OL.year == year, OL.status == ClaimStatus.VERIFIED.value
        )
    )
    return int(value or 0)


async def credited_elsewhere(
    session: AsyncSession, provider: str, certificate_number: str, *, besides: uuid.UUID | None = None
) -> bool:
    """True when a verified claim already carries this provider and certificate number (case-insensitive)."""
    stmt = select(OL.id).where(
        func.lower(OL.provider) == provider.lower(),
        func.lower(OL.certificate_number) == certificate_number.lower(),
        OL.status == ClaimStatus.VERIFIED.value,
    )
    if besides is not None:
        stmt = stmt.where(OL.id != besides)
    return (await session.scalar(stmt.limit(1))) is not None


async def cap(session: AsyncSession, path: str) -> int:
    """The path's cap (JP per employee and year): the setting, or the documented default without one."""
    value = await session.scalar(select(LearningCap.jp_per_year).where(LearningCap.path == path))
    return int(value) if value is not None else DEFAULT_CAPS[LearningPath(path)]


async def caps(session: AsyncSession) -> dict[str, int]:
    """Every path's cap: the settings over the documented defaults."""
    rows = (await session.execute(select(LearningCap.path, LearningCap.jp_per_year))).all()
    return {**{p.value: jp for p, jp in DEFAULT_CAPS.items()}, **{path: int(jp) for path, jp in rows}}


async def page(
    session: AsyncSession,
    *,
    nip: str | None,
    supervisor_nip: str | None,
    status: str | None,
    after: list[Any] | None,
    limit: int,
) -> list[OutsideLearning]:
    """``limit + 1`` claims, newest first (keyset on created_at, id): one employee's, the direct reports' of
    ``supervisor_nip`` (from the roster), or everyone's."""
    stmt = select(OL).order_by(OL.created_at.desc(), OL.id.desc()).limit(limit + 1)
    if nip is not None:
        stmt = stmt.where(OL.nip == nip)
    if supervisor_nip is not None:
        stmt = stmt.where(
            OL.nip.in_(select(RosterEmployee.nip).where(RosterEmployee.supervisor_nip == supervisor_nip))
        )
    if status is not None:
        stmt = stmt.where(OL.status == status)
    if after is not None:
        stmt = stmt.where(
            tuple_(OL.created_at, OL.id) < (datetime.fromisoformat(after[0]), uuid.UUID(after[1]))
        )
    return list((await session.scalars(stmt)).all())
