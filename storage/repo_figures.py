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

# Windows kept (a window: a period as of a day; a day's views: this month, quarter, year, past ones, ranges). A
# window of a 2,000-cell province takes ~0.7 MB.
MEMO_WINDOWS = 24


class FigureMemo:
    """Cells' figures by window, the least recently viewed window first out. One per session factory: per
    database in a process."""

    def __init__(self, capacity: int = MEMO_WINDOWS) -> None:
        self.capacity = capacity
        self._windows: OrderedDict[Hashable, dict[int, Any]] = OrderedDict()

    def of(self, window: Hashable) -> dict[int, Any]:
        """The cells kept for `window` (a dict the caller reads and fills)."""
        found = self._windows.get(window)
        if found is None:
            found = self._windows[window] = {}
            while len(self._windows) > self.capacity:
                self._windows.popitem(last=False)
        self._windows.move_to_end(window)
        return found

    def clear(self) -> None:
        self._windows.clear()

    def __len__(self) -> int:
        return sum(len(cells) for cells in self._windows.values())


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
        self._read_ahead: tuple[frozenset[int], dict[int, int]] | None = None

    async def versions(self, unit_ids: Collection[int] | None = None, *, ahead: Collection[int] = ()) -> dict[int, int]:
        """unit -> version (0 without a row), with `EVERYTHING`; every unit's when `unit_ids` is None. `ahead`:
        units read too, for the next call to take without a statement if it asks for no more (a version read a
        moment earlier is never newer than the figures counted after it: a kept figure is at worst counted again)."""
        if unit_ids is not None and self._read_ahead is not None:
            read, found = self._read_ahead
            self._read_ahead = None
            if read.issuperset(unit_ids):
                return {unit_id: found[unit_id] for unit_id in {EVERYTHING, *unit_ids} if unit_id in found}
        if ahead and unit_ids is not None:
            found = await self._versions({*unit_ids, *ahead})
            self._read_ahead = (frozenset({EVERYTHING, *unit_ids, *ahead}), found)
            return found
        return await self._versions(unit_ids)

    async def _versions(self, unit_ids: Collection[int] | None) -> dict[int, int]:
        stmt = select(CellVersion.unit_id, CellVersion.version)
        # On the connection: plain rows, without the ORM's row processing (a province's view reads thousands).
        connection = await self.session.connection()
        if unit_ids is None:
            rows = list((await connection.execute(stmt)).all())
        else:
            wanted = sorted({EVERYTHING, *unit_ids})
            rows = []
            for chunk in chunked(wanted):
                rows.extend((await connection.execute(stmt.where(CellVersion.unit_id.in_(chunk)))).all())
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
