"""The delivery sender against the fake Bot API server: rate limits, 429 pauses, blocked chats, timeouts,
and the pause PTB's AIORateLimiter leaves open for interactive replies (closed by the budget's BudgetLimiter)."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bench.broadcast import NOON, chat_of, populate
from bot.channels.telegram_limiter import BudgetLimiter
from bot.channels.telegram_messenger import TelegramMessenger
from bot.rate_budget import BudgetLimits, Kind, MemoryStore, RateBudget, token_key
from bot.sender import Sender, SenderLimits
from handlers.clock import SystemClock
from handlers.messages import Reply
from handlers.outbound import MessagePriority, SendStatus
from handlers.services.deliveries import OutgoingMessage, enqueue
from storage.enums import BroadcastKind, DeliveryStatus
from storage.models import Broadcast, ChatAccount, Delivery, Member
from tests.fakes.fake_telegram import FakeTelegram, _ApiError
from tests.support import TZ, Database

PAUSE_SLACK = 0.2  # requests already on the wire when the 429 came back may still arrive just after it


def sender_for(db: Database, fake: FakeTelegram, rate: float, **limits: Any) -> tuple[Sender, TelegramMessenger]:
    budget = RateBudget(token_key("telegram", fake.token), BudgetLimits(rate=rate), MemoryStore())
    messenger = TelegramMessenger(fake.token, fake.base_url, budget, connections=8, timeout=limits.pop("timeout", 10.0))
    config = SenderLimits(**limits)
    return Sender(db.uow, {"telegram": messenger}, SystemClock(), config), messenger


async def rows(db: Database) -> list[tuple[int, str]]:
    """(chat id, status) of every delivery."""
    async with db.sessions() as session:
        stmt = select(ChatAccount.external_id, Delivery.status).join(ChatAccount, ChatAccount.id == Delivery.account_id)
        return [(int(chat), status) for chat, status in (await session.execute(stmt)).all()]


async def blocked_accounts(db: Database) -> set[int]:
    async with db.sessions() as session:
        stmt = select(ChatAccount.external_id).where(ChatAccount.blocked_at.is_not(None))
        return {int(chat) for chat in (await session.scalars(stmt)).all()}


def sends(fake: FakeTelegram) -> list[dict[str, Any]]:
    return fake.calls("sendMessage")


def ok_per_chat(fake: FakeTelegram) -> Counter[int]:
    return Counter(int(c["params"]["chat_id"]) for c in sends(fake) if c["status"] == 200)


async def test_429s_pause_all_sending_blocked_are_marked_and_everyone_else_gets_one(db: Database) -> None:
    members = 75
    await populate(db.url, members)
    blocked = {chat_of(3), chat_of(40), chat_of(41)}
    with FakeTelegram() as fake:
        fake.rate_limit_per_second, fake.retry_after = 30, 1
        fake.blocked_chats = set(blocked)
        sender, messenger = sender_for(db, fake, rate=45)  # faster than the server allows: it will answer 429
        report = await sender.drain()
        await messenger.close()

    calls = sends(fake)
    throttled_at = [c["time"] for c in calls if c["status"] == 429]
    assert throttled_at, "the sender was meant to trip the limit"
    for moment in throttled_at:
        inside = [c for c in calls if moment + PAUSE_SLACK < c["time"] < moment + fake.retry_after]
        assert inside == [], f"{len(inside)} request(s) started during the retry_after pause"
    per_chat = ok_per_chat(fake)
    everyone = {chat_of(i) for i in range(members)}
    assert {chat: per_chat[chat] for chat in everyone - blocked} == {chat: 1 for chat in everyone - blocked}
    assert not blocked & set(per_chat)
    assert await blocked_accounts(db) == blocked
    statuses = dict(await rows(db))
    assert {statuses[chat] for chat in blocked} == {DeliveryStatus.BLOCKED.value}
    assert {statuses[chat] for chat in everyone - blocked} == {DeliveryStatus.SENT.value}
    assert (report.sent, report.blocked, report.failed, report.unknown) == (members - 3, 3, 0, 0)
    assert report.retried == len(throttled_at)


async def add_broadcast_to_all(db: Database, text: str) -> None:
    async with db.uow() as uow:
        members = list((await uow.members.session.scalars(select(Member))).all())
        now = NOON  # outside quiet hours, whatever the hour of the run
        broadcast = Broadcast(kind=BroadcastKind.ANNOUNCEMENT.value, priority=2, state="pending", created_at=now)
        await uow.deliveries.add_broadcast(broadcast)
        await enqueue(uow, broadcast, [OutgoingMessage(m.id, text) for m in members], now, TZ)
        await uow.commit()


async def test_at_most_one_message_a_second_per_chat(db: Database) -> None:
    await populate(db.url, 3, "một")
    await add_broadcast_to_all(db, "hai")
    await add_broadcast_to_all(db, "ba")
    with FakeTelegram() as fake:
        fake.per_chat_interval = 1.0  # a second message within a second gets 429, as on Telegram
        sender, messenger = sender_for(db, fake, rate=30)
        report = await sender.drain()
        await messenger.close()

    calls = sends(fake)
    assert [c["status"] for c in calls] == [200] * 9
    for chat in (chat_of(0), chat_of(1), chat_of(2)):
        times = [c["time"] for c in calls if c["params"]["chat_id"] == chat]
        assert len(times) == 3
        assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(times))
    assert report.sent == 9


async def test_a_timeout_after_the_request_went_out_is_unknown_and_not_resent(db: Database) -> None:
    await populate(db.url, 4)
    slow = chat_of(2)
    with FakeTelegram() as fake:
        # The client gives up after 2 s: far beyond an answer's time even on a loaded machine (at 0.5 s, once, an
        # ordinary answer under CI's load came too late and was counted unknown), far short of the slow one's 4 s.
        fake.slow_chats = {slow: 4.0}
        sender, messenger = sender_for(db, fake, rate=30, timeout=2.0)
        report = await sender.drain()
        await asyncio.sleep(2.2)  # the slow answer comes back after the client gave up
        await messenger.close()

    assert Counter(int(c["params"]["chat_id"]) for c in sends(fake))[slow] == 1  # not re-sent
    statuses = dict(await rows(db))
    assert statuses[slow] == DeliveryStatus.UNKNOWN.value
    assert (report.sent, report.unknown) == (3, 1)


async def test_messenger_maps_platform_answers() -> None:
    gone, broken = 555, 556

    with FakeTelegram() as fake:

        def send(params: dict[str, Any]) -> Any:
            if params.get("chat_id") == gone:
                raise _ApiError(400, "Bad Request: chat not found")
            if params.get("chat_id") == broken:
                raise _ApiError(400, "Bad Request: can't parse entities")
            return fake._send_locked("sendmessage", params, {})

        fake.add_method("sendMessage", send)
        fake.blocked_chats = {557}
        fake.throttled_chats = {558: 1}
        fake.retry_after = 7
        messenger = TelegramMessenger(fake.token, fake.base_url, None)
        outcomes = [
            await messenger.deliver(str(chat), [Reply("Xin chào <b>đồng chí</b>")], MessagePriority.ANNOUNCEMENT)
            for chat in (gone, broken, 557, 558, 559)
        ]
        await messenger.close()
        [delivered] = [c for c in fake.calls("sendMessage") if c["status"] == 200]

    assert [(o.status, o.retry_after) for o in outcomes] == [
        (SendStatus.BLOCKED, None),
        (SendStatus.FAILED, None),
        (SendStatus.BLOCKED, None),
        (SendStatus.PENDING, 7.0),
        (SendStatus.SENT, None),
    ]
    assert delivered["params"]["text"] == "Xin chào <b>đồng chí</b>"  # sent as text: no parse_mode
    assert "parse_mode" not in delivered["params"]


async def test_a_request_that_never_left_is_retried_later() -> None:
    with FakeTelegram() as fake:
        base_url = fake.base_url
    # the server is gone: the connection is refused before anything was sent
    messenger = TelegramMessenger("123456:TEST-TOKEN", base_url, None, timeout=2)
    messenger._ready = True  # getMe would fail the same way; deliver's own mapping is under test
    outcome = await messenger.deliver("42", [Reply("x")], MessagePriority.REMINDER)
    await messenger.close()

    assert outcome.status is SendStatus.PENDING and outcome.retry_after is None
    assert outcome.error is not None and outcome.error.startswith("not sent")


# ---- interactive replies: AIORateLimiter lets requests through during a 429 pause ------------------------

SLOW, THROTTLED, OTHER = 9001, 9002, 9003


def reply_limiter(max_retries: int) -> BudgetLimiter:
    budget = RateBudget(token_key("telegram", "123456:TEST-TOKEN"), BudgetLimits(), MemoryStore())
    return BudgetLimiter(budget, Kind.REPLY, max_retries)


async def gap_after_429(limiter: AIORateLimiter | BudgetLimiter, paused: Callable[[], bool]) -> float:
    """Seconds between the 429 and the arrival of a request that started during the pause.

    A slow request is in flight; a second one gets 429 (retry_after 1 s); a third starts while the pause
    runs. The slow one finishes 0.5 s into the pause.
    """
    with FakeTelegram() as fake:
        fake.slow_chats, fake.throttled_chats, fake.retry_after = {SLOW: 0.6}, {THROTTLED: 1}, 1
        bot = ExtBot(fake.token, base_url=fake.base_url, rate_limiter=limiter, request=HTTPXRequest(8))
        async with bot:
            slow = asyncio.create_task(bot.send_message(SLOW, "a"))
            await asyncio.to_thread(fake.wait_for_call, "sendMessage", 1)
            throttled = asyncio.create_task(bot.send_message(THROTTLED, "b"))
            for _ in range(200):
                if paused():
                    break
                await asyncio.sleep(0.005)
            assert paused(), "the 429 did not come back"
            other = asyncio.create_task(bot.send_message(OTHER, "c"))
            await asyncio.gather(slow, throttled, other)
        calls = sends(fake)
    [throttled_at] = [c["time"] for c in calls if c["status"] == 429]
    [other_at] = [c["time"] for c in calls if c["params"]["chat_id"] == OTHER]
    return other_at - throttled_at


async def test_aioratelimiter_lets_a_request_through_during_the_pause() -> None:
    stock = AIORateLimiter(max_retries=2)

    gap = await gap_after_429(stock, lambda: not stock._retry_after_event.is_set())

    assert gap < 1.0  # the slow request's `finally` re-opened the gate 0.5 s into a 1 s pause


async def test_the_budget_holds_every_request_for_the_whole_pause() -> None:
    budget = reply_limiter(max_retries=2)

    gap = await gap_after_429(budget, lambda: budget.budget.paused_until > 0)

    assert gap >= 1.0


async def test_the_budget_limiter_gives_up_after_its_retries() -> None:
    from telegram.error import RetryAfter

    limiter = reply_limiter(max_retries=1)
    with FakeTelegram() as fake:
        fake.throttled_chats, fake.retry_after = {THROTTLED: 5}, 1
        async with ExtBot(fake.token, base_url=fake.base_url, rate_limiter=limiter) as bot:
            with pytest.raises(RetryAfter):
                await bot.send_message(THROTTLED, "x")
        assert [c["status"] for c in sends(fake)] == [429, 429]


# ---- wiring: the running bot's sender -------------------------------------------------------------------------


async def test_the_running_bot_starts_the_sender_and_the_reminder_clock(db: Database) -> None:
    from pydantic import SecretStr

    from bot.rate_budget import budgets_for
    from bot.runtime import messengers_for, start_workers
    from bot.settings import Settings
    from bot.wiring import build_core

    await populate(db.url, 2)
    with FakeTelegram() as fake:
        settings = Settings(
            telegram_bot_token=SecretStr(fake.token),
            telegram_api_base_url=fake.base_url,
            database_url=db.url,
            sender_poll_seconds=0.1,
        )
        core = build_core(settings, db.url)
        background = start_workers(core, settings, messengers_for(settings, budgets_for(settings, core)))
        try:
            await asyncio.to_thread(fake.wait_for_sent, chat_of(0), 1)
            await asyncio.to_thread(fake.wait_for_sent, chat_of(1), 1)
            for _ in range(200):  # the clock's first check runs at once
                if background.reminder_clock.ticks:
                    break
                await asyncio.sleep(0.02)
        finally:
            await background.stop()
            await core.close()
    assert background.reminder_clock.ticks >= 1
    assert background.sender.report.sent == 2
    assert {status for _, status in await rows(db)} == {DeliveryStatus.SENT.value}
