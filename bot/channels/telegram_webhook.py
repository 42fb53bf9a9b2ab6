"""Telegram in webhook mode: the endpoint the web server stores updates for, and setWebhook & co.

The update key is the polling path's (`TelegramChannel._key`: "<bot id>:<update_id>"), so switching
between polling and webhooks never processes an update twice.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, Update
from telegram.ext import Application

from bot.channels.telegram import ALLOWED_UPDATES, PLATFORM, failures_collected, notify_failure
from bot.channels.webhooks import PlatformWebhook, WebhookInfo

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)


class TelegramEndpoint:
    """The webhook side of the real PTB Application (started by `TelegramBot.start`, without polling)."""

    platform = PLATFORM
    secret_header = SECRET_HEADER

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        self.app = app

    def update_key(self, payload: dict[str, Any]) -> str | None:
        update_id = payload.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return None
        return f"{self.app.bot.id}:{update_id}"

    def chat_key(self, payload: dict[str, Any]) -> str | None:
        """The sender's user id (a message, a button press, an edit...: whatever the update carries)."""
        for part in payload.values():
            sender = part.get("from") if isinstance(part, dict) else None
            if isinstance(sender, dict) and sender.get("id") is not None:
                return str(sender["id"])[:64]
        return None

    async def process(self, payload: dict[str, Any]) -> None:
        """Through PTB's handlers; an error they raised is raised here (PTB would only log it)."""
        update = Update.de_json(payload, self.app.bot)
        with failures_collected() as failures:
            await self.app.process_update(update)
        if failures:
            raise failures[0]

    async def notify_failure(self, payload: dict[str, Any]) -> None:
        await notify_failure(self.app.bot, Update.de_json(payload, self.app.bot))


def webhook_operations(token: str, base_url: str) -> PlatformWebhook:
    """setWebhook, getWebhookInfo and deleteWebhook, each on a Bot of its own."""

    async def set_webhook(url: str, secret: str) -> None:
        async with Bot(token, base_url=base_url) as bot:
            await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def webhook_info() -> WebhookInfo:
        async with Bot(token, base_url=base_url) as bot:
            info = await bot.get_webhook_info()
        return WebhookInfo(info.url, info.pending_update_count, info.last_error_message)

    async def delete_webhook() -> None:
        async with Bot(token, base_url=base_url) as bot:
            await bot.delete_webhook(drop_pending_updates=False)

    return PlatformWebhook(PLATFORM, set_webhook, webhook_info, delete_webhook)
