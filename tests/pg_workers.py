"""One PostgreSQL database per pytest-xdist worker: `<TEST_DATABASE_URL's name>_<worker>` on the same server.

The storage tests empty their database before each test (tests/support.py: fresh_postgres) and some take advisory
locks, which PostgreSQL scopes to a database; with a database each, two workers never see each other's rows or
locks. Without xdist (or without TEST_DATABASE_URL) the URL is used as it is.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


def worker_database(url: str, worker: str) -> str:
    """The URL this worker's tests use: `url` itself outside xdist, else its database name plus `_<worker>`."""
    if not url or not worker:
        return url
    base = make_url(url)
    return base.set(database=f"{base.database}_{worker}").render_as_string(hide_password=False)


def ensure_worker_database(base_url: str, worker_url: str) -> None:
    """Create the worker's database (through a connection to the base database) unless it is there already."""
    if not base_url or worker_url == base_url:
        return
    asyncio.run(_create_if_missing(base_url, str(make_url(worker_url).database)))


async def _create_if_missing(base_url: str, name: str) -> None:
    engine = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if found is None:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
