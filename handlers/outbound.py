"""Messages the bot starts itself (reminders, announcements, notices): the port each platform implements.

The delivery sender hands a member's messages to the `Messenger` of the platform of the chat account
chosen for them, and records the outcome on the delivery row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from handlers.messages import Reply
from storage.enums import DeliveryStatus, MessagePriority


@dataclass(frozen=True)
class SendOutcome:
    status: DeliveryStatus  # SENT, BLOCKED, FAILED or UNKNOWN
    retry_after: float | None = None  # the platform asked to slow down: pause all sending this long
    error: str | None = None  # a short reason for the operator (never the message text)


class Messenger(Protocol):
    platform: str

    async def deliver(
        self, external_id: str, replies: Sequence[Reply], priority: MessagePriority
    ) -> SendOutcome: ...
