"""The roll-up's figures of exemplars, commendations, replicated models and activities, per cell.

What counts where, at the report's moment `end` (the period's end, or now while it runs):
- a member's exemplar registration or commendation counts in the cell the member was in at `end`
  (member_moves honoured, as for registrations); a cell's own counts in that cell;
- a unit merged or dissolved before `end` is counted in the unit it went into (unit_events);
- exemplars registered: registrations of the period's year made by `end` (individual / collective);
- proposed: the year's proposals made by `end`, not withdrawn; commended: decided by `end`;
  proposed upward: sent on to a higher level by `end` (each split individual / collective);
- replications: the year's active models, registered by `end`, that follow another unit's model;
- activities: held from 1 January to the last day counted; participants summed; a cell that held one counts
  once in `cells_active` (so a committee's line reads "cells that held one out of all").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.text import fold
from storage.figure_versions import HONOURS, MOVES, TREE
from storage.repo_honours import CommendationRow, HonourRow, Honours
from storage.repo_reports import UnitRow
from storage.report_sql import Window
from storage.uow import UnitOfWork

MAX_CHAIN = 32  # merges of merges: far more than any real chain
ReplicationRow = tuple[int, int, int | None, str | None]  # model, its cell, the pilot model, the pilot typed


@dataclass(frozen=True)
class Pilot:
    """A model and the cells whose models follow it (`cell_name` empty: a pilot outside the bot, as typed)."""

    name: str
    cell_name: str
    followers: tuple[str, ...]


class Placement:
    """Which counted cell a unit's or a member's item belongs to at the report's moment."""

    def __init__(
        self,
        cells: Sequence[int],
        absorbed: dict[int, int],
        moved: dict[int, int | None],
        *,
        fresh: bool = False,
    ) -> None:
        self.cells, self.absorbed, self.moved = set(cells), absorbed, moved
        self.fresh = fresh  # the honours' rows read afresh, not from the memo (a recount)

    async def honour_rows(self, uow: UnitOfWork, window: Window) -> HonourRows:
        return await honour_rows(uow, window, fresh=self.fresh)

    def of_unit(self, unit_id: int | None) -> int | None:
        for _ in range(MAX_CHAIN):
            if unit_id is None or unit_id in self.cells:
                return unit_id
            unit_id = self.absorbed.get(unit_id)
        return None

    def of_row(self, row: HonourRow) -> int | None:
        if row.member_id is None:
            return self.of_unit(row.unit_id)
        cell = self.moved.get(row.member_id, row.member_cell_id)
        return self.of_unit(cell if cell is not None else row.unit_id)


@dataclass(frozen=True)
class HonourRows:
    """The window's rows of honours, for every cell (few: read whole, kept while nothing of them changes)."""

    exemplars: list[HonourRow]
    commendations: list[CommendationRow]
    replications: list[ReplicationRow]
    activities: list[tuple[int, int]]  # (unit, participants) of each activity held


async def honour_rows(uow: UnitOfWork, window: Window, *, fresh: bool = False) -> HonourRows:
    async def read() -> HonourRows:
        honours = uow.honours
        return HonourRows(
            await honours.exemplar_rows(window.year, window.end),
            await honours.commendation_rows(window.year, window.end),
            list(await honours.replication_rows(window.year, window.end)),
            [(a.unit_id, a.participants) for a in await honours.activities(window.year, window.last_day)],
        )

    return await uow.figures.kept(("honours", window), (HONOURS,), read, fresh=fresh)


async def placement(uow: UnitOfWork, cell_ids: Sequence[int], window: Window, *, fresh: bool = False) -> Placement:
    """Where the cells' items belong at the window's end: merges and moves since, kept while neither changes
    (the dicts are shared: read them, never change them; `fresh`: read afresh, and the honours' rows too)."""
    end = window.end
    absorptions, moves = uow.honours.absorptions, uow.reports.moves_after
    absorbed = await uow.figures.kept(("absorbed", end), (TREE,), lambda: absorptions(end), fresh=fresh)
    moved = await uow.figures.kept(("moved", end), (MOVES,), lambda: moves(end), fresh=fresh)
    return Placement(cell_ids, absorbed, moved, fresh=fresh)


async def honour_figures(uow: UnitOfWork, place: Placement, window: Window) -> dict[int, Honours]:
    """The figures of each cell of `place` (see `placement`)."""
    result = {cell_id: Honours() for cell_id in place.cells}
    if not result:
        return result
    rows = await place.honour_rows(uow, window)
    for row in rows.exemplars:
        if (cell := place.of_row(row)) is not None:
            result[cell].bump("exemplar", row.kind)
    for found in rows.commendations:
        if (cell := place.of_row(found.item)) is None:
            continue
        result[cell].bump("proposed", found.item.kind)
        if found.commended:
            result[cell].bump("commended", found.item.kind)
        if found.forwarded:
            result[cell].bump("upward", found.item.kind)
    for _, unit_id, _, _ in rows.replications:
        if (cell := place.of_unit(unit_id)) is not None:
            result[cell].replications += 1
    for unit_id, participants in rows.activities:
        if (cell := place.of_unit(unit_id)) is not None:
            result[cell].activities += 1
            result[cell].participants += participants
            result[cell].cells_active = 1
    return result


async def pilots_of(uow: UnitOfWork, cells: Sequence[UnitRow], place: Placement, window: Window) -> list[Pilot]:
    """The pilots followed by the year's models of these cells, with the followers' cells, most followed first."""
    names = {cell.id: cell.name for cell in cells}
    spread: dict[tuple[str, str], set[str]] = {}
    for _, unit_id, source_id, source_text in (await place.honour_rows(uow, window)).replications:
        follower = place.of_unit(unit_id)
        if follower is None:
            continue
        key = (source_text or "", "")
        if source_id is not None:
            source = await uow.commitments.get(source_id)
            unit = await uow.units.get(source.unit_id) if source is not None and source.unit_id else None
            key = (source.content if source else "", unit.name if unit else "")
        spread.setdefault(key, set()).add(names[follower])
    found = [Pilot(name, cell, tuple(sorted(cells, key=fold))) for (name, cell), cells in spread.items()]
    return sorted(found, key=lambda p: (-len(p.followers), fold(p.name)))
