"""Messages the bot starts itself (reminders, announcements, notices): the port each platform implements.

The delivery sender hands a member's messages to the `Messenger` of the platform of the chat account
chosen for them, and records the outcome on the delivery row (`services/deliveries.record_many` maps a
`SendStatus` to the row's status).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Protocol

from handlers.messages import Reply


class SendStatus(StrEnum):
    """What became of one member's messages on the platform."""

    SENT = "sent"
    PENDING = "pending"  # not sent: try again (after retry_after when the platform asked to slow down)
    BLOCKED = "blocked"  # the member cannot be reached (blocked the bot, left): not retried
    FAILED = "failed"
    UNKNOWN = "unknown"  # the request went out but no answer came: it may have arrived, so it is not re-sent


class MessagePriority(IntEnum):
    """Near a platform's monthly quota, lower numbers go first (stored on a broadcast as its number)."""

    REPLY = 0
    REMINDER = 1
    ANNOUNCEMENT = 2


@dataclass(frozen=True)
class SendOutcome:
    status: SendStatus
    retry_after: float | None = None  # the platform asked to slow down: pause all sending this long
    error: str | None = None  # a short reason for the operator (never the message text)


class Messenger(Protocol):
    platform: str

    async def deliver(self, external_id: str, replies: Sequence[Reply], priority: MessagePriority) -> SendOutcome:
        """Send each message when the token's rate budget gives it a slot; the outcome of all of them."""
        ...

    def is_paused(self) -> bool:
        """The platform asked to wait (a 429) and the pause runs: the sender claims none of its rows meanwhile."""
        ...

    async def close(self) -> None:
        """Release what the messenger holds open (the sender calls it once, when it stops)."""
        ...
