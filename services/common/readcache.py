"""Answers of read-only statements kept in the process while the tables they read have not changed (issue 21).

A 50-item list page costs a worker about 1 ms of CPU: decoding the rows, validating and encoding the items. The
same viewer asks for the same page again and again (a dashboard, an integrator's sync, a supervisor's team on
the last day of the quarter). :class:`ReadCache` keeps each page's encoded answer, and
``ReadConnection.cached`` (services/common/db.py) serves it again only while the *change marks* of every table
its statement reads are what they were before the page was read:

- A marked table has a deferred constraint trigger (``<schema>.mark_change()``, the app's migrations) that
  updates the table's row in ``<schema>.change_mark`` when a transaction writing it commits, in that
  transaction. A table's mark is its rows' ``xmin`` and counts; an ``xmin`` is a transaction id, never reused.
- The marks are read after the request arrived (one statement for all the requests of one turn of the event
  loop) and before a page is read. So a page is served only if no write to its tables committed since before
  it was read: every write committed before a request began is in its answer, in every worker and replica.
- Only statements whose every table is marked, and which call no clock or random function, are kept. Which
  tables are marked is read from ``pg_trigger``, not assumed (again each minute).
- The key is the statement, every bound value (the viewer's NIP among them, so one viewer's page is never
  another's) and the answer's shape (the model, the page size). The store is bounded in bytes; the least
  recently used answer goes first.
- The requests that find the same answer stale under the same marks make it once between them (after a write,
  the page is read once, not once per request waiting for it).
- An answer made by several statements of SQL text (``/me/tasks``) declares its tables (:meth:`Source.of`); a
  test checks the declaration against the statements' SQL (:func:`tables_in_sql`).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Executable, SmallInteger, Table, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.util import find_tables

# The name of the trigger that marks a table (each app's migration creates it on the tables it marks).
MARK_TRIGGER = "asn_mark_change"

# What a statement may not call to be kept: its answer would change with no write.
_VOLATILE = re.compile(
    r"\b(now|random|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday|gen_random_uuid"
    r"|current_date|current_time|current_timestamp|localtime|localtimestamp|current_user|session_user"
    r"|txid_current|pg_current_xact_id|current_setting|nextval|currval)\b",
    re.IGNORECASE,
)


class ChangeMarkMixin:
    """Columns of ``<schema>.change_mark``: one row per marked table and writer slot (the migration's trigger
    spreads concurrent writers over 8 slots by backend pid, so they seldom wait for one another's commit)."""

    tbl: Mapped[str] = mapped_column(Text, primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


def marks_sql(schema: str) -> str:
    """The marks of each requested set of tables (comma-separated names, a ``:tables`` array), one row each:
    every slot's ``xmin`` and count, in order; NULL while no marked write has committed."""
    return (
        "SELECT k.tables, (SELECT string_agg(m.tbl || ':' || m.slot || ':' || m.xmin::text || ':' || m.n, ','"
        f" ORDER BY m.tbl, m.slot) FROM {schema}.change_mark AS m"
        " WHERE m.tbl = ANY(string_to_array(k.tables, ','))) AS mark"
        " FROM unnest(CAST(:tables AS text[])) AS k(tables)"
    )


MARKED_TABLES_SQL = (
    "SELECT c.relname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid"
    " JOIN pg_namespace AS s ON s.oid = c.relnamespace"
    " WHERE s.nspname = :schema AND t.tgname = :trigger AND t.tgenabled IN ('O', 'A')"
)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a statement reads: its schema, its tables' names, and the same as the marks statement's key (sorted,
    comma-joined). Build it with :meth:`of`."""

    schema: str
    names: frozenset[str]
    tables: str

    @classmethod
    def of(cls, schema: str, tables: Iterable[str]) -> Source:
        """The source of ``tables`` in ``schema`` (declared: :func:`services.common.db.read_kept`)."""
        names = frozenset(tables)
        return cls(schema, names, ",".join(sorted(names)))


def tables_in_sql(sql: str, schema: str) -> set[str]:
    """The tables of ``schema`` that ``sql`` names (``schema.table``: every statement of the apps names its
    tables with their schema, as SQLAlchemy compiles them), to check a declared :class:`Source` against."""
    return set(re.findall(rf"\b{re.escape(schema)}\.\"?([a-z_][a-z0-9_]*)", sql))


def source_of(statement: Executable, sql: str) -> Source | None:
    """The schema and tables ``statement`` reads, or None when it cannot be kept: tables of several schemas or
    of none, or a clock/random/session function in its SQL (``sql``, as compiled)."""
    if _VOLATILE.search(sql):
        return None
    tables: list[Table] = [t for t in find_tables(statement, include_aliases=False) if isinstance(t, Table)]  # type: ignore[arg-type]
    schemas = {t.schema for t in tables}
    if not tables or len(schemas) != 1 or None in schemas:
        return None
    (schema,) = schemas
    return Source.of(str(schema), (t.name for t in tables))


def frozen(params: Mapping[str, Any]) -> Hashable | None:
    """``params`` as part of a key (lists as tuples), or None when a value cannot be one."""
    items = []
    for name in sorted(params):
        value = params[name]
        if isinstance(value, list):
            value = tuple(value)
        try:
            hash(value)
        except TypeError:
            return None
        items.append((name, value))
    return tuple(items)


@dataclass(slots=True)
class _Kept:
    # What the key names by id() (a statement), kept referenced so that id is not reused meanwhile.
    owner: object
    mark: str | None
    body: bytes


class ReadCache:
    """Encoded answers by key, at most ``max_bytes`` of them (least recently used out first), with the marks
    they were read under. Per process; nothing here reads the database."""

    __slots__ = ("_entries", "_size", "hits", "max_bytes", "misses", "stale")

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._size = 0
        self.hits = self.misses = self.stale = 0

    def get(self, key: Hashable, owner: object = None) -> _Kept | None:
        """The answer kept under ``key`` for ``owner``, if any (its mark still to be checked)."""
        kept = self._entries.get(key)
        if kept is None or kept.owner is not owner:
            return None
        return kept

    def served(self, key: Hashable) -> None:
        """``key``'s answer was served again: the last to go."""
        self.hits += 1
        self._entries.move_to_end(key)

    def put(self, key: Hashable, owner: object, mark: str | None, body: bytes) -> None:
        """Keep ``body``, read after the marks were ``mark``; forget the oldest until it fits."""
        old = self._entries.pop(key, None)
        if old is not None:
            self._size -= len(old.body)
        if len(body) > self.max_bytes // 8:  # one answer may not push out most of the others
            return
        self._entries[key] = _Kept(owner, mark, body)
        self._size += len(body)
        while self._size > self.max_bytes:
            _, gone = self._entries.popitem(last=False)
            self._size -= len(gone.body)

    @property
    def size(self) -> int:
        """The bytes kept."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)


def marked_names(rows: Iterable[Any]) -> frozenset[str]:
    """The table names of :data:`MARKED_TABLES_SQL`'s rows."""
    return frozenset(str(row[0]) for row in rows)
