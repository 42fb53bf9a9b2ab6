"""Migrations: upgrade from empty, downgrade to base and back, and the models match the migrations.

On PostgreSQL this uses the shared `test` database (the one tests/support.fresh_postgres migrates once per
session); it drops the schema first and always leaves it migrated to head, as fresh_postgres expects.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.db import create_engine
from storage.migrate import alembic_config, downgrade, upgrade
from storage.models import Base
from tests import support
from tests.support import PG_URL, sqlite_url

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
MODEL_TABLES = set(Base.metadata.tables)


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"migrations must have a single head, found {heads}"
    return heads[0]


def _snapshot(conn: Connection) -> dict[str, Any]:
    tables = set(inspect(conn).get_table_names())
    version = None
    if "alembic_version" in tables:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    return {"tables": tables - {"alembic_version"}, "version": version, "diffs": diffs}


async def _inspect(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_snapshot)
    finally:
        await engine.dispose()


def snapshot(url: str) -> dict[str, Any]:
    """Tables, recorded version and model-vs-database differences, via a sync connection (run_sync)."""
    return asyncio.run(_inspect(url))


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "nested" / "folder" / "fresh.db")  # the folder does not exist yet
        return
    support._pg_migrated.discard(PG_URL)
    asyncio.run(support._drop_everything(PG_URL))
    try:
        yield PG_URL
    finally:
        # Leave the shared database as fresh_postgres expects it: migrated to head.
        asyncio.run(support._drop_everything(PG_URL))
        upgrade(PG_URL)
        support._pg_migrated.add(PG_URL)


def test_upgrade_downgrade_upgrade_and_models_match(empty_url: str) -> None:
    head = head_revision()
    assert snapshot(empty_url)["tables"] == set()

    upgrade(empty_url)
    state = snapshot(empty_url)
    assert state["tables"] == MODEL_TABLES
    assert state["version"] == [head]
    assert state["diffs"] == [], "models differ from the migrations; add a migration"

    upgrade(empty_url)  # already at head: nothing to do, nothing breaks
    assert snapshot(empty_url)["version"] == [head]

    downgrade(empty_url, "base")
    state = snapshot(empty_url)
    assert state["tables"] == set()
    assert state["version"] == []

    upgrade(empty_url)
    state = snapshot(empty_url)
    assert state["tables"] == MODEL_TABLES
    assert state["version"] == [head]
    assert state["diffs"] == []


def test_a_new_sqlite_file_is_left_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    upgrade(sqlite_url(path))
    plain = sqlite3.connect(path)
    try:
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert plain.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
    finally:
        plain.close()


def test_step_by_step_through_every_revision(empty_url: str) -> None:
    """Each revision upgrades and downgrades on its own (a chain of one today; more as they come)."""
    script = ScriptDirectory.from_config(alembic_config(empty_url))
    revisions = [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]
    assert revisions and revisions[-1] == head_revision()
    for revision in revisions:
        upgrade(empty_url, revision)
        assert snapshot(empty_url)["version"] == [revision]
    for revision in reversed(revisions):
        downgrade(empty_url, "-1")
        down = script.get_revision(revision).down_revision
        assert snapshot(empty_url)["version"] == ([] if down is None else [down])
    assert snapshot(empty_url)["tables"] == set()


def test_compare_metadata_notices_a_model_the_migrations_lack(empty_url: str) -> None:
    """The comparison is live: a table present only in the models is reported."""
    upgrade(empty_url)

    async def drop_and_compare() -> list[Any]:
        engine = create_engine(empty_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("DROP TABLE processed_updates"))
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
                )
        finally:
            await engine.dispose()

    diffs = asyncio.run(drop_and_compare())
    assert [(d[0], d[1].name) for d in diffs if isinstance(d, tuple) and d[0] == "add_table"] == [
        ("add_table", "processed_updates")
    ]
