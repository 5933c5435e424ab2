"""Writing the change log. It is fed from the audit log's hook (every change to an employee, SKP or
evaluation is audited), so no mutation can be logged in one place and forgotten in the other.

The entry's ``data`` is the entity as it is after the change, loaded from its tables (an SKP with its
results and indicators); an entity that no longer exists is logged as a DELETE."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.common.changelog import DELETE, UPSERT, append_changes
from services.common.outbox import enqueue_many
from services.kinerja_api.evaluations.models import Evaluation
from services.kinerja_api.events import OutboxEvent
from services.kinerja_api.skp.models import Skp, SkpResult
from services.kinerja_api.sync.models import ChangeLog

SYNCED = frozenset({"employee", "skp", "evaluation"})


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def skp_data(skp: Skp) -> dict[str, Any]:
    """An SKP as integrators receive it."""
    return {
        "id": str(skp.id),
        "nip": skp.nip,
        "year": skp.year,
        "status": skp.status,
        "approach": skp.approach,
        "approver_nip": skp.approver_nip,
        "approved_at": skp.approved_at,
        "version": skp.version,
        "results": [
            {
                "id": str(r.id),
                "kind": r.kind,
                "text": r.text,
                "parent_result_id": str(r.parent_result_id) if r.parent_result_id else None,
                "aspect": r.aspect,
                "perspective": r.perspective,
                "indicators": [{"id": str(i.id), "text": i.text, "target": i.target} for i in r.indicators],
            }
            for r in skp.results
        ],
    }


def evaluation_data(ev: Evaluation) -> dict[str, Any]:
    """An evaluation as integrators receive it (the integrator role may read evaluations)."""
    return {
        "id": str(ev.id),
        "nip": ev.nip,
        "unit_id": str(ev.unit_id),
        "period": ev.period,
        "period_start": ev.period_start,
        "period_end": ev.period_end,
        "evaluator_nip": ev.evaluator_nip,
        "on_behalf": ev.on_behalf,
        "status": ev.status,
        "result_rating": ev.result_rating,
        "behavior_rating": ev.behavior_rating,
        "behavior_notes": ev.behavior_notes,
        "predikat": ev.predikat,
        "version": ev.version,
        "finalized_at": ev.finalized_at,
    }


async def _load(session: AsyncSession, entity: str, entity_id: str) -> dict[str, Any] | None:
    key = _uuid(entity_id)
    if key is None:
        return None
    if entity == "skp":
        skp = await session.scalar(
            select(Skp)
            .where(Skp.id == key)
            .options(selectinload(Skp.results).selectinload(SkpResult.indicators))
            .execution_options(populate_existing=True)
        )
        return skp_data(skp) if skp is not None else None
    ev = await session.scalar(
        select(Evaluation).where(Evaluation.id == key).execution_options(populate_existing=True)
    )
    return evaluation_data(ev) if ev is not None else None


# Audited actions that integrators can subscribe to as webhooks (the gateway maps them to its event types;
# docs/integrators.md). Only ids and states travel, never ratings or notes.
WEBHOOK_EVENTS = {
    "evaluation.finalize": "kinerja.evaluation_finalized",
    "skp.approve": "kinerja.skp_approved",
    "employee.create": "kinerja.employee",
    "employee.update": "kinerja.employee",
    "employee.import": "kinerja.employee",
}


_WEBHOOK_FIELDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "kinerja.evaluation_finalized": ("evaluation_id", ("nip", "period", "status", "unit_id")),
    "kinerja.skp_approved": ("skp_id", ("nip", "year", "status")),
    "kinerja.employee": (None, ("nip", "active", "unit_id", "position_type", "employment")),
}


def _webhook_payload(event_type: str, entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
    id_field, keys = _WEBHOOK_FIELDS[event_type]
    payload = {k: data.get(k) for k in keys}
    if id_field is not None:
        payload[id_field] = entity_id
    return payload


async def log_changes(
    session: AsyncSession, changes: Sequence[tuple[str, str, str, dict[str, Any] | None]]
) -> None:
    """For ``(action, entity, entity_id, after)`` of audited changes: append the synced entities to the
    change log (employees carry their full state in the audit's ``after``; SKPs and evaluations are
    loaded, so the entry holds the whole entity), and queue the webhook-worthy ones for the gateway."""
    rows: list[tuple[str, str, str, dict[str, Any] | None]] = []
    webhooks: list[tuple[str, dict[str, Any]]] = []
    for action, entity, entity_id, after in changes:
        if entity not in SYNCED:
            continue
        data = after if entity == "employee" else await _load(session, entity, entity_id)
        rows.append((entity, entity_id, UPSERT if data is not None else DELETE, data))
        event_type = WEBHOOK_EVENTS.get(action)
        if event_type is not None and data is not None:
            webhooks.append((event_type, _webhook_payload(event_type, entity_id, data)))
    await enqueue_many(session, OutboxEvent, "gateway", webhooks)
    await append_changes(session, ChangeLog, rows)
