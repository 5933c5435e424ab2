"""The shared body of every app's Alembic env.py: create the schema, keep the version table in it, and
let autogenerate see only this app's tables."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def run(metadata: MetaData, schema: str, database_url: str | None) -> None:
    """Run migrations for one app's schema, online (no offline SQL mode)."""
    config = context.config
    url = config.attributes.get("database_url") or database_url
    if not url:
        raise RuntimeError(f"no database URL for the {schema} migrations: set {schema.upper()}_DATABASE_URL")

    def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
        if type_ == "schema":
            return name == schema
        return True

    def do_run(connection: Connection) -> None:
        # In production each app's role owns a schema an operator created for it and may not create schemas,
        # and PostgreSQL refuses even CREATE SCHEMA IF NOT EXISTS without that right: only create it when absent.
        if connection.scalar(text("SELECT to_regnamespace(:s)"), {"s": schema}) is None:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=include_name,
            compare_type=True,
            compare_server_default=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.begin() as conn:
                # Serialise concurrent migrators of the same schema (several replicas' jobs).
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": f"migrate:{schema}"}
                )
                await conn.run_sync(do_run)
        finally:
            await engine.dispose()

    connection = config.attributes.get("connection")
    if connection is not None:
        do_run(connection)
    else:
        asyncio.run(main())
