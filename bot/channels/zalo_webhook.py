"""Zalo in webhook mode: the endpoint the web server stores updates for, and setWebhook & co.

The update key is the polling path's (`ZaloChannel.update_key`), so switching between polling and webhooks
never processes an update twice.
"""

from __future__ import annotations

from typing import Any

from bot.channels.webhooks import PlatformWebhook, WebhookInfo
from bot.channels.zalo import PLATFORM, ZaloChannel, parse_update
from bot.channels.zalo_client import ZaloClient

SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)


class ZaloEndpoint:
    """The webhook side of a ZaloChannel."""

    platform = PLATFORM
    secret_header = SECRET_HEADER

    def __init__(self, channel: ZaloChannel) -> None:
        self.channel = channel

    def update_key(self, payload: dict[str, Any]) -> str | None:
        return self.channel.update_key(payload)

    def chat_key(self, payload: dict[str, Any]) -> str | None:
        update = parse_update(payload)
        return update.user_id if update else None

    async def process(self, payload: dict[str, Any]) -> None:
        await self.channel.handle(payload, retried=True)

    async def notify_failure(self, payload: dict[str, Any]) -> None:
        await self.channel.notify_failure(payload)


def webhook_operations(token: str, base_url: str) -> PlatformWebhook:
    """setWebhook, getWebhookInfo and deleteWebhook, each on a client of its own."""

    async def set_webhook(url: str, secret: str) -> None:
        async with ZaloClient(token, base_url) as client:
            await client.set_webhook(url, secret)

    async def webhook_info() -> WebhookInfo:
        async with ZaloClient(token, base_url) as client:
            found = await client.get_webhook_info()
        pending = found.get("pending_update_count")
        error = found.get("last_error_message")
        return WebhookInfo(
            str(found.get("url") or ""), pending if isinstance(pending, int) else 0, str(error) if error else None
        )

    async def delete_webhook() -> None:
        async with ZaloClient(token, base_url) as client:
            await client.delete_webhook()

    return PlatformWebhook(PLATFORM, set_webhook, webhook_info, delete_webhook)
