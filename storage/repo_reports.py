"""Set-based queries behind roll-ups and reports: every figure is counted in SQL, grouped by cell (the
statements are built in `storage/report_sql.py`).

A member counts in the cell they were in at the report's moment `end`: their current cell, unless they
moved later (member_moves): then the cell they left by their first move after `end`. Those few members are
counted by a second pass of the same queries grouped by member, and added to their old cell in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from storage import report_sql as sql
from storage import trend_sql
from storage.enums import CommitmentKind
from storage.models import Member, MemberMove, Unit, UnitEvent
from storage.repo_base import Repo, chunked
from storage.report_sql import Window


@dataclass
class Figures:
    """The counts of one cell, or a sum of cells. Percentages are derived by the caller."""

    # Members carry no join date (the roster is imported when the bot starts): a past period counts today's
    # roster, placed in the cells of that time. Accounts carry no history either: linked/unreachable are as of now.
    members: int = 0  # in scope: active, not exempt, not paused on the last day
    linked: int = 0  # consented and with a chat account (not the console)
    unreachable: int = 0  # every chat account blocked the bot
    registered: int = 0  # at least one individual commitment of the year, not withdrawn
    updated: int = 0  # registered members with a progress entry in the period
    completed: int = 0  # registered members whose every commitment reached 100% by the end
    behind: int = 0  # commitments (any kind) past their deadline and below 100%
    commitments: int = 0  # individual commitments counted
    collective: int = 0  # commitments of the cell (tập thể)
    models: int = 0  # named models (mô hình)
    studied: int = 0  # members who attended a study session of the year
    cells: int = 0
    cells_studied: int = 0  # cells that held a study session of the year

    def add(self, other: Figures) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


class UnitRow(NamedTuple):
    """A unit as the tree of a moment holds it (a tuple: a province's thousands are made on every view)."""

    id: int
    name: str
    kind: str
    parent_id: int | None
    path: str
    active: bool


@dataclass(frozen=True)
class UnitChange:
    unit_id: int
    action: str
    old_parent_id: int | None
    at: datetime


@dataclass(frozen=True)
class CommitmentLine:
    commitment_id: int
    kind: str
    content: str
    deadline: date
    percent: int  # at the report's moment
    last_update: datetime | None  # last progress entry before the report's moment
    review_state: str = ""  # as of now (the web's cell page shows it)
    photo: bool = False  # a photo attached (read only when asked for: the web's cell page)


@dataclass
class MemberLine:
    member_id: int
    code: str
    full_name: str
    anonymised: bool
    in_scope: bool
    commitments: list[CommitmentLine]
    unreachable: bool = False  # every chat account (not the console) blocked the bot, as of now
    exempt: bool = False  # as of now: why a member is left out of the rates
    paused_until: date | None = None


class ReportsRepository(Repo):
    # From this many cells on, figures are counted by aggregating whole tables (see `_figures`).
    SCAN_FROM_CELLS = 300

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.scan_from_cells = self.SCAN_FROM_CELLS

    # --- the tree ----------------------------------------------------------------------------------------------
    async def unit_changes_after(self, at: datetime) -> list[UnitChange]:
        stmt = select(UnitEvent.unit_id, UnitEvent.action, UnitEvent.old_parent_id, UnitEvent.at).where(
            UnitEvent.at >= at
        )
        rows = (await self.session.execute(stmt.order_by(UnitEvent.at.desc(), UnitEvent.id.desc()))).all()
        return [UnitChange(*row) for row in rows]

    async def units(self, path_prefix: str | None = None) -> list[UnitRow]:
        """Every unit (or those under a path), active or not: the tree of the past is rebuilt from them."""
        stmt = select(Unit.id, Unit.name, Unit.kind, Unit.parent_id, Unit.path, Unit.active)
        if path_prefix is not None:
            stmt = stmt.where(Unit.path.startswith(path_prefix))
        # On the connection: plain rows, without the ORM's row processing (a province has thousands of units).
        connection = await self.session.connection()
        return [UnitRow(*row) for row in (await connection.execute(stmt.order_by(Unit.path))).all()]

    async def moves_after(self, at: datetime) -> dict[int, int | None]:
        """member -> the cell they were in at `at`, for members moved since (their first later move)."""
        stmt = select(MemberMove.member_id, MemberMove.from_unit_id).where(MemberMove.moved_at >= at)
        rows = (await self.session.execute(stmt.order_by(MemberMove.moved_at.desc(), MemberMove.id.desc()))).all()
        return {member_id: from_unit for member_id, from_unit in rows}  # the earliest move wins (written last)

    async def moves_since(self, at: datetime) -> list[tuple[int, int | None, int | None]]:
        """(member, from, to) of every move since `at`."""
        stmt = select(MemberMove.member_id, MemberMove.from_unit_id, MemberMove.to_unit_id)
        rows = await self._rows(stmt.where(MemberMove.moved_at >= at))
        return [(member_id, from_unit, to_unit) for member_id, from_unit, to_unit in rows]

    # --- figures -----------------------------------------------------------------------------------------------
    async def cell_figures(
        self, cell_ids: Sequence[int], window: Window, moved: dict[int, int | None] | None = None
    ) -> dict[int, Figures]:
        """Figures per cell as the cells were at `window.end` (members moved since count where they were;
        `moved`: `moves_after(window.end)` when the caller has it)."""
        result = {cell_id: Figures(cells=1) for cell_id in cell_ids}
        if not cell_ids:
            return result
        if moved is None:
            moved = await self.moves_after(window.end)
        wanted = set(cell_ids)
        scan = len(cell_ids) >= self.scan_from_cells
        not_moved = Member.id.not_in(sql.moved_since(window.end))
        # A scan counts every cell (no list of thousands of ids to send) and keeps the wanted ones.
        chunks = [None] if scan else list(chunked(list(cell_ids)))
        for chunk in chunks:
            if chunk is None:
                found = await self._figures(Member.cell_id, not_moved, window, scan)
            else:
                found = await self._lookup(False, chunk, window)
            for cell_id, figures in found.items():
                if cell_id in wanted:
                    result[cell_id].add(figures)
        moved_here = [member_id for member_id, cell_id in moved.items() if cell_id in wanted]
        for chunk in chunked(moved_here):
            for member_id, figures in (await self._lookup(True, chunk, window)).items():
                old_cell = moved[member_id]
                assert old_cell is not None
                result[old_cell].add(figures)
        await self._unit_figures(result, window, scan)
        return result

    async def _figures(
        self, key: Any, members: ColumnElement[bool], window: Window, scan: bool = False
    ) -> dict[int, Figures]:
        """Figures grouped by `key`. For a few cells, one statement: each member's accounts, study attendance
        and commitments are looked up through covering indexes. For many (`scan`), each table is aggregated
        once in index order and joined to the members (hash joins on PostgreSQL), which is much cheaper there
        than a hundred thousand lookups and no dearer on SQLite."""
        where = and_(members, sql.in_scope(window))
        out: dict[int, Figures] = {}
        if not scan:
            return self._collect(out, await self._rows(sql.member_and_commitment_counts(key, where, window)), scan)
        if scan:
            for group, count in await self._rows(select(key, func.count()).where(where).group_by(key)):
                out[group] = Figures(members=count)
            for group, linked, unreachable in await self._rows(sql.account_counts_scan(key, where)):
                out[group].linked, out[group].unreachable = linked, unreachable
            for group, studied in await self._rows(sql.study_counts_scan(key, where, window)):
                out[group].studied = studied
            stmt = sql.commitment_counts_scan(key, where, window)
        return self._collect(out, await self._rows(stmt), scan)

    async def _lookup(self, by_member: bool, ids: Sequence[int], window: Window) -> dict[int, Figures]:
        """`_figures` of a few members (by member) or cells (by cell, members moved since left out)."""
        rows = await self._rows(sql.figures_lookup(by_member, window), {sql.IDS: list(ids)})
        return self._collect({}, rows, scan=False)

    @staticmethod
    def _collect(out: dict[int, Figures], rows: Sequence[Any], scan: bool) -> dict[int, Figures]:
        for group, *counts in rows:
            figures = out.setdefault(group, Figures())
            if not scan:
                figures.members, figures.linked, figures.unreachable, figures.studied, *counts = counts
            registered, updated, completed, commitments, behind = counts
            figures.registered, figures.updated, figures.completed = registered, updated, completed
            figures.commitments, figures.behind = int(commitments or 0), int(behind or 0)
        return out

    async def _unit_figures(self, result: dict[int, Figures], window: Window, scan: bool) -> None:
        """What belongs to the cell itself: collective commitments, models, study sessions held (one statement:
        the sessions come as rows of their own kind)."""
        for chunk in [None] if scan else list(chunked(list(result))):
            if chunk is None:
                rows = await self._rows(sql.unit_figures(None, window))
            else:
                rows = await self._rows(sql.unit_figures_lookup(window), {sql.IDS: list(chunk)})
            for unit_id, kind, count, late in rows:
                if unit_id not in result:
                    continue
                figures = result[unit_id]
                if kind == sql.SESSIONS_HELD:
                    figures.cells_studied = 1
                elif kind == CommitmentKind.COLLECTIVE.value:
                    figures.collective += count
                else:
                    figures.models += count
                figures.behind += int(late or 0)

    # --- the year's trend --------------------------------------------------------------------------------------
    async def months_figures(self, windows: Sequence[Window], cell_ids: Sequence[int]) -> list[dict[int, Figures]]:
        """For each month of `windows` (one year's, back to back, only the last running), the members, registered,
        updated and completed of each cell, exactly as `cell_figures` counts them (its other figures left at 0),
        in one statement for all the months (storage/trend_sql.py) and a few for its special members."""
        result = [{cell_id: Figures() for cell_id in cell_ids} for _ in windows]
        if not cell_ids or not windows:
            return result
        wanted, special = set(cell_ids), set[int]()
        scan = len(cell_ids) >= self.scan_from_cells
        for chunk in [None] if scan else list(chunked(list(cell_ids))):
            for cell_id, member_id, *counts in await self._rows(trend_sql.months_counts(windows, chunk)):
                if member_id is not None:
                    special.add(member_id)
                elif cell_id in wanted:
                    for index, month in enumerate(result):
                        _add_four(month[cell_id], counts[4 * index : 4 * index + 4])
        moved = select(MemberMove.member_id).where(MemberMove.moved_at >= windows[0].end).distinct()
        special.update(await self._scalars(moved))
        await self._special_months(result, windows, sorted(special))
        return result

    async def _special_months(
        self, result: list[dict[int, Figures]], windows: Sequence[Window], member_ids: list[int]
    ) -> None:
        """Members moved since the first month or with an irregular commitment: counted month by month, each in
        the cell they were in at its end."""
        if not member_ids:
            return
        current: dict[int, int | None] = {}
        for chunk in chunked(member_ids):
            rows = await self._rows(select(Member.id, Member.cell_id).where(Member.id.in_(chunk)))
            current.update({member_id: cell_id for member_id, cell_id in rows})
        for month, window in zip(result, windows, strict=True):
            moved = await self.moves_after(window.end)
            place = {mid: moved[mid] if mid in moved else current.get(mid) for mid in member_ids}
            here = [mid for mid, cell_id in place.items() if cell_id in month]
            for chunk in chunked(here):
                for member_id, figures in (await self._lookup(True, chunk, window)).items():
                    cell_id = place[member_id]
                    assert cell_id is not None
                    _add_four(month[cell_id], astuple_four(figures))

    # --- detail for a cell's sheet ---------------------------------------------------------------------------
    async def cell_members(
        self, cell_id: int, window: Window, moved: dict[int, int | None] | None = None, *, photos: bool = False
    ) -> list[MemberLine]:
        """The members of a cell at `window.end` (moves honoured; `moved`: `moves_after(window.end)` when the
        caller has it), each with their commitments of the year (`photos`: whether each has a photo too)."""
        return (await self.cells_members([cell_id], window, moved, photos=photos))[cell_id]

    async def cells_members(
        self,
        cell_ids: Sequence[int],
        window: Window,
        moved: dict[int, int | None] | None = None,
        *,
        photos: bool = False,
    ) -> dict[int, list[MemberLine]]:
        """`cell_members` of many cells in a few statements (a committee's workbook has a sheet per cell)."""
        if moved is None:
            moved = await self.moves_after(window.end)
        by_cell: dict[int, list[MemberLine]] = {cell_id: [] for cell_id in cell_ids}
        lines: dict[int, MemberLine] = {}
        for chunk in chunked(list(cell_ids)):
            came_back = [member_id for member_id, cell in moved.items() if cell in chunk]
            params = {sql.IDS: list(chunk), sql.CAME_BACK: came_back}
            for member_id, cell_id, code, name, anonymised_at, counted, blocked, exempt, paused in await self._rows(
                sql.members_lookup(window), params
            ):
                gone = anonymised_at is not None
                line = MemberLine(member_id, code, name, gone, bool(counted), [], bool(blocked), bool(exempt), paused)
                lines[member_id] = line
                by_cell[moved.get(member_id) or cell_id].append(line)  # where they were at the end
        for chunk in chunked(list(lines)):
            for member_id, item in await self._commitment_lines(False, chunk, window, photos):
                lines[member_id].commitments.append(item)
        return by_cell

    async def unit_commitments(self, cell_id: int, window: Window, *, photos: bool = False) -> list[CommitmentLine]:
        return (await self.cells_commitments([cell_id], window, photos=photos))[cell_id]

    async def cells_commitments(
        self, cell_ids: Sequence[int], window: Window, *, photos: bool = False
    ) -> dict[int, list[CommitmentLine]]:
        """Collective commitments and models of each cell."""
        out: dict[int, list[CommitmentLine]] = {cell_id: [] for cell_id in cell_ids}
        for chunk in chunked(list(cell_ids)):
            for unit_id, item in await self._commitment_lines(True, chunk, window, photos):
                out[unit_id].append(item)
        return out

    async def _commitment_lines(
        self, of_units: bool, ids: Sequence[int], window: Window, photos: bool
    ) -> list[tuple[int, CommitmentLine]]:
        """(owner, line) pairs: the owner is the member, or the cell for collective commitments and models."""
        out = []
        rows = await self._rows(sql.lines_lookup(of_units, window, photos), {sql.IDS: list(ids)})
        for owner_id, cid, kind, content, deadline, percent, last, state, photo in rows:
            line = CommitmentLine(
                cid, kind, content, deadline, int(percent or 0), _as_utc(last), state or "", bool(photo)
            )
            out.append((owner_id, line))
        return out

    async def _rows(self, stmt: Executable, params: dict[str, Any] | None = None) -> Sequence[Any]:
        rows: Sequence[Any] = (await self.session.execute(stmt, params)).all()
        return rows


def astuple_four(figures: Figures) -> tuple[int, int, int, int]:
    return figures.members, figures.registered, figures.updated, figures.completed


def _add_four(figures: Figures, counts: Sequence[Any]) -> None:
    """members, registered, updated and completed added to `figures` (the year's trend needs no more; sums of
    nothing come as NULL, PostgreSQL's sums of bigints as decimals)."""
    members, registered, updated, completed = (int(count or 0) for count in counts)
    figures.members += members
    figures.registered += registered
    figures.updated += updated
    figures.completed += completed


def _as_utc(value: Any) -> datetime | None:
    """A datetime from a CASE expression comes back untyped (naive, or a string on SQLite)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
