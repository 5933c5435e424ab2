"""Idempotent creation of accounts and clients (the CLI's create-admin, service clients, demo accounts)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.changes import SINK
from gateway.identity.models import Account, ApiClient
from gateway.identity.passwords import hash_secret_async, verify_secret_async
from gateway.identity.service import account_state, client_state
from services.common.changes import record_change

# The actor of what the command line sets up (``asn create-admin``, service clients, demo accounts).
BOOTSTRAP = "asn-cli"


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
    before = None if account is None else account_state(account)
    new_password = account is None
    if account is None:
        account = Account(username=username, password_hash=await hash_secret_async(password))
        session.add(account)
    elif not await verify_secret_async(account.password_hash, password):
        account.password_hash = await hash_secret_async(password)
        new_password = True
    account.roles = sorted(set(roles))
    account.nip = nip
    account.institution_id = institution_id
    account.is_demo = is_demo
    account.active = True
    await session.flush()
    await session.refresh(account)
    after = account_state(account)
    if after != before or new_password:
        if new_password and not created:
            after["password"] = "changed"
        await record_change(
            session,
            SINK,
            actor=BOOTSTRAP,
            action="account.create" if created else "account.update",
            entity="account",
            entity_id=username,
            before=before,
            after=after,
        )
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
    before = None if client is None else client_state(client)
    new_secret = client is None
    if client is None:
        client = ApiClient(client_id=client_id, name=name, secret_hash=await hash_secret_async(secret))
        session.add(client)
    elif not await verify_secret_async(client.secret_hash, secret):
        client.secret_hash = await hash_secret_async(secret)
        new_secret = True
    client.name = name
    client.roles = sorted(set(roles))
    client.active = True
    await session.flush()
    await session.refresh(client)
    after = client_state(client)
    if after != before or new_secret:
        if new_secret and not created:
            after["secret"] = "changed"
        await record_change(
            session,
            SINK,
            actor=BOOTSTRAP,
            action="api_client.create" if created else "api_client.update",
            entity="api_client",
            entity_id=client_id,
            before=before,
            after=after,
        )
    return client, created
