"""The bot's SQLite file is written durably: a commit (an inbox row, a delivery claim) survives a power cut."""

from __future__ import annotations

from sqlalchemy import text

from tests.support import Database

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


async def test_every_connection_syncs_each_commit_to_disk(db: Database) -> None:
    for _ in range(2):  # each new connection is set up the same way
        async with db.engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA synchronous")) == FULL
            assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
        await db.engine.dispose()
