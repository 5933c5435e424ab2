"""Database plumbing: engine, one session per request that commits once, naming convention, readiness."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
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
        pool_size=settings.db_pool_size,
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
    """A statement that changes data was sent on a read-only (autocommit) session: a programming error."""


_READ_PREFIXES = ("SELECT", "WITH", "SHOW", "(SELECT")
_LOCKS = ("FOR UPDATE", "FOR NO KEY UPDATE", "FOR SHARE", "FOR KEY SHARE")
_WRITES = ("INSERT ", "UPDATE ", "DELETE ")


def _refuse_writes(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    head = statement.lstrip()[:7].upper()
    upper = statement.upper()
    # A lock taken in autocommit is released at once: a read that locks belongs in a writing session too.
    if (
        not head.startswith(_READ_PREFIXES)
        or any(lock in upper for lock in _LOCKS)
        or (head.startswith("WITH") and any(word in upper for word in _WRITES))
    ):
        raise ReadOnlyViolation(f"a read-only session sent: {statement.lstrip()[:80]}")


def create_reader(engine: AsyncEngine) -> AsyncEngine:
    """The engine of requests that only read: the same pool, in autocommit mode.

    Under READ COMMITTED every statement takes its own snapshot whether or not a transaction is open, so a
    read gains nothing from BEGIN ... COMMIT and paid two extra round trips for them (a point read made three
    instead of one: bench.hot_reads, docs/benchmarks.md). A statement that writes or locks raises
    :class:`ReadOnlyViolation` before it is sent: such a request must take :data:`SessionDep`.
    """
    reader = engine.execution_options(isolation_level="AUTOCOMMIT")
    event.listen(reader.sync_engine, "before_cursor_execute", _refuse_writes)
    return reader


# What a read runs its statements on: a request's session, or a read-only request's connection (:data:`ReadConnectionDep`).
Reader = AsyncSession | AsyncConnection


async def core_connection(db: Reader) -> AsyncConnection:
    """The connection for Core statements: the reader itself, or the session's connection."""
    return db if isinstance(db, AsyncConnection) else await db.connection()


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


async def get_reader(request: Request) -> AsyncIterator[AsyncConnection]:
    """One read-only connection per request (no transaction: nothing to commit; no ORM session: these routes
    read Core rows, and the session's unit of work around one statement cost a quarter of a point read's
    database work, issue 21); see :func:`create_reader`. Falls back to the writing engine when the app built
    no reader (then the connection's transaction is rolled back at the end)."""
    state = app_state(request.app, AppState)
    admission = state.admission
    if admission is not None:
        await admission.acquire()
    try:
        async with (state.reader or state.engine).connect() as conn:
            yield conn
    finally:
        if admission is not None:
            admission.release()


# For routes that only read (a GET of the registry, lists, the task list): Core statements, no BEGIN/COMMIT.
ReadConnectionDep = Annotated[AsyncConnection, Depends(get_reader, scope="function")]


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
