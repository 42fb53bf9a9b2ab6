"""Fixtures: `db` is a migrated database per test (SQLite; also PostgreSQL when TEST_DATABASE_URL is set
for tests that ask for `any_db`), `roster_db` has examples/roster.csv imported, `router` talks to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handlers.router import Router
from tests.support import PG_URL, TZ, Database, FakeClock, fresh_postgres, fresh_sqlite, load_example_roster

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    url = await asyncio.to_thread(fresh_sqlite, tmp_path)
    database = Database(url)
    yield database
    await database.close()


@pytest.fixture(params=BACKENDS)
async def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """The storage tests' database: SQLite always, PostgreSQL too when TEST_DATABASE_URL is set."""
    if request.param == "postgresql":
        url = await asyncio.to_thread(fresh_postgres)
    else:
        url = await asyncio.to_thread(fresh_sqlite, tmp_path)
    database = Database(url)
    yield database
    await database.close()


@pytest.fixture
async def roster_db(db: Database, clock: FakeClock) -> Database:
    await load_example_roster(db, clock)
    return db


@pytest.fixture
def router(roster_db: Database, clock: FakeClock) -> Router:
    return Router(roster_db.uow, clock, TZ)
