"""Helpers for the web-server tests: raw platform payloads and a recording webhook endpoint."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.fake_telegram import chat_object, command_entities, user_object

SECRET = "s3cret_Token-for-tests_0123456789abcdef"  # WEBHOOK_SECRET needs 32 characters or more
TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ZALO_HEADER = "X-Bot-Api-Secret-Token"


def telegram_text(update_id: int, user: int, text: str) -> dict[str, Any]:
    """A Telegram Update as the Bot API posts it to a webhook: a private text message."""
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": chat_object(user),
        "from": user_object(user),
        "text": text,
    }
    entities = command_entities(text)
    if entities:
        message["entities"] = entities
    return {"update_id": update_id, "message": message}


@dataclass
class RecordingEndpoint:
    """A webhook endpoint that records what it processed; it can hold processing back or fail on purpose."""

    platform: str = "zalo"
    secret_header: str = ZALO_HEADER
    processed: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)  # key -> how many times to fail (a large number: always)
    attempts: dict[str, int] = field(default_factory=dict)
    gate: asyncio.Event | None = None
    notified: list[dict[str, Any]] = field(default_factory=list)  # updates given up, their sender told

    def update_key(self, payload: dict[str, Any]) -> str | None:
        key = payload.get("id")
        return str(key) if isinstance(key, str) and key else None

    def chat_key(self, payload: dict[str, Any]) -> str | None:
        chat = payload.get("chat")
        return str(chat) if chat is not None else None

    async def process(self, payload: dict[str, Any]) -> None:
        key = str(payload["id"])
        self.attempts[key] = self.attempts.get(key, 0) + 1
        if self.gate is not None:
            await self.gate.wait()
        if self.failures.get(key, 0) >= self.attempts[key]:
            raise RuntimeError("poison update")
        self.processed.append(payload)

    async def notify_failure(self, payload: dict[str, Any]) -> None:
        self.notified.append(payload)

    def keys(self) -> list[str]:
        return [str(payload["id"]) for payload in self.processed]
