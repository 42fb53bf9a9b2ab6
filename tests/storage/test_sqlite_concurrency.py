"""Two writers on one SQLite file (the bot and an import, say) never meet "database is locked".

Each transaction reads the highest theme year and then inserts the next one: if two transactions ever
interleaved between the read and the write, one would fail (a lost update on the primary key, or SQLite's
"database is locked" when a read snapshot tries to become a write). WAL + BEGIN IMMEDIATE serialise them.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

import storage.db
from storage.models import ProcessedUpdate, Theme
from tests.support import ROOT, Database

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
CHILD = (
    "import asyncio, sys; from tests.storage.test_sqlite_concurrency import child_main; "
    "asyncio.run(child_main(*sys.argv[1:]))"
)


async def bump(db: Database, writer: str, hold: float = 0.0) -> int:
    """One read-then-write transaction: the next year after the highest, titled by the writer."""
    async with db.uow() as uow:
        top = await uow.themes.session.scalar(select(func.coalesce(func.max(Theme.year), 0)))
        await asyncio.sleep(hold)  # give the other writer every chance to get in between
        year = int(top or 0) + 1
        await uow.themes.set(year, writer, NOW)
        assert await uow.updates.claim(writer, str(year), NOW)
        await uow.commit()
        return year


async def writer_loop(db: Database, writer: str, count: int, hold: float = 0.0, gap: float = 0.0) -> None:
    for _ in range(count):
        await bump(db, writer, hold)
        await asyncio.sleep(gap)


async def child_main(url: str, writer: str, count: str) -> None:
    """The second OS process: connects, says "ready", waits for "go", then writes."""
    db = Database(url)
    try:
        async with db.uow() as uow:
            await uow.themes.get(0)  # connect (and so set the pragmas) before the race starts
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        await writer_loop(db, writer, int(count), hold=0.002, gap=0.003)
    finally:
        await db.close()


async def history(db: Database) -> list[tuple[int, str]]:
    async with db.uow() as uow:
        rows = (await uow.themes.session.execute(select(Theme.year, Theme.title).order_by(Theme.year))).all()
        claims = await uow.themes.session.scalar(select(func.count()).select_from(ProcessedUpdate))
    years = [(int(year), str(title)) for year, title in rows]
    assert claims == len(years)  # both writes of every transaction landed together
    return years


def switches(writers: list[str]) -> int:
    return sum(1 for a, b in itertools.pairwise(writers) if a != b)


@pytest.fixture
async def two_engines(sqlite_file: str) -> Any:
    first, second = Database(sqlite_file), Database(sqlite_file)
    yield first, second
    await first.close()
    await second.close()


def journal_mode(path: str) -> str:
    plain = sqlite3.connect(path)
    try:
        return str(plain.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        plain.close()


async def test_journal_mode_is_wal_and_pragmas_are_set(two_engines: tuple[Database, Database]) -> None:
    db, _ = two_engines
    path = db.engine.url.database
    assert path
    # Already WAL straight from the migrations, before any engine connects: two processes opening a fresh
    # file at once must not race to switch it (that switch needs an exclusive lock and can fail).
    assert journal_mode(path) == "wal"
    async with db.engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 15_000
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    assert journal_mode(path) == "wal"  # WAL is a property of the file: any other opener sees it


async def test_a_file_in_rollback_mode_is_switched_to_wal_on_connect(tmp_path: Path, sqlite_file: str) -> None:
    url = sqlite_file
    path = str(tmp_path / "lamtheo.db")
    plain = sqlite3.connect(path)
    assert plain.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
    plain.close()
    db = Database(url)
    try:
        assert await bump(db, "a") == 1
    finally:
        await db.close()
    assert journal_mode(path) == "wal"


# With one writer per engine, the writer that just committed starts its next transaction within `gap`: SQLite's
# busy handler (sleeping 1, 2, 5 … 100 ms between tries) could miss every such window on a busy machine, and one
# engine would write all its rows before the other wrote any. A gap of 20 ms leaves the waiting engine the lock.
@pytest.mark.parametrize(("tasks", "per_task", "gap"), [(1, 50, 0.02), (4, 12, 0.002)])
async def test_two_engines_interleaved_never_lock(
    two_engines: tuple[Database, Database], tasks: int, per_task: int, gap: float
) -> None:
    first, second = two_engines
    await asyncio.gather(
        *(writer_loop(first, f"a{i}", per_task, hold=0.001, gap=gap) for i in range(tasks)),
        *(writer_loop(second, f"b{i}", per_task, hold=0.001, gap=gap) for i in range(tasks)),
    )
    years = await history(first)
    total = 2 * tasks * per_task
    assert [year for year, _ in years] == list(range(1, total + 1))  # no lost update, no gap
    titles = [title for _, title in years]
    for prefix in "ab":
        for i in range(tasks):
            assert titles.count(f"{prefix}{i}") == per_task
    assert switches([t[0] for t in titles]) > 1  # the two engines really did take turns


async def test_a_writer_waits_for_the_lock_instead_of_failing(two_engines: tuple[Database, Database]) -> None:
    """A holds its transaction open between read and write while B tries to write: B waits, then sees A."""
    first, second = two_engines
    release = asyncio.Event()
    a_has_read = asyncio.Event()

    async def slow_a() -> None:
        async with first.uow() as uow:
            top = await uow.themes.session.scalar(select(func.coalesce(func.max(Theme.year), 0)))
            a_has_read.set()
            await release.wait()
            await uow.themes.set(int(top or 0) + 1, "a", NOW)
            assert await uow.updates.claim("a", "1", NOW)
            await uow.commit()

    task_a = asyncio.create_task(slow_a())
    await a_has_read.wait()
    task_b = asyncio.create_task(bump(second, "b"))
    await asyncio.sleep(0.2)
    assert not task_b.done()  # B is waiting for A's write lock (busy_timeout), not failing
    release.set()
    await task_a
    assert await task_b == 2
    assert await history(first) == [(1, "a"), (2, "b")]


async def test_without_begin_immediate_the_same_interleaving_fails(sqlite_file: str) -> None:
    """Control: with plain deferred transactions, a read snapshot cannot become a write after another commit.

    This is what BEGIN IMMEDIATE prevents; it shows the tests above would catch its loss.
    """
    url = sqlite_file
    deferred = create_async_engine(url, connect_args={"timeout": 15})

    @event.listens_for(deferred.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.cursor().execute("PRAGMA journal_mode=WAL")  # as storage does; only BEGIN differs

    @event.listens_for(deferred.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    other = Database(url)
    try:
        async with deferred.connect() as conn:
            await conn.exec_driver_sql("SELECT count(*) FROM themes")  # a read snapshot
            await bump(other, "b")  # another writer commits meanwhile (it does not have to wait)
            with pytest.raises(OperationalError, match="database is locked"):
                await conn.exec_driver_sql(
                    "INSERT INTO themes (year, title, set_at) VALUES (1, 'a', '2026-11-23 03:00:00')"
                )
    finally:
        await deferred.dispose()
        await other.close()


async def test_a_second_os_process_writing_at_the_same_time(two_engines: tuple[Database, Database]) -> None:
    db, _ = two_engines
    count = 60
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        str(db.url),
        "child",
        str(count),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        ready = await asyncio.wait_for(child.stdout.readline(), timeout=20)
        assert ready.strip() == b"ready"
        child.stdin.write(b"go\n")
        await child.stdin.drain()
        await writer_loop(db, "parent", count, hold=0.002, gap=0.003)
        _out, err = await asyncio.wait_for(child.communicate(), timeout=30)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    assert b"locked" not in err, err.decode()
    assert child.returncode == 0, err.decode()

    years = await history(db)
    assert [year for year, _ in years] == list(range(1, 2 * count + 1))
    titles = [title for _, title in years]
    assert titles.count("parent") == titles.count("child") == count
    assert switches(titles) > 1, "the two processes did not write at the same time"


async def test_a_long_write_transaction_is_logged_with_its_task(
    sqlite_file: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Every other writer of the file waits for it (up to the busy timeout): the log says who held the lock."""
    monkeypatch.setattr(storage.db, "LONG_WRITE_S", 0.1)
    database = Database(sqlite_file)
    try:

        async def write(hold: float) -> None:
            async with database.uow() as uow:
                await uow.updates.claim("telegram", f"held-{hold}", datetime.now(UTC))
                await asyncio.sleep(hold)
                await uow.commit()

        with caplog.at_level("WARNING", logger="storage.db"):
            await asyncio.create_task(write(0.3), name="slow-writer")
    finally:
        await database.close()
    held = [r.getMessage() for r in caplog.records if "held the write lock" in r.getMessage()]
    assert any("task slow-writer" in message for message in held), held


async def test_a_task_cancelled_mid_transaction_leaves_no_transaction_open(
    two_engines: tuple[Database, Database],
) -> None:
    """Stopping a worker cancels it wherever it is, BEGIN IMMEDIATE included. Before: the connection went back to
    the pool inside its transaction (the next user failed with "cannot start a transaction within a transaction",
    every other writer waited out the busy timeout), and the end-of-transaction hook, reading an invalidated
    connection, raised PendingRollbackError in place of the cancel, so the worker went on and its stop hung."""
    first, second = two_engines
    outcomes: dict[str, int] = {}

    async def claim(number: int) -> None:
        async with first.uow() as uow:
            await uow.updates.claim("telegram", f"cancelled-{number}", NOW)
            await uow.commit()

    for number in range(300):
        task = asyncio.create_task(claim(number))
        await asyncio.sleep((number % 30) / 10_000)  # cut off at every step: before, in and after BEGIN, the insert…
        task.cancel()
        try:
            await task
            outcome = "finished"
        except asyncio.CancelledError:
            outcome = "cancelled"
        except Exception as error:  # what a cancel must never turn into
            outcome = type(error).__name__
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert set(outcomes) <= {"finished", "cancelled"}, outcomes
    assert outcomes.get("cancelled", 0) > 100  # the cancels did cut transactions off
    assert await asyncio.wait_for(bump(second, "after"), 5) >= 1  # no connection left holding the write lock
    assert await asyncio.wait_for(bump(first, "after"), 5) >= 2  # nor a pooled connection inside a transaction
