"""Alembic environment: runs migrations on the async engine given by storage.migrate."""

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import ensure_sqlite_dir
from storage.locks import MIGRATIONS, lock_connection, unlock_connection
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    ensure_sqlite_dir(url)
    engine = create_async_engine(url, poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        # Leave the file in WAL from the start. Switching later takes an exclusive lock, and two processes
        # opening a fresh file at once (storage.db sets WAL on connect) could fail with "database is locked".
        async with engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    async with engine.connect() as connection:
        # Instances starting together on an empty database: the first migrates, the others wait here and
        # then find the schema current (without the lock, one dies on a duplicate row in alembic_version).
        if engine.dialect.name == "postgresql":
            await lock_connection(connection, MIGRATIONS)
        await connection.run_sync(_configure)
        if engine.dialect.name == "postgresql":
            await unlock_connection(connection, MIGRATIONS)
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_async(str(config.get_main_option("sqlalchemy.url"))))
