"""`lamtheo webhook set|info|delete` in-process (main(argv)) against the fake Telegram and Zalo servers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from handlers.catalog import web as w
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZalo
from tests.web_support import SECRET

PUBLIC = "https://bot.example.vn"


@pytest.fixture(autouse=True)
def stock_event_loop_and_logging_afterwards() -> Iterator[None]:
    """main() installs uvloop's policy and sets up logging for the process; later tests get both back as they
    were (the handler it installs writes to this test's captured stderr, closed afterwards)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    asyncio.set_event_loop_policy(None)
    root.handlers[:], root.level = handlers, level
    for name, old_level in levels.items():
        logging.getLogger(name).setLevel(old_level)
    for name in set(logging.root.manager.loggerDict) - set(levels):
        logging.getLogger(name).setLevel(logging.NOTSET)


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, telegram: FakeTelegram) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram.token)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", telegram.base_url)
    monkeypatch.setenv("WEBHOOK_BASE_URL", PUBLIC + "/")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    for name in ("ZALO_BOT_TOKEN", "ZALO_API_BASE_URL", "TELEGRAM_BOT_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def with_zalo(env: pytest.MonkeyPatch, zalo: FakeZalo) -> None:
    env.setenv("ZALO_BOT_TOKEN", zalo.token)
    env.setenv("ZALO_API_BASE_URL", zalo.base_url)


def no_secrets(text: str, *tokens: str) -> bool:
    return all(secret not in text for secret in (SECRET, *(token.split(":", 1)[1] for token in tokens)))


def test_set_info_delete_for_telegram(
    env: pytest.MonkeyPatch, telegram: FakeTelegram, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["webhook", "set", "--platform", "telegram"]) == 0
    assert capsys.readouterr().out.strip() == w.WEBHOOK_SET.format(
        platform="telegram", url=f"{PUBLIC}/webhook/telegram"
    )
    params = telegram.calls("setWebhook")[-1]["params"]
    assert (params["url"], params["secret_token"]) == (f"{PUBLIC}/webhook/telegram", SECRET)
    assert params["allowed_updates"] == ["message", "callback_query"]

    assert main(["webhook", "info", "--platform", "telegram"]) == 0
    assert capsys.readouterr().out.strip() == w.WEBHOOK_INFO.format(
        platform="telegram", url=f"{PUBLIC}/webhook/telegram", pending=0, error=w.WEBHOOK_INFO_NO_ERROR
    )
    assert main(["webhook", "delete"]) == 0
    assert capsys.readouterr().out.strip() == w.WEBHOOK_DELETED.format(platform="telegram")
    assert telegram.calls("deleteWebhook")[-1]["params"].get("drop_pending_updates") is False
    assert main(["webhook", "info"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"telegram: webhook {w.WEBHOOK_INFO_NONE};")
    assert no_secrets(out, telegram.token)


def test_set_info_delete_for_zalo_and_for_all(
    env: pytest.MonkeyPatch, telegram: FakeTelegram, zalo: FakeZalo, capsys: pytest.CaptureFixture[str]
) -> None:
    with_zalo(env, zalo)
    assert main(["webhook", "set"]) == 0  # --platform all: every platform with a token
    assert capsys.readouterr().out.splitlines() == [
        w.WEBHOOK_SET.format(platform="telegram", url=f"{PUBLIC}/webhook/telegram"),
        w.WEBHOOK_SET.format(platform="zalo", url=f"{PUBLIC}/webhook/zalo"),
    ]
    assert zalo.webhook() == {"url": f"{PUBLIC}/webhook/zalo", "secret_token": SECRET}
    assert main(["webhook", "info", "--platform", "zalo"]) == 0
    assert capsys.readouterr().out.startswith(f"zalo: webhook {PUBLIC}/webhook/zalo;")
    assert main(["webhook", "delete", "--platform", "zalo"]) == 0
    assert zalo.webhook()["url"] == ""
    assert telegram.calls("deleteWebhook") == []  # only the platform asked for


def test_a_platform_without_a_token_and_missing_settings_are_explained(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["webhook", "info", "--platform", "zalo"]) == 1
    assert capsys.readouterr().err.strip() == w.WEBHOOK_PLATFORM_MISSING.format(platform="zalo")
    env.setenv("WEBHOOK_SECRET", "")
    assert main(["webhook", "set"]) == 2
    assert capsys.readouterr().err.strip() == w.WEBHOOK_NEEDS_SETTINGS
    assert main(["run", "--webhook"]) == 2
    assert capsys.readouterr().err.strip() == w.WEBHOOK_NEEDS_SETTINGS


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBHOOK_SECRET", "has space"),
        ("WEBHOOK_SECRET", "x" * 257),
        ("WEBHOOK_SECRET", "bí-mật"),
        ("WEBHOOK_BASE_URL", "http://bot.example.vn"),
        ("WEBHOOK_BASE_URL", "bot.example.vn"),
        ("WEBHOOK_PORT", "70000"),
        ("FILE_LINK_TTL_HOURS", "0"),
    ],
)
def test_a_bad_web_setting_is_one_clear_line(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    env.setenv(name, value)
    assert main(["webhook", "set"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and name in err and "Traceback" not in err
    assert value not in err or name != "WEBHOOK_SECRET"


def test_a_platform_that_refuses_is_reported_without_secrets(
    env: pytest.MonkeyPatch, telegram: FakeTelegram, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram.stop()  # nobody listens any more: a network error
    assert main(["webhook", "set", "--platform", "telegram"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("telegram: thao tác webhook không thành công (")
    assert no_secrets(err, telegram.token)
