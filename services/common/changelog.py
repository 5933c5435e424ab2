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
from sqlalchemy import BigInteger, DateTime, Identity, String, func, insert, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.common.errors import InvalidInput
from services.common.i18n import msg


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
    rows = [
        {
            "entity": entity,
            "entity_id": entity_id,
            "op": op,
            "data": _jsonable(data) if op == UPSERT else None,
        }
        for entity, entity_id, op, data in changes
    ]
    await session.execute(insert(model), rows)


def _jsonable(data: dict[str, Any] | None) -> Any:
    return json.loads(json.dumps(data, default=str)) if data is not None else None


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
