"""Two delivery senders (two instances) draining one broadcast at once on one database: each row is claimed
by one of them only (SKIP LOCKED on PostgreSQL), so every member gets the message exactly once.
SQLite always; PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
from collections import Counter

from bench.broadcast import chat_of, populate
from bot.channels.telegram_messenger import TelegramMessenger
from bot.sender import Sender, SenderLimits
from handlers.clock import SystemClock
from tests.fakes.fake_telegram import FakeTelegram
from tests.support import Database

MEMBERS = 60


async def test_two_senders_never_send_the_same_row(any_db: Database) -> None:
    await populate(any_db.url, MEMBERS)
    with FakeTelegram() as fake:
        messengers = [TelegramMessenger(fake.token, fake.base_url, None, connections=4) for _ in range(2)]  # unpaced
        senders = [
            Sender(any_db.uow, {"telegram": messenger}, SystemClock(), SenderLimits())
            for messenger in messengers
        ]
        try:
            reports = await asyncio.gather(*(sender.drain(until_idle=True) for sender in senders))
        finally:
            for messenger in messengers:
                await messenger.close()
        per_chat = Counter(int(call["params"]["chat_id"]) for call in fake.calls("sendMessage"))
    assert per_chat == Counter({chat_of(index): 1 for index in range(MEMBERS)})
    assert sum(report.sent for report in reports) == MEMBERS
