"""Counts what a request sends to PostgreSQL: statements, and the transaction round trips around them.

Two paths send statements. SQLAlchemy's cursor runs asyncpg prepared statements, which asyncpg's query
loggers do not see: ``before_cursor_execute`` does. The read path (services/common/db.py ``ReadConnection``)
calls asyncpg directly, past SQLAlchemy's events: asyncpg's query logger on each connection checked out inside
the block sees it, and sees every BEGIN, COMMIT, ROLLBACK and SAVEPOINT the driver really sends (none on a
connection in autocommit). A statement both see (``executemany``) is counted once. asyncpg's own type
introspection (the first array of a type on a connection: once per connection, not per request) is not counted.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from asyncpg import introspection
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_INTROSPECTION = (introspection.INTRO_LOOKUP_TYPES, introspection.INTRO_LOOKUP_TYPES_13)
_TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "START TRANSACTION", "END")


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
    via_cursor: collections.Counter[str] = collections.Counter()
    logged: dict[int, Any] = {}

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        trips.statements.append(sql)
        via_cursor[sql] += 1

    def sent(record: Any) -> None:
        query = str(record.query)
        if query in _INTROSPECTION or "set_config('jit'" in query:
            return
        if query.lstrip().upper().startswith(_TRANSACTION):
            trips.transactions.append(query.strip())
        elif via_cursor[query] > 0:
            via_cursor[query] -= 1  # already counted by before_cursor_execute
        else:
            trips.statements.append(query)

    def checkout(dbapi_connection: Any, *_: Any) -> None:
        driver = dbapi_connection.driver_connection
        if id(driver) not in logged:
            driver.add_query_logger(sent)
            logged[id(driver)] = driver

    event.listen(sync, "before_cursor_execute", statement)
    event.listen(sync.pool, "checkout", checkout)
    try:
        yield trips
    finally:
        event.remove(sync, "before_cursor_execute", statement)
        event.remove(sync.pool, "checkout", checkout)
        for driver in logged.values():
            driver.remove_query_logger(sent)


@contextlib.asynccontextmanager
async def counted(engine: AsyncEngine) -> AsyncIterator[Trips]:
    """:func:`counting` for a block that awaits its statements: the block ends one turn of the event loop later,
    because asyncpg calls its query loggers on the loop's next turn (without it, the block's last statement on
    the read path could go uncounted)."""
    with counting(engine) as trips:
        yield trips
        await asyncio.sleep(0)
