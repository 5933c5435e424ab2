"""Queries on accounts and API clients. Flushes, never commits (the request's session commits once)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity.models import Account, ApiClient


async def account_by_username(session: AsyncSession, username: str) -> Account | None:
    """The account with this username, if any."""
    result: Account | None = await session.scalar(select(Account).where(Account.username == username))
    return result


async def list_accounts(session: AsyncSession, *, after: str | None, limit: int) -> list[Account]:
    """Up to ``limit`` accounts ordered by username, after the given one (keyset)."""
    query = select(Account).order_by(Account.username).limit(limit)
    if after is not None:
        query = query.where(Account.username > after)
    return list(await session.scalars(query))


async def record_failed_login(
    session: AsyncSession, username: str, *, max_failures: int, lockout_s: int, now: datetime
) -> None:
    """Count one failed login and lock the account when the count reaches ``max_failures``.

    One atomic UPDATE, so simultaneous attempts cannot lose counts. It runs for unknown usernames too
    (matching no row), so a failure costs the same whether or not the account exists. Failures while
    locked neither count nor extend the lock.
    """
    not_locked = (Account.locked_until.is_(None)) | (Account.locked_until <= now)
    reaches = Account.failed_logins + 1 >= max_failures
    await session.execute(
        update(Account)
        .where(Account.username == username, not_locked)
        .values(
            failed_logins=case((reaches, 0), else_=Account.failed_logins + 1),
            locked_until=case((reaches, now + timedelta(seconds=lockout_s)), else_=None),
        )
        .execution_options(synchronize_session=False)
    )


async def clear_failed_logins(session: AsyncSession, account: Account) -> None:
    """Forget earlier failures after a successful login (writes only when there were any)."""
    if account.failed_logins or account.locked_until is not None:
        account.failed_logins = 0
        account.locked_until = None
        await session.flush()


async def username_exists(session: AsyncSession, username: str) -> bool:
    """True when an account already uses this username."""
    found = await session.scalar(select(func.count()).where(Account.username == username))
    return bool(found)


async def add(session: AsyncSession, row: Account | ApiClient) -> None:
    """Insert a new row and flush, so database defaults (timestamps) are loaded."""
    session.add(row)
    await session.flush()
    await session.refresh(row)


async def client_by_id(
    session: AsyncSession, client_id: str, *, for_update: bool = False
) -> ApiClient | None:
    """The API client with this client id, if any (row-locked with ``for_update``: rotations serialise)."""
    query = select(ApiClient).where(ApiClient.client_id == client_id)
    if for_update:
        query = query.with_for_update()
    result: ApiClient | None = await session.scalar(query)
    return result


async def list_clients(session: AsyncSession, *, after: str | None, limit: int) -> list[ApiClient]:
    """Up to ``limit`` API clients ordered by client id, after the given one (keyset)."""
    query = select(ApiClient).order_by(ApiClient.client_id).limit(limit)
    if after is not None:
        query = query.where(ApiClient.client_id > after)
    return list(await session.scalars(query))


async def record_client_use(session: AsyncSession, client: ApiClient, *, now: datetime) -> None:
    """Count one token issued to the client (atomic increment, for the usage report)."""
    await session.execute(
        update(ApiClient)
        .where(ApiClient.id == client.id)
        .values(usage_count=ApiClient.usage_count + 1, last_used_at=now)
        .execution_options(synchronize_session=False)
    )


async def add_client_usage(session: AsyncSession, usage: dict[str, tuple[int, datetime]]) -> None:
    """Add counted requests to each client's usage (client id -> (count, last use)); one UPDATE per client.

    Additive, so every replica can flush its own counts; ``last_used_at`` only moves forward."""
    for client_id, (count, last_used) in sorted(usage.items()):
        await session.execute(
            update(ApiClient)
            .where(ApiClient.client_id == client_id)
            .values(
                usage_count=ApiClient.usage_count + count,
                last_used_at=func.greatest(func.coalesce(ApiClient.last_used_at, last_used), last_used),
            )
            .execution_options(synchronize_session=False)
        )
