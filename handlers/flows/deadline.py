"""The deadline question, shared by registering and editing a commitment."""

from __future__ import annotations

from datetime import date

from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services.validation import checked_deadline, checked_deadline_value, end_of_quarter, end_of_year
from handlers.text import fmt_date, fold


def ask_deadline(ctx: Ctx, step: str, text: str = t.ASK_DEADLINE) -> Reply:
    quarter, year = end_of_quarter(ctx.today), end_of_year(ctx.today)
    choices = [(t.DEADLINE_QUARTER.format(date=fmt_date(quarter)), "quarter")]
    if year != quarter:
        choices.append((t.DEADLINE_YEAR.format(date=fmt_date(year)), "year"))
    return ctx.ask(step, text, choices)


def read_deadline(ctx: Ctx, inp: Input) -> date:
    """The chosen or typed deadline; raises InvalidInput for 31/02, a past date, or nonsense."""
    words = fold(inp.text)
    if inp.value == "quarter" or words in ("cuoi quy", "cuoi quy nay"):
        return checked_deadline_value(end_of_quarter(ctx.today), ctx.today)
    if inp.value == "year" or words in ("cuoi nam", "cuoi nam nay"):
        return checked_deadline_value(end_of_year(ctx.today), ctx.today)
    return checked_deadline(inp.text, ctx.today)
