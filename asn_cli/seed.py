"""Bootstrap (service clients), demo data and admin accounts, written through each app's own models."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from asn_cli.database import CliSettings
from services.common.auth import Role
from services.common.settings import normalise_database_url

# Each app owns its demo data in a module with ``async def seed_demo(session, context) -> list[str]``.
# They run in this order; earlier ones put what later ones need (demo NIPs, unit ids) into ``context``.
DEMO_MODULES = (
    ("kinerja", "services.kinerja_api.demo"),
    ("pelatihan", "services.pelatihan_api.demo"),
    ("publik", "services.publik_api.demo"),
    ("gateway", "gateway.identity.demo"),
)


@asynccontextmanager
async def app_session(url: str) -> AsyncIterator[AsyncSession]:
    """One transaction against one app's database."""
    engine = create_async_engine(normalise_database_url(url))
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            yield session
    finally:
        await engine.dispose()


async def bootstrap(gateway_url: str, service_secrets: dict[str, str]) -> None:
    """The API clients the services use to call each other (role ``service``)."""
    from gateway.identity.bootstrap import ensure_client

    async with app_session(gateway_url) as session:
        for client_id, secret in service_secrets.items():
            await ensure_client(
                session,
                client_id=client_id,
                name=f"internal service {client_id}",
                secret=secret,
                roles=[Role.SERVICE],
            )


async def seed_demo(urls: dict[str, str], settings: CliSettings) -> list[str]:
    """Load every app's demo data; safe to run again (nothing is duplicated or overwritten)."""
    context: dict[str, Any] = {}
    summary: list[str] = []
    for app, module_name in DEMO_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        async with app_session(urls[app]) as session:
            summary.extend(await module.seed_demo(session, context))
    return summary


async def create_admin(gateway_url: str, username: str, password: str) -> bool:
    """Create or reset an admin account; True when created."""
    from gateway.identity.bootstrap import ensure_account

    async with app_session(gateway_url) as session:
        _, created = await ensure_account(session, username=username, password=password, roles=[Role.ADMIN])
        return created
