"""Two instances on one database share one rate budget (bot/rate_budget.DatabaseStore): each runs its delivery
sender on a broadcast to every member while a third sends replies; the fake Bot API, at Telegram's limits (30 a
second, one a second per chat, 429 beyond), counts what arrives in every second. A 429 pauses both instances.
SQLite always, PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bench.broadcast import chat_of, populate
from bot.channels.telegram_limiter import BudgetLimiter
from bot.channels.telegram_messenger import TelegramMessenger
from bot.rate_budget import BudgetLimits, DatabaseStore, Grant, Kind, Now, RateBudget, token_key
from bot.sender import DrainReport, Sender
from handlers.clock import SystemClock
from handlers.messages import Reply
from handlers.outbound import MessagePriority, SendStatus
from tests.fakes.fake_telegram import FakeTelegram
from tests.support import Database

MEMBERS = 120
REPLY_CHATS = (501, 502, 503)
# Requests may reach the server this late after their slot on a loaded test machine (the budget's default: 30 ms);
# what is under test here is the sharing, not the machine's timing.
LIMITS = BudgetLimits(rate=30, jitter=0.1)
# Slots another instance reserved before the 429 was stored (the broadcast horizon, 0.25 s, plus the jitter) may
# still go; the pause counts from when the refused instance stored it (on a loaded machine that can come well after
# the refusal reached the server).
PAUSE_SLACK = 0.4


class RecordingStore(DatabaseStore):
    """The shared store, noting when (time.monotonic, the fake server's clock) each reservation was asked for, the
    pause it reported, and when this instance's own report of a 429 was stored."""

    def __init__(self, db: Database) -> None:
        super().__init__(db.uow)
        self.reserved: list[tuple[float, float]] = []  # (asked at, pause in force)
        self.paused_at: float | None = None

    async def reserve(
        self, key: str, requests: Sequence[tuple[str, Kind]], now: Now, limits: BudgetLimits
    ) -> tuple[list[Grant], float]:
        asked = time.monotonic()
        grants, paused = await super().reserve(key, requests, now, limits)
        self.reserved.append((asked, paused))
        return grants, paused

    async def pause(self, key: str, until: float) -> float:
        in_force = await super().pause(key, until)
        self.paused_at = time.monotonic()
        return in_force


@dataclass
class Instance:
    budget: RateBudget
    messenger: TelegramMessenger
    sender: Sender
    store: RecordingStore


def instance(db: Database, fake: FakeTelegram) -> Instance:
    store = RecordingStore(db)
    budget = RateBudget(token_key("telegram", fake.token), LIMITS, store)
    messenger = TelegramMessenger(fake.token, fake.base_url, budget)
    return Instance(budget, messenger, Sender(db.uow, {"telegram": messenger}, SystemClock()), store)


async def drain_both(instances: Sequence[Instance]) -> list[DrainReport]:
    try:
        return list(await asyncio.gather(*(one.sender.drain() for one in instances)))
    finally:
        for one in instances:
            await one.messenger.close()


async def chat_along(db: Database, fake: FakeTelegram, rounds: int) -> list[float]:
    """A third instance answers people talking to the bot: a reply to each chat every 1.5 s. Returns how long
    each reply took (the latency itself is the benchmark's: tests assert no timings)."""
    budget = RateBudget(token_key("telegram", fake.token), LIMITS, DatabaseStore(db.uow))
    limiter = BudgetLimiter(budget, Kind.REPLY, max_retries=3)
    waits: list[float] = []
    async with ExtBot(fake.token, base_url=fake.base_url, rate_limiter=limiter, request=HTTPXRequest(8)) as bot:
        for _ in range(rounds):
            for chat in REPLY_CHATS:
                asked = time.monotonic()
                await bot.send_message(chat, "trả lời")
                waits.append(time.monotonic() - asked)
            await asyncio.sleep(1.5)
    return waits


async def test_two_instances_and_replies_never_exceed_the_limits(any_db: Database) -> None:
    await populate(any_db.url, MEMBERS)
    with FakeTelegram() as fake:
        fake.rate_limit_per_second, fake.per_chat_interval = 30, 1.0
        instances = [instance(any_db, fake), instance(any_db, fake)]
        reports, waits = await asyncio.gather(drain_both(instances), chat_along(any_db, fake, rounds=3))
        calls = fake.calls("sendMessage")
        most = fake.most_sent_in_any_window(1.0)
        per_chat = max(fake.most_sent_in_any_window(1.0, chat) for chat in [*REPLY_CHATS, chat_of(0), chat_of(7)])
        per_second = fake.sent_per_second()

    assert [c["status"] for c in calls if c["status"] != 200] == []  # not one 429
    assert most <= 30 and per_chat == 1, per_second
    assert sum(report.sent for report in reports) == MEMBERS
    assert all(report.sent > 0 for report in reports)  # both instances sent
    delivered = Counter(int(c["params"]["chat_id"]) for c in calls)
    assert {chat_of(n): delivered[chat_of(n)] for n in range(MEMBERS)} == {chat_of(n): 1 for n in range(MEMBERS)}
    assert len(waits) == 9 and delivered[REPLY_CHATS[0]] == 3  # every reply went (how soon: make bench-rate)


async def test_a_429_pauses_both_instances(any_db: Database) -> None:
    await populate(any_db.url, 60)
    throttled = chat_of(20)
    with FakeTelegram() as fake:
        fake.throttled_chats, fake.retry_after = {throttled: 1}, 1
        instances = [instance(any_db, fake), instance(any_db, fake)]
        reports = await drain_both(instances)
        calls = fake.calls("sendMessage")

    [refused_at] = [c["time"] for c in calls if c["status"] == 429]
    [stored_at] = [one.store.paused_at for one in instances if one.store.paused_at is not None]
    inside = [c for c in calls if stored_at + PAUSE_SLACK < c["time"] < refused_at + fake.retry_after]
    assert inside == [], f"{len(inside)} request(s) started during the retry_after pause"
    assert sum(report.sent for report in reports) == 60
    assert [c["status"] for c in calls if c["params"]["chat_id"] == throttled] == [429, 200]
    # The one refused told the other, through the rows: once its report was stored, every reservation of either
    # instance saw the pause. (Whether the other still had rows to send by then depends on the machine's speed.)
    after = [paused for one in instances for asked, paused in one.store.reserved if asked > stored_at]
    assert after and all(paused > 0 for paused in after)


async def test_a_budget_the_database_cannot_give_sends_nothing_and_the_row_is_tried_again(tmp_path: Path) -> None:
    broken = Database(f"sqlite+aiosqlite:///{tmp_path}/no-such-folder/lamtheo.db")  # the database is unreachable
    with FakeTelegram() as fake:
        budget = RateBudget(token_key("telegram", fake.token), BudgetLimits(), DatabaseStore(broken.uow))
        messenger = TelegramMessenger(fake.token, fake.base_url, budget)
        outcome = await messenger.deliver("42", [Reply("Nhắc")], MessagePriority.REMINDER)
        await messenger.close()
        sent = fake.sent_messages()
    await broken.close()

    assert outcome.status is SendStatus.PENDING and outcome.retry_after is None  # the sender retries it later
    assert outcome.error == "not sent: budget OperationalError" and sent == []
