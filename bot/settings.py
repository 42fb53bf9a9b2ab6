"""Settings from the environment and `.env` (every one documented in .env.example)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.catalog import admin as a
from storage.db import normalise_url

# What Telegram accepts as a webhook secret_token (Zalo takes the same).
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Shorter secrets could be guessed: anyone holding one can post updates in any member's name.
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str | None = None
    zalo_bot_token: SecretStr | None = None
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_monthly_quota: int = Field(default=0, ge=0)  # messages a month; 0: no limit is enforced
    database_url: str = "sqlite+aiosqlite:///./data/lamtheo.db"
    demo_database_url: str = "sqlite+aiosqlite:///./data/demo.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    webhook_base_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=0, le=65535)
    file_link_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Invite codes stop working this many days after `lamtheo invite` issued them.
    invite_ttl_days: int = Field(default=14, ge=1, le=365)
    # Texts of the bot's own messages (they may name people) are blanked this many days after they were sent.
    sent_text_retention_days: int = Field(default=30, ge=1, le=3650)
    file_link_key: SecretStr | None = None  # unset: generated into ./data/file-link.key on the first start
    # Addresses of the reverse proxies in front of the web server (comma-separated): for requests from them, the
    # web dashboard counts wrong login links against the client address they put in X-Forwarded-For.
    web_trusted_proxies: str = ""
    # A stored webhook update older than this (the bot was down) is given up, not acted on.
    inbox_max_age_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # A reminder firing found later than this (the bot was down) is recorded as missed instead of sent.
    reminder_grace_hours: float = Field(default=12, ge=0, le=24 * 14)
    # One rate budget per bot token, shared by the replies, the delivery sender and `remind now` (bot/rate_budget.py):
    # messages a second overall, seconds between two messages to one chat, replies a chat may get at once.
    telegram_messages_per_second: float = Field(default=30, gt=0, le=1000)
    telegram_per_chat_seconds: float = Field(default=1, ge=0, le=60)
    zalo_messages_per_second: float = Field(default=5, gt=0, le=1000)
    zalo_per_chat_seconds: float = Field(default=1, ge=0, le=60)
    reply_burst: int = Field(default=3, ge=1, le=20)
    # How late a request may reach the platform after its slot with no second holding one too many: starts are
    # spaced (1 + margin) / rate apart. Wider on a loaded host (fewer 429s), at the cost of rate.
    rate_margin_ms: int = Field(default=40, ge=0, le=500)
    # Where the budget lives: "auto" is the database on PostgreSQL (every instance shares it), this process on SQLite.
    rate_budget: Literal["auto", "memory", "database"] = "auto"
    # The delivery sender (reminders, announcements): requests in flight, idle poll.
    sender_concurrency: int = Field(default=16, ge=1, le=64)
    sender_poll_seconds: float = Field(default=2, gt=0, le=60)
    # Several instances on one PostgreSQL (issue 11): updates processed at once per platform by one instance,
    # and what happens to messages in flight when their sender died (resend: at-least-once; unknown: at-most-once).
    inbox_workers: int = Field(default=1, ge=1, le=32)
    # How long a crashed instance's updates wait before another takes them over (renewed every third of it).
    inbox_lease_seconds: float = Field(default=30, ge=3, le=600)
    delivery_after_crash: Literal["resend", "unknown"] = "resend"

    @field_validator("telegram_bot_token", "zalo_bot_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and ":" not in value.get_secret_value():
            raise ValueError("token phải có dạng 123456:ABC... / expected the form 123456:ABC...")
        return value

    @field_validator("zalo_bot_token")
    @classmethod
    def _zalo_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and any(ch.isspace() or ch in "/?#" for ch in value.get_secret_value().strip()):
            raise ValueError("token không được chứa khoảng trắng hoặc / ? # / must not contain spaces or / ? #")
        return SecretStr(value.get_secret_value().strip()) if value is not None else None

    @field_validator("telegram_api_base_url", "zalo_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("phải bắt đầu bằng http:// hoặc https:// / must start with http(s)://")
        return value

    @field_validator("webhook_base_url", "webhook_secret", "file_link_key", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_base_url")
    @classmethod
    def _webhook_base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and local)):
            raise ValueError("phải là địa chỉ https:// công khai / must be a public https:// URL")
        return value.strip().rstrip("/")

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        if not WEBHOOK_SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("chỉ gồm A-Z, a-z, 0-9, _ và -, dài 1–256 ký tự / only A-Za-z0-9_-, 1 to 256 characters")
        if len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(a.SECRET_TOO_SHORT.format(length=MIN_SECRET_LENGTH))
        return value

    @field_validator("file_link_key")
    @classmethod
    def _file_link_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        key = value.get_secret_value()
        if len(key) < MIN_SECRET_LENGTH or any(ch.isspace() for ch in key):
            raise ValueError(a.SECRET_TOO_SHORT.format(length=MIN_SECRET_LENGTH))
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
    def trusted_proxies(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.web_trusted_proxies.split(",") if part.strip())

    @property
    def inbox_max_age(self) -> timedelta:
        return timedelta(minutes=self.inbox_max_age_minutes)

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
