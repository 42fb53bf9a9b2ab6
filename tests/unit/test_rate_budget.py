"""The rate budget (bot/rate_budget.py) on a fake clock: the overall rate in any one-second window, one message a
second per chat (replies a few at once), replies before broadcasts, the pause after a 429, a late wake-up giving
its slot up, and requests waiting together reserved in one batch."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.rate_budget import (
    BudgetLimits,
    Grant,
    Kind,
    MemoryStore,
    RateBudget,
    TokenState,
    budgets_for,
    plan,
    token_key,
)
from bot.settings import Settings
from bot.wiring import build_core

LIMITS = BudgetLimits(rate=30, per_chat_interval=1.0, reply_burst=3, broadcast_horizon=0.25, jitter=0.03)
KEY = "telegram:test"


class VirtualTime:
    """A clock that jumps to the next sleeper once every task is waiting: seconds of sending in no time."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self.oversleep = 0.0  # every sleep ends this much late (a busy event loop)

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds + self.oversleep, next(self._order), future))
        await future

    async def run(self, *work: asyncio.Future[Any]) -> None:
        tasks = list(work)
        while not all(task.done() for task in tasks):
            for _ in range(6):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if self._sleepers:
                moment = self._sleepers[0][0]
                self.now = max(self.now, moment)
                while self._sleepers and self._sleepers[0][0] <= moment:
                    heapq.heappop(self._sleepers)[2].set_result(None)
        for task in tasks:
            task.result()


def budget_on(clock: VirtualTime, store: MemoryStore | None = None, limits: BudgetLimits = LIMITS) -> RateBudget:
    return RateBudget(KEY, limits, store or MemoryStore(), now=clock.time, sleep=clock.sleep)


def most_in_any_window(starts: Sequence[float], window: float = 1.0) -> int:
    """The most starts inside any half-open window (t - window, t], as the platform counts them."""
    ordered = sorted(starts)
    return max((sum(1 for other in ordered if moment - window < other <= moment) for moment in ordered), default=0)


async def starting(budget: RateBudget, clock: VirtualTime, chats: Sequence[str], kind: Kind) -> list[float]:
    """Each chat's request acquires and 'starts' at once; returns the start times in order of starting."""
    starts: list[float] = []

    async def one(chat: str) -> None:
        await budget.acquire(chat, kind)
        starts.append(clock.time())

    await asyncio.gather(*[one(chat) for chat in chats])
    return starts


async def send_all(budget: RateBudget, clock: VirtualTime, chats: Sequence[str], kind: Kind) -> list[float]:
    work = asyncio.ensure_future(starting(budget, clock, chats, kind))
    await clock.run(work)
    return work.result()


async def test_any_second_holds_fewer_than_the_rate_and_the_rate_is_nearly_reached() -> None:
    clock = VirtualTime()
    budget = budget_on(clock)

    starts = await send_all(budget, clock, [str(chat) for chat in range(150)], Kind.BROADCAST)

    assert len(starts) == 150
    assert most_in_any_window(starts) <= 30
    assert most_in_any_window(starts, 1.0 + LIMITS.jitter * 0.9) <= 30  # still within a request's jitter
    achieved = (len(starts) - 1) / (max(starts) - min(starts))
    assert 0.95 * 30 <= achieved <= 30


async def test_a_chat_gets_one_broadcast_a_second_and_replies_three_at_once() -> None:
    clock = VirtualTime()
    budget = budget_on(clock)

    broadcasts = await send_all(budget, clock, ["7"] * 4, Kind.BROADCAST)
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(sorted(broadcasts)))

    clock.now += 10
    replies = sorted(await send_all(budget, clock, ["8"] * 5, Kind.REPLY))
    assert replies[2] - replies[0] < 0.2  # a burst of three
    assert replies[3] - replies[0] >= 1.0 and replies[4] - replies[1] >= 1.0  # then one a second again
    assert most_in_any_window(replies) <= 3


def test_replies_are_planned_before_broadcasts_waiting_in_the_same_batch() -> None:
    state, chats = TokenState(), {}
    requests = [(str(n), Kind.BROADCAST) for n in range(20)] + [("r1", Kind.REPLY), ("r2", Kind.REPLY)]

    grants = plan(state, chats, requests, 100.0, LIMITS)

    assert grants[-2:] == [Grant(100.0, 100.0), Grant(100.0 + LIMITS.spacing, 100.0 + LIMITS.spacing)]
    granted = [grant for grant in grants[:-2] if grant.start is not None]
    assert granted and all(grant.start is not None and grant.start <= 100.25 for grant in granted)  # the horizon
    assert all(grant.retry_at > 100.0 for grant in grants[:-2] if grant.start is None)


async def test_a_reply_during_a_broadcast_waits_at_most_the_horizon() -> None:
    clock = VirtualTime()
    budget = budget_on(clock)
    waits: list[float] = []

    async def replies() -> None:
        for n in range(8):
            await clock.sleep(0.7)
            asked = clock.time()
            await budget.acquire(f"reply-{n}", Kind.REPLY)
            waits.append(clock.time() - asked)

    broadcast = asyncio.ensure_future(starting(budget, clock, [str(chat) for chat in range(200)], Kind.BROADCAST))
    chatting = asyncio.ensure_future(replies())
    await clock.run(broadcast, chatting)

    assert len(waits) == 8
    assert max(waits) <= LIMITS.broadcast_horizon + 2 * LIMITS.spacing


async def test_a_pause_holds_every_request_back_until_it_ends() -> None:
    clock = VirtualTime()
    store = MemoryStore()
    one, other = budget_on(clock, store), budget_on(clock, store)  # two senders of one token
    await one.pause(2.0)
    paused_from = clock.time()

    starts = await send_all(other, clock, ["1", "2", "3"], Kind.REPLY)

    assert min(starts) >= paused_from + 2.0
    assert other.is_paused() is False and other.paused_until >= paused_from + 2.0


async def test_a_request_that_wakes_too_late_takes_another_slot() -> None:
    clock = VirtualTime()
    clock.oversleep = 0.05  # later than half the jitter: the slot was not used in time
    budget = budget_on(clock)
    budget.limits = BudgetLimits(rate=30, jitter=0.03)

    starts = await send_all(budget, clock, [str(chat) for chat in range(100)], Kind.BROADCAST)

    assert len(starts) == 100  # every request still goes, each on a slot it reached in time
    assert most_in_any_window(starts) <= 30


class BusyStore(MemoryStore):
    """Another instance takes the slot just before each of ours: every slot of ours lies ahead, to be slept for."""

    def __init__(self) -> None:
        super().__init__()
        self.others = itertools.count()

    async def reserve(
        self, key: str, requests: Sequence[tuple[str, Kind]], now: Callable[[], float], limits: BudgetLimits
    ) -> tuple[list[Grant], float]:
        await super().reserve(key, [(f"other {next(self.others)}", Kind.BROADCAST)], now, limits)
        return await super().reserve(key, requests, now, limits)


async def test_a_request_late_again_gives_its_slot_up_again() -> None:
    """Issue 11: a second late wake-up used to go anyway, however late, among slots used on time (a 429)."""
    clock = VirtualTime()
    budget = budget_on(clock, BusyStore())
    lateness = iter([0.2, 0.2])  # a stalled loop for two slots, then on time

    async def sleep(seconds: float) -> None:
        await clock.sleep(seconds + next(lateness, 0.0))

    budget._sleep = sleep
    started: list[float] = []

    async def one() -> None:
        await budget.acquire("1", Kind.REPLY)  # a reply: a few at once, so no wait for the chat's own share
        started.append(clock.time())

    await clock.run(asyncio.ensure_future(one()))

    assert budget.given_up == 2
    assert started == [pytest.approx(1_000_000.0 + 3 * LIMITS.spacing + 0.4)]  # its third slot, on time


class CountingStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    async def reserve(
        self, key: str, requests: Sequence[tuple[str, Kind]], now: Callable[[], float], limits: BudgetLimits
    ) -> tuple[list[Grant], float]:
        self.batches.append(len(requests))
        await asyncio.sleep(0)  # a round trip: whoever asks meanwhile waits for the next batch
        return await super().reserve(key, requests, now, limits)


async def test_requests_waiting_together_are_reserved_in_one_batch() -> None:
    clock = VirtualTime()
    store = CountingStore()
    budget = budget_on(clock, store)

    await send_all(budget, clock, [str(chat) for chat in range(8)], Kind.BROADCAST)

    assert store.batches[0] == 8
    assert len(store.batches) < 8 + 2


def test_the_token_is_never_part_of_its_key() -> None:
    key = token_key("telegram", "123456:SECRET-PART")
    assert key.startswith("telegram:") and "SECRET" not in key and "123456" not in key
    assert key == token_key("telegram", "123456:SECRET-PART") != token_key("zalo", "123456:SECRET-PART")


async def test_the_margin_setting_spaces_every_start_of_the_token(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/lamtheo.db"
    settings = Settings(
        telegram_bot_token=SecretStr("123456:MARGIN"), database_url=url, rate_margin_ms=80, rate_budget="memory"
    )
    core = build_core(settings, url)
    try:
        budget = budgets_for(settings, core)["telegram"]
    finally:
        await core.engine.dispose()

    assert budget.limits.jitter == pytest.approx(0.08)
    assert budget.limits.spacing == pytest.approx(1.08 / 30)
