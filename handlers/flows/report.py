"""/baocao: the Excel report of the unit a secretary or committee administers, for a period."""

from __future__ import annotations

from handlers.catalog import reports as rp
from handlers.dialog import Ctx, Input
from handlers.flows.summary import ask_period, ask_range, chosen_period
from handlers.messages import Reply
from handlers.services import periods
from handlers.services.authz import can_summarise
from handlers.services.errors import Forbidden
from handlers.services.reports import excel_attachment
from handlers.services.rollup import rollup


class ReportFlow:
    name = "report"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        if not can_summarise(ctx.actor):
            raise Forbidden(rp.REPORT_FORBIDDEN)
        if not arg.strip():
            return [ask_period(ctx)]
        return await self._send(ctx, periods.parse_chat(arg, ctx.today, ctx.tz))

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        period = chosen_period(ctx, inp)
        if period is None:
            return [ask_range(ctx)]
        return await self._send(ctx, period)

    async def _send(self, ctx: Ctx, period: periods.Period) -> list[Reply]:
        summary = await rollup(ctx.uow, ctx.actor, period, ctx.now, ctx.tz)
        attachment = await excel_attachment(ctx.uow, summary, ctx.today, ctx.tz)
        text = rp.REPORT_READY.format(unit=summary.unit_name, period=period.label)
        return await ctx.back_to_menu(Reply(text, attachment=attachment))
