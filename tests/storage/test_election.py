"""The singleton election (bot/election.py) on its advisory lock: one holder among two candidates, the role
dropped when the holder's connection is lost and taken again by a candidate. PostgreSQL only (on SQLite the
one process holds the role: tests/channels/test_sender.py starts the reminder clock through it)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from sqlalchemy import text

from bot.election import Election
from storage.locks import SessionLock, lock_key
from tests.support import PG_URL, Database

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


class Roles:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def candidate(self, name: str, key: int) -> Election:
        async def step_down() -> None:
            self.events.append((name, "down"))

        return Election(SessionLock(PG_URL, key), lambda: self.events.append((name, "up")), step_down, retry_s=0.2)

    def holders(self) -> set[str]:
        up: set[str] = set()
        for name, event in self.events:
            (up.add if event == "up" else up.discard)(name)
        return up


async def until(check: Callable[[], bool], timeout: float = 10.0) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, "timed out"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_one_holder_and_a_lost_connection_hands_the_role_over() -> None:
    key = lock_key(f"test-election-{time.time()}")
    roles = Roles()
    a, b = roles.candidate("a", key), roles.candidate("b", key)
    a.start()
    await until(lambda: roles.holders() == {"a"})
    b.start()
    try:
        await asyncio.sleep(1.0)  # b has tried several times meanwhile
        assert roles.holders() == {"a"}
        database = Database(PG_URL)
        try:
            async with database.engine.begin() as connection:  # the holder's connection dies (server side)
                await connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                        " AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = CAST(:key AS bigint)"
                    ),
                    {"key": key},
                )
        finally:
            await database.close()
        await until(lambda: ("a", "down") in roles.events and roles.holders() == {"b"})
    finally:
        await a.stop()
        await b.stop()
    assert roles.holders() == set()
