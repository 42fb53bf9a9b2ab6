"""The year's trend per cell (members, registered, updated and completed of each month so far), recounted only
for the cells that changed since they were last counted: the per-cell cache of cell_figures.py, applied to the
months of a year at once (`ReportsRepository.months_figures` counts them in one pass).

The memo key is the tuple of the months' windows (the running month's holds today's date: a new day, a new key);
a cell's stamp is the version of everything, its own, and those of the cells its members moved from or to since
the first month ended (a member moved later counts in their old cell in the months before; writes about them
bump their cell of today). Cells this transaction changed are counted afresh and not kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.services.cell_figures import cell_stamps
from storage.repo_reports import Figures
from storage.report_sql import Window
from storage.uow import UnitOfWork

TREND = "trend"  # the memo's key: (TREND, windows)


@dataclass(frozen=True, slots=True)
class KeptMonths:
    stamp: tuple[int, ...]
    months: tuple[Figures, ...]


async def months_figures(
    uow: UnitOfWork, windows: Sequence[Window], cell_ids: Sequence[int]
) -> list[dict[int, Figures]]:
    """For each window, each cell's members, registered, updated and completed, as `ReportsRepository.months_figures`
    counts them, from the memo for the cells whose stamp did not change."""
    if not windows or not cell_ids:
        return [{cell_id: Figures() for cell_id in cell_ids} for _ in windows]
    stamps = await cell_stamps(uow, cell_ids, await dependencies(uow, windows[0]))
    kept_here = uow.figures.memo.of((TREND, tuple(windows)))
    found: dict[int, tuple[Figures, ...]] = {}
    for cell_id, stamp in stamps.items():
        kept = kept_here.get(cell_id)
        if isinstance(kept, KeptMonths) and kept.stamp == stamp:
            found[cell_id] = kept.months
    missing = [cell_id for cell_id in cell_ids if cell_id not in found]
    if missing:
        counted = await uow.reports.months_figures(windows, missing)
        for cell_id in missing:
            found[cell_id] = tuple(month[cell_id] for month in counted)
            if cell_id in stamps:
                kept_here[cell_id] = KeptMonths(stamps[cell_id], found[cell_id])
    return [{cell_id: found[cell_id][index] for cell_id in cell_ids} for index in range(len(windows))]


async def dependencies(uow: UnitOfWork, first: Window) -> dict[int, tuple[int, ...]]:
    """cell -> the other cells its months depend on: every cell a member moved since the first month ended was in
    (from, to, today), for each of them."""
    moves = await uow.reports.moves_since(first.end)
    if not moves:
        return {}
    today = await uow.figures.current_cells({member_id for member_id, _, _ in moves})
    involved: dict[int, set[int]] = {}
    for member_id, from_unit, to_unit in moves:
        involved.setdefault(member_id, set()).update(u for u in (from_unit, to_unit, today.get(member_id)) if u)
    extra: dict[int, set[int]] = {}
    for cells in involved.values():
        for cell_id in cells:
            extra.setdefault(cell_id, set()).update(cells - {cell_id})
    return {cell_id: tuple(sorted(units)) for cell_id, units in extra.items() if units}
