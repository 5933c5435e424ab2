"""Append-only change log for incremental sync (``GET /v1/changes``).

Every created, updated or deleted entity appends ``{seq, entity, id, op, at, data}`` in the transaction that
changed it. ``seq`` must follow commit order with no entry ever skipped by a reader: a plain sequence does
not, because a transaction that took seq 10 may commit after one that took seq 11, and a reader that saw 11
would move past 10 for good. So writers take a transaction-scoped advisory lock before they take their seq
values and keep it until they commit; the next writer's values are then larger than every committed one and
no smaller value can appear later. Rolled-back transactions leave holes in the numbers, never in the data.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import BigInteger, Connection, DateTime, Identity, String, func, insert, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.common.errors import InvalidInput
from services.common.i18n import msg
from services.common.rfc3339 import json_default, normalise


class ChangeOp(StrEnum):
    """What happened to the entity."""

    UPSERT = "UPSERT"
    DELETE = "DELETE"


UPSERT, DELETE = ChangeOp.UPSERT.value, ChangeOp.DELETE.value


class ChangeLogMixin:
    """Columns of a service's ``change_log`` table."""

    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


def _lock_key(model: type[ChangeLogMixin]) -> str:
    return f"changelog:{model.__table__.schema}"  # type: ignore[attr-defined]


async def append_changes(
    session: AsyncSession,
    model: type[ChangeLogMixin],
    changes: Sequence[tuple[str, str, str, dict[str, Any] | None]],
) -> None:
    """Append ``(entity, entity_id, op, data)`` rows in order; call as late as possible in the transaction,
    because the lock it takes is held until commit."""
    if not changes:
        return
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": _lock_key(model)})
    await session.execute(insert(model), change_rows(changes))


def change_rows(changes: Sequence[tuple[str, str, str, dict[str, Any] | None]]) -> list[dict[str, Any]]:
    """The table rows of ``(entity, entity_id, op, data)`` changes (record_change inserts them with the
    audit entries, under the audit chain's lock, which every writer of an app's change log holds)."""
    return [
        {
            "entity": entity,
            "entity_id": entity_id,
            "op": op,
            "data": stored_data(data) if op == UPSERT else None,
        }
        for entity, entity_id, op, data in changes
    ]


def stored_data(data: dict[str, Any] | None) -> Any:
    """The stored ``data``: plain JSON with every timestamp in RFC 3339 UTC (``...T...Z``), whether the
    state carried a datetime or an already formatted string."""
    return normalise(json.loads(json.dumps(data, default=json_default))) if data is not None else None


class ChangeEntry(BaseModel):
    """One change, in commit order."""

    seq: int = Field(description="Position in the log; strictly increasing in commit order.", examples=[1042])
    entity: str = Field(examples=["evaluation"])
    id: str = Field(
        description="The entity's id (a NIP for employees).",
        examples=["5b6f0e7e-3c1e-4c57-9d0b-1f2e3a4b5c6d"],
    )
    op: ChangeOp
    at: datetime
    data: dict[str, Any] | None = Field(description="The entity after the change; null for DELETE.")


class ChangesPage(BaseModel):
    """A page of the change log. Store ``next_cursor`` and pass it back, today or next week."""

    items: list[ChangeEntry]
    next_cursor: str = Field(
        description="Always present: where to continue. With has_more false it is where new changes will start."
    )
    has_more: bool = Field(description="True when more changes are waiting right now.")


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": 1, "s": seq}).encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        seq = int(raw["s"])
        if raw.get("v") != 1 or seq < 0:
            raise ValueError
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            msg("cursor is not valid"),
            errors=[{"loc": ["query", "cursor"], "msg": "not a change-log cursor"}],
        ) from exc
    return seq


async def read_changes(
    session: AsyncSession, model: type[ChangeLogMixin], cursor: str | None, limit: int
) -> ChangesPage:
    """The changes after ``cursor``, oldest first."""
    after = decode_cursor(cursor)
    rows = (
        await session.execute(
            select(model.seq, model.entity, model.entity_id, model.op, model.at, model.data)
            .where(model.seq > after)
            .order_by(model.seq)
            .limit(limit + 1)
        )
    ).all()
    items = [
        ChangeEntry(seq=r.seq, entity=r.entity, id=r.entity_id, op=r.op, at=r.at, data=r.data)
        for r in rows[:limit]
    ]
    last = items[-1].seq if items else after
    return ChangesPage(items=items, next_cursor=encode_cursor(last), has_more=len(rows) > limit)


def normalise_stored_timestamps(conn: Connection, table: str) -> int:
    """Rewrite the timestamps inside ``table``'s stored ``data`` to RFC 3339 UTC (a data migration: rows
    written before :func:`stored_data` normalised them held ``2026-12-02 11:37:50+00:00``). Returns the
    number of rows changed; ``seq`` and ``at`` stay as they were."""
    changed = 0
    rows = conn.execute(
        text(f"SELECT seq, data::text AS data FROM {table} WHERE data::text ~ :pattern ORDER BY seq"),
        {"pattern": r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}\""},
    ).all()
    for seq, raw in rows:
        data = json.loads(raw)
        fixed = normalise(data)
        if fixed != data:
            conn.execute(
                text(f"UPDATE {table} SET data = CAST(:data AS jsonb) WHERE seq = :seq"),
                {"data": json.dumps(fixed), "seq": seq},
            )
            changed += 1
    return changed
