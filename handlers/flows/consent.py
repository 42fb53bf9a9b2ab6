"""First use: the personal-data notice and the member's explicit answer."""

from __future__ import annotations

from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services.linking import decline_consent, give_consent

DECLINED_STEP = "declined"


class ConsentFlow:
    name = "consent"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        choices = [(t.CONSENT_YES, "yes"), (t.CONSENT_NO, "no")]
        return [ctx.ask("ask", t.CONSENT_NOTICE, choices, cancel=False)]

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        if inp.value == "yes":
            await give_consent(ctx.uow, ctx.member, ctx.now)
            when = ctx.local(ctx.now).strftime("%H:%M %d/%m/%Y")
            return await ctx.back_to_menu(Reply(t.CONSENT_GIVEN.format(time=when)))
        if inp.value == "no":
            await decline_consent(ctx.uow, ctx.member, ctx.now)
            ctx.finish()
            ctx.state.flow, ctx.state.step = self.name, DECLINED_STEP
            return [Reply(t.CONSENT_DECLINED)]
        reply = ctx.state.current_reply()
        return [Reply(t.CONSENT_REQUIRED), *([reply] if reply else [])]
