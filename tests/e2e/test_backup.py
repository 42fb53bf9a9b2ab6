"""`lamtheo db backup` while updates stream into the webhook stack, then `lamtheo db restore` into a fresh database:
every update acknowledged before the backup began is there, and once the restored bot runs, its effect is too.

SQLite always (the online backup API); PostgreSQL too when TEST_DATABASE_URL is set (pg_dump / pg_restore into a
database of its own, `<test database>_restore`)."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.inbox import LEASE_S
from handlers.catalog import admin as a
from handlers.router import Router
from storage.db import create_engine, is_sqlite
from storage.models import ChatAccount, InboxUpdate
from tests.fakes.fake_telegram import FakeTelegram
from tests.processes import LAMTHEO, run_cli
from tests.support import TZ, Database, FakeClock, load_example_roster
from tests.telegram_support import invite_code
from tests.web_support import telegram_text
from tests.webhook_stack import WebhookStack, start_stack

MEMBERS = [f"DV{n:03d}" for n in range(1, 13)]
FIRST_USER, STRANGER = 7000, 7999
BEFORE_BACKUP = 8  # updates acknowledged before the backup starts; the stream goes on while it runs
WAIT = 60.0  # generous for a loaded machine: a passing run never waits it out


def cli_env(url: str) -> dict[str, str]:
    ours = ("TELEGRAM_", "ZALO_", "WEBHOOK_", "DATABASE_URL", "LAMTHEO_")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(ours)}
    return env | {"DATABASE_URL": url, "LOG_LEVEL": "WARNING"}


async def fresh_restore_target(url: str, folder: Path) -> str:
    """An empty database beside the test's: a new SQLite path, or `<name>_restore` created anew on the server."""
    if is_sqlite(url):
        return f"sqlite+aiosqlite:///{folder / 'restored.db'}"
    parsed = make_url(url)
    name = f"{parsed.database}_restore"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
async def stack(any_db: Database, clock: FakeClock) -> AsyncIterator[WebhookStack]:
    await load_example_roster(any_db, clock)
    with FakeTelegram() as fake:
        running = await start_stack(any_db, Router(any_db.uow, clock, TZ), clock, fake)
        yield running
        await running.stop()


async def wait_processed(db: Database) -> list[InboxUpdate]:
    for _ in range(int(WAIT / 0.05)):
        async with db.reading() as session:
            rows = list((await session.scalars(select(InboxUpdate))).all())
        if all(row.processed_at is not None for row in rows):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError("the inbox did not drain")


async def linked_users(db: Database) -> set[int]:
    async with db.reading() as session:
        return {int(x) for x in (await session.scalars(select(ChatAccount.external_id))).all()}


async def test_backup_while_updates_stream_then_restore(
    stack: WebhookStack, any_db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    codes = [await invite_code(any_db, clock, member) for member in MEMBERS]
    links = [telegram_text(100 + i, FIRST_USER + i, f"/start {code}") for i, code in enumerate(codes)]
    acked: list[int] = []

    async def post(update: dict[str, object]) -> None:
        assert await stack.post_telegram(update) == 200
        acked.append(int(str(update["update_id"])))

    for update in links[:BEFORE_BACKUP]:
        await post(update)
    before = list(acked)
    out = tmp_path / "backups" / "lamtheo.backup"
    backup = asyncio.create_task(
        asyncio.to_thread(run_cli, tmp_path, cli_env(any_db.url), "db", "backup", "--out", str(out))
    )
    for update in links[BEFORE_BACKUP:]:
        await post(update)
    chatter = 500
    while not backup.done():  # the stream goes on for as long as the backup runs
        await post(telegram_text(chatter, STRANGER, "xin chào"))
        chatter += 1
        await asyncio.sleep(0.02)
    assert a.DB_BACKED_UP.format(path=out) in (await backup).stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no partial file left beside it
    assert chatter > 500, "the backup finished before any update arrived during it"

    target = await fresh_restore_target(any_db.url, tmp_path)
    restored = await asyncio.to_thread(run_cli, tmp_path, cli_env(target), "db", "restore", str(out))
    assert a.DB_RESTORED.format(path=out) in restored.stdout
    again = subprocess.run(
        [str(LAMTHEO), "db", "restore", str(out)],
        cwd=tmp_path,
        env=cli_env(target),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (again.returncode, again.stderr.strip()) == (1, a.DB_BACKUP_FAILED["not_empty"])

    db = Database(target)
    clock.advance(seconds=LEASE_S + 1)  # a restore comes later: leases of rows in flight at the backup have lapsed
    try:
        with FakeTelegram() as fake:
            second = await start_stack(db, Router(db.uow, clock, TZ), clock, fake)
            try:
                rows = await wait_processed(db)
            finally:
                await second.stop()
        keys = {row.update_key for row in rows}
        bot = stack.fake.bot_id
        assert {f"{bot}:{update_id}" for update_id in before} <= keys
        assert keys <= {f"{bot}:{update_id}" for update_id in acked}
        linked = await linked_users(db)
        assert {FIRST_USER + i for i in range(BEFORE_BACKUP)} <= linked
        print(
            f"\nbackup: {len(acked)} updates acknowledged, {len(before)} before the backup began, "
            f"{len(keys)} in the restored database, {len(linked)} members linked there"
        )
    finally:
        await db.close()
