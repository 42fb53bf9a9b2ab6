"""A unit of work whose task is cancelled ends cancelled, even when closing its session fails as well. A worker
that catches errors to try again (the inbox, the sender) would otherwise take the close's error for a database
failure and go on instead of stopping, and whoever stopped it would wait forever (seen on SQLite: issue 11)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.uow import UnitOfWork
from tests.support import Database


class CloseFails(AsyncSession):
    async def close(self) -> None:
        await super().close()
        raise RuntimeError("closing failed")


def failing_close(db: Database) -> UnitOfWork:
    return UnitOfWork(async_sessionmaker(db.engine, class_=CloseFails, expire_on_commit=False))


async def test_a_cancelled_unit_of_work_ends_cancelled_when_its_close_fails(any_db: Database) -> None:
    inside = asyncio.Event()

    async def work() -> None:
        async with failing_close(any_db) as uow:
            await uow.ping()
            inside.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(work())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()


async def test_a_failing_close_still_raises_when_nothing_was_cancelled(any_db: Database) -> None:
    with pytest.raises(RuntimeError, match="closing failed"):
        async with failing_close(any_db) as uow:
            await uow.ping()
