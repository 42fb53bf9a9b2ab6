"""A 40,000-row roster import (`lamtheo import-roster`, its own process) beside a stream of bot updates on the same
SQLite file: no update fails and none waits more than 2 s, because the import commits in batches and pauses between
them. Each update's latency is measured here as a correctness bound (the bot must not be locked out), not as a
benchmark."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from handlers.router import Router
from tests.chat import Chat
from tests.processes import LAMTHEO
from tests.roster_files import write_big_roster
from tests.support import Database, FakeClock

LONGEST_WAIT_S = 2.0


async def test_a_40000_row_import_never_locks_the_bot_out(
    roster_db: Database, router: Router, clock: FakeClock, tmp_path: Path
) -> None:
    chat = Chat(router, "telegram", "5501")
    await chat.link_as("DV001", roster_db, clock)
    roster = write_big_roster(tmp_path / "province.csv", committees=20, cells=20, per_cell=100)
    env = {**os.environ, "DATABASE_URL": roster_db.url, "LOG_LEVEL": "WARNING"}
    importer = await asyncio.create_subprocess_exec(
        str(LAMTHEO), "import-roster", str(roster), cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    waits: list[float] = []
    finished = asyncio.ensure_future(importer.communicate())
    while not finished.done():
        for said in ("/menu", "/camket"):  # a write transaction each: the update is claimed, the state saved
            started = time.monotonic()
            replies = await chat.say(said)
            waits.append(time.monotonic() - started)
            assert replies, said
        await asyncio.sleep(0.05)
    out, err = finished.result()
    assert importer.returncode == 0, err.decode()
    assert "Đảng viên mới: 40000" in out.decode()
    assert len(waits) >= 20  # the updates really ran beside the import
    assert max(waits) < LONGEST_WAIT_S, sorted(waits)[-5:]
