"""Applying events from kinerja and pelatihan: refuse personal data, apply each event id once, turn figures
into items that wait for approval (or correct existing ones)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import Catalogue
from services.common.changes.catalogue.kinerja import (
    OrganisationPerformance,
    UnitChanged,
    UnitPerformance,
)
from services.common.changes.catalogue.pelatihan import TrainingStats
from services.common.errors import InvalidInput
from services.common.i18n import msg
from services.common.outbox import receive_once
from services.publik_api.ingest.privacy import personal_fields
from services.publik_api.ingest.schemas import (
    EventEnvelope,
    OrganisationPerformanceData,
    TrainingStatsData,
    UnitData,
    UnitPerformanceData,
)
from services.publik_api.models.inbox import InboxEvent
from services.publik_api.publications import suppression
from services.publik_api.publications.repository import bump_version
from services.publik_api.publications.service import upsert_item
from services.publik_api.snapshots.service import SnapshotSigner
from services.publik_api.unit_registry.service import learn_unit


class IngestContext:
    """What applying an event needs besides the session."""

    def __init__(self, *, min_group_size: int, policy_version: str, signer: SnapshotSigner) -> None:
        self.min_group_size = min_group_size
        self.policy_version = policy_version
        self.signer = signer


async def _unit(session: AsyncSession, data: BaseModel, ctx: IngestContext, actor: str) -> None:
    assert isinstance(data, UnitData)
    await learn_unit(
        session,
        data.unit_id,
        actor=actor,
        name=data.name,
        code=data.code,
        parent_id=data.parent_id,
        active=data.active,
    )
    # Unit names appear in every rendered feed, so cached responses must be rebuilt.
    await bump_version(session)


async def _unit_performance(session: AsyncSession, data: BaseModel, ctx: IngestContext, actor: str) -> None:
    assert isinstance(data, UnitPerformanceData)
    await learn_unit(session, data.unit_id, actor=actor, name=data.unit_name, name_only=True)
    raw = data.model_dump(
        mode="json", exclude={"unit_id", "unit_name", "period", "policy_version", "data_as_of"}
    )
    public, suppressed = suppression.unit_performance(raw, ctx.min_group_size)
    await upsert_item(
        session,
        kind="UNIT_PERFORMANCE",
        unit_id=data.unit_id,
        period=data.period,
        data=raw,
        public_data=public,
        suppressed=suppressed,
        policy_version=data.policy_version or ctx.policy_version,
        data_as_of=data.data_as_of,
        signer=ctx.signer,
        min_group_size=ctx.min_group_size,
        actor=actor,
    )


async def _training_stats(session: AsyncSession, data: BaseModel, ctx: IngestContext, actor: str) -> None:
    assert isinstance(data, TrainingStatsData)
    await learn_unit(session, data.unit_id, actor=actor, name=data.unit_name, name_only=True)
    raw = data.model_dump(mode="json", exclude={"unit_id", "unit_name", "year", "data_as_of"})
    public, suppressed = suppression.training_stats(raw, ctx.min_group_size)
    await upsert_item(
        session,
        kind="TRAINING_STATS",
        unit_id=data.unit_id,
        period=str(data.year),
        data=raw,
        public_data=public,
        suppressed=suppressed,
        policy_version=ctx.policy_version,
        data_as_of=data.data_as_of,
        signer=ctx.signer,
        min_group_size=ctx.min_group_size,
        actor=actor,
    )


async def _organisation(session: AsyncSession, data: BaseModel, ctx: IngestContext, actor: str) -> None:
    assert isinstance(data, OrganisationPerformanceData)
    await learn_unit(session, data.unit_id, actor=actor, name=data.unit_name, name_only=True)
    raw = data.model_dump(mode="json", include={"results"})
    # A public document by unit (SAKIP, domain.md §11.6): it waits for the period's approval like every
    # figure, but holds no counts of people, so no suppression applies.
    await upsert_item(
        session,
        kind="CAPAIAN_KINERJA",
        unit_id=data.unit_id,
        period=data.period,
        data=raw,
        public_data=raw,
        suppressed=[],
        policy_version=ctx.policy_version,
        data_as_of=data.data_as_of,
        signer=ctx.signer,
        actor=actor,
    )


# The event types and versions publik knows; any other version is refused (422).
RECEIVES = Catalogue("publik", [UnitChanged, UnitPerformance, OrganisationPerformance, TrainingStats])

# (session, data, context, actor: the sending service)
Handler = Callable[[AsyncSession, BaseModel, IngestContext, str], Awaitable[None]]
HANDLERS: dict[str, tuple[type[BaseModel], Handler, frozenset[str]]] = {
    # (data model, handler, top-level keys exempt from the personal-field scan)
    "kinerja.unit": (UnitData, _unit, frozenset({"name"})),  # a unit's name, not a person's
    "kinerja.unit_performance": (UnitPerformanceData, _unit_performance, frozenset()),
    "pelatihan.training_stats": (TrainingStatsData, _training_stats, frozenset()),
    "kinerja.organisation_performance": (OrganisationPerformanceData, _organisation, frozenset()),
}


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": ["body", "data", *e["loc"]], "msg": e["msg"]} for e in exc.errors()]


async def ingest(session: AsyncSession, event: EventEnvelope, ctx: IngestContext) -> bool:
    """Apply an event; True when applied now, False when it had been applied before. Invalid events and
    events carrying personal fields are refused (422) and not recorded."""
    handler = HANDLERS.get(event.type)
    if handler is None:
        raise InvalidInput(
            msg("Unknown event type {type!r}", type=event.type),
            errors=[{"loc": ["body", "type"], "msg": "unknown event type"}],
        )
    RECEIVES.model(event.type, event.version)
    model, apply, exempt = handler
    personal = personal_fields(event.data, allowed_top_level=exempt)
    if personal:
        raise InvalidInput(
            msg("The event carries personal data, which publik never accepts (UU 14/2008 Pasal 17(h))."),
            slug="personal-data",
            errors=[{"loc": ["body", *p.split(".")], "msg": "personal field"} for p in personal],
        )
    try:
        data = model.model_validate(event.data)
    except ValidationError as exc:
        raise InvalidInput(msg("The event data is malformed."), errors=_errors(exc)) from exc
    if not await receive_once(
        session, InboxEvent, event_id=event.id, source=event.source, event_type=event.type
    ):
        return False
    await apply(session, data, ctx, event.source)
    return True
