"""The unit tier: flows and services through the router and the services on a real SQLite copy of the example
roster, its driver calls inline (tests/fast_sqlite.py) and its file in memory-backed storage where there is some.
No test here is about locks, concurrency or PostgreSQL: those are in tests/storage/."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fast_sqlite import SharedEngine

MEMORY_BACKED = Path("/dev/shm")  # noqa: S108 (tmpfs on Linux; each test gets its own mkdtemp folder in it)


@pytest.fixture(scope="session")
def shared_engine() -> SharedEngine:
    return SharedEngine(inline=True)


@pytest.fixture
def database_dir(request: pytest.FixtureRequest) -> Iterator[Path]:
    """The test's copy goes to tmpfs when the machine has one (the same SQLite file in WAL mode, but its
    writes and fsyncs never queue behind other processes' disk traffic), to tmp_path otherwise."""
    if not MEMORY_BACKED.is_dir():
        yield request.getfixturevalue("tmp_path")
        return
    folder = Path(tempfile.mkdtemp(prefix="lamtheo-unit-", dir=MEMORY_BACKED))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
