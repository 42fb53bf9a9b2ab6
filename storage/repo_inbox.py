"""The webhook inbox: updates stored before the platform got its 200, processed from here afterwards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate


class InboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_if_absent(self, platform: str, update_key: str, payload: dict[str, Any], now: datetime) -> bool:
        """Store an update; False when the same key is already stored (a redelivery)."""
        values = {"platform": platform, "update_key": update_key, "payload": payload, "received_at": now, "attempts": 0}
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

    async def unprocessed_ids(self, platform: str) -> list[int]:
        """Ids of the platform's updates not processed yet, oldest first."""
        stmt = (
            select(InboxUpdate.id)
            .where(InboxUpdate.platform == platform, InboxUpdate.processed_at.is_(None))
            .order_by(InboxUpdate.received_at, InboxUpdate.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def oldest_unprocessed(self, platforms: list[str]) -> dict[str, datetime]:
        """Per platform, when the oldest update not processed yet was received (platforms with none left out)."""
        stmt = (
            select(InboxUpdate.platform, func.min(InboxUpdate.received_at))
            .where(InboxUpdate.processed_at.is_(None), InboxUpdate.platform.in_(platforms))
            .group_by(InboxUpdate.platform)
        )
        return {platform: received for platform, received in (await self.session.execute(stmt)).all()}

    async def count_attempt(self, row_id: int) -> int:
        """One more attempt at processing the row; returns the new count."""
        await self.session.execute(
            update(InboxUpdate).where(InboxUpdate.id == row_id).values(attempts=InboxUpdate.attempts + 1)
        )
        attempts = await self.session.scalar(select(InboxUpdate.attempts).where(InboxUpdate.id == row_id))
        return int(attempts or 0)

    async def mark_processed(self, row_id: int, now: datetime) -> None:
        """Done with the row: the key stays (redeliveries), the payload (message texts) goes."""
        stmt = update(InboxUpdate).where(InboxUpdate.id == row_id).values(processed_at=now, payload={})
        await self.session.execute(stmt)

    async def prune_processed(self, before: datetime) -> int:
        """Forget updates processed before `before`; unprocessed ones are always kept."""
        stmt = delete(InboxUpdate).where(InboxUpdate.processed_at.is_not(None), InboxUpdate.processed_at < before)
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)
