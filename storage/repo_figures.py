"""What the roll-up's per-cell cache reads: the units' versions (storage/figure_versions.py keeps them), what the
current transaction changed, members' cells today, and the memo of this process's figures for this database."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Hashable, Sequence
from typing import Any, TypeVar, cast
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
KEPT, KEPT_ITEMS = "kept", 256  # the memo's key of what `kept` holds (trees, honours' rows, moves), and how many
T = TypeVar("T")


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
        self._known: dict[int, int] = {}  # versions read in this unit of work
        self._known_ids: set[int] = set()  # units asked for (a unit without a row has version 0)
        self._known_all = False

    async def versions(self, unit_ids: Collection[int] | None = None, *, ahead: Collection[int] = ()) -> dict[int, int]:
        """unit -> version (0 without a row), with `EVERYTHING`; every unit's when `unit_ids` is None. Versions
        read earlier in this unit of work are taken without a statement; `ahead`: units read too, for later calls.
        A version read a moment earlier is never newer than what is counted or read after it, so what is kept
        under it is at worst read again next time."""
        if unit_ids is not None:
            wanted = {EVERYTHING, *unit_ids}
            if self._known_all or wanted <= self._known_ids:
                return {unit_id: self._known[unit_id] for unit_id in wanted if unit_id in self._known}
            wanted.update(ahead)
        else:
            wanted = None
        found = await self._versions(wanted)
        self._known.update(found)
        if wanted is None:
            self._known_all = True
        else:
            self._known_ids.update(wanted)
        return found

    def forget_versions(self) -> None:
        self._known.clear()
        self._known_ids.clear()
        self._known_all = False

    async def kept(
        self, key: Hashable, depends_on: Sequence[int], read: Callable[[], Awaitable[T]], *, fresh: bool = False
    ) -> T:
        """What `read` returns, kept in the memo under `key` while the versions of `depends_on` (shared versions:
        storage/figure_versions.py) and of everything stay the same; read afresh and not kept when this
        transaction changed one of them, or when asked (`fresh`: a recount)."""
        if fresh:
            return await read()
        pending = await self.pending()
        if pending.everything or not pending.units.isdisjoint(depends_on):
            return await read()
        versions = await self.versions(depends_on)
        stamp = (versions.get(EVERYTHING, 0), *(versions.get(unit_id, 0) for unit_id in depends_on))
        shelf = cast(dict[Hashable, tuple[tuple[int, ...], T]], self.memo.of(KEPT))
        found = shelf.get(key)
        if found is not None and found[0] == stamp:
            return found[1]
        if len(shelf) >= KEPT_ITEMS:
            shelf.clear()
        value = await read()
        shelf[key] = (stamp, value)
        return value

    async def _versions(self, unit_ids: Collection[int] | None) -> dict[int, int]:
        stmt = select(CellVersion.unit_id, CellVersion.version)
        # On the connection: plain rows, without the ORM's row processing (a province's view reads thousands).
        connection = await self.session.connection()
        if unit_ids is None:
            rows = list((await connection.execute(stmt)).all())
        else:
            rows = []
            for chunk in chunked(sorted(unit_ids)):
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
