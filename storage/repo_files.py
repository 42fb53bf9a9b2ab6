"""Generated files (reports, charts) kept for a while and served by signed links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StoredFile


class FileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, stored: StoredFile) -> StoredFile:
        self.session.add(stored)
        await self.session.flush()
        return stored

    async def by_token(self, token: str) -> StoredFile | None:
        return (await self.session.scalars(select(StoredFile).where(StoredFile.token == token))).first()

    async def prune_expired(self, now: datetime) -> int:
        result = await self.session.execute(delete(StoredFile).where(StoredFile.expires_at <= now))
        return int(getattr(result, "rowcount", 0) or 0)
