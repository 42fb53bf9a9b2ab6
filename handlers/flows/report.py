"""/baocao: the report of the unit a secretary or committee administers, for a period: the Excel workbook of
figures, or the draft report the committee signs (Word). `/baocao` asks which, then the period;
`/baocao nam` is the Excel of this year, `/baocao word quy` the draft of this quarter."""

from __future__ import annotations

from handlers.catalog import core as t
from handlers.catalog import document as dc
from handlers.catalog import reports as rp
from handlers.dialog import Ctx, Input
from handlers.flows.summary import ask_period, ask_range, chosen_period
from handlers.messages import Reply
from handlers.services import periods
from handlers.services.authz import can_summarise
from handlers.services.errors import Forbidden, InvalidInput
from handlers.services.report_doc import docx_attachment
from handlers.services.reports import excel_attachment
from handlers.services.rollup import rollup
from handlers.text import fold

FORMAT_STEP, XLSX, DOCX = "format", "xlsx", "docx"


class ReportFlow:
    name = "report"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        if not can_summarise(ctx.actor):
            raise Forbidden(rp.REPORT_FORBIDDEN)
        first, _, rest = arg.strip().partition(" ")
        kind = dc.FORMAT_WORDS.get(fold(first))
        if kind is None:
            rest = arg
            if not arg.strip():
                choices = [(dc.FORMAT_XLSX, XLSX), (dc.FORMAT_DOCX, DOCX)]
                return [ctx.ask(FORMAT_STEP, dc.ASK_FORMAT, choices)]
        ctx.state.data["format"] = kind or XLSX
        if not rest.strip():
            return [ask_period(ctx)]
        return await self._send(ctx, periods.parse_chat(rest, ctx.today, ctx.tz))

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        if ctx.state.step == FORMAT_STEP:
            if inp.value not in (XLSX, DOCX):
                raise InvalidInput(t.INVALID_CHOICE)
            ctx.state.data["format"] = inp.value
            return [ask_period(ctx)]
        period = chosen_period(ctx, inp)
        if period is None:
            return [ask_range(ctx)]
        return await self._send(ctx, period)

    async def _send(self, ctx: Ctx, period: periods.Period) -> list[Reply]:
        summary = await rollup(ctx.uow, ctx.actor, period, ctx.now, ctx.tz)
        if ctx.state.data.get("format") == DOCX:
            attachment = await docx_attachment(ctx.uow, summary, ctx.today, ctx.tz)
            text = dc.DOCX_READY.format(unit=summary.unit_name, period=period.label)
        else:
            attachment = await excel_attachment(ctx.uow, summary, ctx.today, ctx.tz)
            text = rp.REPORT_READY.format(unit=summary.unit_name, period=period.label)
        return await ctx.back_to_menu(Reply(text, attachment=attachment))
