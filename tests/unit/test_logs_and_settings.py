from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.logs import RedactingFilter, setup_logging
from bot.settings import Settings, SettingsError, load_settings


def test_token_is_a_secret_and_never_printed(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-VALUE")
    settings = Settings()
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123456:SECRET-VALUE"
    assert "SECRET-VALUE" not in repr(settings) and "SECRET-VALUE" not in str(settings)


def test_defaults_and_url_normalisation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None
    assert settings.database_url == "sqlite+aiosqlite:///./data/lamtheo.db"
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert Settings(database_url="postgresql://u@h/db").database_url == "postgresql+asyncpg://u@h/db"


def test_load_settings_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "ftp://nowhere")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "TELEGRAM_API_BASE_URL" in str(error.value)


def test_redacting_filter_blanks_secrets_in_any_record(caplog: pytest.LogCaptureFixture) -> None:
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "POST %s", ("https://x/bot123:ABC/getMe",), None)
    assert RedactingFilter(["123:ABC"]).filter(record)
    assert record.getMessage() == "POST https://x/bot***/getMe"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root, httpx = logging.getLogger(), logging.getLogger("httpx")
    handlers, level, httpx_level = root.handlers[:], root.level, httpx.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    httpx.setLevel(httpx_level)


def test_setup_logging_quietens_httpx_and_redacts(capsys: pytest.CaptureFixture[str], restore_logging: None) -> None:
    setup_logging("INFO", ["999:TOPSECRET"])
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot999:TOPSECRET/getUpdates")
    logging.getLogger("lamtheo.test").warning("token was 999:TOPSECRET")
    err = capsys.readouterr().err
    assert "TOPSECRET" not in err
    assert "token was ***" in err
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
