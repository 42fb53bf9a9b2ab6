"""What every repository shares: the base class holding the session, and IN lists sent in chunks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

IN_LIST_CHUNK = 5000  # well under SQLite's and PostgreSQL's limits on bound parameters


def chunked(ids: Sequence[int], size: int = IN_LIST_CHUNK) -> Iterable[Sequence[int]]:
    return (ids[start : start + size] for start in range(0, len(ids), size))


class Repo:
    """A repository: queries and additions in the unit of work's session. It flushes when it must, never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _scalars(self, stmt: Select[Any]) -> list[Any]:
        return list((await self.session.scalars(stmt)).all())
