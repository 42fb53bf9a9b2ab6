"""/tudanhgia: each member assesses each commitment of the year (with cause and remedy when not done) and gets
their year record; leaders and committee staff first see the distribution per cell."""

from __future__ import annotations

from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services.authz import can_summarise
from handlers.services.errors import UserError
from handlers.services.self_assessment import (
    CAUSE_MIN,
    CellDistribution,
    assessable,
    assessable_commitment,
    checked_result,
    distribution,
    ensure_open,
    result_label,
    save_assessment,
    year_record,
)
from handlers.services.validation import NOTE_MAX, checked_text
from handlers.text import fmt_date, shorten
from storage.enums import AssessmentResult

BUTTON_TEXT = 60
RESULT_CHOICES = [(label, value) for value, label in rv.RESULT_LABELS.items()]


def render_distribution(year: int, unit_name: str, lines: list[CellDistribution]) -> str:
    out = [rv.DISTRIBUTION_HEADER.format(year=year, unit=unit_name)]
    out.extend(
        rv.DISTRIBUTION_LINE.format(
            cell=line.cell_name, done=line.done, partial=line.partial, not_done=line.not_done, missing=line.missing
        )
        for line in lines
    )
    if len(lines) > 1:
        out.append(
            rv.DISTRIBUTION_TOTAL.format(
                done=sum(line.done for line in lines),
                partial=sum(line.partial for line in lines),
                not_done=sum(line.not_done for line in lines),
                missing=sum(line.missing for line in lines),
            )
        )
    return "\n".join(out)


class SelfAssessmentFlow:
    name = "self_assessment"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        before: list[Reply] = []
        if can_summarise(ctx.actor):
            unit_name, lines = await distribution(ctx.uow, ctx.actor, ctx.today.year)
            before.append(Reply(render_distribution(ctx.today.year, unit_name, lines)))
        try:
            await ensure_open(ctx.uow, ctx.today)
        except UserError as closed:
            if not before:
                raise
            return await ctx.back_to_menu(*before, Reply(closed.message))
        return await self._list(ctx, before)

    async def _list(self, ctx: Ctx, before: list[Reply]) -> list[Reply]:
        year = ctx.today.year
        items = await assessable(ctx.uow, ctx.actor, year)
        if not items:
            return await ctx.back_to_menu(*before, Reply(rv.ASSESS_NOTHING.format(year=year)))
        lines = [
            rv.ASSESS_LIST_LINE.format(
                number=i,
                content=shorten(c.content, 120),
                percent=c.percent,
                result=result_label(a.result) if a else rv.ASSESS_NOT_DONE_YET,
            )
            for i, (c, a) in enumerate(items, start=1)
        ]
        listing = "\n".join([rv.ASSESS_LIST_HEADER.format(year=year), *lines])
        choices = [(shorten(c.content, BUTTON_TEXT), str(c.id)) for c, _ in items]
        choices.append((rv.ASSESS_VIEW_RECORD, "record"))
        ctx.state.data.clear()
        return [*before, Reply(listing), ctx.ask("list", rv.ASSESS_CHOOSE, choices)]

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step, value, data = ctx.state.step, inp.value, ctx.state.data
        if step == "list" and value == "record":
            record = await year_record(ctx.uow, ctx.actor, ctx.today.year, ctx.tz)
            return [Reply(rv.RECORD_INTRO), Reply(record), *await self._list(ctx, [])]
        if step == "list" and value and value.isdecimal():
            return await self._ask_result(ctx, int(value))
        if step == "result":
            verdict = checked_result(value)
            data["result"] = verdict.value
            if verdict is AssessmentResult.DONE:
                return await self._save(ctx)
            return [ctx.ask("cause", rv.ASSESS_ASK_CAUSE)]
        if step == "cause":
            data["cause"] = checked_text(inp.text, CAUSE_MIN, NOTE_MAX)
            return [ctx.ask("remedy", rv.ASSESS_ASK_REMEDY)]
        if step == "remedy":
            data["remedy"] = checked_text(inp.text, CAUSE_MIN, NOTE_MAX)
            return await self._save(ctx)
        reply = ctx.state.current_reply()
        return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]

    async def _ask_result(self, ctx: Ctx, commitment_id: int) -> list[Reply]:
        await ensure_open(ctx.uow, ctx.today)
        c = await assessable_commitment(ctx.uow, ctx.actor, commitment_id, ctx.today)
        ctx.state.data["commitment_id"] = c.id
        text = rv.ASSESS_ASK_RESULT.format(content=c.content, deadline=fmt_date(c.deadline), percent=c.percent)
        return [ctx.ask("result", text, RESULT_CHOICES)]

    async def _save(self, ctx: Ctx) -> list[Reply]:
        data = ctx.state.data
        saved = await save_assessment(
            ctx.uow,
            ctx.actor,
            int(data["commitment_id"]),
            str(data["result"]),
            data.get("cause"),
            data.get("remedy"),
            ctx.today,
            ctx.now,
        )
        return await self._list(ctx, [Reply(rv.ASSESS_SAVED.format(result=result_label(saved.result)))])
