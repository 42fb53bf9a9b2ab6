"""The update log: keys of incoming updates already processed, so a redelivery is skipped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import ProcessedUpdate
from storage.repo_base import Repo


class UpdateLog(Repo):
    async def claim(self, platform: str, update_key: str, now: datetime) -> bool:
        """Record an incoming update; False when it was already recorded (a redelivery)."""
        values = {"platform": platform, "update_key": update_key, "processed_at": now}
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(ProcessedUpdate).values(**values).on_conflict_do_nothing()
        result = await self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def prune(self, before: datetime) -> int:
        """Forget update keys older than `before` (platforms stop redelivering long before)."""
        result = await self.session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before))
        return int(getattr(result, "rowcount", 0) or 0)
