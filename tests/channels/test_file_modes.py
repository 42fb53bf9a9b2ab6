"""Files holding personal data are the operator's alone (issue 10): the SQLite database with its -wal and -shm,
`lamtheo member export --out` and `lamtheo report --out` are created 0600, in folders the bot creates 0700,
whatever the umask. (Files behind download links are stored in the database itself.)"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from storage.db import create_engine
from storage.migrate import upgrade
from tests.support import EXAMPLE_CSV


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common 022: without the fix every file would come out world-readable (0644)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)
    asyncio.set_event_loop_policy(None)  # main() installs uvloop's policy for the process


async def write_something(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x TEXT)"))
        await conn.execute(text("INSERT INTO t VALUES ('Nguyễn Văn An')"))
    try:  # the pool keeps the connection, and so the -wal and -shm, open until disposed of
        for suffix in ("", "-wal", "-shm"):
            path = Path(f"{url.split('///', 1)[1]}{suffix}")
            assert mode(path) == 0o600, (suffix, oct(mode(path)))
    finally:
        await engine.dispose()


async def test_a_new_sqlite_database_and_its_folders_are_private(tmp_path: Path) -> None:
    (tmp_path / "srv").mkdir(mode=0o755)
    folder = tmp_path / "srv" / "data" / "bot"
    await write_something(f"sqlite+aiosqlite:///{folder}/lamtheo.db")
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    assert mode(tmp_path / "srv") == 0o755  # a folder the bot did not create is left as it was


async def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch()
    path.chmod(0o644)
    await write_something(f"sqlite+aiosqlite:///{path}")


def test_migrating_a_new_database_creates_it_private(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "lamtheo.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/data/cli.db")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["import-roster", str(EXAMPLE_CSV)]) == 0
    capsys.readouterr()
    return tmp_path


def test_exports_and_reports_are_private(env: Path) -> None:
    assert mode(env / "data" / "cli.db") == 0o600 and mode(env / "data") == 0o700
    export = env / "exports" / "2026" / "DV001.json"
    assert main(["member", "export", "DV001", "--out", str(export)]) == 0
    assert mode(export) == 0o600 and mode(export.parent) == 0o700 and mode(export.parent.parent) == 0o700
    for name in ("report.xlsx", "draft.docx"):
        out = env / "reports" / name
        assert main(["report", "--unit", "Chi bộ thôn Đồng Tâm", "--period", "2026", "--out", str(out)]) == 0
        assert mode(out) == 0o600 and mode(out.parent) == 0o700


def test_an_existing_export_file_is_tightened_when_overwritten(env: Path) -> None:
    export = env / "DV002.json"
    export.write_text("old", encoding="utf-8")
    export.chmod(0o644)
    assert main(["member", "export", "DV002", "--out", str(export)]) == 0
    assert mode(export) == 0o600 and "Trần Thị Bích Ngọc" in export.read_text(encoding="utf-8")
