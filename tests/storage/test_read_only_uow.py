"""A read-only unit of work (dry runs, health checks, file downloads): it reads, it cannot write, and on SQLite it
never waits for the write lock another process holds."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import DBAPIError

from tests.support import Database, FakeClock


async def test_a_read_only_unit_of_work_reads_and_refuses_to_write(any_db: Database, clock: FakeClock) -> None:
    async with any_db.uow() as uow:
        await uow.themes.set(2026, "Chuyên đề năm", clock.now())
        await uow.commit()
    async with any_db.uow().read_only() as uow:
        theme = await uow.themes.get(2026)
        assert theme is not None and theme.title == "Chuyên đề năm"
        with pytest.raises(DBAPIError):
            await uow.themes.set(2027, "Không được ghi", clock.now())
    async with any_db.uow() as uow:  # the same pooled connection writes again afterwards
        await uow.themes.set(2027, "Ghi được", clock.now())
        await uow.commit()
    async with any_db.uow().read_only() as uow:
        assert (await uow.themes.get(2027)) is not None


async def test_on_sqlite_a_read_only_unit_of_work_does_not_wait_for_a_writer(db: Database, clock: FakeClock) -> None:
    async with db.uow() as writer:
        await writer.themes.set(2026, "Đang ghi", clock.now())  # holds the write lock until the block ends
        started = time.monotonic()
        async with db.uow().read_only() as reader:
            assert await reader.themes.get(2026) is None  # the writer's row is not committed yet
        assert time.monotonic() - started < 1.0
        await writer.commit()
