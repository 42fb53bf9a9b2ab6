"""The inbox and stored-file repositories on every backend (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage.models import StoredFile
from tests.chat import member_id
from tests.support import Database, FakeClock, load_example_roster


async def test_the_inbox_stores_once_lists_oldest_first_and_forgets_only_old_processed_rows(
    any_db: Database, clock: FakeClock
) -> None:
    async with any_db.uow() as uow:
        assert await uow.inbox.add_if_absent("zalo", "b", {"id": "b", "text": "Đồng chí"}, clock.now())
        clock.advance(seconds=1)
        assert await uow.inbox.add_if_absent("zalo", "a", {"id": "a"}, clock.now())
        assert await uow.inbox.add_if_absent("telegram", "a", {"update_id": 1}, clock.now())
        assert not await uow.inbox.add_if_absent("zalo", "b", {"id": "b", "text": "again"}, clock.now())
        await uow.commit()
    async with any_db.uow() as uow:
        b, a = [await uow.inbox.find("zalo", key) for key in ("b", "a")]
        assert a is not None and b is not None
        lease = clock.now() + timedelta(seconds=30)
        claimed = [await uow.inbox.claim_next("zalo", "one", clock.now(), lease) for _ in range(3)]
        assert [row.id if row else None for row in claimed] == [b.id, a.id, None]  # oldest first, each once
        assert b.payload == {"id": "b", "text": "Đồng chí"} and b.attempts == 0
        assert await uow.inbox.count_attempt(b.id) == 1
        assert await uow.inbox.count_attempt(b.id) == 2
        await uow.inbox.mark_processed(b.id, clock.now())
        await uow.commit()
    async with any_db.uow() as uow:
        row = await uow.inbox.get(b.id)
        assert row is not None and row.payload == {} and row.attempts == 2 and row.processed_at == clock.now()
        assert await uow.inbox.claimable(["zalo"], clock.now()) == 0  # a is still leased
        assert await uow.inbox.claimable(["zalo"], clock.now() + timedelta(seconds=31)) == 1
        assert await uow.inbox.prune_processed(clock.now()) == 0
        assert await uow.inbox.prune_processed(clock.now() + timedelta(seconds=1)) == 1
        await uow.commit()
    async with any_db.uow() as uow:
        assert await uow.inbox.find("zalo", "b") is None and await uow.inbox.find("zalo", "a") is not None


async def test_stored_files_are_found_by_token_and_pruned_when_expired(any_db: Database, clock: FakeClock) -> None:
    await load_example_roster(any_db, clock)
    owner = await member_id(any_db, "DV001")
    async with any_db.uow() as uow:
        for token, hours in (("t" * 32, 1), ("u" * 32, 48)):
            stored = StoredFile(
                token=token,
                member_id=owner,
                filename="Báo cáo.xlsx",
                mime="application/vnd.ms-excel",
                content=b"\x00\x01bytes",
                created_at=clock.now(),
                expires_at=clock.now() + timedelta(hours=hours),
            )
            await uow.files.add(stored)
        await uow.commit()
    async with any_db.uow() as uow:
        found = await uow.files.by_token("t" * 32)
        assert found is not None and found.content == b"\x00\x01bytes" and found.filename == "Báo cáo.xlsx"
        assert await uow.files.by_token("v" * 32) is None
        assert await uow.files.prune_expired(clock.now() + timedelta(hours=1)) == 1
        await uow.commit()
    async with any_db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 1
