"""Telegram in webhook mode: the endpoint the web server stores updates for, and setWebhook & co.

The update key is the polling path's (`TelegramChannel._key`: "<bot id>:<update_id>"), so switching
between polling and webhooks never processes an update twice.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, Update
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.channels.telegram import PLATFORM, build_application
from bot.web import WebhookInfo
from handlers.router import Router

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)
ALLOWED_UPDATES = ["message", "callback_query"]


class TelegramEndpoint:
    """The webhook side of the real PTB Application (initialised and started, without an updater)."""

    platform = PLATFORM
    secret_header = SECRET_HEADER

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        self.app = app

    def update_key(self, payload: dict[str, Any]) -> str | None:
        update_id = payload.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return None
        return f"{self.app.bot.id}:{update_id}"

    async def process(self, payload: dict[str, Any]) -> None:
        update = Update.de_json(payload, self.app.bot)
        await self.app.process_update(update)


async def start_endpoint(
    token: str, base_url: str, router: Router, *, request: BaseRequest | None = None, rate_limiter: bool = True
) -> TelegramEndpoint:
    """Build, initialise and start the Application (its job queue runs housekeeping); no polling."""
    app = build_application(token, base_url, router, request=request, rate_limiter=rate_limiter)
    await app.initialize()
    if app.post_init is not None:  # run_polling would call it; here nobody else does
        await app.post_init(app)
    await app.start()
    return TelegramEndpoint(app)


async def stop_endpoint(endpoint: TelegramEndpoint) -> None:
    if endpoint.app.running:
        await endpoint.app.stop()
    await endpoint.app.shutdown()


async def set_webhook(token: str, base_url: str, url: str, secret: str) -> None:
    async with Bot(token, base_url=base_url) as bot:
        await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)


async def webhook_info(token: str, base_url: str) -> WebhookInfo:
    async with Bot(token, base_url=base_url) as bot:
        info = await bot.get_webhook_info()
    return WebhookInfo(info.url, info.pending_update_count, info.last_error_message)


async def delete_webhook(token: str, base_url: str) -> None:
    async with Bot(token, base_url=base_url) as bot:
        await bot.delete_webhook(drop_pending_updates=False)
