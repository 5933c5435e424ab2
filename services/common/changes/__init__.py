"""One way to record a change: audit entry + outbox events + change-log row, from one typed state.

Every write path of every app ends with one call::

    await record_change(
        session, SINK,
        actor=caller.subject, action="evaluation.finalize",
        entity="evaluation", entity_id=str(ev.id),
        before=before, after=evaluation_data(ev),          # the typed states, JSON-ready dicts
        events=[EvaluationFinalized(...), DevelopmentNeeds(...)],   # catalogue models (events.py)
        reason=None, on_behalf_of=ev.on_behalf,
    )

and bulk writes (imports) call ``record_changes(session, SINK, [Change(...), ...], actor=...)``, which
writes one INSERT per table and costs no ORM object per row. Nothing else writes an audit, outbox or
change-log model: ``tests/common/test_record_change_only.py`` fails when something does.

Adding a hash-chained audit sink to an app (about ten lines)
------------------------------------------------------------
1. The table, in ``<app>/audit/models.py``::

       from services.common.changes import AuditMixin
       from services.<app>.db import Base

       class AuditEntry(AuditMixin, Base):
           \"\"\"One change in <app>, chained to the previous entry by its hash.\"\"\"

2. A migration creating it (``alembic --name <app> revision --autogenerate``: the mixin gives the columns,
   the unique hash and the ``(entity, entity_id, seq)`` index).
3. The sink, once per app (e.g. ``<app>/changes.py``)::

       SINK = ChangeSink(audit=AuditEntry, lock_key=chain_lock_key("<app>"), outbox=OutboxEvent,
                         change_log=ChangeLog, synced=frozenset({...}))   # outbox/change_log optional

4. The read side: ``list_entries(session, AuditEntry, ...)`` and ``verify_chain(session, AuditEntry)``
   behind ``GET /v1/audit`` and ``/v1/audit/verify`` for admins (see ``services/kinerja_api/audit/``).

Adding an event type: a model in the sender's catalogue (``<app>/catalogue.py``) with ``event_type``,
``version`` and ``destinations``; its row in ``docs/events.md`` (a test compares the two); the receiver's
catalogue includes it and ``Catalogue.parse`` validates what arrives.
"""

from services.common.changes.audit import (
    GENESIS,
    AuditMixin,
    ChainReport,
    chain_lock_key,
    entry_hash,
    list_entries,
    verify_chain,
)
from services.common.changes.events import Catalogue, Envelope, Event, UnknownEvent
from services.common.changes.record import (
    SAME,
    Change,
    ChangeSink,
    Recorded,
    State,
    record_change,
    record_changes,
)

__all__ = [
    "GENESIS",
    "SAME",
    "AuditMixin",
    "Catalogue",
    "ChainReport",
    "Change",
    "ChangeSink",
    "Envelope",
    "Event",
    "Recorded",
    "State",
    "UnknownEvent",
    "chain_lock_key",
    "entry_hash",
    "list_entries",
    "record_change",
    "record_changes",
    "verify_chain",
]
