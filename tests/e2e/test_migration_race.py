"""Three `lamtheo db upgrade` processes started together on an empty PostgreSQL database all succeed: the
first migrates under the advisory lock, the others wait for it and then find the schema current."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import create_engine
from tests.pg_scratch import scratch_postgres
from tests.processes import LAMTHEO
from tests.support import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


def test_three_upgrades_at_once_on_an_empty_database_all_succeed(tmp_path: Path) -> None:
    with scratch_postgres("race") as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TELEGRAM_", "ZALO_"))}
        env["DATABASE_URL"] = url
        procs = [
            subprocess.Popen(
                [str(LAMTHEO), "db", "upgrade"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(3)
        ]
        results = [(proc.wait(120), *proc.communicate()) for proc in procs]
        failures = [err.decode() for code, _out, err in results if code != 0]
        assert failures == [], failures
        versions = asyncio.run(_versions(url))
    assert len(versions) == 1, versions


async def _versions(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return list((await connection.scalars(text("SELECT version_num FROM alembic_version"))).all())
    finally:
        await engine.dispose()
