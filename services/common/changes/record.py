"""``record_change``: the one way a change is written down.

Inside the request's transaction, from the caller's typed before/after state, it writes

1. the hash-chained audit entry (``sink.audit``),
2. the outbox rows of the change's events (``sink.outbox``; one row per destination of each event),
3. the change-log row when the entity is one integrators sync (``sink.change_log``, ``sink.synced``),

in that order. The change log comes last because its advisory lock is held until commit; call
``record_change`` as the last step of a write, after the flush that made the change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changelog import DELETE, UPSERT, ChangeLogMixin, append_changes
from services.common.changes.audit import AuditMixin, AuditRow, append_entries
from services.common.changes.events import Event
from services.common.outbox import PENDING, OutboxMixin
from services.common.request_id import current_request_id

State = Mapping[str, Any]


class _Same:
    def __repr__(self) -> str:
        return "SAME"


SAME: Final = _Same()
"""``synced`` default: the change log records ``after``."""


@dataclass(frozen=True, slots=True)
class ChangeSink:
    """Where one app writes its changes. Build one per app, once, next to its models."""

    audit: type[AuditMixin]
    lock_key: int  # ``chain_lock_key("<app>")``: one audit chain per app
    outbox: type[OutboxMixin] | None = None
    change_log: type[ChangeLogMixin] | None = None
    synced: frozenset[str] = frozenset()  # entities integrators follow through the change log


@dataclass(frozen=True, slots=True)
class Change:
    """One change of one entity (for :func:`record_changes`; :func:`record_change` takes the same fields).

    ``before``/``after`` are the audited states (None before a creation, after a deletion). ``synced`` is
    the entity's whole state for the change log when ``after`` describes only the part the action touched
    (an SKP's realisation, an objection to an evaluation); by default it is ``after``.
    """

    action: str
    entity: str
    entity_id: str
    before: State | None = None
    after: State | None = None
    events: Sequence[Event] = ()
    reason: str | None = None
    on_behalf_of: str | None = None
    synced: State | _Same | None = field(default=SAME)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What was written: the audit rows (with their hashes) and the outbox ids per (event, destination)."""

    entries: list[dict[str, Any]]
    outbox: list[tuple[Event, str, uuid.UUID]]

    def event_id(self, event: Event, destination: str) -> uuid.UUID:
        """The outbox id under which ``event`` goes to ``destination`` (the receiver's idempotency key)."""
        for sent, dest, row_id in self.outbox:
            if sent is event and dest == destination:
                return row_id
        raise KeyError(f"{event.event_type} was not sent to {destination}")


async def record_change(
    session: AsyncSession,
    sink: ChangeSink,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: State | None = None,
    after: State | None = None,
    events: Sequence[Event] = (),
    reason: str | None = None,
    on_behalf_of: str | None = None,
    synced: State | _Same | None = SAME,
) -> Recorded:
    """Record one change: audit entry, outbox events and change-log row, in the caller's transaction."""
    change = Change(action, entity, entity_id, before, after, events, reason, on_behalf_of, synced)
    return await record_changes(session, sink, [change], actor=actor)


async def record_changes(
    session: AsyncSession, sink: ChangeSink, changes: Sequence[Change], *, actor: str
) -> Recorded:
    """Record many changes by one actor in bulk (an import): one INSERT per table, chained in order."""
    if not changes:
        return Recorded([], [])
    at = datetime.now(UTC)
    outbox = await _enqueue(session, sink, changes, at)
    entries = await append_entries(
        session,
        sink.audit,
        sink.lock_key,
        [
            AuditRow(
                actor,
                c.action,
                c.entity,
                c.entity_id,
                dict(c.before) if c.before is not None else None,
                dict(c.after) if c.after is not None else None,
                c.reason,
                c.on_behalf_of,
            )
            for c in changes
        ],
        at,
    )
    if sink.change_log is not None:
        rows: list[tuple[str, str, str, dict[str, Any] | None]] = []
        for c in changes:
            if c.entity not in sink.synced:
                continue
            state = c.after if isinstance(c.synced, _Same) else c.synced
            rows.append((c.entity, c.entity_id, UPSERT if state is not None else DELETE, _plain(state)))
        await append_changes(session, sink.change_log, rows)
    return Recorded(entries, outbox)


def _plain(state: State | None) -> dict[str, Any] | None:
    return dict(state) if state is not None else None


async def _enqueue(
    session: AsyncSession, sink: ChangeSink, changes: Sequence[Change], at: datetime
) -> list[tuple[Event, str, uuid.UUID]]:
    sent: list[tuple[Event, str, uuid.UUID]] = []
    rows: list[dict[str, Any]] = []
    rid = current_request_id()
    for change in changes:
        for event in change.events:
            for columns in event.outbox_rows():
                row_id = uuid.uuid4()
                sent.append((event, columns["destination"], row_id))
                rows.append({**columns, "id": row_id, "status": PENDING, "attempts": 0, "request_id": rid})
    if rows:
        if sink.outbox is None:
            raise RuntimeError("this app's change sink has no outbox; its changes cannot carry events")
        await session.execute(insert(sink.outbox.__table__), rows)  # type: ignore[attr-defined]
    return sent
