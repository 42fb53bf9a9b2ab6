"""Shared test helpers: databases (SQLite file, PostgreSQL when TEST_DATABASE_URL is set), the example roster,
the time zone and a fake clock."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from handlers.services.roster import import_roster
from handlers.services.roster_file import read_roster
from storage.db import READ_ONLY_OPTIONS, AsyncEngine, AsyncSession, create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Base
from storage.uow import UnitOfWork
from tests.pg_workers import worker_database

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CSV = ROOT / "examples" / "roster.csv"
PG_URL = worker_database(os.environ.get("TEST_DATABASE_URL", ""), os.environ.get("PYTEST_XDIST_WORKER", ""))
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class FakeClock:
    """A clock the test moves by hand. Default: 10:00 on 23/11/2026 in Hà Nội (03:00 UTC)."""

    current: datetime = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def migrated_sqlite(path: Path) -> Path:
    """A SQLite file at the migrations' head: the template the tests' databases are copied from."""
    upgrade(sqlite_url(path))
    return path


def copy_sqlite(template: Path, target: Path) -> Path:
    """A test's own copy of a template file (and of its write-ahead log, if one was left)."""
    shutil.copyfile(template, target)
    wal = template.with_name(f"{template.name}-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(f"{target.name}-wal"))
    return target


_pg_migrated: set[str] = set()


def fresh_postgres() -> str:
    """The CI PostgreSQL database, migrated once, emptied before each test."""
    if PG_URL not in _pg_migrated:
        asyncio.run(_drop_everything(PG_URL))
        upgrade(PG_URL)
        _pg_migrated.add(PG_URL)
    asyncio.run(_truncate(PG_URL))
    return PG_URL


async def _drop_everything(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _truncate(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


class Database:
    """An engine plus a UnitOfWork factory for one test (its own engine unless given the shared one)."""

    def __init__(self, url: str, engine: AsyncEngine | None = None) -> None:
        self.url = url
        self.engine = engine or create_engine(url)
        self.sessions = session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session in a read-only transaction: a test watching a running bot never queues for SQLite's write
        lock (a busy bot can hold it often enough for a waiter's 15 s to run out)."""
        async with self.sessions() as session:
            await session.connection(execution_options=READ_ONLY_OPTIONS)
            yield session

    async def close(self) -> None:
        await self.engine.dispose()


async def load_example_roster(database: Database, clock: FakeClock) -> None:
    """examples/roster.csv imported as the operator would, at the clock's time."""
    roster = read_roster(EXAMPLE_CSV)
    assert not roster.errors
    async with database.uow() as uow:
        await import_roster(uow, roster.rows, clock.now())
        await uow.commit()
