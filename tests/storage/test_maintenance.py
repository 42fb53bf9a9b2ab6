from datetime import timedelta

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
