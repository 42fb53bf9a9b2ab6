"""Fixtures for every tier.

`db` is an empty migrated SQLite database and `roster_db` one with examples/roster.csv imported (at the default
FakeClock time), each a copy of a template built once per session and opened through the session's shared engine
(tests/fast_sqlite.py). `any_db` is the storage tier's: a file with an engine of its own, and PostgreSQL too
when TEST_DATABASE_URL is set. `router` talks to `roster_db`; `world_db` adds the report world to it and
`honours_db` the honours on top.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from handlers.router import Router
from tests.fast_sqlite import SharedEngine
from tests.honours_support import honours_on_the_world
from tests.pg_workers import ensure_worker_database
from tests.report_world import World, build_world
from tests.support import (
    PG_URL,
    TZ,
    Database,
    FakeClock,
    copy_sqlite,
    fresh_postgres,
    load_example_roster,
    migrated_sqlite,
    sqlite_url,
)

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under pytest-xdist each worker has a PostgreSQL database of its own (tests/pg_workers.py)."""
    ensure_worker_database(os.environ.get("TEST_DATABASE_URL", ""), PG_URL)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite(tmp_path_factory.mktemp("templates") / "migrated.db")


@pytest.fixture(scope="session")
def roster_template(sqlite_template: Path) -> Path:
    """The migrated template with the example roster imported: most of a flow test's set-up, done once."""

    async def load(path: Path) -> None:
        database = Database(sqlite_url(path))
        try:
            await load_example_roster(database, FakeClock())
        finally:
            await database.close()

    template = copy_sqlite(sqlite_template, sqlite_template.with_name("roster.db"))
    asyncio.run(load(template))
    return template


@pytest.fixture(scope="session")
def shared_engine() -> SharedEngine:
    return SharedEngine()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sqlite_file(tmp_path: Path, sqlite_template: Path) -> str:
    """The URL of this test's own migrated SQLite file, tmp_path/lamtheo.db, for tests that open it themselves."""
    return sqlite_url(copy_sqlite(sqlite_template, tmp_path / "lamtheo.db"))


@pytest.fixture
def database_dir(tmp_path: Path) -> Path:
    """Where `db` and `roster_db` put the test's copy."""
    return tmp_path


@pytest.fixture
async def db(database_dir: Path, sqlite_template: Path, shared_engine: SharedEngine) -> AsyncIterator[Database]:
    async with shared_engine.open(copy_sqlite(sqlite_template, database_dir / "lamtheo.db")) as database:
        yield database


@pytest.fixture
async def roster_db(
    database_dir: Path, roster_template: Path, shared_engine: SharedEngine
) -> AsyncIterator[Database]:
    async with shared_engine.open(copy_sqlite(roster_template, database_dir / "lamtheo.db")) as database:
        yield database


@pytest.fixture(params=BACKENDS)
async def any_db(request: pytest.FixtureRequest, sqlite_file: str) -> AsyncIterator[Database]:
    """The storage tests' database: SQLite always, PostgreSQL too when TEST_DATABASE_URL is set."""
    url = await asyncio.to_thread(fresh_postgres) if request.param == "postgresql" else sqlite_file
    database = Database(url)
    yield database
    await database.close()


@pytest.fixture
def router(roster_db: Database, clock: FakeClock) -> Router:
    return Router(roster_db.uow, clock, TZ)


@pytest.fixture
async def world(roster_db: Database, clock: FakeClock) -> World:
    """tests/report_world.py's world built in roster_db: what the roll-up counts, counted by hand."""
    return await build_world(roster_db, clock)


@pytest.fixture
def world_db(roster_db: Database, world: World) -> Database:
    """roster_db with the report world in it."""
    return roster_db


@pytest.fixture
async def honours_db(world_db: Database, clock: FakeClock) -> Database:
    """world_db with tests/honours_support.py's exemplars, commendations, replicated model and activity."""
    await honours_on_the_world(world_db, clock)
    return world_db


@pytest.fixture(autouse=True)
def stock_event_loop_policy_afterwards() -> Iterator[None]:
    """bot.cli.main() installs uvloop's policy for the process; the next test gets asyncio's own back."""
    yield
    asyncio.set_event_loop_policy(None)


@pytest.fixture(autouse=True)
def root_logging_restored() -> Iterator[None]:
    """bot.logs.setup_logging (run by bot.cli.main()) replaces the root logger's handlers with one writing to the
    test's captured stderr, which is closed afterwards: the next test's log lines would go to a closed file."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
