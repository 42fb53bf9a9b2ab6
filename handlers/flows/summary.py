"""/tonghop: the cell summary for a secretary, one line per cell and totals for committee staff."""

from __future__ import annotations

from datetime import date
from itertools import groupby

from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services.summary import CellSummary, CommitteeSummary, summarise
from handlers.text import fmt_date, fmt_percent
from storage.repositories import CellCounts


def _figures(counts: CellCounts) -> dict[str, object]:
    return {
        "members": counts.members,
        "linked": counts.linked,
        "registered": counts.registered,
        "registered_pct": fmt_percent(counts.registered, counts.members),
        "updated": counts.updated,
        "updated_pct": fmt_percent(counts.updated, counts.members),
        "completed": counts.completed,
        "commitments": counts.commitments,
        "completed_pct": fmt_percent(counts.completed, counts.commitments),
    }


def render_cell(summary: CellSummary, today: date) -> str:
    lines = [
        t.CELL_SUMMARY.format(
            cell=summary.cell_name,
            date=fmt_date(today),
            year=summary.year,
            days=summary.days,
            **_figures(summary.counts),
        ),
        "",
    ]
    if summary.not_registered:
        names = ", ".join(summary.not_registered)
        lines.append(t.CELL_NOT_REGISTERED.format(count=len(summary.not_registered), names=names))
    elif summary.counts.members:
        lines.append(t.CELL_ALL_REGISTERED)
    if summary.not_updated:
        names = ", ".join(summary.not_updated)
        count = len(summary.not_updated)
        lines.append(t.CELL_NOT_UPDATED.format(days=summary.days, count=count, names=names))
    return "\n".join(lines).strip()


def render_committee(summary: CommitteeSummary, today: date) -> str:
    if not summary.lines:
        return t.SUMMARY_NO_CELLS
    header = t.COMMITTEE_HEADER.format(
        unit=summary.unit_name, date=fmt_date(today), year=summary.year, days=summary.days
    )
    out = [header]
    for parent, lines in groupby(summary.lines, key=lambda line: line.parent_name):
        out.append(t.COMMITTEE_GROUP.format(unit=parent))
        out.extend(t.COMMITTEE_LINE.format(cell=line.cell_name, **_figures(line.counts)) for line in lines)
    totals = _figures(summary.totals)
    out.append(t.COMMITTEE_TOTAL.format(cells=len(summary.lines), days=summary.days, **totals))
    return "\n".join(out)


class SummaryFlow:
    name = "summary"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        ctx.finish()
        summary = await summarise(ctx.uow, ctx.actor, ctx.today, ctx.now)
        if isinstance(summary, CellSummary):
            text = render_cell(summary, ctx.today)
        else:
            text = render_committee(summary, ctx.today)
        return [Reply(text), *await ctx.start("menu")]

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        return await self.begin(ctx, "")
