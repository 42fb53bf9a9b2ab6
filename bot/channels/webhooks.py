"""What a platform's webhook side gives the rest of the shell, whichever platform it is.

`WebhookEndpoint`: what the inbox (bot/inbox.py) and the web app (bot/web.py) need to take one platform's
updates. `PlatformWebhook`: how the operator's `lamtheo webhook set|info|delete` and the runtime's
registration at start (bot/webhook_admin.py) reach the platform's setWebhook, getWebhookInfo and deleteWebhook.
Each platform's `*_webhook.py` module provides both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol


class WebhookEndpoint(Protocol):
    """Where the platform's secret comes in, how to key an update, how to process one."""

    platform: str
    secret_header: str

    def update_key(self, payload: dict[str, Any]) -> str | None: ...

    def chat_key(self, payload: dict[str, Any]) -> str | None:
        """Whose update this is: one person's updates are processed one at a time, in arrival order."""

    async def process(self, payload: dict[str, Any]) -> None:
        """Handle the update and send the replies; raise when handling failed (the inbox tries again)."""

    async def notify_failure(self, payload: dict[str, Any]) -> None:
        """Tell the update's sender that it could not be handled (the inbox gave it up)."""


@dataclass(frozen=True)
class WebhookInfo:
    url: str
    pending: int
    last_error: str | None


@dataclass(frozen=True)
class PlatformWebhook:
    """One platform's setWebhook, getWebhookInfo and deleteWebhook."""

    platform: str
    set: Callable[[str, str], Awaitable[None]]  # (url, secret)
    info: Callable[[], Awaitable[WebhookInfo]]
    delete: Callable[[], Awaitable[None]]
