"""/tonghop: the cell summary for a secretary, one line per cell and totals for committee staff.

`/tonghop` alone gives the quick look (the last 30 days). `/tonghop thang|quy|nam|01/10/2026-31/10/2026`
gives the roll-up of that period with a chart, and a committee can then drill down to a child unit;
`/tonghop ky` asks for the period with choices.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby

from handlers.catalog import core as t
from handlers.catalog import reports as r
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services import periods
from handlers.services.authz import can_summarise
from handlers.services.errors import Forbidden, InvalidInput
from handlers.services.reports import chart_attachment
from handlers.services.rollup import Rollup, not_registered, not_updated, rollup
from handlers.services.summary import CellSummary, CommitteeSummary, summarise
from handlers.text import fmt_date, fmt_percent, fold
from storage.repo_reports import Figures, MemberLine
from storage.repositories import CellCounts

# Typed after /tonghop to be asked for the period (folded): "kỳ", "chọn".
ASK_WORDS = {"ky", "chon", "ky khac", "chon ky"}
PERIOD_STEP, RANGE_STEP, DRILL_STEP = "period", "range", "drill"
DONE_VALUE, UNIT_PREFIX = "done", "u"


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


def period_choices() -> list[tuple[str, str]]:
    return [
        (r.PERIOD_MONTH, periods.MONTH),
        (r.PERIOD_QUARTER, periods.QUARTER),
        (r.PERIOD_YEAR, periods.YEAR),
        (r.PERIOD_RANGE, periods.RANGE),
    ]


def ask_period(ctx: Ctx) -> Reply:
    return ctx.ask(PERIOD_STEP, r.PERIOD_ASK, period_choices())


def ask_range(ctx: Ctx) -> Reply:
    return ctx.ask(RANGE_STEP, r.PERIOD_ASK_RANGE)


def chosen_period(ctx: Ctx, inp: Input) -> periods.Period | None:
    """The period picked at the period question (None: the range question comes next), or typed there."""
    if inp.value == periods.RANGE:
        return None
    if inp.value in (periods.MONTH, periods.QUARTER, periods.YEAR):
        return periods.current(inp.value, ctx.today, ctx.tz)
    if ctx.state.step == RANGE_STEP:
        found = periods.parse_range(inp.text, ctx.tz)
        if found is None:
            raise InvalidInput(r.PERIOD_ASK_RANGE)
        return found
    return periods.parse_chat(inp.text, ctx.today, ctx.tz) if inp.text else None


def _pct(part: int, whole: int) -> str:
    return fmt_percent(part, whole)


def rollup_figures(f: Figures) -> dict[str, object]:
    return {
        "members": f.members,
        "linked": f.linked,
        "unreachable": f.unreachable,
        "registered": f.registered,
        "registered_pct": _pct(f.registered, f.members),
        "collective": f.collective,
        "models": f.models,
        "updated": f.updated,
        "updated_pct": _pct(f.updated, f.registered),
        "completed": f.completed,
        "completed_pct": _pct(f.completed, f.registered),
        "behind": f.behind,
        "studied": f.studied,
        "studied_pct": _pct(f.studied, f.members),
        "cells": f.cells,
        "cells_studied": f.cells_studied,
    }


def _names(members: list[MemberLine]) -> str:
    return ", ".join(r.ANONYMOUS if m.anonymised else m.full_name for m in members)


def render_rollup(summary: Rollup, detail: list[MemberLine] | None = None) -> str:
    head = {"unit": summary.unit_name, "period": summary.period.label, "end": fmt_date(summary.window.last_day)}
    if summary.is_cell:
        lines = [r.ROLLUP_CELL.format(year=summary.window.year, **head, **rollup_figures(summary.totals))]
        missing, stale = not_registered(detail or []), not_updated(detail or [], summary.window)
        if missing or stale:
            lines.append("")
        if missing:
            lines.append(r.ROLLUP_NOT_REGISTERED.format(count=len(missing), names=_names(missing)))
        if stale:
            lines.append(r.ROLLUP_NOT_UPDATED.format(count=len(stale), names=_names(stale)))
        return "\n".join(lines)
    if not summary.lines:
        return "\n".join([r.ROLLUP_HEADER.format(**head), r.ROLLUP_NO_CHILDREN])
    out = [r.ROLLUP_HEADER.format(**head)]
    out.extend(r.ROLLUP_LINE.format(unit=line.name, **rollup_figures(line.figures)) for line in summary.lines)
    out.append(r.ROLLUP_TOTAL.format(children=len(summary.lines), **rollup_figures(summary.totals)))
    return "\n".join(out)


class SummaryFlow:
    name = "summary"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        if not arg.strip():
            return await self._quick_look(ctx)
        if not can_summarise(ctx.actor):
            raise Forbidden(t.SUMMARY_FORBIDDEN)
        if fold(arg) in ASK_WORDS:
            return [ask_period(ctx)]
        period = periods.parse_chat(arg, ctx.today, ctx.tz)
        return await self._show(ctx, period, None)

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        if ctx.state.step in (PERIOD_STEP, RANGE_STEP):
            period = chosen_period(ctx, inp)
            if period is None:
                return [ask_range(ctx)]
            return await self._show(ctx, period, None)
        if ctx.state.step == DRILL_STEP:
            return await self._drill(ctx, inp)
        return await self._quick_look(ctx)

    async def _quick_look(self, ctx: Ctx) -> list[Reply]:
        ctx.finish()
        summary = await summarise(ctx.uow, ctx.actor, ctx.today, ctx.now)
        if isinstance(summary, CellSummary):
            text = render_cell(summary, ctx.today)
        else:
            text = render_committee(summary, ctx.today)
        return [Reply(text), *await ctx.start("menu")]

    async def _drill(self, ctx: Ctx, inp: Input) -> list[Reply]:
        value = inp.value or ""
        if value == DONE_VALUE:
            ctx.finish()
            return await ctx.start("menu")
        if not value.startswith(UNIT_PREFIX) or not value[1:].isdigit():
            raise InvalidInput(t.INVALID_CHOICE)
        period = periods.parse_code(str(ctx.state.data.get("period", "")), ctx.tz)
        return await self._show(ctx, period, int(value[1:]))

    async def _show(self, ctx: Ctx, period: periods.Period, unit_id: int | None) -> list[Reply]:
        summary = await rollup(ctx.uow, ctx.actor, period, ctx.now, ctx.tz, unit_id)
        detail = await ctx.uow.reports.cell_members(summary.unit_id, summary.window) if summary.is_cell else None
        replies = [Reply(render_rollup(summary, detail))]
        picture = await chart_attachment(summary)
        if picture is not None:
            caption = r.CHART_CAPTION.format(unit=summary.unit_name, period=period.label)
            replies.append(Reply(caption, attachment=picture))
        if not summary.lines:
            ctx.finish()
            return [*replies, *await ctx.start("menu")]
        ctx.state.data = {"period": period.to_code(), "unit": summary.unit_id}
        choices = [(line.name, f"{UNIT_PREFIX}{line.unit_id}") for line in summary.lines]
        choices.append((r.DRILL_DONE, DONE_VALUE))
        return [*replies, ctx.ask(DRILL_STEP, r.DRILL_ASK, choices)]
