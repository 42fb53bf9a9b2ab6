"""Kill -9 in the middle of a broadcast, twice, and start again: nobody gets it twice, nobody is missed.

The sender runs in a child process (`python -m bench.broadcast --child`, the bot's own sender and Telegram
messenger) against the fake Bot API server in this process. Every answer is slowed down so that requests
are on the wire when the child dies. Rows that were in flight (at most the concurrency) come back as
UNKNOWN after the restart and are never re-sent; every other member gets exactly one message.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from collections import Counter

from sqlalchemy import func, select

from bench.broadcast import ROOT, TOKEN, chat_of, child_command, populate, unknown_chats
from storage.enums import DeliveryStatus
from storage.models import Delivery
from tests.fakes.fake_telegram import FakeTelegram
from tests.support import Database

MEMBERS = 150
CONCURRENCY = 8
RATE = 60.0


async def status_counts(db: Database) -> Counter[str]:
    async with db.sessions() as session:
        stmt = select(Delivery.status, func.count(Delivery.id)).group_by(Delivery.status)
        return Counter({status: int(count) for status, count in (await session.execute(stmt)).all()})


def start_child(db: Database, fake: FakeTelegram) -> subprocess.Popen[str]:
    return subprocess.Popen(
        child_command(db.url, fake.base_url, RATE, CONCURRENCY),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def kill_after(db: Database, fake: FakeTelegram, sends: int) -> Counter[str]:
    """Start a sender child, SIGKILL it once the server has seen `sends` messages in all; the statuses left."""
    child = start_child(db, fake)
    try:
        await asyncio.to_thread(fake.wait_for_call, "sendMessage", sends, 60)
    finally:
        child.send_signal(signal.SIGKILL)
        await asyncio.to_thread(child.wait)
        assert child.stdout is not None
        child.stdout.close()
    return await status_counts(db)


async def test_kill_minus_nine_twice_mid_broadcast(db: Database) -> None:
    await populate(db.url, MEMBERS)
    with FakeTelegram(token=TOKEN) as fake:
        fake.slow_chats = {chat_of(i): 0.08 for i in range(MEMBERS)}  # requests are in flight when it dies

        after_first = await kill_after(db, fake, 40)
        after_second = await kill_after(db, fake, 90)
        final = await asyncio.to_thread(
            subprocess.run,
            child_command(db.url, fake.base_url, RATE, CONCURRENCY),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        await asyncio.sleep(0.2)  # answers to requests of the killed children are no longer pending
        per_chat = Counter(int(c["params"]["chat_id"]) for c in fake.calls("sendMessage"))

    for left in (after_first, after_second):
        assert 0 < left[DeliveryStatus.SENDING.value] <= CONCURRENCY  # killed mid-broadcast, bounded in flight
        assert left[DeliveryStatus.PENDING.value] > 0
    report = json.loads(final.stdout.strip().splitlines()[-1])
    counts = await status_counts(db)
    unknown = await unknown_chats(db.url)
    everyone = {chat_of(i) for i in range(MEMBERS)}

    assert set(counts) <= {DeliveryStatus.SENT.value, DeliveryStatus.UNKNOWN.value}
    assert counts[DeliveryStatus.UNKNOWN.value] == len(unknown) <= 2 * CONCURRENCY
    assert report["recovered"] == after_second[DeliveryStatus.SENDING.value]
    assert max(per_chat.values()) == 1, "someone got the broadcast twice"
    assert everyone - set(per_chat) <= unknown, "someone was missed without being reported"
    assert counts[DeliveryStatus.SENT.value] == MEMBERS - len(unknown)
    assert {chat for chat in everyone - unknown if per_chat[chat] != 1} == set()
