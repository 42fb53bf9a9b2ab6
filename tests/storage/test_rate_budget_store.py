"""The rate budget in the database (bot/rate_budget.DatabaseStore, storage/repo_budget.py): two stores on one
database continue each other's slots, a pause set by one is read by the other, concurrent reservations of one
token never hand out one slot twice, and chats that hold nothing back are forgotten."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.rate_budget import BudgetLimits, DatabaseStore, Kind, MemoryStore, TokenState, plan
from storage.models import RateBudgetRow
from tests.support import Database

LIMITS = BudgetLimits(rate=30, per_chat_interval=1.0, reply_burst=3, broadcast_horizon=0.25, jitter=0.03)
KEY = "telegram:0123456789abcdef"
NOW = 1_800_000_000.0


def at(moment: float) -> Callable[[], float]:
    return lambda: moment


async def test_two_stores_share_one_budget(any_db: Database) -> None:
    first, second = DatabaseStore(any_db.uow, margin=0.0), DatabaseStore(any_db.uow, margin=0.0)

    grants_a, _ = await first.reserve(KEY, [("1", Kind.BROADCAST), ("2", Kind.BROADCAST)], at(NOW), LIMITS)
    grants_b, _ = await second.reserve(KEY, [("3", Kind.BROADCAST), ("1", Kind.REPLY)], at(NOW), LIMITS)

    starts = [grant.start for grant in [*grants_a, *grants_b]]
    # the reply went before "3"
    assert starts == pytest.approx([NOW + n * LIMITS.spacing for n in (0, 1, 3, 2)], abs=1e-6)
    # the same requests planned in one process give the same slots: one rule, wherever the state lives
    state, chats = TokenState(), {}
    plan(state, chats, [("1", Kind.BROADCAST), ("2", Kind.BROADCAST)], NOW, LIMITS)
    again = plan(state, chats, [("3", Kind.BROADCAST), ("1", Kind.REPLY)], NOW, LIMITS)
    assert [grant.start for grant in again] == pytest.approx(starts[2:], abs=1e-6)


async def test_a_pause_set_by_one_instance_holds_the_other_back(any_db: Database) -> None:
    first, second = DatabaseStore(any_db.uow, margin=0.0), DatabaseStore(any_db.uow, margin=0.0)
    await first.reserve(KEY, [("1", Kind.BROADCAST)], at(NOW), LIMITS)

    assert await first.pause(KEY, NOW + 5) == NOW + 5
    assert await second.pause(KEY, NOW + 2) == NOW + 5  # a shorter pause does not end a longer one
    grants, paused = await second.reserve(KEY, [("2", Kind.REPLY)], at(NOW + 1), LIMITS)

    assert paused == NOW + 5
    assert grants[0].start == pytest.approx(NOW + 5)


async def test_concurrent_reservations_never_share_a_slot(any_db: Database) -> None:
    stores = [DatabaseStore(any_db.uow, margin=0.0) for _ in range(3)]
    chats = itertools.count()

    async def reserve(store: DatabaseStore) -> list[float]:
        starts: list[float] = []
        for _ in range(5):
            batch = [(str(next(chats)), Kind.REPLY) for _ in range(3)]
            grants, _ = await store.reserve(KEY, batch, at(NOW), LIMITS)
            starts.extend(grant.start for grant in grants if grant.start is not None)
        return starts

    found = sorted(itertools.chain.from_iterable(await asyncio.gather(*(reserve(s) for s in stores))))

    assert len(found) == 45
    assert all(later - earlier >= LIMITS.spacing - 1e-6 for earlier, later in itertools.pairwise(found))


async def test_chats_that_hold_nothing_back_are_forgotten(any_db: Database) -> None:
    store = DatabaseStore(any_db.uow, margin=0.0)
    await store.reserve(KEY, [(str(chat), Kind.REPLY) for chat in range(5)], at(NOW), LIMITS)
    store._pruned_at = 0.0  # the next reservation prunes

    await store.reserve(KEY, [("late", Kind.REPLY)], at(NOW + 3600), LIMITS)

    async with any_db.sessions() as session:
        keys = (await session.scalars(select(RateBudgetRow.key))).all()
        count = await session.scalar(select(func.count()).select_from(RateBudgetRow))
    assert sorted(keys) == [KEY, f"{KEY}:late"] and count == 2


async def test_the_memory_store_keeps_the_same_rule() -> None:
    memory = MemoryStore()
    grants, _ = await memory.reserve(KEY, [("1", Kind.BROADCAST), ("1", Kind.BROADCAST)], at(NOW), LIMITS)
    assert grants[0].start == NOW
    assert grants[1].start is None and grants[1].retry_at == NOW + LIMITS.chat_spacing  # one a second per chat
