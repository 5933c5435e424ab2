"""Database plumbing: engine, one session per request that commits once, naming convention, readiness."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NamedTuple, cast

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import Dialect, Executable, MetaData, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util.concurrency import greenlet_spawn

from services.common.admission import Admission
from services.common.readcache import (
    MARK_TRIGGER,
    MARKED_TABLES_SQL,
    ReadCache,
    Source,
    frozen,
    marked_names,
    marks_sql,
    source_of,
)
from services.common.settings import AppSettings
from services.common.state import AppState, app_state

# Stable constraint names, so Alembic autogenerate and downgrades name the same things every time.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REPO_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_ROOT = REPO_ROOT / "migrations"


def schema_metadata(schema: str) -> MetaData:
    """A MetaData bound to one app's schema with the shared naming convention."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def create_engine(settings: AppSettings, *, application_name: str) -> AsyncEngine:
    """The app's pooled async engine. Connects lazily: nothing happens at import or construction."""
    connect_args: dict[str, Any] = {
        "server_settings": {
            "application_name": application_name,
            "statement_timeout": str(settings.db_statement_timeout_ms),
        },
        # A dead server must fail fast (503), never hang a request.
        "timeout": settings.db_pool_timeout_s,
        "command_timeout": settings.db_statement_timeout_ms / 1000 + 1,
    }
    return create_async_engine(
        settings.require_database_url(),
        # The requests' connections (the admission gate's capacity) plus the background work's.
        pool_size=settings.db_pool_size + settings.db_pool_reserve,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        pool_pre_ping=settings.db_pool_pre_ping,
        pool_recycle=1800,
        connect_args=connect_args,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after the commit."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class ReadOnlyViolation(RuntimeError):
    """A statement that changes data or takes locks was given to the read path: a programming error."""


_READ_PREFIXES = ("SELECT", "WITH", "SHOW", "(SELECT")
_LOCKS = ("FOR UPDATE", "FOR NO KEY UPDATE", "FOR SHARE", "FOR KEY SHARE")
_WRITES = ("INSERT ", "UPDATE ", "DELETE ")


def refuse_writes(statement: str) -> None:
    """Raise :class:`ReadOnlyViolation` unless ``statement`` only reads.

    The read path runs each statement in its own implicit transaction (autocommit), so a write there would
    commit at once, and a lock would be released at once: both belong in a writing session.
    """
    head = statement.lstrip()[:7].upper()
    upper = statement.upper()
    if (
        not head.startswith(_READ_PREFIXES)
        or any(lock in upper for lock in _LOCKS)
        or (head.startswith("WITH") and any(word in upper for word in _WRITES))
    ):
        raise ReadOnlyViolation(f"the read path was given: {statement.lstrip()[:80]}")


class ReadPathUnsupported(RuntimeError):
    """A statement the read path cannot run as it is (it needs SQLAlchemy's per-value processing)."""


class ReadRow(asyncpg.Record):  # type: ignore[misc]  # asyncpg ships no types
    """A row of the read path, read like SQLAlchemy's ``Row``: by position, unpacked, by key (``row["nip"]``)
    and by attribute (``row.nip``); pydantic reads it as a mapping (registered below). asyncpg builds it in C:
    no per-row conversion."""

    __slots__ = ()

    @property
    def _fields(self) -> tuple[str, ...]:
        """The column names, as ``Row._fields``."""
        return tuple(self.keys())

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# pydantic validates a Mapping through its items(), in C; with from_attributes alone it called the Python
# __getattr__ above once per field: a point read's EmployeeRead took 17 us against 7 (issue 21). Iterating a row
# still yields its values, as iterating SQLAlchemy's Row does; items(), keys() and [name] are the mapping's.
Mapping.register(ReadRow)


class _Prepared(NamedTuple):
    statement: Executable  # kept referenced, so its id() is not reused while cached
    sql: str
    names: tuple[str, ...]  # the bound names, in $n order
    defaults: dict[str, Any]  # values bound in the statement itself (literal binds)
    source: Source | None  # where it reads, when its answer may be kept (readcache.source_of)


_PREPARED: dict[int, _Prepared] = {}
_PREPARED_MAX = 512  # the hot statements are module constants or shape-cached: a few dozen


def _prepare(statement: Executable, dialect: Dialect) -> _Prepared:
    """Compile ``statement`` once for asyncpg, checking that the read path may run it."""
    found = _PREPARED.get(id(statement))
    if found is not None and found.statement is statement:
        return found
    compiled = cast(SQLCompiler, cast(ClauseElement, statement).compile(dialect=dialect))
    sql = str(compiled)
    refuse_writes(sql)
    names = tuple(compiled.positiontup or ())
    for name in names:
        bind = compiled.binds[name]
        if bind.expanding or bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
            raise ReadPathUnsupported(f"{name}: bind it as an array (= ANY) of a type asyncpg encodes itself")
    for column in getattr(statement, "selected_columns", ()):
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
            raise ReadPathUnsupported(f"{column}: its values need SQLAlchemy's result processing")
    prepared = _Prepared(statement, sql, names, dict(compiled.params), source_of(statement, sql))
    if len(_PREPARED) >= _PREPARED_MAX:
        _PREPARED.clear()
    _PREPARED[id(statement)] = prepared
    return prepared


class ReadConnection:
    """A read-only request's way to the database (:data:`ReadConnectionDep`).

    Runs SQLAlchemy Core statements (built once: module constants or per shape of filters), compiled once, as
    asyncpg prepared statements (asyncpg's per-connection statement cache), outside any transaction. Each
    statement takes its slot at the app's admission gate and checks a connection out of the app's one pool for
    itself, and returns both as soon as its rows are read, so the request holds nothing while it validates and
    sends its answer, and the dependency is a plain function: no exit stack, no shielded exit task. No
    execution context, ``Result`` or event per statement. What SQLAlchemy would add is checked when a statement
    is first prepared: it must only read (:func:`refuse_writes`), and need no per-value processing (none of the
    hot reads' types does on asyncpg). Errors are SQLAlchemy's, as on every other path (``DBAPIError``; a lost
    connection is invalidated).
    """

    __slots__ = (
        "_admission", "_dialect", "_fetching", "_flights", "_marked", "_open", "_pool", "cache",
    )  # fmt: skip

    def __init__(
        self, engine: AsyncEngine, admission: Admission | None = None, *, cache_bytes: int = 0
    ) -> None:
        self._pool = engine.sync_engine.pool
        self._dialect = engine.dialect
        self._admission = admission
        # The batch of each keyed read that requests may still join (:meth:`one`), and the fetches running.
        self._open: dict[KeyedRead, _Batch] = {}
        self._fetching: set[asyncio.Task[None]] = set()
        # Answers kept while their tables' change marks hold (:meth:`cached`); None: nothing is kept.
        self.cache = ReadCache(cache_bytes) if cache_bytes > 0 else None
        self._marked: dict[str, tuple[float, frozenset[str]]] = {}
        # The answers being made, by key and marks (:meth:`kept`).
        self._flights: dict[tuple[Hashable, str | None], asyncio.Task[bytes]] = {}

    def serves(self, engine: AsyncEngine, admission: Admission | None, cache_bytes: int = 0) -> bool:
        """Whether this reader runs on ``engine``'s pool behind ``admission`` (the app's current ones), keeping
        ``cache_bytes`` of answers."""
        kept = self.cache.max_bytes if self.cache is not None else 0
        return self._pool is engine.sync_engine.pool and self._admission is admission and kept == cache_bytes

    async def cached(
        self, statement: Executable, params: Mapping[str, Any], render: Callable[[list[ReadRow]], bytes],
        shape: Hashable,
    ) -> bytes:  # fmt: skip
        """``render`` of the rows of ``statement`` with ``params``, served again from :attr:`cache` while no write
        to a table the statement reads has committed since the rows were read (:meth:`kept`).

        ``shape`` names what ``render`` makes of the rows (its model and page size): with the statement and every
        bound value, the key of the answer. Statements that read an unmarked table or call a clock are read
        every time.
        """

        async def compute() -> bytes:
            return render(await self.all(statement, params))

        source = _prepare(statement, self._dialect).source if self.cache is not None else None
        values = frozen(params) if source is not None else None
        if source is None or values is None:
            return await compute()
        return await self.kept(source, (id(statement), shape, values), compute, owner=statement)

    async def kept(
        self, source: Source, key: Hashable, compute: Callable[[], Awaitable[bytes]], *, owner: object = None
    ) -> bytes:
        """The answer ``compute`` makes, which reads only the tables of ``source``, served again from :attr:`cache`
        under ``key`` (with ``owner``, an object the key names by identity) while none of those tables' change
        marks moved since it was made (services/common/readcache.py). Read every time when the cache is off or
        a table of ``source`` has no mark.

        A kept answer costs one statement shared by the requests of this turn of the event loop (the marks),
        instead of the statements, their rows' decoding and the answer's encoding. The requests that find the
        same key stale under the same marks share one ``compute`` (a task of its own, so a request that goes
        away does not take it from the others): after a write, the next answer is made once, not once per
        request waiting for it.
        """
        cache = self.cache
        if cache is None or not await self._is_marked(source):
            return await compute()
        found = await self.one(_marks_read(source.schema), source.tables)
        mark: str | None = found["mark"] if found is not None else None
        kept = cache.get(key, owner)
        if kept is not None and kept.mark == mark:
            cache.served(key)
            return kept.body
        flight = self._flights.get((key, mark))
        if flight is None:
            if kept is not None:
                cache.stale += 1
            else:
                cache.misses += 1
            # Made after the marks were read: a write that commits in between makes this answer newer than its
            # mark, and the next request makes it again. Never older. Joining requests read the same marks
            # after it started, so no write committed between their arrival and its rows either.
            flight = asyncio.get_running_loop().create_task(_make(cache, key, mark, compute, owner))
            self._flights[(key, mark)] = flight
            flight.add_done_callback(functools.partial(self._landed, (key, mark)))
        else:
            cache.hits += 1  # served by the answer being made
        return await asyncio.shield(flight)

    def _landed(self, flight_key: tuple[Hashable, str | None], flight: asyncio.Task[bytes]) -> None:
        self._flights.pop(flight_key, None)
        if not flight.cancelled():
            flight.exception()  # retrieved: raised to each request that waited, if any did

    async def _is_marked(self, source: Source) -> bool:
        """Whether every table of ``source`` has its change-mark trigger (read from the catalogue at most once a
        minute: an app started before its migration ran begins keeping answers within a minute of it)."""
        now = time.monotonic()
        found = self._marked.get(source.schema)
        if found is None or now - found[0] > _MARKED_TTL_S:
            rows = await self.all(_MARKED_TABLES, {"schema": source.schema, "trigger": MARK_TRIGGER})
            found = self._marked[source.schema] = (now, marked_names(rows))
        return source.names <= found[1]

    async def one(self, read: KeyedRead, key: Hashable) -> ReadRow | None:
        """The row of ``read`` whose key is ``key``, or None, read together with the same read's other keys
        asked for in this turn of the event loop: one statement (``... = ANY(:keys)``), one connection and one
        slot at the admission gate for up to ``read.max_batch`` requests.

        Under load many requests reach the same point read in one turn of the loop (each connection's request
        that arrived since the last turn); each of them paid for a checkout, a round trip and a turn of its own.
        The statement is sent on the next turn, so a lone request waits for nothing but that turn, and it starts
        after the request did: it sees every write committed before the request arrived. A failed statement
        fails each request of its batch with the same error; a request that goes away leaves the others theirs.
        """
        loop = asyncio.get_running_loop()
        batch = self._open.get(read)
        if batch is None or batch.size >= read.max_batch or batch.loop is not loop:
            # (Another loop's batch: its loop ended before the batch was sent, as an in-process test's can.)
            batch = self._open[read] = _Batch(loop)
            # Its first step runs on the next turn, after every request of this turn had its chance to join.
            task = loop.create_task(self._fetch(read, batch))
            self._fetching.add(task)
            task.add_done_callback(self._fetching.discard)
        waiter: asyncio.Future[ReadRow | None] = loop.create_future()
        batch.waiters.setdefault(key, []).append(waiter)
        batch.size += 1
        return await waiter

    async def _fetch(self, read: KeyedRead, batch: _Batch) -> None:
        if self._open.get(read) is batch:
            del self._open[read]  # closed: later requests start the next batch
        try:
            rows = await self.all(read.statement, {read.keys_param: list(batch.waiters)})
        except asyncio.CancelledError:
            for waiters in batch.waiters.values():
                for waiter in waiters:
                    waiter.cancel()
            raise
        except Exception as error:
            for waiters in batch.waiters.values():
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(error)
            return
        found = {row[read.key_column]: row for row in rows}
        for key, waiters in batch.waiters.items():
            row = found.get(key)
            for waiter in waiters:
                if not waiter.done():  # done: its request went away (cancelled)
                    waiter.set_result(row)

    async def all(self, statement: Executable, params: Mapping[str, Any]) -> list[ReadRow]:
        """Every row of ``statement`` with ``params`` bound."""
        prepared = _prepare(statement, self._dialect)
        args = [params[n] if n in params else prepared.defaults[n] for n in prepared.names]
        admission = self._admission
        if admission is not None:
            await admission.acquire()
        try:
            # The pool's own checkout (what engine.raw_connection() runs), in a greenlet: it awaits only when it
            # opens a new connection. No transaction is begun, so the return resets nothing.
            raw: PoolProxiedConnection = await greenlet_spawn(self._pool.connect)
            try:
                driver: asyncpg.Connection = raw.driver_connection
                rows: list[ReadRow] = await driver.fetch(prepared.sql, *args, record_class=ReadRow)
                return rows
            except Exception as error:
                raise self._translate(raw, error, prepared.sql, args) from error
            finally:
                raw.close()
        finally:
            if admission is not None:
                admission.release()

    def _translate(
        self, raw: PoolProxiedConnection, error: Exception, sql: str, args: list[Any]
    ) -> BaseException:
        """The error SQLAlchemy would have raised for ``error``: asyncpg's mapped to the DB-API's (the
        dialect's own mapping), wrapped in ``DBAPIError``; a lost connection is invalidated, so the pool
        opens a new one instead of handing it out again."""
        dbapi = self._dialect.loaded_dbapi
        try:
            # The dialect's translation of a driver error (what its cursor does on every execute).
            raw.dbapi_connection._handle_exception(error)  # type: ignore[union-attr]
        except dbapi.Error as translated:
            lost = self._dialect.is_disconnect(translated, raw.dbapi_connection, None)
            if lost:
                raw.invalidate(translated)
            return DBAPIError.instance(sql, args, translated, dbapi.Error, connection_invalidated=lost,
                                       dialect=self._dialect)  # fmt: skip
        except BaseException as other:  # not a driver error: as it was raised
            return other
        return error


@dataclass(frozen=True, eq=False, slots=True)
class KeyedRead:
    """A point read that concurrent requests share (:meth:`ReadConnection.one`): ``statement`` selects the rows
    whose ``key_column`` is one of the array bound as ``keys_param`` (``WHERE nip = ANY(CAST(:nips AS
    varchar[]))``), at most one row per key. Build it once, as a module constant: the object itself (by
    identity) names its batches."""

    statement: Executable
    keys_param: str
    key_column: str
    # The most requests one statement answers; more in one turn are several statements. All of a batch's
    # requests go on in the same turn of the loop when its rows come, and every request arriving meanwhile
    # (the shedder's quick 503s included) waits for that turn. Measured at twice capacity (bench.mixed_load
    # --open-loop, docs/benchmarks.md round 12): a batch of 32 refused in 35 ms (median), 8 in 15 ms (1: 3 ms)
    # and kept 96 % of 32's throughput (1: 63 %).
    max_batch: int = 8


class _Batch:
    """A keyed read's requests waiting for its next statement: each key's waiters, in the order they came."""

    __slots__ = ("loop", "size", "waiters")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiters: dict[Hashable, list[asyncio.Future[ReadRow | None]]] = {}
        self.size = 0


async def _make(
    cache: ReadCache, key: Hashable, mark: str | None, compute: Callable[[], Awaitable[bytes]], owner: object
) -> bytes:
    """Make an answer and keep it under the marks read before it was made (``ReadConnection.kept``)."""
    body = await compute()
    cache.put(key, owner, mark, body)
    return body


_MARKED_TABLES = text(MARKED_TABLES_SQL)
_MARKED_TTL_S = 60.0


@functools.cache
def _marks_read(schema: str) -> KeyedRead:
    """The change marks of sets of ``schema``'s tables, keyed by the set (``ReadConnection.cached``)."""
    return KeyedRead(text(marks_sql(schema)), keys_param="tables", key_column="tables")


async def read_one(db: Reader, read: KeyedRead, key: Hashable) -> Any | None:
    """The row of ``read`` for ``key``, or None, on any reader: on the read path shared with the other requests
    of this turn of the event loop (:meth:`ReadConnection.one`); on a session or connection, in its transaction,
    as one statement with that key alone."""
    if isinstance(db, ReadConnection):
        return await db.one(read, key)
    rows = await read_all(db, read.statement, {read.keys_param: [key]})
    return rows[0] if rows else None


# What a read runs its statements on: a request's session, a Core connection, or a read-only request's
# connection (:data:`ReadConnectionDep`).
Reader = AsyncSession | AsyncConnection | ReadConnection


async def read_all(db: Reader, statement: Executable, params: Mapping[str, Any]) -> list[Any]:
    """The rows of a read-only Core statement on any reader. Rows read alike on every path (position, key,
    attribute); on a session or connection the statement runs in its transaction, as any other."""
    if isinstance(db, ReadConnection):
        return await db.all(statement, params)
    return list((await db.execute(statement, dict(params))).all())


async def read_rendered(
    db: Reader, statement: Executable, params: Mapping[str, Any], render: Callable[[list[Any]], bytes],
    shape: Hashable,
) -> bytes:  # fmt: skip
    """``render`` of the rows of a read-only Core statement: on the read path, kept and served again while the
    tables it reads have not changed (:meth:`ReadConnection.cached`; ``shape`` names what ``render`` makes);
    on a session or connection, read in its transaction every time."""
    if isinstance(db, ReadConnection):
        return await db.cached(statement, params, render, shape)
    return render(await read_all(db, statement, params))


async def read_kept(
    db: Reader, source: Source, key: Hashable, compute: Callable[[], Awaitable[bytes]]
) -> bytes:
    """The answer ``compute`` makes from the tables of ``source`` (declared: its statements' own text is
    checked against it by a test): on the read path, kept under ``key`` while those tables have not changed
    (:meth:`ReadConnection.kept`); on a session or connection, made every time."""
    if isinstance(db, ReadConnection):
        return await db.kept(source, key, compute)
    return await compute()


_AFTER_COMMIT = "asn.after_commit"


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the request's transaction has committed (never when it rolls back).

    For nudges that must see the committed rows, e.g. waking the outbox dispatcher: woken earlier, it could
    poll before the commit, find nothing, and sleep a poll interval while the event waits.
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; commits once when the endpoint returned, rolls back on any error.

    Services and repositories may flush but never commit, so a request writes in one transaction. A flow
    that calls another service in the middle may end a *read-only* transaction first and write in a second
    one (services/pelatihan_api/txn.py); the commit is still this one. Callbacks registered with
    :func:`after_commit` run after it.
    """
    state = app_state(request.app, AppState)
    admission = state.admission
    if admission is not None:
        await admission.acquire()
    try:
        async with state.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                session.info.pop(_AFTER_COMMIT, None)
                await session.rollback()
                raise
            for callback in session.info.pop(_AFTER_COMMIT, []):
                callback()
    finally:
        if admission is not None:
            admission.release()


# scope="function": the commit runs before the response is sent. FastAPI's default ("request") ends a yield
# dependency after the response, so a client could get its 201 before the row was committed (and read
# nothing back, or collide with it: a duplicate name then raised a unique violation, 500, instead of 409),
# and a failing commit would come after a 2xx had already been sent.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_reader(request: Request) -> ReadConnection:
    """The read path of a read-only request (:class:`ReadConnection`): no transaction, nothing to commit, no ORM
    session; the app's one pool, behind the same admission gate. Not a yield dependency: each statement returns
    its connection itself, so FastAPI has no exit to run (a shielded task per request, issue 21)."""
    state = app_state(request.app, AppState)
    reader = state.reader
    cache_bytes = state.settings.read_cache_mb * 2**20
    if reader is None or not reader.serves(state.engine, state.admission, cache_bytes):
        # One per app, so its requests share their keyed reads' batches and kept answers (and a test that swaps
        # the app's engine gets a reader on the new one).
        reader = state.reader = ReadConnection(state.engine, state.admission, cache_bytes=cache_bytes)
    return reader


# For routes that only read (a GET of the registry, lists, the task list): Core statements, no BEGIN/COMMIT.
ReadConnectionDep = Annotated[ReadConnection, Depends(get_reader)]


def migration_head(app_name: str) -> str | None:
    """The head revision of an app's Alembic history, read from the files (no database)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_ROOT / app_name))
    return ScriptDirectory.from_config(cfg).get_current_head()


async def database_state(engine: AsyncEngine, schema: str, expected_head: str | None) -> dict[str, Any]:
    """Readiness facts: is the database reachable, and is the schema migrated to head."""
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(text("SELECT to_regclass(:t)"), {"t": f"{schema}.alembic_version"})
            current = None
            if exists is not None:
                row = await conn.execute(text(f'SELECT version_num FROM "{schema}".alembic_version'))
                current = row.scalar_one_or_none()
    except Exception as exc:  # any failure means "not ready", reported without internals
        return {"database": "unreachable", "error": type(exc).__name__, "ready": False}
    at_head = current == expected_head
    return {
        "database": "ok",
        "migration": current,
        "migration_head": expected_head,
        "ready": at_head,
    }
