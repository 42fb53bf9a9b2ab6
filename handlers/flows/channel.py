"""/kenh: a member with accounts on several platforms chooses where the bot's own messages go."""

from __future__ import annotations

from handlers.catalog import channels as c
from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services.channels import linked_platforms, set_preferred_platform

LAST_USED = "last"


def _where(platform: str | None) -> str:
    return c.PLATFORM_NAMES.get(platform, platform) if platform else c.CHANNEL_CURRENT_LAST


class ChannelFlow:
    name = "channel"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        platforms = await linked_platforms(ctx.uow, ctx.actor)
        linked = ", ".join(c.PLATFORM_NAMES[p] for p in platforms) or c.PLATFORM_NAMES["console"]
        if len(platforms) < 2:
            return await ctx.back_to_menu(Reply(c.CHANNEL_ONLY_ONE.format(linked=linked)))
        choices = [(c.CHANNEL_LAST_USED, LAST_USED), *((c.PLATFORM_NAMES[p], p) for p in platforms)]
        text = c.CHANNEL_ASK.format(current=_where(ctx.member.preferred_platform), linked=linked)
        return [ctx.ask("choose", text, choices)]

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        if ctx.state.step == "choose" and inp.value is not None:
            platform = None if inp.value == LAST_USED else inp.value
            await set_preferred_platform(ctx.uow, ctx.actor, platform, ctx.now)
            ctx.member.preferred_platform = platform
            return await ctx.back_to_menu(Reply(c.CHANNEL_SAVED.format(where=_where(platform))))
        reply = ctx.state.current_reply()
        return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]
