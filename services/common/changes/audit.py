"""The hash-chained audit table every app can own: columns, hashing, appending, listing and verifying.

Each entry's hash covers its content and the previous entry's hash, so changing or deleting any row breaks
every later link. Writers take a transaction-scoped advisory lock (one key per chain) so two concurrent
transactions cannot both chain onto the same predecessor; the lock is released at commit.

Entries are written only by :func:`services.common.changes.record_change` / ``record_changes``; this module
holds the machinery they share with the read side (``GET /audit``, ``/audit/verify``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

GENESIS = "0" * 64

# The chain is append-only in the database too (issue 14 finding 3): whatever role the app connects with, an
# UPDATE, DELETE or TRUNCATE of ``audit_entry`` raises. One statement-level trigger per operation kind, so a
# statement touching no row is refused as well. Only a superuser (``session_replication_role = replica``) or the
# schema owner (``ALTER TABLE ... DISABLE TRIGGER``) can get past it; the runtime role is neither, and the
# owner's rewrite is what the chain hashes (and external anchors) detect. Each app's migration runs these.
_APPEND_ONLY_DDL = (
    """CREATE FUNCTION {schema}.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit chain %.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$""",
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON {schema}.audit_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.audit_append_only()",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON {schema}.audit_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.audit_append_only()",
    # Roles other than the owner keep INSERT and SELECT at most (the runtime roles of
    # asn_cli/runtime_roles.py get UPDATE and DELETE on new tables by default privileges).
    "REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.audit_entry FROM PUBLIC",
    """DO $$
DECLARE grantee_name text;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT g.grantee FROM information_schema.role_table_grants g
        JOIN pg_tables t ON t.schemaname = g.table_schema AND t.tablename = g.table_name
        WHERE g.table_schema = '{schema}' AND g.table_name = 'audit_entry' AND g.grantee <> t.tableowner
          AND g.grantee <> 'PUBLIC' AND g.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.audit_entry FROM %I', grantee_name);
    END LOOP;
END
$$""",
)


def append_only_ddl(schema: str) -> list[str]:
    """The statements that make ``<schema>.audit_entry`` append-only (a migration's upgrade)."""
    return [statement.format(schema=schema) for statement in _APPEND_ONLY_DDL]


def drop_append_only_ddl(schema: str) -> list[str]:
    """The statements that undo :func:`append_only_ddl` (a migration's downgrade)."""
    return [
        f"DROP TRIGGER audit_entry_no_truncate ON {schema}.audit_entry",
        f"DROP TRIGGER audit_entry_append_only ON {schema}.audit_entry",
        f"DROP FUNCTION {schema}.audit_append_only()",
    ]


def chain_lock_key(name: str) -> int:
    """A stable advisory-lock key for one app's chain: the first seven bytes of its upper-cased name
    (``"kinerja"`` gives 0x4B494E45524A41, the key kinerja has always used)."""
    return int.from_bytes(name.upper().encode()[:7], "big")


class AuditMixin:
    """Columns of an app's ``audit_entry`` table: who, when, what, before and after, chained by hash."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    # Set when someone acts in another's name (an admin for the governor, a service for a user).
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(2000))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        # Listing one entity's history in chain order is the common read.
        return (Index(f"ix_{cls.__tablename__}_entity", "entity", "entity_id", "seq"),)


def canonical(value: Any) -> Any:
    """The JSON value stored (and hashed): dates and ids become strings, keys sorted."""
    return json.loads(json.dumps(value, default=str, sort_keys=True)) if value is not None else None


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """sha256 over the previous hash and the entry's canonical JSON."""
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + body).encode()).hexdigest()


def hashed_fields(
    *,
    at: datetime,
    actor: str,
    on_behalf_of: str | None,
    action: str,
    entity: str,
    entity_id: str,
    reason: str | None,
    before: Any,
    after: Any,
) -> dict[str, Any]:
    """The content an entry's hash covers (``before``/``after`` already canonical)."""
    return {
        "at": at.astimezone(UTC).isoformat(),
        "actor": actor,
        "on_behalf_of": on_behalf_of,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "reason": reason,
        "before": before,
        "after": after,
    }


def fields_of(entry: AuditMixin) -> dict[str, Any]:
    """The hashed content of a stored entry."""
    return hashed_fields(
        at=entry.at,
        actor=entry.actor,
        on_behalf_of=entry.on_behalf_of,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        reason=entry.reason,
        before=entry.before,
        after=entry.after,
    )


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One entry to append, before it is chained."""

    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    on_behalf_of: str | None


async def chain_head(session: AsyncSession, model: type[AuditMixin], lock_key: int) -> str:
    """Take the chain's advisory lock (held until commit: no other transaction can chain onto the same
    entry) and read the hash of its last entry, in one round trip: every write of the app waits on this
    lock, so what runs under it is kept short. The read needs a snapshot taken after the lock was granted
    (to see the entry the previous holder committed), which one plain statement cannot give; the schema's
    ``audit_chain_head`` function (created with its audit table, migrations/audit_chain.py) runs it as a second
    statement."""
    schema = model.__table__.schema  # type: ignore[attr-defined]
    head = await session.scalar(text(f"SELECT {schema}.audit_chain_head(:k)"), {"k": lock_key})
    return str(head) if head is not None else GENESIS


def chained(prev: str, entries: Sequence[AuditRow], at: datetime) -> list[dict[str, Any]]:
    """The table rows of ``entries`` chained after ``prev``, in order, with their hashes. Inserted in one
    multi-row INSERT, they get their identity ``seq`` in this order."""
    rows: list[dict[str, Any]] = []
    for e in entries:
        before, after = canonical(e.before), canonical(e.after)
        fields = hashed_fields(
            at=at,
            actor=e.actor,
            on_behalf_of=e.on_behalf_of,
            action=e.action,
            entity=e.entity,
            entity_id=e.entity_id,
            reason=e.reason,
            before=before,
            after=after,
        )
        digest = entry_hash(prev, fields)
        rows.append(
            {
                "at": at,
                "actor": e.actor,
                "on_behalf_of": e.on_behalf_of,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "reason": e.reason,
                "before": before,
                "after": after,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return rows


@dataclass
class ChainReport:
    """The result of checking the whole chain."""

    entries: int
    valid: bool
    first_bad_seq: int | None = None
    problem: str | None = None


async def _stream(session: AsyncSession, model: type[AuditMixin], batch: int = 5000) -> AsyncIterator[Any]:
    last = 0
    while True:
        rows = (
            await session.scalars(select(model).where(model.seq > last).order_by(model.seq).limit(batch))
        ).all()
        if not rows:
            return
        for row in rows:
            yield row
        last = rows[-1].seq


async def verify_chain(session: AsyncSession, model: type[AuditMixin]) -> ChainReport:
    """Recompute every hash and link; report the first entry that does not match."""
    prev = GENESIS
    count = 0
    async for entry in _stream(session, model):
        count += 1
        if entry.prev_hash != prev:
            return ChainReport(count, False, entry.seq, "the link to the previous entry is broken")
        if entry_hash(entry.prev_hash, fields_of(entry)) != entry.hash:
            return ChainReport(count, False, entry.seq, "the entry's content does not match its hash")
        prev = entry.hash
    return ChainReport(count, True)


async def chain_tip(session: AsyncSession, model: type[AuditMixin]) -> tuple[int, str]:
    """The chain's last entry as ``(seq, hash)``; ``(0, GENESIS)`` while the chain is empty. What publik anchors
    outside the app (services/publik_api/anchors/)."""
    row = (await session.execute(select(model.seq, model.hash).order_by(model.seq.desc()).limit(1))).first()
    return (int(row[0]), str(row[1])) if row is not None else (0, GENESIS)


async def list_entries(
    session: AsyncSession,
    model: type[AuditMixin],
    *,
    entity: str | None,
    entity_id: str | None,
    after_seq: int | None,
    limit: int,
) -> list[Any]:
    """Up to ``limit`` entries in chain order (seq) after ``after_seq``, optionally of one entity
    (index ``(entity, entity_id, seq)``)."""
    stmt = select(model).order_by(model.seq).limit(limit)
    if entity is not None:
        stmt = stmt.where(model.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(model.entity_id == entity_id)
    if after_seq is not None:
        stmt = stmt.where(model.seq > after_seq)
    return list((await session.scalars(stmt)).all())
