"""Settings from the environment and `.env` (every one documented in .env.example)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.catalog import admin as a
from storage.db import normalise_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str | None = None
    database_url: str = "sqlite+aiosqlite:///./data/lamtheo.db"
    demo_database_url: str = "sqlite+aiosqlite:///./data/demo.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # A reminder firing found later than this (the bot was down) is recorded as missed instead of sent.
    reminder_grace_hours: float = Field(default=12, ge=0, le=24 * 14)
    # The delivery sender (reminders, announcements): platform rates, requests in flight, idle poll.
    telegram_messages_per_second: float = Field(default=30, gt=0, le=1000)
    zalo_messages_per_second: float = Field(default=5, gt=0, le=1000)
    sender_concurrency: int = Field(default=8, ge=1, le=64)
    sender_poll_seconds: float = Field(default=2, gt=0, le=60)

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and ":" not in value.get_secret_value():
            raise ValueError("token phải có dạng 123456:ABC... / expected the form 123456:ABC...")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("phải bắt đầu bằng http:// hoặc https:// / must start with http(s)://")
        return value

    @field_validator("database_url", "demo_database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_url(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("múi giờ không tồn tại / unknown time zone, e.g. Asia/Ho_Chi_Minh") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def reminder_grace(self) -> timedelta:
        return timedelta(hours=self.reminder_grace_hours)


class SettingsError(Exception):
    """One clear line naming the variable, instead of a traceback."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "?"
        problem = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(a.SETTINGS_ERROR.format(name=name, problem=problem)) from None
