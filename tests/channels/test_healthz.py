"""GET /healthz: 200 while the database answers and the inbox worker and the sender are running and not stuck;
503 with the reasons (no personal data) otherwise."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bench.broadcast import NOON, populate
from bot.channels.telegram_messenger import TelegramMessenger
from bot.health import Health
from bot.inbox import Inbox
from bot.rate_budget import BudgetLimits, MemoryStore, RateBudget, token_key
from bot.sender import Sender, SenderLimits
from bot.web import build_web_app
from tests.fakes.fake_telegram import FakeTelegram
from tests.support import Database, FakeClock
from tests.web_support import SECRET, RecordingEndpoint

UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:9/lamtheo"  # nothing listens on port 9


class WorkerCrash(BaseException):
    """What no `except Exception` catches: the worker task ends."""


@dataclass
class CrashingEndpoint(RecordingEndpoint):
    async def process(self, payload: dict[str, Any]) -> None:
        raise WorkerCrash


@dataclass
class Site:
    client: TestClient[Any, Any]
    inbox: Inbox
    endpoint: RecordingEndpoint
    sender: Sender
    db: Database

    def budget(self) -> RateBudget:
        messenger = self.sender.messengers["telegram"]
        assert isinstance(messenger, TelegramMessenger) and messenger.budget is not None
        return messenger.budget

    async def health(self) -> tuple[int, dict[str, Any]]:
        response = await self.client.get("/healthz")
        return response.status, await response.json()

    async def post(self, key: str) -> None:
        stored = await self.inbox.accept(self.endpoint.platform, key, {"id": key})
        assert stored


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


async def open_site(db: Database, clock: FakeClock, fake: FakeTelegram, endpoint: RecordingEndpoint) -> Site:
    clock.current = NOON  # the deliveries bench.broadcast queues are due from then
    inbox = Inbox(db.uow, clock, [endpoint])
    await inbox.start()
    budget = RateBudget(token_key("telegram", fake.token), BudgetLimits(), MemoryStore())
    messenger = TelegramMessenger(fake.token, fake.base_url, budget, connections=2)
    sender = Sender(db.uow, {"telegram": messenger}, clock, SenderLimits(poll_seconds=3600))  # woken, or never
    sender.start()
    health = Health(db.uow, clock, inbox=inbox, sender=sender)
    client: TestClient[Any, Any] = TestClient(TestServer(build_web_app(inbox, SECRET, None, health=health)))
    await client.start_server()
    return Site(client, inbox, endpoint, sender, db)


async def close_site(site: Site) -> None:
    if site.endpoint.gate is not None:
        site.endpoint.gate.set()
    await site.client.close()
    await site.inbox.stop()
    await site.sender.close(grace=1.0)


@pytest.fixture
async def site(db: Database, clock: FakeClock, fake: FakeTelegram) -> AsyncIterator[Site]:
    opened = await open_site(db, clock, fake, RecordingEndpoint())
    try:
        yield opened
    finally:
        await close_site(opened)


async def test_a_working_instance_is_healthy(site: Site, clock: FakeClock) -> None:
    await site.post("z1")
    await site.inbox.join()
    clock.advance(hours=2)  # idle for long: nothing waits, so nothing is stuck
    assert await site.health() == (200, {"ok": True})


async def test_the_database_down_is_unhealthy(site: Site, clock: FakeClock) -> None:
    down = Database(UNREACHABLE)
    try:
        health = Health(down.uow, clock, inbox=site.inbox, sender=site.sender)
        problems = await asyncio.wait_for(health.problems(), 5)
    finally:
        await down.close()
    assert len(problems) == 1 and problems[0].startswith("database: ")


async def test_a_database_that_does_not_answer_within_2_s_is_unhealthy(any_db: Database, clock: FakeClock) -> None:
    if not any_db.url.startswith("postgresql"):
        pytest.skip("a SQLite reader never waits (WAL): only a PostgreSQL lock can hold the query up")
    inbox = Inbox(any_db.uow, clock, [RecordingEndpoint()])
    await inbox.start()
    try:
        async with any_db.engine.connect() as locker:
            await locker.execute(text("LOCK TABLE inbox_updates IN ACCESS EXCLUSIVE MODE"))
            started = asyncio.get_running_loop().time()
            problems = await Health(any_db.uow, clock, inbox=inbox).problems()
            waited = asyncio.get_running_loop().time() - started
            await locker.rollback()
    finally:
        await inbox.stop()
    assert problems == ["database: no answer within 2 s"] and 1.9 < waited < 4


async def test_a_dead_inbox_worker_is_unhealthy(db: Database, clock: FakeClock, fake: FakeTelegram) -> None:
    site = await open_site(db, clock, fake, CrashingEndpoint())
    try:
        await site.post("z1")
        for _ in range(100):
            if not site.inbox.alive():
                break
            await asyncio.sleep(0.01)
        assert await site.health() == (503, {"ok": False, "problems": ["inbox worker: not running"]})
    finally:
        await close_site(site)


async def test_a_stopped_sender_is_unhealthy(site: Site) -> None:
    site.sender.stop()
    for _ in range(100):
        if not site.sender.alive():
            break
        await asyncio.sleep(0.01)
    assert await site.health() == (503, {"ok": False, "problems": ["delivery sender: not running"]})


async def test_an_update_waiting_5_minutes_is_a_stuck_inbox(site: Site, clock: FakeClock) -> None:
    site.endpoint.gate = asyncio.Event()  # the worker takes the update and never finishes it
    await site.post("z1")
    clock.advance(minutes=4)
    assert await site.health() == (200, {"ok": True})
    clock.advance(minutes=2)
    problem = "inbox worker: an update has waited 6 min on zalo"
    assert await site.health() == (503, {"ok": False, "problems": [problem]})


async def test_due_messages_the_sender_does_not_send_for_10_minutes_are_a_stuck_sender(
    site: Site, clock: FakeClock
) -> None:
    await asyncio.sleep(0.05)  # the sender found nothing to do and sleeps until woken (or for an hour)
    await populate(site.db.url, 3)  # queued without waking it, as a lost wake-up would leave them
    clock.advance(minutes=9)
    assert await site.health() == (200, {"ok": True})
    budget = site.budget()
    budget.paused_until = time.time() + 3600  # Telegram asked to wait: waiting is not being stuck
    clock.advance(minutes=2)
    assert await site.health() == (200, {"ok": True})
    budget.paused_until = 0.0
    problem = "delivery sender: a message has been due 11 min on telegram"
    assert await site.health() == (503, {"ok": False, "problems": [problem]})
    site.sender.wake()
    for _ in range(200):  # woken, it sends them: healthy again
        if (await site.health())[0] == 200:
            break
        await asyncio.sleep(0.02)
    assert await site.health() == (200, {"ok": True})
