"""Several inbox instances on one database (issue 11): rows are claimed under a lease, a crashed instance's
rows are taken over when the lease lapses, a chat's updates go one at a time in arrival order whoever
holds them. SQLite always; PostgreSQL too (SKIP LOCKED across connections) when TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.inbox import Inbox
from tests.support import Database, FakeClock
from tests.web_support import RecordingEndpoint

CHATS, PER_CHAT = 4, 8


@dataclass
class ChatLog:
    """What the endpoints of every instance processed, per chat, and whether a chat was ever worked on twice."""

    seen: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    busy: set[str] = field(default_factory=set)
    overlaps: int = 0
    by_instance: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class OrderedEndpoint(RecordingEndpoint):
    """Records (chat, number) of each update, taking a little random time, as one instance's endpoint."""

    name: str = ""
    log: ChatLog = field(default_factory=ChatLog)

    async def process(self, payload: dict[str, Any]) -> None:
        chat = str(payload["chat"])
        if chat in self.log.busy:
            self.log.overlaps += 1
        self.log.busy.add(chat)
        try:
            await asyncio.sleep(random.uniform(0, 0.01))
            self.log.seen[chat].append(int(payload["n"]))
            self.log.by_instance[self.name] += 1
        finally:
            self.log.busy.discard(chat)


async def test_two_instances_process_each_chat_once_in_arrival_order(any_db: Database, clock: FakeClock) -> None:
    log = ChatLog()
    inboxes = [
        Inbox(any_db.uow, clock, [OrderedEndpoint(name=name, log=log)], owner=name, workers=3, poll_s=0.02)
        for name in ("a", "b")
    ]
    for inbox in inboxes:
        await inbox.start()
    try:
        for n in range(PER_CHAT):  # the chats' updates arrive interleaved, at either instance
            for chat in range(CHATS):
                payload = {"id": f"{chat}-{n}", "chat": chat, "n": n}
                assert await inboxes[(n + chat) % 2].accept("zalo", f"{chat}-{n}", payload)
        for inbox in inboxes:
            await asyncio.wait_for(inbox.join(), 20)
    finally:
        for inbox in inboxes:
            await inbox.stop()
    assert {chat: numbers for chat, numbers in log.seen.items()} == {
        str(chat): list(range(PER_CHAT)) for chat in range(CHATS)
    }
    assert log.overlaps == 0
    assert sum(log.by_instance.values()) == CHATS * PER_CHAT


async def test_a_crashed_instances_rows_wait_for_their_lease_then_are_taken_over(
    any_db: Database, clock: FakeClock
) -> None:
    async with any_db.uow() as uow:  # an instance took the oldest row, then died before processing it
        for n in range(2):
            await uow.inbox.add_if_absent("zalo", f"k{n}", {"id": f"k{n}", "chat": 1, "n": n}, clock.now(), "1")
        held = await uow.inbox.claim_next("zalo", "dead", clock.now(), clock.now() + timedelta(seconds=30))
        assert held is not None and held.update_key == "k0"
        await uow.commit()
    endpoint = OrderedEndpoint(name="live")
    inbox = Inbox(any_db.uow, clock, [endpoint], owner="live", poll_s=0.02)
    await inbox.start()
    try:
        await asyncio.sleep(0.3)  # a live holder's row is not taken, nor the next one of its chat
        assert endpoint.log.seen == {}
        clock.advance(seconds=31)  # the lease lapsed: the dead instance's rows are taken over, in order
        await asyncio.wait_for(inbox.join(), 10)
    finally:
        await inbox.stop()
    assert endpoint.log.seen == {"1": [0, 1]}
    async with any_db.uow() as uow:
        rows = [await uow.inbox.find("zalo", key) for key in ("k0", "k1")]
    assert all(row is not None and row.processed_at and row.lease_owner is None for row in rows)


async def test_on_sqlite_the_single_process_resumes_what_it_held_at_once(any_db: Database, clock: FakeClock) -> None:
    async with any_db.uow() as uow:
        await uow.inbox.add_if_absent("zalo", "k", {"id": "k", "chat": 1, "n": 0}, clock.now(), "1")
        await uow.inbox.claim_next("zalo", "previous run", clock.now(), clock.now() + timedelta(seconds=30))
        await uow.commit()
    endpoint = OrderedEndpoint(name="restarted")
    inbox = Inbox(any_db.uow, clock, [endpoint], single_process=True, poll_s=0.02)
    await inbox.start()
    try:
        await asyncio.wait_for(inbox.join(), 10)
    finally:
        await inbox.stop()
    assert endpoint.log.seen == {"1": [0]}


class CountingInbox(Inbox):
    """Counts its claims (each one a transaction, most of them finding nothing when idle)."""

    claims = 0

    async def _claim(self, platform: str) -> Any:
        self.claims += 1
        return await super()._claim(platform)


async def test_idle_workers_look_once_a_poll_not_each_of_them(any_db: Database, clock: FakeClock) -> None:
    inbox = CountingInbox(any_db.uow, clock, [OrderedEndpoint(name="idle")], workers=8, poll_s=0.05)
    await inbox.start()
    try:
        await asyncio.sleep(0.1)  # each worker looked once at start
        before = inbox.claims
        await asyncio.sleep(0.5)  # ten polls
        idle = inbox.claims - before
        endpoint = inbox.endpoints["zalo"]
        assert await inbox.accept("zalo", "k", {"id": "k", "chat": 1, "n": 0})
        await asyncio.wait_for(inbox.join(), 10)
    finally:
        await inbox.stop()
    assert 5 <= idle <= 15, idle  # one claim a poll for the platform, not one per worker (eight: ~80)
    assert isinstance(endpoint, OrderedEndpoint) and endpoint.log.seen == {"1": [0]}


async def test_an_accepted_update_wakes_one_idle_worker_not_all(any_db: Database, clock: FakeClock) -> None:
    inbox = CountingInbox(any_db.uow, clock, [OrderedEndpoint(name="one")], workers=8, poll_s=3600)
    await inbox.start()
    try:
        await asyncio.sleep(0.1)
        before = inbox.claims
        for n in range(3):  # one chat's updates: one at a time, each woken, then the next of the chat
            assert await inbox.accept("zalo", f"k{n}", {"id": f"k{n}", "chat": 1, "n": n})
            await asyncio.wait_for(inbox.join(), 10)
        woken = inbox.claims - before
        endpoint = inbox.endpoints["zalo"]
    finally:
        await inbox.stop()
    assert isinstance(endpoint, OrderedEndpoint) and endpoint.log.seen == {"1": [0, 1, 2]}
    assert woken <= 3 * 3, woken  # the claim, the sibling it wakes, the worker's look after its job (eight: 24+)
