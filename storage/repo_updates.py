"""The update log: keys of incoming updates already processed, so a redelivery is skipped; and the replies of
each, kept until the channel sent them (at-least-once replies: a crash between the commit and the send)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, null, select, update
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

    async def keep_replies(self, platform: str, update_key: str, replies: list[dict[str, Any]]) -> None:
        """Keep the replies of the update being processed (committed with its effects) until they are sent."""
        await self.session.execute(self._row(platform, update_key, update(ProcessedUpdate)).values(replies=replies))

    async def unsent_replies(self, platform: str, update_key: str) -> list[dict[str, Any]] | None:
        """The replies of an update processed before whose sending was never confirmed (None: none pending)."""
        kept: list[dict[str, Any]] | None = await self.session.scalar(
            self._row(platform, update_key, select(ProcessedUpdate.replies))
        )
        return kept

    async def replies_sent(self, platform: str, update_key: str) -> None:
        """The channel is done with the update's replies: their texts go (personal data must not linger)."""
        stmt = self._row(platform, update_key, update(ProcessedUpdate)).where(ProcessedUpdate.replies.is_not(None))
        await self.session.execute(stmt.values(replies=null()))

    async def blank_unsent_replies(self, before: datetime) -> None:
        """Blank the replies still kept for updates processed before `before` (nothing will resend them now)."""
        stmt = update(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
        stmt = stmt.where(ProcessedUpdate.replies.is_not(None))
        await self.session.execute(stmt.values(replies=null()))

    @staticmethod
    def _row(platform: str, update_key: str, stmt: Any) -> Any:
        return stmt.where(ProcessedUpdate.platform == platform, ProcessedUpdate.update_key == update_key)

    async def prune(self, before: datetime) -> int:
        """Forget update keys older than `before` (platforms stop redelivering long before)."""
        result = await self.session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before))
        return int(getattr(result, "rowcount", 0) or 0)
