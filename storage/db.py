"""Engine creation: SQLite in WAL with immediate write transactions, or PostgreSQL via asyncpg."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine as AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from storage.figure_versions import TrackedSession
from storage.private_files import make_private_file, tighten

SQLITE_BUSY_TIMEOUT_MS = 15_000
LONG_WRITE_S = 5.0  # a write transaction on SQLite held longer than this is logged (the others wait for it)
OPEN = "lamtheo_transaction_open"  # on a pooled connection between our BEGIN and its commit or rollback
WRITE_BEGAN = "lamtheo_write_began"
log = logging.getLogger(__name__)
# Execution options of a read-only transaction (UnitOfWork.read_only): PostgreSQL's READ ONLY, and on SQLite a
# deferred BEGIN (a reader never waits for the write lock) with PRAGMA query_only.
READ_ONLY_OPTIONS = {"lamtheo_read_only": True, "postgresql_readonly": True}


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite file (0700) so a fresh checkout runs without set-up, and the file itself
    (0600) before SQLite does: SQLite gives its -wal and -shm files the database file's mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database)).expanduser()
        make_private_file(path)
        for suffix in ("-wal", "-shm"):  # left by an older version: group- or world-readable
            tighten(Path(f"{path}{suffix}"))


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """hide_parameters: a logged database error never quotes the values (members' texts, names, phones)."""
    ensure_sqlite_dir(url)
    kwargs.setdefault("hide_parameters", True)
    if not is_sqlite(url):
        engine = create_async_engine(url, pool_pre_ping=True, **kwargs)
        _plan_every_statement_for_its_values(engine)
        return engine
    engine = create_async_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_reset_on_return=None, **kwargs
    )
    _make_sqlite_safe_for_two_processes(engine)
    return engine


def _plan_every_statement_for_its_values(engine: AsyncEngine) -> None:
    """asyncpg prepares every statement once per connection; after five runs PostgreSQL may switch it to a generic
    plan, blind to the values. For the figures of a few cells (`cell_id IN (...)`) that plan scanned the members:
    12 ms instead of 1 (docs/PERFORMANCE.md). Planning with the values costs well under a millisecond."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        driver = dbapi_connection.driver_connection
        if int(await_only(driver.fetchval("SHOW server_version_num"))) >= 120000:  # the setting came in 12
            await_only(driver.execute("SET plan_cache_mode = force_custom_plan"))


def _make_sqlite_safe_for_two_processes(engine: AsyncEngine) -> None:
    """WAL + busy timeout + BEGIN IMMEDIATE: the bot and an import never meet 'database is locked'.

    A deferred transaction that reads and then writes can fail at once when another writer got in
    between; taking the write lock at BEGIN makes the second writer wait (busy_timeout) instead.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # deleted and replaced texts are overwritten, not left in free pages
        cursor.execute("PRAGMA synchronous=FULL")  # NORMAL in WAL can lose the last commits on power loss
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        # Straight to aiosqlite: one hop to its thread instead of the three (cursor, execute, close)
        # that conn.exec_driver_sql() costs; this runs once per transaction on the hot path.
        driver = conn.connection.driver_connection
        conn.info[OPEN] = True  # before BEGIN: a cancel during it may still leave it run (on_reset)
        if conn.get_execution_options().get("lamtheo_read_only"):
            conn.info["query_only"] = True
            await_only(driver.execute("PRAGMA query_only=ON"))
            await_only(driver.execute("BEGIN"))
            return
        if conn.info.pop("query_only", False):  # the pooled connection served a read-only transaction last
            await_only(driver.execute("PRAGMA query_only=OFF"))
        await_only(driver.execute("BEGIN IMMEDIATE"))
        conn.info[WRITE_BEGAN] = (time.monotonic(), _task_name())

    @event.listens_for(engine.sync_engine, "commit")
    @event.listens_for(engine.sync_engine, "rollback")
    def on_end(conn: Any) -> None:
        if conn.invalidated:  # a cancelled statement: the connection is being thrown away (its info with it)
            return
        conn.info.pop(OPEN, None)
        began = conn.info.pop(WRITE_BEGAN, None)
        held = time.monotonic() - began[0] if began is not None else 0.0
        if held > LONG_WRITE_S:  # every other writer of the file waited meanwhile (up to the busy timeout)
            log.warning("a transaction held the write lock for %.1f s (task %s)", held, began[1])

    @event.listens_for(engine.sync_engine, "reset")
    def on_reset(dbapi_connection: Any, record: Any, state: Any) -> None:
        # A transaction cut off by a cancel (a task stopped mid-statement) never reached commit or rollback, and the
        # pool does not roll back on return here (an extra hop per transaction): its BEGIN IMMEDIATE would keep the
        # write lock (every other writer waiting out the busy timeout) and the connection's next user would fail
        # with "cannot start a transaction within a transaction". Rolled back here, queued behind the cut-off
        # statement on aiosqlite's thread, so after it.
        if record.info.pop(OPEN, False) and state.asyncio_safe:
            dbapi_connection.rollback()


def _task_name() -> str:
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running loop: a synchronous caller
        return "-"
    return task.get_name() if task is not None else "-"


def session_factory(engine: AsyncEngine, *, track_figures: bool = True) -> async_sessionmaker[AsyncSession]:
    """Sessions whose writes keep the roll-up's figures current (storage/figure_versions.py); `track_figures=False`
    only for a benchmark measuring what that costs."""
    session_class = TrackedSession if track_figures else Session
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True, sync_session_class=session_class)


def normalise_url(url: str) -> str:
    """Accept the URLs operators write and return one with an async driver; ValueError if unusable."""
    try:
        parsed = make_url(url.strip())
    except Exception as error:  # sqlalchemy raises ArgumentError with a technical text
        raise ValueError("không đọc được địa chỉ cơ sở dữ liệu / not a database URL") from error
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError("chỉ hỗ trợ SQLite và PostgreSQL / only sqlite and postgresql are supported")
    return parsed.render_as_string(hide_password=False)
