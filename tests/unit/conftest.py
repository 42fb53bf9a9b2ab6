"""The unit tier: flows and services through the router and the services on a real SQLite copy of the example
roster, its driver calls inline (tests/fast_sqlite.py). No test here is about locks, concurrency or PostgreSQL:
those are in tests/storage/."""

from __future__ import annotations

import pytest

from tests.fast_sqlite import SharedEngine


@pytest.fixture(scope="session")
def shared_engine() -> SharedEngine:
    return SharedEngine(inline=True)

