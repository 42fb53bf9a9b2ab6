"""Fast SQLite for the tests that ask for `db` or `roster_db`: one engine for the whole session.

SQLAlchemy compiles each statement once per engine; with an engine per test, compiling was a large part of a
flow test's time. The engine is the production one (storage.db.create_engine: WAL, busy timeout, foreign keys,
BEGIN IMMEDIATE); only where its connections go changes from test to test, so one such database is open at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
from sqlalchemy.pool import AsyncAdaptedQueuePool

from storage.db import SQLITE_BUSY_TIMEOUT_MS, create_engine
from tests.support import Database, sqlite_url


class SharedEngine:
    """One SQLite engine for the whole session, connecting to the file of the test now running."""

    def __init__(self) -> None:
        self._path: Path | None = None
        self.engine = create_engine("sqlite+aiosqlite://", async_creator=self._connect, poolclass=AsyncAdaptedQueuePool)

    async def _connect(self) -> aiosqlite.Connection:
        assert self._path is not None, "the shared engine has no test database open"
        connection = aiosqlite.connect(self._path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        connection._thread.daemon = True  # as SQLAlchemy does for the connections it opens itself
        return await connection

    @asynccontextmanager
    async def open(self, path: Path) -> AsyncIterator[Database]:
        """`path` as a Database for one test; its connections are closed when the test is done with it."""
        assert self._path is None, f"one database at a time on the shared engine ({self._path} is open)"
        self._path = path
        try:
            yield Database(sqlite_url(path), self.engine)
        finally:
            await self.engine.dispose()
            self._path = None
