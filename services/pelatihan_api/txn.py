"""Two-phase flows: read, release, ask kinerja, then write in a new transaction that re-checks.

A request's session (services/common/db.py ``get_session``) commits once, when the endpoint returns. A flow
that must ask kinerja in the middle must not hold a pooled connection, nor any row lock, while it waits on
the network, so it is split in two explicit transactions on that same session:

1. **Read.** Phase one reads and keeps *plain values* — ids, and a :class:`Seen` for every row the decision
   relies on (an enrolment's state and ``updated_at``, a session's ``version``) — never ORM rows.
2. **Release.** :func:`release` ends that transaction with a rollback. Phase one must not have written;
   :func:`release` raises if it did, rather than silently discarding the writes.
3. **Call** the other service (no transaction is open).
4. **Write.** The next statement begins a new transaction on the same session: it locks the rows it writes
   (``FOR UPDATE``), and :func:`recheck` refuses with 409 ``changed-meanwhile`` when one of them changed
   since phase one. ``get_session`` commits it: still one commit per request, and the only one that writes.

Flows whose phase two is a single conditional statement (approval: ``WHERE status = 'PENDING_APPROVAL'``)
re-check inside that statement instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction

from services.common.errors import Conflict
from services.common.i18n import msg

_WROTE = "pelatihan.phase_wrote"


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, _flush: UOWTransaction) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


class ChangedMeanwhile(Conflict):
    """What the request read changed while another service was being asked; reading again and retrying
    decides on the current state."""

    slug = "changed-meanwhile"


@dataclass(frozen=True)
class Seen:
    """A row phase one relied on, as it was then: what it is (for the message), its key, and its version."""

    what: str
    key: uuid.UUID
    version: object


async def release(session: AsyncSession) -> None:
    """End phase one (read only) so no connection or lock is held while another service is asked.

    Loaded objects are expired by the rollback: callers keep plain values, not ORM rows, across this point.
    """
    if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
        raise RuntimeError("phase one of a two-phase flow wrote; its writes would be rolled back")
    if session.in_transaction():
        await session.rollback()


def recheck(seen: Seen, version_now: object) -> None:
    """Phase two: refuse (409) when the row is gone or its version differs from what phase one saw."""
    if version_now != seen.version:
        raise ChangedMeanwhile(
            msg("The {what} changed while kinerja was being asked; read it again and retry.", what=seen.what)
        )
