import asyncio
from datetime import timedelta

from bot.housekeeping import Housekeeping
from handlers.services.maintenance import KEEP_UPDATE_KEYS, prune_update_log
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
