"""A PostgreSQL database of a test's own, created empty beside TEST_DATABASE_URL's and dropped afterwards
(for tests that need a database no other test has migrated: the migration race)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import create_engine
from tests.support import PG_URL


@contextmanager
def scratch_postgres(suffix: str) -> Iterator[str]:
    """The URL of a new, empty database named after TEST_DATABASE_URL's plus `suffix`."""
    base = make_url(PG_URL)
    name = f"{base.database}_{suffix}"
    maintenance = base.set(database="postgres").render_as_string(hide_password=False)
    asyncio.run(_admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, *statements: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()
