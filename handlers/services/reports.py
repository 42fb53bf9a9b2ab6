"""Reports built on the roll-up: the Excel workbook and the chart, ready to attach to a reply."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.catalog import reports as rp
from handlers.messages import Attachment
from handlers.reports import chart, excel
from handlers.services.honour_lists import honour_sheets
from handlers.services.org_changes import resolve_unit
from handlers.services.periods import Period
from handlers.services.rollup import Rollup, rollup_of, unit_row
from handlers.text import fmt_percent
from storage.uow import UnitOfWork

PNG = "image/png"


def _ratio(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


CHART_BARS_MAX = 30  # more bars are unreadable, and a province's thousands would take minutes to draw


def chart_bars(summary: Rollup) -> list[chart.Bar]:
    """The first CHART_BARS_MAX child units (the chat's roll-up lists as many; /baocao has them all)."""
    return [
        chart.Bar(
            line.name,
            _ratio(line.figures.registered, line.figures.members),
            _ratio(line.figures.updated, line.figures.registered),
            _ratio(line.honours.exemplar_individual, line.figures.members),
        )
        for line in summary.lines[:CHART_BARS_MAX]
    ]


async def chart_attachment(summary: Rollup) -> Attachment | None:
    """The bar chart of the child units, or None when there is nothing to compare (a cell)."""
    if not summary.lines:
        return None
    title = rp.CHART_TITLE.format(unit=summary.unit_name, period=summary.period.label)
    png = await chart.render_async(title, chart_bars(summary))
    name = excel.filename(summary.unit_name, summary.period.first_day, summary.period.last_day)
    return Attachment(name.replace("baocao_", "bieudo_").replace(".xlsx", ".png"), png, PNG, photo=True)


async def report_data(uow: UnitOfWork, summary: Rollup, today: date, tz: ZoneInfo) -> excel.ReportData:
    cell_ids = [cell.id for cell in summary.cells]
    members = await uow.reports.cells_members(cell_ids, summary.window)
    own = await uow.reports.cells_commitments(cell_ids, summary.window)
    sheets = [excel.CellSheet(cell.name, members[cell.id], own[cell.id]) for cell in summary.cells]
    lines = [excel.UnitFigures(line.name, line.figures) for line in summary.lines]
    if not lines:
        lines = [excel.UnitFigures(summary.unit_name, summary.totals)]
    return excel.ReportData(
        unit_name=summary.unit_name,
        period_label=summary.period.label,
        first_day=summary.period.first_day,
        last_day=summary.window.last_day,
        today=today,
        lines=lines,
        totals=summary.totals,
        cells=sheets,
        tz=tz,
        honours=await honour_sheets(uow, summary, tz),
    )


async def excel_attachment(uow: UnitOfWork, summary: Rollup, today: date, tz: ZoneInfo) -> Attachment:
    data = await report_data(uow, summary, today, tz)
    content = await asyncio.to_thread(excel.build_workbook, data)
    name = excel.filename(summary.unit_name, summary.period.first_day, summary.period.last_day)
    return Attachment(name, content, excel.MIME)


async def excel_for_unit(
    uow: UnitOfWork, unit_spec: str, period: Period, now: datetime, tz: ZoneInfo
) -> tuple[Rollup, Attachment]:
    """The operator's report of any unit, named as in the other operator commands (an id, a name, or
    "Parent / Name"); the CLI has no actor: whoever runs it owns the database."""
    summary = await rollup_of(uow, unit_row(await resolve_unit(uow, unit_spec)), period, now, tz)
    return summary, await excel_attachment(uow, summary, now.astimezone(tz).date(), tz)


def percent_text(part: int, whole: int) -> str:
    return fmt_percent(part, whole)
