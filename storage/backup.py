"""Backups of the whole database, and restoring one into an empty database.

SQLite: the online backup API copies the database in one step from a read transaction, so the copy is one
consistent state while the bot goes on writing (WAL: readers never block the writer). PostgreSQL: `pg_dump
--format=custom --no-owner` (one snapshot, taken while the bot runs) and `pg_restore --no-owner --no-privileges
--single-transaction --exit-on-error` into an empty database. A backup holds personal data: it is written to a
private temporary file (0600) beside the target and renamed into place once complete, so a failed run never
leaves a partial file under the target's name.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from storage.db import is_sqlite
from storage.private_files import make_private_file, make_private_folder

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
BUSY_S = 30.0  # how long a copy waits for the running bot's write to finish (sqlite3's default is 5 s)


class BackupError(Exception):
    """Why a backup or restore could not be done; `reason` is one of the names below, `detail` a tool's words."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


TOOL_MISSING, NOT_EMPTY, WRONG_KIND, NOT_FOUND, TOOL_FAILED = (
    "tool_missing",
    "not_empty",
    "wrong_kind",
    "not_found",
    "tool_failed",
)


def backup(url: str, out: Path) -> None:
    """Write a backup of the database at `url` to `out` (replaced if it exists)."""
    partial = out.with_name(f".{out.name}.partial")
    make_private_folder(out.parent)
    partial.unlink(missing_ok=True)
    make_private_file(partial)
    try:
        if is_sqlite(url):
            _sqlite_copy(_sqlite_path(url), partial)
        else:
            _run("pg_dump", "--format=custom", "--no-owner", f"--file={partial}", url=url)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def restore(url: str, source: Path) -> None:
    """Load the backup `source` into the database at `url`, which must be empty (no tables)."""
    if not source.is_file():
        raise BackupError(NOT_FOUND)
    with source.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if is_sqlite(url):
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(WRONG_KIND)
        _sqlite_restore(source, _sqlite_path(url))
    else:
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(WRONG_KIND)
        _run(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(source),
            url=url,
            database_flag=True,
        )


def _sqlite_path(url: str) -> Path:
    return Path(str(make_url(url).database)).expanduser()


def _sqlite_copy(source: Path, target: Path) -> None:
    """The backup API in one step (pages=-1): a consistent copy; the copy is made a single file (no -wal)."""
    if not source.is_file():
        raise BackupError(NOT_FOUND)
    reading = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_S)
    with _closing(reading) as src, _closing(sqlite3.connect(target, timeout=BUSY_S)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


def _sqlite_restore(source: Path, target: Path) -> None:
    if target.exists() and target.stat().st_size > 0:
        with _closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=BUSY_S)) as existing:
            tables = existing.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables:
            raise BackupError(NOT_EMPTY)
    with _closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_S)) as src:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(WRONG_KIND)
        make_private_file(target)
        with _closing(sqlite3.connect(target, timeout=BUSY_S)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # as the bot runs it (storage/db.py)


class _closing:
    """sqlite3's context manager commits but does not close; this closes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *_exc: object) -> None:
        self.conn.close()


def libpq_url(url: str) -> tuple[str, str | None]:
    """The database URL as libpq reads it (no driver, no password: that goes in PGPASSWORD, never on a command
    line where `ps` shows it), and the password."""
    parsed: URL = make_url(url)
    query = dict(parsed.query)
    if "ssl" in query:  # asyncpg's spelling
        query["sslmode"] = query.pop("ssl")
    plain = parsed.set(drivername="postgresql", password=None, query=query)
    return plain.render_as_string(hide_password=False), parsed.password


def _run(tool: str, *args: str, url: str, database_flag: bool = False) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(TOOL_MISSING, tool)
    target, password = libpq_url(url)
    env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    command = [program, *args, f"--dbname={target}"] if database_flag else [program, *args, target]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        detail = next((line for line in lines if "error:" in line), lines[-1] if lines else f"exit {done.returncode}")
        raise BackupError(NOT_EMPTY if "already exists" in done.stderr else TOOL_FAILED, detail)
