"""The channels tier: Telegram through the real PTB Application, Zalo's client and channel, the web app through
aiohttp's test client, and the operator's command line (`main(argv)`), in-process against fake platform servers,
the database through the real aiosqlite driver."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.support import EXAMPLE_CSV


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The operator's shell for `main(argv)`: in tmp_path (no .env from the repository), DATABASE_URL a SQLite
    file there (cli.db), no bot token or username."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)
    return tmp_path


@pytest.fixture
def roster_env(env: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """env with examples/roster.csv imported by `lamtheo import-roster` (what it printed is read away)."""
    assert main(["import-roster", str(EXAMPLE_CSV)]) == 0
    capsys.readouterr()
    return env
