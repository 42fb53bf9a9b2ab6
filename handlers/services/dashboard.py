"""What the leaders' web dashboard shows, through the same roll-up and authorisation as the chat: a unit's
roll-up with its breadcrumb and pending approvals, a cell's members and items, and the year's trend.
A unit outside the actor's scope raises Forbidden (the web answers 404)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.catalog import reports as rp
from handlers.catalog import web as w
from handlers.reports.trend import Point
from handlers.services.authz import Actor, may_see_unit
from handlers.services.periods import Period, month_of
from handlers.services.review import PendingItem, is_leader
from handlers.services.rollup import Rollup, not_registered, not_updated, rollup_of, tree_at, unit_for, window_of
from handlers.services.trend_figures import months_figures
from handlers.text import fmt_date
from storage.repo_reports import CommitmentLine, Figures, MemberLine, UnitRow
from storage.repo_web import Standing
from storage.report_sql import Window
from storage.uow import UnitOfWork

PENDING_SHOWN = 50


@dataclass(frozen=True)
class Crumb:
    unit_id: int
    name: str


@dataclass
class UnitPage:
    summary: Rollup
    crumbs: list[Crumb]  # from the actor's own unit down to the unit on view
    pending: list[PendingItem]
    pending_more: int = 0


@dataclass(frozen=True)
class CommitmentRow:
    line: CommitmentLine
    review_state: str
    photo: bool
    done: bool
    late: bool


@dataclass(frozen=True)
class MemberRow:
    member_id: int
    name: str
    in_scope: bool
    unreachable: bool
    commitments: list[CommitmentRow]
    out_reason: str = ""


@dataclass(frozen=True)
class StudyLine:
    held_on: date
    title: str
    present: int


@dataclass
class CellPage(UnitPage):
    members: list[MemberRow] = field(default_factory=list)
    not_registered: list[MemberRow] = field(default_factory=list)
    not_updated: list[MemberRow] = field(default_factory=list)
    unreachable: list[MemberRow] = field(default_factory=list)
    out_of_scope: list[MemberRow] = field(default_factory=list)
    collectives: list[CommitmentRow] = field(default_factory=list)
    study: list[StudyLine] = field(default_factory=list)


def ratio(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


async def unit_page(
    uow: UnitOfWork, actor: Actor, unit_id: int | None, period: Period, now: datetime, tz: ZoneInfo
) -> UnitPage | CellPage:
    """The page of a unit the actor may see (their own when `unit_id` is None): a cell's page for a cell."""
    unit = await unit_for(uow, actor, unit_id)
    summary = await rollup_of(uow, unit, period, now, tz, pilots=False)  # the web shows no pilots
    crumbs = await breadcrumb(uow, actor, unit)
    pending, more = await pending_in(uow, actor, unit)
    if not summary.is_cell:
        return UnitPage(summary, crumbs, pending, more)
    page = CellPage(summary, crumbs, pending, more)
    await fill_cell(uow, page)
    return page


async def breadcrumb(uow: UnitOfWork, actor: Actor, unit: UnitRow) -> list[Crumb]:
    """From the actor's own unit down to `unit` (its path names its ancestors: one statement)."""
    if unit.id == actor.scope_unit_id:  # their own unit: nothing above it is theirs to see
        return [Crumb(unit.id, unit.name)]
    path = await uow.units.on_path(unit.path)
    return [Crumb(u.id, u.name) for u in path if may_see_unit(actor, u)]


async def pending_in(uow: UnitOfWork, actor: Actor, unit: UnitRow) -> tuple[list[PendingItem], int]:
    """Registrations waiting for approval under the unit on view (in the actor's scope: `unit_for` checked it),
    leaders first as in /duyet, never the actor's own."""
    rows = await uow.web.pending_under(unit.path, actor.member_id)
    rows.sort(key=lambda row: not is_leader(row[1].role, row[1].position))
    items = [PendingItem(c.id, m.full_name, m.position, home, c.content) for c, m, home in rows]
    return items[:PENDING_SHOWN], max(0, len(items) - PENDING_SHOWN)


async def fill_cell(uow: UnitOfWork, page: CellPage) -> None:
    window = page.summary.window
    lines = await uow.reports.cell_members(page.summary.unit_id, window, page.summary.moved, photos=True)
    own = await uow.reports.unit_commitments(page.summary.unit_id, window, photos=True)

    def row_of(item: CommitmentLine) -> CommitmentRow:
        done = item.percent >= 100
        late = not done and item.deadline <= window.last_day
        return CommitmentRow(item, item.review_state, item.photo, done, late)

    def member_of(line: MemberLine) -> MemberRow:
        standing = Standing(line.exempt, line.paused_until)
        reason = "" if line.in_scope else out_reason(standing, window.last_day)
        name = rp.ANONYMOUS if line.anonymised else line.full_name
        rows = [row_of(item) for item in line.commitments]
        return MemberRow(line.member_id, name, line.in_scope, line.unreachable, rows, reason)

    rows = {line.member_id: member_of(line) for line in lines}
    page.members = list(rows.values())
    page.not_registered = [rows[m.member_id] for m in not_registered(lines)]
    page.not_updated = [rows[m.member_id] for m in not_updated(lines, window)]
    page.unreachable = [rows[m.member_id] for m in lines if m.in_scope and m.unreachable]
    page.out_of_scope = [row for row in page.members if not row.in_scope]
    page.collectives = [row_of(item) for item in own]
    page.study = await study_lines(uow, page.summary.unit_id, window.year, window.last_day)


def out_reason(standing: Standing | None, last_day: date) -> str:
    if standing is not None and standing.exempt:
        return w.OUT_EXEMPT
    if standing is not None and standing.paused_until is not None and standing.paused_until >= last_day:
        return w.OUT_PAUSED.format(date=fmt_date(standing.paused_until))
    return w.OUT_OTHER


async def study_lines(uow: UnitOfWork, cell_id: int, year: int, last_day: date) -> list[StudyLine]:
    sessions = [s for s in await uow.study.recent(cell_id, date(year, 1, 1), 200) if s.held_on <= last_day]
    present: dict[int, int] = {}
    for row in await uow.study.attendance([s.id for s in sessions]):
        present[row.session_id] = present.get(row.session_id, 0) + 1
    return [StudyLine(s.held_on, s.title, present.get(s.id, 0)) for s in sessions]


async def year_trend(
    uow: UnitOfWork, actor: Actor, unit_id: int | None, year: int, now: datetime, tz: ZoneInfo
) -> list[Point]:
    """Registered, updated and completed % month by month, up to the current month: the totals of each month's
    roll-up of the unit, counted for all the months at once (`monthly_totals`)."""
    unit = await unit_for(uow, actor, unit_id)
    periods = [month_of(date(year, month, 1), tz) for month in range(1, 13)]
    windows = [window_of(period, now, tz) for period in periods if period.start <= now]
    points = []
    for month, totals in enumerate(await monthly_totals(uow, unit, windows), start=1):
        registered = totals.registered
        updated, completed = ratio(totals.updated, registered), ratio(totals.completed, registered)
        points.append(Point(month, ratio(registered, totals.members), updated, completed))
    return points


async def monthly_totals(uow: UnitOfWork, unit: UnitRow, windows: list[Window]) -> list[Figures]:
    """Members, registered, updated and completed of `unit` in each month of `windows` (one year's, from January),
    as each month's roll-up totals them (its other figures left at 0)."""
    if not windows:
        return []
    cells = await cells_by_month(uow, unit, windows)
    counted = await months_figures(uow, windows, list(dict.fromkeys(c for ids in cells for c in ids)))
    found = []
    for ids, figures in zip(cells, counted, strict=True):
        totals = Figures()
        for cell_id in ids:
            totals.add(figures[cell_id])
        found.append(totals)
    return found


async def cells_by_month(uow: UnitOfWork, unit: UnitRow, windows: list[Window]) -> list[list[int]]:
    """The cells under `unit` at each window's end (the tree of that moment; one tree when no unit changed)."""
    if not await uow.reports.unit_changes_after(windows[0].end):
        tree = await tree_at(uow, unit, windows[-1].end)
        return [[cell.id for cell in tree.cells_under(unit.id)]] * len(windows)
    return [[cell.id for cell in (await tree_at(uow, unit, w.end)).cells_under(unit.id)] for w in windows]
