"""Transaction helpers shared by the domains."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


async def end_read(session: AsyncSession) -> None:
    """End a read-only transaction before a call to another service, so no pooled connection (or lock) is
    held while waiting on the network. Nothing has been written yet, so the rollback discards nothing;
    loaded objects are expired, so callers keep plain values, not ORM rows, across this point."""
    if session.in_transaction():
        await session.rollback()
