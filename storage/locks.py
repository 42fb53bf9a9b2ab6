"""PostgreSQL session-level advisory locks: who migrates, who runs the singletons, who polls a bot token.

A session-level lock belongs to one database connection: it holds across transactions and is released when
the connection ends, also when the process holding it is killed (the server sees the socket close). So each
holder keeps a dedicated connection of its own, outside the pool. SQLite has no such locks: it serves one
process, which simply holds every role (the polling guard uses a file lock beside the database instead).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from pathlib import Path
from typing import IO

from sqlalchemy import pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage.db import is_sqlite
from storage.private_files import make_private_file

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """A signed 64-bit key for `name` (pg_advisory_lock takes a bigint), the same on every instance."""
    return int.from_bytes(hashlib.sha256(f"lamtheo:{name}".encode()).digest()[:8], "big", signed=True)


MIGRATIONS = lock_key("migrations")
SINGLETONS = lock_key("singletons")


def poller_key(bot_identity: str) -> int:
    """The lock of the poller of one bot (its token's hash: the token itself is never stored nor logged)."""
    return lock_key("poller:" + hashlib.sha256(bot_identity.encode()).hexdigest())


async def lock_connection(connection: AsyncConnection, key: int) -> None:
    """Wait for the lock on this connection (committed: it holds until unlocked or the connection ends)."""
    await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
    await connection.commit()


async def unlock_connection(connection: AsyncConnection, key: int) -> None:
    await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    await connection.commit()


class SessionLock:
    """One advisory lock held on a dedicated connection: try to take it, check it is still held, let it go."""

    def __init__(self, url: str, key: int) -> None:
        self.url, self.key = url, key
        self.sqlite = is_sqlite(url)
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self.sqlite or self._connection is not None

    async def try_acquire(self) -> bool:
        """True when this process holds the lock now (SQLite: always). A database error is a False."""
        if self.held:
            return True
        try:
            connection = await self._connect()
            got = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
            await connection.commit()
        except Exception as error:  # the database is down: try again later
            log.warning("could not ask for an advisory lock: %s", type(error).__name__)
            await self.release()
            return False
        if got:
            self._connection = connection
            return True
        await connection.close()
        return False

    async def still_held(self) -> bool:
        """The holding connection still answers (a lost connection has lost the lock with it)."""
        if self.sqlite:
            return True
        if self._connection is None:
            return False
        try:
            await self._connection.execute(text("SELECT 1"))
            await self._connection.commit()
            return True
        except Exception as error:
            log.warning("lost the connection holding an advisory lock: %s", type(error).__name__)
            await self.release()
            return False

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # closing the connection releases the lock in any case
                await unlock_connection(connection, self.key)
            with contextlib.suppress(Exception):
                await connection.close()
        if self._engine is not None:
            with contextlib.suppress(Exception):
                await self._engine.dispose()
            self._engine = None

    async def _connect(self) -> AsyncConnection:
        if self._engine is None:
            self._engine = create_async_engine(self.url, poolclass=pool.NullPool)
        return await self._engine.connect()


class FileLock:
    """An exclusive lock on a file beside a SQLite database, released when the process ends (POSIX flock)."""

    def __init__(self, url: str, name: str) -> None:
        database = make_url(url).database or ""
        self.path = Path(f"{database}.{name}.lock") if database not in ("", ":memory:") else None
        self._file: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        try:
            import fcntl
        except ImportError:  # Windows: no guard, one poller is the operator's business there
            return True
        if self.path is None or self._file is not None:
            return True
        make_private_file(self.path)  # 0600 in a 0700 folder, like the database beside it
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            handle.close()
