"""Idempotent creation of accounts and clients (the CLI's create-admin, service clients, demo accounts)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity.models import Account, ApiClient
from gateway.identity.passwords import hash_secret_async, verify_secret_async


async def ensure_account(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    roles: Sequence[str],
    nip: str | None = None,
    institution_id: str | None = None,
    is_demo: bool = False,
) -> tuple[Account, bool]:
    """Create the account, or bring an existing one to these values. Returns (account, created)."""
    account = await session.scalar(select(Account).where(Account.username == username))
    created = account is None
    if account is None:
        account = Account(username=username, password_hash=await hash_secret_async(password))
        session.add(account)
    elif not await verify_secret_async(account.password_hash, password):
        account.password_hash = await hash_secret_async(password)
    account.roles = sorted(set(roles))
    account.nip = nip
    account.institution_id = institution_id
    account.is_demo = is_demo
    account.active = True
    await session.flush()
    return account, created


async def ensure_client(
    session: AsyncSession, *, client_id: str, name: str, secret: str, roles: Sequence[str]
) -> tuple[ApiClient, bool]:
    """Create the API client, or bring an existing one to these values. Returns (client, created).

    A client an admin revoked stays revoked: its secret may have leaked, so re-running the bootstrap must not
    bring it back; the operator creates a new client instead.
    """
    client = await session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    created = client is None
    if client is not None and client.revoked_at is not None:
        return client, False
    if client is None:
        client = ApiClient(client_id=client_id, name=name, secret_hash=await hash_secret_async(secret))
        session.add(client)
    elif not await verify_secret_async(client.secret_hash, secret):
        client.secret_hash = await hash_secret_async(secret)
    client.name = name
    client.roles = sorted(set(roles))
    client.active = True
    await session.flush()
    return client, created
