"""What the roll-up's per-cell cache reads: the units' versions (storage/figure_versions.py keeps them), what the
current transaction changed, members' cells today, and the memo of this process's figures for this database."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Hashable
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import figure_versions
from storage.figure_versions import EVERYTHING, Pending
from storage.models import CellVersion, Member
from storage.repo_base import Repo, chunked

MEMO_ENTRIES = 40_000  # (cell, window) pairs: some twenty views of a 2,000-cell province; ~25 MB at most


class FigureMemo:
    """A bounded map, least recently used first out. One per session factory: per database in a process."""

    def __init__(self, capacity: int = MEMO_ENTRIES) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: Hashable, value: Any) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


_memos: WeakKeyDictionary[async_sessionmaker[AsyncSession], FigureMemo] = WeakKeyDictionary()


def memo_of(sessions: async_sessionmaker[AsyncSession]) -> FigureMemo:
    """The memo of the units of work made from `sessions` (the bot makes one factory per database)."""
    found = _memos.get(sessions)
    if found is None:
        found = _memos[sessions] = FigureMemo()
    return found


class FiguresRepository(Repo):
    def __init__(self, session: AsyncSession, memo: FigureMemo) -> None:
        super().__init__(session)
        self.memo = memo  # this process's figures for this database

    async def versions(self, unit_ids: Collection[int] | None = None) -> dict[int, int]:
        """unit -> version (0 without a row), with `EVERYTHING`; every unit's when `unit_ids` is None."""
        stmt = select(CellVersion.unit_id, CellVersion.version)
        if unit_ids is None:
            rows = (await self.session.execute(stmt)).all()
        else:
            wanted = sorted({EVERYTHING, *unit_ids})
            rows = []
            for chunk in chunked(wanted):
                rows.extend((await self.session.execute(stmt.where(CellVersion.unit_id.in_(chunk)))).all())
        return {unit_id: version for unit_id, version in rows}

    async def pending(self) -> Pending:
        """The units whose figures this transaction changed and did not commit yet."""
        return await self.session.run_sync(figure_versions.pending)

    async def current_cells(self, member_ids: Collection[int]) -> dict[int, int | None]:
        found: dict[int, int | None] = {}
        for chunk in chunked(sorted(member_ids)):
            rows = await self.session.execute(select(Member.id, Member.cell_id).where(Member.id.in_(chunk)))
            found.update({member_id: cell_id for member_id, cell_id in rows.all()})
        return found
