"""What runs beside the channels in every mode (polling and webhooks): the delivery sender and the reminder clock.

The clock only wakes the process: it fires due reminders from the schedule rows and wakes the sender, which
drains the delivery rows to each platform's messenger at that platform's rate.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot.scheduler import ReminderClock
from bot.sender import Sender, limits_from
from bot.settings import Settings
from bot.wiring import Core
from handlers.outbound import Messenger

log = logging.getLogger(__name__)


@dataclass
class Background:
    sender: Sender
    clock: ReminderClock

    async def stop(self) -> None:
        await self.clock.stop()
        await self.sender.close()


def messengers_for(settings: Settings, zalo: Messenger | None = None) -> dict[str, Messenger]:
    """A messenger per platform whose token is set (Zalo's comes from its channel: it shares the quota guard)."""
    found: dict[str, Messenger] = {}
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram_messenger import TelegramMessenger

        telegram = TelegramMessenger(
            settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url, settings.sender_concurrency
        )
        found[telegram.platform] = telegram
    if zalo is not None:
        found[zalo.platform] = zalo
    return found


async def start_background(core: Core, settings: Settings, messengers: Mapping[str, Messenger]) -> Background:
    """Start the sender and the reminder clock on the running loop (the clock's first check runs at once)."""
    sender = Sender(core.uow, messengers, core.clock, limits_from(settings))
    sender.start()
    clock = ReminderClock(core, settings.reminder_grace, on_fired=sender.wake)
    clock.start()
    log.info("reminders and deliveries running for %s", ", ".join(sorted(messengers)) or "no platform")
    return Background(sender, clock)
