"""Counts what a request sends to PostgreSQL: statements, and the transaction round trips around them.

``before_cursor_execute`` sees every statement; BEGIN, COMMIT and ROLLBACK do not pass through a cursor, so
the engine's ``begin``/``commit``/``rollback`` events count them (each is a round trip on asyncpg), except on
a connection in autocommit mode, where the driver sends none of them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Trips:
    """What one block sent."""

    statements: list[str] = field(default_factory=list)
    transactions: list[str] = field(default_factory=list)

    @property
    def round_trips(self) -> int:
        return len(self.statements) + len(self.transactions)

    def __str__(self) -> str:
        return "\n".join([*self.transactions, *(s.split("\n")[0][:160] for s in self.statements)])


@contextlib.contextmanager
def counting(engine: AsyncEngine) -> Iterator[Trips]:
    """Record the statements and transaction commands sent on ``engine`` inside the block."""
    trips = Trips()
    sync = engine.sync_engine

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        trips.statements.append(sql)

    def sent(conn: Any, command: str) -> None:
        if not getattr(conn.connection.dbapi_connection, "autocommit", False):
            trips.transactions.append(command)

    def begin(conn: Any) -> None:
        sent(conn, "BEGIN")

    def commit(conn: Any) -> None:
        sent(conn, "COMMIT")

    def rollback(conn: Any) -> None:
        sent(conn, "ROLLBACK")

    listeners: list[tuple[str, Callable[..., Any]]] = [("before_cursor_execute", statement), ("begin", begin), ("commit", commit),
                 ("rollback", rollback)]  # fmt: skip
    for name, fn in listeners:
        event.listen(sync, name, fn)
    try:
        yield trips
    finally:
        for name, fn in listeners:
            event.remove(sync, name, fn)
