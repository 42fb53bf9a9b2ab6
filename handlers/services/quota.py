"""A platform's monthly message quota (Zalo): count what is sent, warn the operator, keep replies first.

Near the limit the less urgent messages stop first: announcements above 90%, reminders above 97%,
replies to what a member just wrote only at 100%.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from handlers.clock import Clock
from handlers.outbound import MessagePriority
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

WARN_SHARE = 0.8
CEILING = {
    MessagePriority.ANNOUNCEMENT: 0.90,
    MessagePriority.REMINDER: 0.97,
    MessagePriority.REPLY: 1.0,
}


def allowed(sent: int, count: int, limit: int, priority: MessagePriority) -> bool:
    """May `count` more messages of this priority go, with `sent` already sent this month? 0 = no limit."""
    if limit <= 0:
        return True
    return sent + count <= int(limit * CEILING[priority])


class QuotaGuard:
    """Checks and counts one platform's messages in the database (shared by every process of the bot)."""

    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], clock: Clock, tz: ZoneInfo, platform: str, limit: int
    ) -> None:
        self.uow_factory, self.clock, self.tz = uow_factory, clock, tz
        self.platform, self.limit = platform, limit

    def month(self) -> str:
        return self.clock.now().astimezone(self.tz).strftime("%Y-%m")

    async def sent(self) -> int:
        async with self.uow_factory() as uow:
            return await uow.quota.sent(self.platform, self.month())

    async def allow(self, count: int, priority: MessagePriority) -> bool:
        if self.limit <= 0:
            return True
        if allowed(await self.sent(), count, self.limit, priority):
            return True
        log.warning(
            "%s monthly quota: %d message(s) of priority %s held back", self.platform, count, priority.name.lower()
        )
        return False

    async def count(self, sent: int = 1) -> None:
        """Count messages the platform accepted; the first time 80% is passed this month, warn the operator."""
        if sent <= 0:
            return
        month = self.month()
        async with self.uow_factory() as uow:
            total = await uow.quota.add_sent(self.platform, month, sent)
            warn = self.limit > 0 and total >= self.limit * WARN_SHARE
            if warn and not await uow.quota.mark_warned(self.platform, month, self.clock.now()):
                warn = False
            await uow.commit()
        if warn:
            log.warning(
                "%s monthly quota: %d of %d messages sent in %s (80%% reached); "
                "announcements stop at 90%%, reminders at 97%%",
                self.platform,
                total,
                self.limit,
                month,
            )
