"""WEBHOOK_SECRET must be long enough to resist guessing, and file links are signed with a key of their own
(FILE_LINK_KEY, or one generated into ./data/ on first start), never with the webhook secret."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.files import FileLinks, load_or_create_link_key
from bot.runtime import file_links
from bot.settings import Settings
from bot.wiring import build_core
from tests.support import FakeClock

LONG = "A" * 32
OTHER_LONG = "B" * 40


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No .env, none of the developer's settings: the test sets what it needs."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "WEBHOOK_SECRET", "WEBHOOK_BASE_URL", "FILE_LINK_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/lamtheo.db")
    return monkeypatch


@pytest.mark.parametrize("value", ["x", "s3cret_Token-for-tests", "a" * 31])
def test_a_short_webhook_secret_stops_the_start_with_one_line_naming_it(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    clean_env.setenv("WEBHOOK_SECRET", value)
    clean_env.setenv("WEBHOOK_BASE_URL", "https://bot.example.vn")
    assert main(["run", "--webhook"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "WEBHOOK_SECRET" in err and "32" in err
    assert value not in err


def test_a_secret_of_32_characters_is_accepted() -> None:
    assert Settings(webhook_secret=LONG).webhook_secret is not None
    with pytest.raises(ValidationError):
        Settings(webhook_secret=LONG[:-1])


@pytest.mark.parametrize("value", ["short", "a b" * 20])
def test_a_weak_file_link_key_is_refused_by_name(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    clean_env.setenv("FILE_LINK_KEY", value)
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "FILE_LINK_KEY" in err and value not in err


def test_without_a_setting_the_key_is_generated_once_into_data_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "file-link.key"
    key = load_or_create_link_key(None, path)
    assert len(key) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_or_create_link_key(None, path) == key  # the next start reads it back
    assert load_or_create_link_key(OTHER_LONG, tmp_path / "unused.key") == OTHER_LONG
    assert not (tmp_path / "unused.key").exists()


def test_a_broken_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "file-link.key"
    path.write_text("too short\n")
    with pytest.raises(ValueError, match=r"file-link\.key"):
        load_or_create_link_key(None, path)


async def test_links_are_signed_with_the_link_key_not_the_webhook_secret(clean_env: pytest.MonkeyPatch) -> None:
    base = {"webhook_base_url": "https://bot.example.vn", "file_link_key": OTHER_LONG}
    one, two = Settings(webhook_secret=LONG, **base), Settings(webhook_secret="C" * 32, **base)
    core = build_core(one, clock=FakeClock())
    try:
        signed = [file_links(settings, core).signature("T" * 32, 1_800_000_000) for settings in (one, two)]
        assert signed[0] == signed[1]  # changing the webhook secret leaves the links valid
        by_secret = FileLinks(core.uow, "https://bot.example.vn", LONG, timedelta(hours=1), core.clock)
        assert by_secret.signature("T" * 32, 1_800_000_000) != signed[0]
        generated = file_links(Settings(webhook_secret=LONG, webhook_base_url="https://bot.example.vn"), core)
        assert (Path("data") / "file-link.key").exists()
        assert generated.signature("T" * 32, 1_800_000_000) != signed[0]
    finally:
        await core.close()
