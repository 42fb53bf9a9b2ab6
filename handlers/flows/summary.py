"""/tonghop: the roll-up of a period for a secretary (their cell) or committee staff (their subtree).

`/tonghop` alone answers for this month; `/tonghop thang|quy|nam|01/10/2026-31/10/2026` for that period;
`/tonghop ky` asks for the period with choices. After the answer come choices: a committee's child units
(drill down), the other periods (this month, quarter, year, another date range), and "Xong".
"""

from __future__ import annotations

from handlers.catalog import core as t
from handlers.catalog import reports as rp
from handlers.dialog import Ctx, Input
from handlers.flows import picker
from handlers.flows.honours_text import honour_lines
from handlers.messages import Reply
from handlers.services import periods
from handlers.services.authz import can_summarise
from handlers.services.errors import Forbidden, InvalidInput
from handlers.services.reports import CHART_BARS_MAX, chart_attachment
from handlers.services.rollup import Rollup, child_units, not_registered, not_updated, rollup
from handlers.text import fmt_date, fmt_percent, fold
from storage.repo_reports import Figures, MemberLine

# Typed after /tonghop to be asked for the period (folded): "kỳ", "chọn".
ASK_WORDS = {"ky", "chon", "ky khac", "chon ky"}
PERIOD_STEP, RANGE_STEP, DRILL_STEP = "period", "range", "drill"
DONE_VALUE, UNIT_PREFIX = "done", "u"
CURRENT_PERIODS = (periods.MONTH, periods.QUARTER, periods.YEAR)
LINES_SHOWN = CHART_BARS_MAX  # a committee's child units listed in the chat's roll-up (and its chart)


def period_choices() -> list[tuple[str, str]]:
    return [
        (rp.PERIOD_MONTH, periods.MONTH),
        (rp.PERIOD_QUARTER, periods.QUARTER),
        (rp.PERIOD_YEAR, periods.YEAR),
        (rp.PERIOD_RANGE, periods.RANGE),
    ]


def ask_period(ctx: Ctx) -> Reply:
    return ctx.ask(PERIOD_STEP, rp.PERIOD_ASK, period_choices())


def ask_range(ctx: Ctx) -> Reply:
    return ctx.ask(RANGE_STEP, rp.PERIOD_ASK_RANGE)


def chosen_period(ctx: Ctx, inp: Input) -> periods.Period | None:
    """The period picked at the period question (None: the range question comes next), or typed there."""
    if inp.value == periods.RANGE:
        return None
    if inp.value in (periods.MONTH, periods.QUARTER, periods.YEAR):
        return periods.current(inp.value, ctx.today, ctx.tz)
    if ctx.state.step == RANGE_STEP:
        found = periods.parse_range(inp.text, ctx.tz)
        if found is None:
            raise InvalidInput(rp.PERIOD_ASK_RANGE)
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
    return ", ".join(rp.ANONYMOUS if m.anonymised else m.full_name for m in members)


def render_rollup(summary: Rollup, detail: list[MemberLine] | None = None) -> str:
    head = {"unit": summary.unit_name, "period": summary.period.label, "end": fmt_date(summary.window.last_day)}
    if summary.is_cell:
        lines = [rp.ROLLUP_CELL.format(year=summary.window.year, **head, **rollup_figures(summary.totals))]
        return "\n".join([*lines, *honour_lines(summary), *member_lists(detail or [], summary)])
    if not summary.lines:
        return "\n".join([rp.ROLLUP_HEADER.format(**head), rp.ROLLUP_NO_CHILDREN])
    out = [rp.ROLLUP_HEADER.format(**head)]
    shown = summary.lines[:LINES_SHOWN]  # a province's thousands of units are the drill-down's pages, not a wall
    out.extend(rp.ROLLUP_LINE.format(unit=line.name, **rollup_figures(line.figures)) for line in shown)
    if len(summary.lines) > len(shown):
        out.append(rp.ROLLUP_MORE.format(count=len(summary.lines) - len(shown)))
    out.append(rp.ROLLUP_TOTAL.format(children=len(summary.lines), **rollup_figures(summary.totals)))
    return "\n".join([*out, *honour_lines(summary)])


def member_lists(members: list[MemberLine], summary: Rollup) -> list[str]:
    """Who the secretary should see to: not registered, not updated in the period, unreachable by the bot;
    and who is left out of the rates (exempt or paused)."""
    named = [
        (rp.ROLLUP_NOT_REGISTERED, not_registered(members)),
        (rp.ROLLUP_NOT_UPDATED, not_updated(members, summary.window)),
        (rp.ROLLUP_UNREACHABLE, [m for m in members if m.in_scope and m.unreachable]),
        (rp.ROLLUP_OUT_OF_SCOPE, [m for m in members if not m.in_scope]),
    ]
    lines = [text.format(count=len(found), names=_names(found)) for text, found in named if found]
    return ["", *lines] if lines else []


class SummaryFlow:
    name = "summary"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        if not can_summarise(ctx.actor):
            raise Forbidden(t.SUMMARY_FORBIDDEN)
        if fold(arg) in ASK_WORDS:
            return [ask_period(ctx)]
        if arg.strip():
            period = periods.parse_chat(arg, ctx.today, ctx.tz)
        else:
            period = periods.current(periods.MONTH, ctx.today, ctx.tz)
        return await self._show(ctx, period, None)

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        if ctx.state.step in (PERIOD_STEP, RANGE_STEP):
            period = chosen_period(ctx, inp)
            if period is None:
                return [ask_range(ctx)]
            return await self._show(ctx, period, _unit_in_state(ctx))
        if ctx.state.step == DRILL_STEP:
            return await self._next(ctx, inp)
        return await self.begin(ctx, "")

    async def _next(self, ctx: Ctx, inp: Input) -> list[Reply]:
        """After a roll-up: a child unit (drill down), another period of the same unit, or done."""
        value = inp.value or ""
        unit_id = _unit_in_state(ctx)
        if value == DONE_VALUE:
            return await ctx.back_to_menu()
        if value == periods.RANGE:
            return [ask_range(ctx)]
        if value in CURRENT_PERIODS:
            return await self._show(ctx, periods.current(value, ctx.today, ctx.tz), unit_id)
        period = periods.parse_code(str(ctx.state.data.get("period", "")), ctx.tz)
        if value.startswith(UNIT_PREFIX):
            return await self._show(ctx, period, picker.chosen_id(value, UNIT_PREFIX))
        typed = periods.parse_range(inp.text, ctx.tz) if inp.text else None
        if typed is not None:
            return await self._show(ctx, typed, unit_id)
        units = await child_units(ctx.uow, ctx.actor, period, ctx.now, ctx.tz, unit_id)
        if not units or picker.follow(ctx, inp) is not None:
            raise InvalidInput(t.INVALID_CHOICE)
        return [self._ask_drill(ctx, period, units)]

    async def _show(self, ctx: Ctx, period: periods.Period, unit_id: int | None) -> list[Reply]:
        summary = await rollup(ctx.uow, ctx.actor, period, ctx.now, ctx.tz, unit_id)
        detail = None
        if summary.is_cell:
            detail = await ctx.uow.reports.cell_members(summary.unit_id, summary.window, summary.moved)
        replies = [Reply(render_rollup(summary, detail))]
        picture = await chart_attachment(summary)
        if picture is not None:
            caption = rp.CHART_CAPTION.format(unit=summary.unit_name, period=period.label)
            replies.append(Reply(caption, attachment=picture))
        ctx.state.data = {"period": period.to_code(), "unit": summary.unit_id}
        units = [(line.unit_id, line.name) for line in summary.lines]
        return [*replies, self._ask_drill(ctx, period, units)]

    @staticmethod
    def _ask_drill(ctx: Ctx, period: periods.Period, units: list[tuple[int, str]]) -> Reply:
        """A child unit (a page of them, narrowed by typing), another period, or done."""
        options = [picker.Option(name, f"{UNIT_PREFIX}{unit_id}") for unit_id, name in units]
        after = [*other_periods(period), (rp.DRILL_DONE, DONE_VALUE)]
        question = rp.DRILL_ASK if units else rp.OTHER_PERIOD_ASK
        return picker.ask_page(ctx, DRILL_STEP, question, options, after=after, cancel=False)


def _unit_in_state(ctx: Ctx) -> int | None:
    """The unit last shown (re-checked by `rollup` against the actor's scope), if any."""
    unit = ctx.state.data.get("unit")
    return unit if isinstance(unit, int) else None


def other_periods(shown: periods.Period) -> list[tuple[str, str]]:
    """The period choices offered after a roll-up, without the one just shown."""
    return [(label, value) for label, value in period_choices() if value != shown.kind or value == periods.RANGE]
