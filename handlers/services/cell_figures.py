"""Each cell's figures for a window, recomputed only for the cells that changed since they were last counted.

Every write that changes what a cell's figures read replaces the cell's version in the same transaction
(storage/figure_versions.py). A cell's counted figures and honours are kept in this process's memo (one per
database) under (cell, window), with the versions they were counted at: the *stamp*. A view reads the versions of
the cells in it (one query) and recounts only the cells whose stamp differs; several instances of the bot share
the versions through the database, so a write committed by any of them is seen by every other.

What the key holds, and why a kept figure is never stale:
- the window (storage/report_sql.Window): the year, the period's bounds and, while it runs, today's local date
  (deadlines, pauses and study dates are compared with it: a new day is a new key);
- the stamp: the version of everything (a write whose cells could not be told) and of each unit the cell's
  figures read from: the cell; the units merged or dissolved into it (their items count in it); and, for a past
  period, the cells where the members it counted then are today (a write about them bumps their cell of today);
- figures the current transaction changed and has not committed are counted afresh and never kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from handlers.services.honours import Placement, honour_figures
from storage.figure_versions import EVERYTHING
from storage.repo_honours import Honours
from storage.repo_reports import Figures, ReportsRepository
from storage.report_sql import Window
from storage.uow import UnitOfWork

ALL_VERSIONS_FROM = ReportsRepository.SCAN_FROM_CELLS  # from this many cells, read every version (no id list)


FIGURES = tuple(item.name for item in fields(Figures))
HONOURS = tuple(item.name for item in fields(Honours))
NO_HONOURS = (0,) * len(HONOURS)  # most cells': one tuple shared by them all in the memo


@dataclass(frozen=True, slots=True)
class CellFigures:
    """One cell's figures and honours as rows of numbers (in the order of their fields): kept as they are, summed
    column by column."""

    figures_row: tuple[int, ...]
    honours_row: tuple[int, ...]

    @classmethod
    def of(cls, figures: Figures, honours: Honours) -> CellFigures:
        honours_row = tuple(getattr(honours, n) for n in HONOURS)
        return cls(tuple(getattr(figures, n) for n in FIGURES), honours_row if any(honours_row) else NO_HONOURS)

    @property
    def figures(self) -> Figures:
        return Figures(*self.figures_row)

    @property
    def honours(self) -> Honours:
        return Honours(*self.honours_row)


def total_of(items: Iterable[CellFigures]) -> CellFigures:
    """Several cells' rows added up column by column (a committee's line)."""
    rows = list(items)
    if not rows:
        return EMPTY
    figures_row = tuple(map(sum, zip(*[row.figures_row for row in rows], strict=True)))
    honours = [row.honours_row for row in rows if row.honours_row is not NO_HONOURS]
    return CellFigures(figures_row, tuple(map(sum, zip(*honours, strict=True))) if honours else NO_HONOURS)


def summed(items: Iterable[CellFigures]) -> tuple[Figures, Honours]:
    """The figures and honours of several cells added up (a committee's line, the totals)."""
    total = total_of(items)
    return total.figures, total.honours


EMPTY = CellFigures(tuple(getattr(Figures(), n) for n in FIGURES), NO_HONOURS)


@dataclass(frozen=True, slots=True)
class Kept:
    stamp: tuple[int, ...]
    figures: CellFigures


async def cells_figures(
    uow: UnitOfWork, cell_ids: Sequence[int], window: Window, place: Placement, *, fresh: bool = False
) -> dict[int, CellFigures]:
    """The figures of each cell at the window (`place`: `honours.placement` of these cells); `fresh` counts every
    cell again and keeps nothing (the test's recount, an operator in doubt)."""
    if fresh:
        return await _count(uow, list(cell_ids), window, place)
    stamps = await cell_stamps(uow, cell_ids, await dependencies(uow, place))
    kept_here = uow.figures.memo.of(window)
    result: dict[int, CellFigures] = {}
    for cell_id, stamp in stamps.items():
        kept = kept_here.get(cell_id)
        if kept is not None and kept.stamp == stamp:
            result[cell_id] = kept.figures
    missing = [cell_id for cell_id in cell_ids if cell_id not in result]
    counted = await _count(uow, missing, window, place)
    for cell_id, found in counted.items():
        if cell_id in stamps:
            kept_here[cell_id] = Kept(stamps[cell_id], found)
    result.update(counted)
    return result


async def cell_stamps(
    uow: UnitOfWork, cell_ids: Sequence[int], extra: dict[int, tuple[int, ...]]
) -> dict[int, tuple[int, ...]]:
    """The stamp of every cell that this transaction did not write (those are counted, never kept): the epoch, the
    cell's version and the versions of the cells it depends on (`extra`). Kept figures with the same stamp are
    current."""
    wanted = {*cell_ids, *(unit for units in extra.values() for unit in units)}
    versions = await uow.figures.versions(None if len(cell_ids) >= ALL_VERSIONS_FROM else wanted)
    pending = await uow.figures.pending()
    epoch = versions.get(EVERYTHING, 0)
    stamps: dict[int, tuple[int, ...]] = {}
    for cell_id in cell_ids:
        more = extra.get(cell_id, ())
        if pending.everything or cell_id in pending.units or not pending.units.isdisjoint(more):
            continue
        stamps[cell_id] = (epoch, versions.get(cell_id, 0), *[versions.get(unit, 0) for unit in more])
    return stamps


async def _count(uow: UnitOfWork, cell_ids: list[int], window: Window, place: Placement) -> dict[int, CellFigures]:
    if not cell_ids:
        return {}
    figures = await uow.reports.cell_figures(cell_ids, window, place.moved)
    honours = await honour_figures(uow, Placement(cell_ids, place.absorbed, place.moved, fresh=place.fresh), window)
    return {cell_id: CellFigures.of(figures[cell_id], honours[cell_id]) for cell_id in cell_ids}


async def dependencies(uow: UnitOfWork, place: Placement) -> dict[int, tuple[int, ...]]:
    """cell -> the other units whose versions its figures depend on (most cells: none): the units merged or
    dissolved into it, and the cells today of members it counts who moved since the window's end."""
    extra: dict[int, set[int]] = {}
    for unit_id in place.absorbed:
        target = place.of_unit(unit_id)
        if target is not None:
            extra.setdefault(target, set()).add(unit_id)
    if place.moved:
        today = await uow.figures.current_cells(list(place.moved))
        for member_id, then in place.moved.items():
            now_in = today.get(member_id)
            if then is None or now_in is None:
                continue
            for counted_in in {then, place.of_unit(then)}:
                if counted_in is not None:
                    extra.setdefault(counted_in, set()).add(now_in)
    return {cell_id: tuple(sorted(units - {cell_id})) for cell_id, units in extra.items() if units - {cell_id}}
