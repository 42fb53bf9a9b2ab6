"""Fast SQLite for the tests that ask for `db` or `roster_db`.

One engine for the whole session: SQLAlchemy compiles each statement once per engine, and with an engine per test
compiling was a large part of a flow test's time. The engine is the production one (storage.db.create_engine: WAL,
busy timeout, foreign keys, BEGIN IMMEDIATE); only where its connections go changes from test to test, so one such
database is open at a time.

For the unit tier, its connections can also be inline (InlineConnection): aiosqlite hands every sqlite3 call
(cursor, execute, fetch, close: four per statement) to a worker thread and waits for the answer, and those
hand-offs were then most of a flow test's time. Inline, the same sqlite3 calls run in the same order in the
event loop's thread. A lock wait would block the loop, so tests of locks and concurrency stay on the real
aiosqlite (tests/storage/, tests/channels/, tests/e2e/).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy.pool import AsyncAdaptedQueuePool

from storage.db import SQLITE_BUSY_TIMEOUT_MS, create_engine
from tests.support import Database, sqlite_url


class _RunAtOnce:
    """In place of aiosqlite's queue to its worker thread: runs each call at once and settles its future."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except Exception as error:
            if future is not None:
                future.set_exception(error)
        else:
            if future is not None:
                future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's Connection without its worker thread (see the module's docstring)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no worker thread to start


class SharedEngine:
    """One SQLite engine for the whole session, connecting to the file of the test now running."""

    def __init__(self, *, inline: bool = False) -> None:
        self._path: Path | None = None
        self._inline = inline
        self.engine = create_engine("sqlite+aiosqlite://", async_creator=self._connect, poolclass=AsyncAdaptedQueuePool)

    async def _connect(self) -> aiosqlite.Connection:
        assert self._path is not None, "the shared engine has no test database open"
        timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
        if self._inline:
            return await InlineConnection(partial(sqlite3.connect, self._path, timeout=timeout))
        connection = aiosqlite.connect(self._path, timeout=timeout)
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
