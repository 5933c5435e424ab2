"""Queries on accounts and API clients. Flushes, never commits (the request's session commits once)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity.models import Account, ApiClient, LoginLockout


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


async def lockout_of(session: AsyncSession, username: str, address: str) -> LoginLockout | None:
    """The failure record of (username, address), if any."""
    return await session.get(LoginLockout, (username, address))


async def record_address_failure(
    session: AsyncSession,
    username: str,
    address: str,
    *,
    max_failures: int,
    lockout_s: int,
    max_lockout_s: int,
    now: datetime,
) -> LoginLockout:
    """Count one failed login of ``username`` from ``address`` (one atomic upsert, so simultaneous attempts
    cannot lose counts); at ``max_failures`` the pair is locked for ``lockout_s`` doubled for each earlier
    lock-out of the pair (at most ``max_lockout_s``) and its count starts again. Returns the row after."""
    table = LoginLockout.__table__
    reaches = table.c.failures + 1 >= max_failures
    delay = func.least(max_lockout_s, lockout_s * func.power(2, func.least(table.c.lockouts, 30)))
    first_locks = max_failures <= 1
    stmt = insert(LoginLockout).values(
        username=username,
        address=address,
        failures=0 if first_locks else 1,
        lockouts=1 if first_locks else 0,
        locked_until=now + timedelta(seconds=lockout_s) if first_locks else None,
        last_failure_at=now,
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=[table.c.username, table.c.address],
        set_={
            "failures": case((reaches, 0), else_=table.c.failures + 1),
            "lockouts": case((reaches, table.c.lockouts + 1), else_=table.c.lockouts),
            "locked_until": case(
                (reaches, now + func.make_interval(0, 0, 0, 0, 0, 0, delay)), else_=table.c.locked_until
            ),
            "last_failure_at": now,
        },
    ).returning(LoginLockout)
    row: LoginLockout = (await session.scalars(upsert, execution_options={"populate_existing": True})).one()
    return row


async def recent_failures(session: AsyncSession, username: str, *, since: datetime, max_failures: int) -> int:
    """Failed logins of ``username`` from every address since ``since`` (each lock-out counts as the
    ``max_failures`` failures that earned it: the pair's own count starts again at a lock-out)."""
    total = await session.scalar(
        select(
            func.coalesce(func.sum(LoginLockout.failures + LoginLockout.lockouts * max_failures), 0)
        ).where(LoginLockout.username == username, LoginLockout.last_failure_at >= since)
    )
    return int(total or 0)


async def clear_address_failures(session: AsyncSession, username: str, address: str) -> None:
    """Forget the failures of (username, address) after a successful login from there."""
    await session.execute(
        delete(LoginLockout)
        .where(LoginLockout.username == username, LoginLockout.address == address)
        .execution_options(synchronize_session=False)
    )


async def unlock(session: AsyncSession, username: str, *, now: datetime) -> list[str]:
    """Lift every lock-out of ``username`` and forget its failures; the addresses that were locked."""
    result = await session.execute(
        delete(LoginLockout)
        .where(LoginLockout.username == username)
        .returning(LoginLockout.address, LoginLockout.locked_until)
        .execution_options(synchronize_session=False)
    )
    return sorted(address for address, until in result.all() if until is not None and until > now)


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
