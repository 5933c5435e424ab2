"""``record_change``: the one way a change is written down.

Inside the request's transaction, from the caller's typed before/after state, it writes

1. the hash-chained audit entry (``sink.audit``),
2. the outbox rows of the change's events (``sink.outbox``; one row per destination of each event),
3. the change-log row when the entity is one integrators sync (``sink.change_log``, ``sink.synced``),

all prepared in Python first, then written under the audit chain's advisory lock (held until commit; it
serialises the app's writers, and the change log relies on it for its commit order) with two reads and,
for a single change, one INSERT. Call ``record_change`` as the last step of a write, after the flush that
made the change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.changelog import DELETE, UPSERT, ChangeLogMixin, change_rows
from services.common.changes.audit import AuditMixin, AuditRow, chain_head, chained
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
    at = clock.now()
    outbox, outbox_rows = _outbox_rows(sink, changes)
    change_log_rows: list[dict[str, Any]] = []
    if sink.change_log is not None:
        logged: list[tuple[str, str, str, dict[str, Any] | None]] = []
        for c in changes:
            if c.entity not in sink.synced:
                continue
            state = c.after if isinstance(c.synced, _Same) else c.synced
            logged.append((c.entity, c.entity_id, UPSERT if state is not None else DELETE, _plain(state)))
        change_log_rows = change_rows(logged)
    audit_rows = [
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
    ]
    # Everything before the lock is plain Python: the lock serialises every write of the app until commit
    # (the change log relies on it for its commit order too, as only record_change writes it), so what
    # happens under it is two reads and, for a single change, one INSERT.
    entries = chained(await chain_head(session, sink.audit, sink.lock_key), audit_rows, at)
    await _insert(
        session,
        [
            (sink.audit, entries, True),
            # The outbox is delivered by available_at, created_at (the transaction's time for every row
            # here): the order of one change's rows does not matter, the chain's and the change log's does.
            (sink.outbox, outbox_rows, False),
            (sink.change_log, change_log_rows, True),
        ],
    )
    return Recorded(entries, outbox)


# Below this many bound values the rows of all tables go in one statement (the audit INSERT carrying the
# others as data-modifying CTEs): one round trip under the chain lock. Bulk imports go table by table,
# batched by the driver, well under PostgreSQL's 65,535 parameters per statement.
_ONE_STATEMENT_VALUES = 2000


async def _insert(
    session: AsyncSession, tables: Sequence[tuple[type[Any] | None, list[dict[str, Any]], bool]]
) -> None:
    """Insert the rows of each ``(model, rows, ordered)``; ``ordered`` rows go in in their order."""
    present = [
        (model.__table__, rows, ordered) for model, rows, ordered in tables if model is not None and rows
    ]
    if sum(len(rows) * len(rows[0]) for _, rows, _ in present) > _ONE_STATEMENT_VALUES:
        for table, rows, _ in present:
            await session.execute(insert(table), rows)
        return
    # One single-row INSERT per row (the first carrying the others as CTEs) is a statement SQLAlchemy
    # caches: its shape is the same from request to request and the values are bound parameters. A
    # multi-row VALUES has no cache key, so it was compiled on every call (a good part of pelatihan's CPU
    # per enrolment request). Rows that must keep their order (several audit entries or change-log rows)
    # go in as one executemany instead, which SQLAlchemy also compiles once and sends in order.
    parts: list[Insert] = []
    for table, rows, ordered in present:
        if ordered and len(rows) > 1:
            await session.execute(insert(table), rows)
        else:
            parts.extend(insert(table).values(row) for row in rows)
    if parts:
        stmt = parts[0]
        for i, part in enumerate(parts[1:]):
            stmt = stmt.add_cte(part.cte(f"also_{i}"))
        await session.execute(stmt)


def _plain(state: State | None) -> dict[str, Any] | None:
    return dict(state) if state is not None else None


def _outbox_rows(
    sink: ChangeSink, changes: Sequence[Change]
) -> tuple[list[tuple[Event, str, uuid.UUID]], list[dict[str, Any]]]:
    sent: list[tuple[Event, str, uuid.UUID]] = []
    rows: list[dict[str, Any]] = []
    rid = current_request_id()
    for change in changes:
        for event in change.events:
            for columns in event.outbox_rows():
                row_id = uuid.uuid4()
                sent.append((event, columns["destination"], row_id))
                rows.append({**columns, "id": row_id, "status": PENDING, "attempts": 0, "request_id": rid})
    if rows and sink.outbox is None:
        raise RuntimeError("this app's change sink has no outbox; its changes cannot carry events")
    return sent, rows
