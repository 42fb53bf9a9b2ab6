"""One-off messages the bot starts for one member (the result of a review, ...): a NOTICE broadcast of one.

They go through the delivery rows like reminders, so they reach the member's chosen platform, respect quiet
hours, survive a restart and are sent once.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.outbound import MessagePriority
from handlers.services.deliveries import OutgoingMessage, enqueue
from storage.enums import BroadcastKind, BroadcastState
from storage.models import Broadcast
from storage.uow import UnitOfWork


async def notify(
    uow: UnitOfWork, member_id: int, text: str, sender_id: int | None, now: datetime, tz: ZoneInfo
) -> int:
    """Queue `text` for the member; returns 1 when queued, 0 when they cannot be reached (no account, paused)."""
    broadcast = Broadcast(
        kind=BroadcastKind.NOTICE.value,
        created_by_member_id=sender_id,
        priority=int(MessagePriority.REMINDER),
        state=BroadcastState.PENDING.value,
        total=0,
        created_at=now,
    )
    await uow.deliveries.add_broadcast(broadcast)
    return await enqueue(uow, broadcast, [OutgoingMessage(member_id, text)], now, tz)
