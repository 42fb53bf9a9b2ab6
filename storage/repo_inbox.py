"""The webhook inbox: updates stored before the platform got its 200, processed from here afterwards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import InboxUpdate

older = aliased(InboxUpdate)


class InboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_if_absent(
        self, platform: str, update_key: str, payload: dict[str, Any], now: datetime, chat_key: str | None = None
    ) -> bool:
        """Store an update; False when the same key is already stored (a redelivery)."""
        values = {
            **{"platform": platform, "update_key": update_key, "payload": payload, "received_at": now},
            **{"attempts": 0, "chat_key": chat_key},
        }
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(InboxUpdate).values(**values).on_conflict_do_nothing()
        result = await self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def find(self, platform: str, update_key: str) -> InboxUpdate | None:
        stmt = select(InboxUpdate).where(InboxUpdate.platform == platform, InboxUpdate.update_key == update_key)
        return (await self.session.scalars(stmt)).first()

    async def get(self, row_id: int) -> InboxUpdate | None:
        return await self.session.get(InboxUpdate, row_id)

    async def claim_next(self, platform: str, owner: str, now: datetime, until: datetime) -> InboxUpdate | None:
        """Lease to `owner` until `until` the oldest update nobody holds (or whose lease lapsed) that is also the
        oldest unprocessed one of its chat: a chat's updates go one at a time, in arrival order, whoever holds
        them. SKIP LOCKED: instances claiming at once never take the same row, nor wait for each other."""
        # The chat's oldest open row: one probe of the partial index per candidate, whatever the planner's stats.
        head_of_chat = (
            select(func.min(older.id))
            .where(older.platform == InboxUpdate.platform, older.chat_key == InboxUpdate.chat_key)
            .where(older.processed_at.is_(None))
            .scalar_subquery()
        )
        stmt = (
            select(InboxUpdate)
            .where(
                InboxUpdate.platform == platform,
                InboxUpdate.processed_at.is_(None),
                or_(InboxUpdate.lease_until.is_(None), InboxUpdate.lease_until < now),
                or_(InboxUpdate.chat_key.is_(None), InboxUpdate.id == head_of_chat),
            )
            .order_by(InboxUpdate.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=InboxUpdate)
        )
        row = (await self.session.scalars(stmt)).first()
        if row is not None:
            row.lease_owner, row.lease_until = owner, until
        return row

    async def claimable(self, platforms: list[str], now: datetime) -> int:
        """How many unprocessed updates of these platforms nobody holds now."""
        stmt = select(func.count(InboxUpdate.id)).where(
            InboxUpdate.platform.in_(platforms),
            InboxUpdate.processed_at.is_(None),
            or_(InboxUpdate.lease_until.is_(None), InboxUpdate.lease_until < now),
        )
        return int(await self.session.scalar(stmt) or 0)

    async def renew(self, owner: str, row_ids: list[int], until: datetime) -> None:
        """Extend the leases `owner` still holds on these rows (one taken over meanwhile stays with its taker)."""
        stmt = update(InboxUpdate).where(
            InboxUpdate.id.in_(row_ids), InboxUpdate.lease_owner == owner, InboxUpdate.processed_at.is_(None)
        )
        await self.session.execute(stmt.values(lease_until=until))

    async def release_leases(self, platforms: list[str]) -> int:
        """Forget every lease on these platforms' rows (one process on SQLite: no other holder can be alive)."""
        stmt = update(InboxUpdate).where(InboxUpdate.platform.in_(platforms), InboxUpdate.lease_until.is_not(None))
        result = await self.session.execute(stmt.values(lease_owner=None, lease_until=None))
        return int(getattr(result, "rowcount", 0) or 0)

    async def oldest_unprocessed(self, platforms: list[str]) -> dict[str, datetime]:
        """Per platform, when the oldest update not processed yet was received (platforms with none left out)."""
        stmt = (
            select(InboxUpdate.platform, func.min(InboxUpdate.received_at))
            .where(InboxUpdate.processed_at.is_(None), InboxUpdate.platform.in_(platforms))
            .group_by(InboxUpdate.platform)
        )
        return {platform: received for platform, received in (await self.session.execute(stmt)).all()}

    async def count_attempt(self, row_id: int, until: datetime | None = None) -> int:
        """One more attempt at processing the row (its lease renewed to `until`); returns the new count."""
        values: dict[str, Any] = {"attempts": InboxUpdate.attempts + 1}
        if until is not None:
            values["lease_until"] = until
        await self.session.execute(update(InboxUpdate).where(InboxUpdate.id == row_id).values(**values))
        attempts = await self.session.scalar(select(InboxUpdate.attempts).where(InboxUpdate.id == row_id))
        return int(attempts or 0)

    async def mark_processed(self, row_id: int, now: datetime) -> None:
        """Done with the row: the key stays (redeliveries), the payload (message texts) goes."""
        stmt = update(InboxUpdate).where(InboxUpdate.id == row_id).values(
            processed_at=now, payload={}, lease_owner=None, lease_until=None
        )
        await self.session.execute(stmt)

    async def prune_processed(self, before: datetime) -> int:
        """Forget updates processed before `before`; unprocessed ones are always kept."""
        stmt = delete(InboxUpdate).where(InboxUpdate.processed_at.is_not(None), InboxUpdate.processed_at < before)
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)
