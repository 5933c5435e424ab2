"""Bootstrap (service clients), demo data and admin accounts, written through each app's own models."""

from __future__ import annotations

import asyncio
import importlib
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select
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


async def bootstrap(
    gateway_url: str, service_secrets: dict[str, str], *, local: bool = False
) -> dict[str, str]:
    """The API clients the services use to call each other (role ``service``); returns their secrets.

    In production (``asn bootstrap-clients``) a client an admin revoked stays revoked. ``local`` (``asn run``,
    the embedded setup) re-creates a revoked one with a new secret, returned for the caller to keep: the
    local services must not be left without tokens by a revocation done through the admin API."""
    import secrets as random_secrets

    from sqlalchemy import select

    from gateway.identity.bootstrap import ensure_client
    from gateway.identity.models import ApiClient

    current = dict(service_secrets)
    async with app_session(gateway_url) as session:
        for client_id in sorted(current):
            revoked = await session.scalar(
                select(ApiClient.revoked_at).where(ApiClient.client_id == client_id)
            )
            if local and revoked is not None:
                current[client_id] = random_secrets.token_urlsafe(32)
            await ensure_client(
                session,
                client_id=client_id,
                name=f"internal service {client_id}",
                secret=current[client_id],
                roles=[Role.SERVICE],
                revive=local,
            )
    return current


async def seed_demo(
    urls: dict[str, str], settings: CliSettings, context: dict[str, Any] | None = None
) -> list[str]:
    """Load every app's demo data; safe to run again (nothing is duplicated or overwritten). ``context``
    (filled when given) is what ``publish_demo`` needs once the apps run."""
    context = {} if context is None else context
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


# The events that carry the demo's public figures, by the app whose outbox sends them to publik.
DEMO_FIGURES = {
    "kinerja": ("services.kinerja_api.events", "kinerja.unit_performance"),
    "pelatihan": ("services.pelatihan_api.models.outbox", "pelatihan.training_stats"),
}


async def _figures_in_flight(urls: dict[str, str]) -> int:
    """How many figure events are still waiting in kinerja's and pelatihan's outboxes for publik."""
    from services.common.outbox import PENDING

    waiting = 0
    for app, (module_name, event_type) in DEMO_FIGURES.items():
        model = importlib.import_module(module_name).OutboxEvent
        async with app_session(urls[app]) as session:
            waiting += int(
                await session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(
                        model.destination == "publik",
                        model.event_type == event_type,
                        model.status == PENDING,
                    )
                )
                or 0
            )
    return waiting


async def publish_demo(
    urls: dict[str, str], context: dict[str, Any], *, timeout_s: float = 60.0, poll_s: float = 0.3
) -> list[str]:
    """With the apps running: wait until the outboxes have delivered kinerja's and pelatihan's figures to
    publik's ingest, then approve the demo's periods with publik's admin approval (``publications approve``),
    so every public figure is the one the owning service reported, after publik's disclosure control.

    Only a pending publication of a demo period (kinerja's finished quarter, pelatihan's training year) whose
    waiting items all belong to demo units is approved: nothing someone else sent is published by the demo,
    and an approved period is left alone (a correction is public on arrival, never through the seed)."""
    from services.publik_api.config import PublikSettings
    from services.publik_api.models.publications import PENDING, Item, Publication
    from services.publik_api.publications.service import approve
    from services.publik_api.snapshots.service import load_signer

    periods = {str(p) for p in (context.get("demo_period"), context.get("demo_training_year")) if p}
    demo_units = {uuid.UUID(str(u)) for u in (context.get("demo_units") or {}).values()}
    if not periods or not demo_units:
        return []
    deadline = time.monotonic() + timeout_s
    while await _figures_in_flight(urls):
        if time.monotonic() > deadline:
            return [f"publik: demo figures not delivered within {timeout_s:.0f} s; approve them later"]
        await asyncio.sleep(poll_s)
    settings = PublikSettings()
    approved: list[str] = []
    async with app_session(urls["publik"]) as session:
        signer = await load_signer(
            settings.snapshot_key_pem.get_secret_value() if settings.snapshot_key_pem else None,
            settings.data_dir,
        )
        pubs = (
            await session.scalars(
                select(Publication)
                .where(Publication.period.in_(periods), Publication.status == PENDING)
                .order_by(Publication.period)
            )
        ).all()
        for pub in pubs:
            waiting = set(
                (
                    await session.scalars(
                        select(Item.unit_id).where(Item.publication_id == pub.id, Item.published_at.is_(None))
                    )
                ).all()
            )
            if waiting and waiting <= demo_units:
                await approve(session, pub.id, DEMO_APPROVER, signer, min_group_size=settings.min_group_size)
                approved.append(pub.period)
    if not approved:
        return []
    return [f"publik: demo figures approved for {', '.join(approved)} (as {DEMO_APPROVER!r})"]


DEMO_APPROVER = "demo-seed"
