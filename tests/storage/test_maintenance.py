"""Housekeeping on every backend: old update keys and old wrong invite codes are pruned, recent ones kept, and
the housekeeping loop does it on its own."""

import asyncio
from datetime import timedelta

from bot.housekeeping import Housekeeping
from handlers.services.maintenance import KEEP_UNSENT_REPLIES, KEEP_UPDATE_KEYS, prune_update_log
from tests.support import Database, FakeClock


async def test_old_update_keys_are_pruned_and_recent_ones_kept(any_db: Database, clock: FakeClock) -> None:
    async with any_db.uow() as uow:
        assert await uow.updates.claim("telegram", "old", clock.now() - KEEP_UPDATE_KEYS - timedelta(hours=1))
        assert await uow.updates.claim("telegram", "recent", clock.now() - timedelta(days=1))
        await uow.commit()
    async with any_db.uow() as uow:
        assert await prune_update_log(uow, clock.now()) == 1
        await uow.commit()
    async with any_db.uow() as uow:
        assert await uow.updates.claim("telegram", "old", clock.now())  # forgotten: claimable again
        assert not await uow.updates.claim("telegram", "recent", clock.now())  # still remembered


async def test_old_wrong_codes_are_pruned(any_db: Database, clock: FakeClock) -> None:
    async with any_db.uow() as uow:
        await uow.accounts.record_link_failure("telegram", "1", clock.now() - timedelta(days=2))
        await uow.accounts.record_link_failure("telegram", "1", clock.now() - timedelta(minutes=5))
        await uow.commit()
    async with any_db.uow() as uow:
        await prune_update_log(uow, clock.now())
        await uow.commit()
    async with any_db.uow() as uow:
        since = clock.now() - timedelta(days=30)
        assert await uow.accounts.link_failures_since("telegram", "1", since) == 1


async def test_the_housekeeping_loop_prunes_on_its_own_and_stops_cleanly(any_db: Database, clock: FakeClock) -> None:
    async with any_db.uow() as uow:
        assert await uow.updates.claim("telegram", "old", clock.now() - KEEP_UPDATE_KEYS - timedelta(hours=1))
        await uow.commit()
    keeper = Housekeeping(any_db.uow, clock, every_s=0.05, first_after_s=0)
    keeper.start()
    try:
        for _ in range(250):
            if keeper.rounds >= 2:
                break
            await asyncio.sleep(0.02)
    finally:
        await keeper.stop()
    assert keeper.rounds >= 2
    async with any_db.uow() as uow:
        assert await uow.updates.claim("telegram", "old", clock.now())  # forgotten: claimable again


async def test_replies_never_confirmed_sent_are_blanked_after_a_day(any_db: Database, clock: FakeClock) -> None:
    kept = [{"text": "Xin chào đồng chí", "choices": [], "numbered": True, "attachment": None}]
    async with any_db.uow() as uow:
        for key, age in (("old", KEEP_UNSENT_REPLIES + timedelta(hours=1)), ("recent", timedelta(minutes=5))):
            assert await uow.updates.claim("telegram", key, clock.now() - age)
            await uow.updates.keep_replies("telegram", key, kept)
        await uow.commit()
    async with any_db.uow() as uow:
        assert await prune_update_log(uow, clock.now()) == 0  # the keys themselves stay a week
        await uow.commit()
    async with any_db.uow() as uow:
        assert await uow.updates.unsent_replies("telegram", "old") is None
        assert await uow.updates.unsent_replies("telegram", "recent") == kept
