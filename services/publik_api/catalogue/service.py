"""Rules of the services catalogue: names unique per unit, no personal data, a service that answers or
innovations name is deactivated rather than deleted. Every change bumps the publication version (the
catalogue is a cached public read) and is written through :func:`record_admin_change`."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.auth import Principal
from services.common.changes import record_change
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.i18n import msg
from services.publik_api.catalogue import repository
from services.publik_api.catalogue.schemas import ServiceCreate, ServiceRead, ServiceUpdate
from services.publik_api.clients.kinerja import KinerjaClient
from services.publik_api.events import SINK
from services.publik_api.ingest.privacy import personal_text
from services.publik_api.models.catalogue import PublicService
from services.publik_api.publications.repository import bump_version
from services.publik_api.unit_registry import repository as units
from services.publik_api.unit_registry.service import ensure_unit


async def record_admin_change(
    session: AsyncSession,
    actor: Principal,
    action: str,
    entity_id: uuid.UUID,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """The one place this module writes down an admin change: publik's hash-chained audit (``SINK``)."""
    await record_change(
        session,
        SINK,
        actor=actor.subject,
        action=f"service.{action}",
        entity="public_service",
        entity_id=str(entity_id),
        before=before,
        after=after,
    )


def _state(row: PublicService) -> dict[str, Any]:
    return {
        "unit_id": str(row.unit_id),
        "name": row.name,
        "description": row.description,
        "active": row.active,
    }


def _refuse_personal(data: dict[str, Any]) -> None:
    # The texts are scanned (a service's "name" is not a person's, so the key scan does not apply).
    personal = [f"body.{k}" for k, v in data.items() if isinstance(v, str) and personal_text(v)]
    if personal:
        raise InvalidInput(
            msg("The service carries personal data, which publik never publishes (UU 14/2008 Pasal 17(h))."),
            slug="personal-data",
            errors=[{"loc": p.split("."), "msg": "personal data"} for p in personal],
        )


async def list_for_unit(
    session: AsyncSession, unit_id: uuid.UUID, *, active_only: bool = True
) -> list[ServiceRead]:
    """A unit's services (the active ones unless asked otherwise); 404 for an unknown unit."""
    if await units.get(session, unit_id) is None:
        raise NotFound(msg("No unit {unit_id}", unit_id=unit_id))
    rows = await repository.of_unit(session, unit_id, active_only=active_only)
    return [ServiceRead.model_validate(r) for r in rows]


async def get(session: AsyncSession, service_id: uuid.UUID) -> PublicService:
    """One service; 404 when unknown."""
    row = await repository.get(session, service_id)
    if row is None:
        raise NotFound(msg("No service {service_id}", service_id=service_id))
    return row


async def of_unit_or_422(
    session: AsyncSession, unit_id: uuid.UUID, service_id: uuid.UUID, *, loc: str = "service_id"
) -> PublicService:
    """The named service when it belongs to the unit and is active; 422 otherwise."""
    row = await repository.get(session, service_id)
    if row is None or row.unit_id != unit_id or not row.active:
        raise InvalidInput(
            msg("The service is not one of the unit's active services."),
            errors=[{"loc": ["body", loc], "msg": "unknown service for this unit"}],
        )
    return row


async def create(
    session: AsyncSession,
    unit_id: uuid.UUID,
    body: ServiceCreate,
    actor: Principal,
    kinerja: KinerjaClient | None,
) -> ServiceRead:
    """Add a service to a unit's catalogue (409 when the unit already has one of that name)."""
    _refuse_personal(body.model_dump())
    if await ensure_unit(session, unit_id, kinerja) is None:
        raise NotFound(msg("No unit {unit_id}", unit_id=unit_id))
    if await repository.name_taken(session, unit_id, body.name):
        raise Conflict(msg("The unit already has a service named {name!r}.", name=body.name))
    now = clock.now()
    row = PublicService(
        id=uuid.uuid4(),
        unit_id=unit_id,
        name=body.name,
        description=body.description,
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    await bump_version(session)
    await record_admin_change(session, actor, "create", row.id, None, _state(row))
    return ServiceRead.model_validate(row)


async def update(
    session: AsyncSession, service_id: uuid.UUID, body: ServiceUpdate, actor: Principal
) -> ServiceRead:
    """Rename, describe or (de)activate a service."""
    row = await get(session, service_id)
    changes = body.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise InvalidInput(
            msg("{key} cannot be null", key="name"), errors=[{"loc": ["body", "name"], "msg": "null"}]
        )
    if "active" in changes and changes["active"] is None:
        raise InvalidInput(
            msg("{key} cannot be null", key="active"), errors=[{"loc": ["body", "active"], "msg": "null"}]
        )
    _refuse_personal(changes)
    if changes.get("name") and await repository.name_taken(session, row.unit_id, changes["name"], row.id):
        raise Conflict(msg("The unit already has a service named {name!r}.", name=changes["name"]))
    before = _state(row)
    for field, value in changes.items():
        setattr(row, field, value)
    row.updated_at = clock.now()
    await session.flush()
    await bump_version(session)
    await record_admin_change(session, actor, "update", row.id, before, _state(row))
    return ServiceRead.model_validate(row)


async def delete(session: AsyncSession, service_id: uuid.UUID, actor: Principal) -> None:
    """Remove a service nobody has named yet; one that answers or innovations name is 409 (deactivate it)."""
    row = await get(session, service_id)
    if await repository.referenced(session, service_id):
        raise Conflict(msg("Survey answers or innovations name this service; deactivate it instead."))
    before = _state(row)
    await session.delete(row)
    await session.flush()
    await bump_version(session)
    await record_admin_change(session, actor, "delete", service_id, before, None)
