"""The roll-up at any node of the organisation tree: a line per child unit and the totals, for a period.

Definitions (also in README.md, "Reports"):
- members in scope: active, not exempt, not paused on the last day counted;
- linked: consented and with a chat account that is not the console; unreachable: every such account blocked;
- registered: at least one individual commitment of the period's year, not withdrawn (% of members);
- updated: registered members with a progress entry in the period (% of registered);
- completed: registered members every one of whose counted commitments reached 100% by then (% of registered);
- behind: commitments (individual, collective, model) whose deadline passed by then and below 100%;
- collective commitments and models are counted apart, on the cell that registered them;
- studied: members who attended a study session of the year by then (% of members); cells that held one.
"Then" is the period's end, or now while the period runs. The tree is the one of that moment: units changed
later (unit_events: merge, move, dissolve) are put back where they were, members moved later
(member_moves) count in the cell they were in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.catalog import core as t
from handlers.services.authz import Actor, may_see_unit, scope_unit
from handlers.services.cell_figures import cells_figures, summed, total_of
from handlers.services.errors import Forbidden
from handlers.services.honours import Pilot, pilots_of, placement
from handlers.services.periods import Period
from storage.enums import UnitKind
from storage.figure_versions import SHARED_VERSIONS, TREE
from storage.models import Unit
from storage.repo_honours import Honours
from storage.repo_reports import Figures, MemberLine, UnitRow
from storage.report_sql import Window
from storage.uow import UnitOfWork

REVIVING_ACTIONS = ("merge", "dissolve")  # the unit was active before the change
CELL = UnitKind.CELL.value


@dataclass(frozen=True)
class RollupLine:
    unit_id: int
    name: str
    kind: str
    figures: Figures
    honours: Honours = field(default_factory=Honours)  # exemplars, commendations, replications, activities


@dataclass
class Rollup:
    unit_id: int
    unit_name: str
    unit_kind: str
    period: Period
    window: Window
    lines: list[RollupLine]
    totals: Figures
    cells: list[UnitRow] = field(default_factory=list)  # every cell counted, in tree order
    honours: Honours = field(default_factory=Honours)  # the totals of the lines' honours
    pilots: list[Pilot] = field(default_factory=list)  # models followed by models of these cells
    moved: dict[int, int | None] = field(default_factory=dict)  # members moved since: where they were (its end)

    @property
    def is_cell(self) -> bool:
        return self.unit_kind == UnitKind.CELL.value


@dataclass
class Tree:
    """The organisation tree at a moment: units by id and their children."""

    units: dict[int, UnitRow]
    children: dict[int, list[int]]

    def cells_under(self, unit_id: int) -> list[UnitRow]:
        found: list[UnitRow] = []
        units, children, stack = self.units, self.children, [unit_id]
        while stack:
            current = units[stack.pop()]
            if current.kind == CELL:
                found.append(current)
            below = children.get(current.id)
            if below:
                stack.extend(reversed(below))
        return found


def window_of(period: Period, now: datetime, tz: ZoneInfo) -> Window:
    return Window(period.year, period.start, period.end, period.as_of_day(now, tz), running=now < period.end)


async def tree_at(uow: UnitOfWork, root: UnitRow, at: datetime, *, fresh: bool = False) -> Tree:
    """The subtree of `root` as it was at `at`, kept in the process's memo while the versions of the tree and of
    everything stay the same (every write to units or unit_events replaces the tree's: storage/figure_versions.py;
    a tree this transaction changed is built afresh and not kept; `fresh`: built afresh)."""
    if not fresh:  # the shared versions, and a cell's own that its roll-up reads next: in one statement, now
        await uow.figures.versions(SHARED_VERSIONS, ahead=[root.id] if root.kind == CELL else ())
    return await uow.figures.kept(("tree", root, at), (TREE,), lambda: build_tree(uow, root, at), fresh=fresh)


async def build_tree(uow: UnitOfWork, root: UnitRow, at: datetime) -> Tree:
    """The subtree of `root` as it was at `at`: unit changes made since are undone (newest first)."""
    changes = await uow.reports.unit_changes_after(at)
    rows = await uow.reports.units(None if changes else root.path)
    parent = {row.id: row.parent_id for row in rows}
    active = {row.id: row.active for row in rows}
    for change in changes:  # newest first: each is undone on the tree the later ones left
        parent[change.unit_id] = change.old_parent_id
        if change.action in REVIVING_ACTIONS:
            active[change.unit_id] = True
    units = {row.id: row for row in rows if active[row.id]}
    units[root.id] = next(row for row in rows if row.id == root.id)
    children: dict[int, list[int]] = {}
    for row in rows:  # rows come in path order, so children keep a stable order
        owner = parent[row.id]
        if row.id in units and owner is not None and row.id != root.id:
            children.setdefault(owner, []).append(row.id)
    reachable = {root.id}
    stack = [root.id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child in units and child not in reachable:
                reachable.add(child)
                stack.append(child)
    return Tree(
        units={uid: units[uid] for uid in reachable},
        children={uid: [c for c in kids if c in reachable] for uid, kids in children.items() if uid in reachable},
    )


async def unit_for(uow: UnitOfWork, actor: Actor, unit_id: int | None) -> UnitRow:
    """The unit to report on: the actor's own, or one they may see (re-checked on every call)."""
    if unit_id is None:
        unit = await scope_unit(uow, actor)
    else:
        found = await uow.units.get(unit_id)
        if found is None or not may_see_unit(actor, found):
            raise Forbidden(t.SUMMARY_FORBIDDEN)
        unit = found
    return unit_row(unit)


def unit_row(unit: Unit) -> UnitRow:
    return UnitRow(unit.id, unit.name, unit.kind, unit.parent_id, unit.path, unit.active)


async def rollup(
    uow: UnitOfWork,
    actor: Actor,
    period: Period,
    now: datetime,
    tz: ZoneInfo,
    unit_id: int | None = None,
    *,
    fresh: bool = False,
) -> Rollup:
    """The roll-up of the actor's unit, or of `unit_id` if they may see it: what /tonghop, /baocao and the web
    pages show. Cells' figures come from the per-cell cache (`fresh`: counted again, see cell_figures.py)."""
    unit = await unit_for(uow, actor, unit_id)
    return await rollup_of(uow, unit, period, now, tz, fresh=fresh)


async def rollup_of(
    uow: UnitOfWork,
    unit: UnitRow,
    period: Period,
    now: datetime,
    tz: ZoneInfo,
    *,
    fresh: bool = False,
    pilots: bool = True,
) -> Rollup:
    """The roll-up of `unit` without an authorisation check (the operator's CLI, after its own); `pilots`: with
    the models these cells' models follow (the chat shows them, the web does not)."""
    window = window_of(period, now, tz)
    tree = await tree_at(uow, unit, window.end, fresh=fresh)
    # A committee's cells are its children's, in their order: each subtree is walked and summed once.
    is_cell = unit.kind == CELL
    children = [] if is_cell else [tree.units[child_id] for child_id in tree.children.get(unit.id, [])]
    groups = [tree.cells_under(unit.id)] if is_cell else [tree.cells_under(child.id) for child in children]
    cells = [cell for group in groups for cell in group]
    place = await placement(uow, [cell.id for cell in cells], window, fresh=fresh)
    counted = await cells_figures(uow, [cell.id for cell in cells], window, place, fresh=fresh)
    subtotals = [total_of(counted[cell.id] for cell in group) for group in groups]
    totals, honour_totals = summed(subtotals)
    pairs = [] if is_cell else zip(children, subtotals, strict=True)
    lines = [RollupLine(child.id, child.name, child.kind, line.figures, line.honours) for child, line in pairs]
    followed = await pilots_of(uow, cells, place, window) if pilots else []
    return Rollup(
        unit.id, unit.name, unit.kind, period, window, lines, totals, cells, honour_totals, followed, place.moved
    )


async def cell_detail(uow: UnitOfWork, cell_id: int, window: Window) -> list[MemberLine]:
    return await uow.reports.cell_members(cell_id, window)


def not_registered(members: list[MemberLine]) -> list[MemberLine]:
    return [m for m in members if m.in_scope and not any(c.kind == "individual" for c in m.commitments)]


def not_updated(members: list[MemberLine], window: Window) -> list[MemberLine]:
    def updated(member: MemberLine) -> bool:
        return any(c.last_update is not None and c.last_update >= window.start for c in member.commitments)

    return [m for m in members if m.in_scope and m.commitments and not updated(m)]


async def child_units(
    uow: UnitOfWork, actor: Actor, period: Period, now: datetime, tz: ZoneInfo, unit_id: int | None
) -> list[tuple[int, str]]:
    """(id, name) of the units the roll-up of `unit_id` lists (its children at the period's end), in its order:
    the drill-down's choices, without counting anything."""
    unit = await unit_for(uow, actor, unit_id)
    if unit.kind == UnitKind.CELL.value:
        return []
    tree = await tree_at(uow, unit, window_of(period, now, tz).end)
    return [(child_id, tree.units[child_id].name) for child_id in tree.children.get(unit.id, [])]
