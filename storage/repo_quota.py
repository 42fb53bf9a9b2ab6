"""Messages sent per platform and month, counted against a platform's monthly quota (Zalo)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import MessageQuota
from storage.repo_base import Repo


class QuotaRepository(Repo):
    async def sent(self, platform: str, month: str) -> int:
        row = await self.session.get(MessageQuota, (platform, month))
        return row.sent if row else 0

    async def add_sent(self, platform: str, month: str, count: int) -> int:
        """Count `count` more messages (one atomic increment, safe with two processes); returns the new total."""
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        await self.session.execute(
            insert(MessageQuota).values(platform=platform, month=month, sent=0).on_conflict_do_nothing()
        )
        where = (MessageQuota.platform == platform, MessageQuota.month == month)
        await self.session.execute(
            update(MessageQuota)
            .where(*where)
            .values(sent=MessageQuota.sent + count)
            .execution_options(synchronize_session=False)
        )
        row = await self.session.get(MessageQuota, (platform, month), populate_existing=True)
        return row.sent if row else count

    async def mark_warned(self, platform: str, month: str, now: datetime) -> bool:
        """Note that the operator was warned this month; False when someone already did (warn once)."""
        stmt = (
            update(MessageQuota)
            .where(MessageQuota.platform == platform, MessageQuota.month == month, MessageQuota.warned_at.is_(None))
            .values(warned_at=now)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)
