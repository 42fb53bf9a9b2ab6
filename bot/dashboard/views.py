"""From the query string to a period and a sort order, and from a roll-up to the rows a template prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from handlers.catalog import reports as rp
from handlers.catalog import web as w
from handlers.services import periods
from handlers.services.dashboard import CommitmentRow, MemberRow, ratio
from handlers.services.errors import InvalidInput
from handlers.text import fmt_date, fmt_number, fmt_percent
from storage.repo_reports import Figures

PERIOD_KINDS = (periods.MONTH, periods.QUARTER, periods.YEAR)
PERIOD_CHOICES = (
    (periods.MONTH, rp.PERIOD_MONTH),
    (periods.QUARTER, rp.PERIOD_QUARTER),
    (periods.YEAR, rp.PERIOD_YEAR),
)


def period_from(query: dict[str, str], today: date, tz: ZoneInfo) -> periods.Period:
    """`?p=month|quarter|year` (default: this month) or `?p=range&from=dd/mm/yyyy&to=dd/mm/yyyy`: the same
    periods as /tonghop, checked by the same code."""
    kind = query.get("p", periods.MONTH)
    if kind == periods.RANGE:
        first, last = query.get("from", "").strip(), query.get("to", "").strip()
        found = periods.parse_range(f"{first}-{last}", tz) if first and last else None
        if found is None:
            raise InvalidInput(w.PERIOD_BAD_DATES)
        return found
    return periods.current(kind if kind in PERIOD_KINDS else periods.MONTH, today, tz)


def period_query(period: periods.Period) -> dict[str, str]:
    if period.kind == periods.RANGE:
        return {"p": periods.RANGE, "from": fmt_date(period.first_day), "to": fmt_date(period.last_day)}
    return {"p": period.kind}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    percent: bool = False


COLUMNS = (
    Column("members", w.COL_MEMBERS),
    Column("linked", w.COL_LINKED),
    Column("registered", w.COL_REGISTERED, percent=True),
    Column("collective", w.COL_COLLECTIVE),
    Column("models", w.COL_MODELS),
    Column("updated", w.COL_UPDATED, percent=True),
    Column("completed", w.COL_COMPLETED, percent=True),
    Column("behind", w.COL_BEHIND),
    Column("unreachable", w.COL_UNREACHABLE),
    Column("studied", w.COL_STUDIED, percent=True),
)
SORT_KEYS = frozenset({"name", *(column.key for column in COLUMNS)})
WHOLE = {"registered": "members", "updated": "registered", "completed": "registered", "studied": "members"}


@dataclass(frozen=True)
class Cell:
    """One figure as printed: the count, and for a rate its percent (text and the bar's width, 0..100)."""

    count: str
    percent: str = ""
    width: int = 0


def cells_of(figures: Figures) -> list[Cell]:
    out = []
    for column in COLUMNS:
        value = getattr(figures, column.key)
        if column.percent:
            whole = getattr(figures, WHOLE[column.key])
            width = round(ratio(value, whole))
            out.append(Cell(fmt_number(value), fmt_percent(value, whole), max(0, min(100, width))))
        else:
            out.append(Cell(fmt_number(value)))
    return out


def sort_value(figures: Figures, key: str) -> float:
    value = getattr(figures, key)
    return ratio(value, getattr(figures, WHOLE[key])) if key in WHOLE else float(value)


def sort_links(base: str, query: dict[str, str], key: str, descending: bool) -> dict[str, str]:
    """For each column, the link that sorts by it (the column sorted now: the other way round)."""
    links = {}
    for column in SORT_KEYS:
        down = not descending if column == key else column != "name"
        links[column] = f"{base}?{urlencode({**query, 'sort': column, 'dir': 'desc' if down else 'asc'})}"
    return links


def sort_order(query: dict[str, str]) -> tuple[str, bool]:
    key = query.get("sort", "name")
    return (key if key in SORT_KEYS else "name"), query.get("dir") == "desc"


NO_COMMITMENTS = escape(w.NO_COMMITMENTS)


def member_rows(members: list[MemberRow], tz: ZoneInfo) -> Markup:
    """The body of a cell's member table: a row per commitment, the member's name over their rows. Built here,
    every value escaped once: through the template (or Markup.format) the ~1,500 values of a big cell cost more
    than the rest of the page."""
    out = []
    for member in members:
        name = escape(member.name)
        if not member.commitments:
            out.append(f'<tr><th scope="row">{name}</th><td colspan="6" class="note">{NO_COMMITMENTS}</td></tr>')
            continue
        head = f'<th scope="rowgroup" rowspan="{len(member.commitments)}">{name}</th>'
        for index, row in enumerate(member.commitments):
            out.append(f"<tr>{head if index == 0 else ''}{item_cells(row, tz)}</tr>")
    return Markup("\n".join(out))  # noqa: S704 (every value above is escaped)


def item_cells(row: CommitmentRow, tz: ZoneInfo) -> Markup:
    """A commitment's cells: deed, deadline, percent with its bar, last update, status, photo (escaped)."""
    line = row.line
    if row.done:
        status = w.STATUS_DONE
    elif row.late:
        status = w.STATUS_LATE
    else:
        status = w.STATUS_NAMES.get(row.review_state, "")
    last = fmt_date(line.last_update.astimezone(tz).date()) if line.last_update else w.NEVER
    photo = w.PHOTO_YES if row.photo else w.PHOTO_NO
    width = max(0, min(100, int(line.percent)))
    return Markup(  # noqa: S704 (every value is escaped or an int)
        f'<td>{escape(line.content)}</td><td class="date">{escape(fmt_date(line.deadline))}</td>'
        f'<td class="num pct"><span class="bar"><span class="fill w{width}"></span></span>'
        f'<span class="val">{int(line.percent)}%</span></td><td class="date">{escape(last)}</td>'
        f"<td>{escape(status)}</td><td>{escape(photo)}</td>"
    )
