"""/web (/trangweb, «trang web» on Zalo): a leader's personal link to the web dashboard, valid 10 minutes, once."""

from __future__ import annotations

from handlers.catalog import web as w
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services.authz import can_summarise
from handlers.services.web_access import LOGIN_TTL, issue_login


class WebFlow:
    name = "web"

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        if not can_summarise(ctx.actor):
            return await ctx.back_to_menu(Reply(w.WEB_FOR_LEADERS))
        if self.base_url is None:
            return await ctx.back_to_menu(Reply(w.WEB_NOT_CONFIGURED))
        token = await issue_login(ctx.uow, ctx.actor, ctx.now)
        minutes = int(LOGIN_TTL.total_seconds() // 60)
        return await ctx.back_to_menu(Reply(w.WEB_LINK.format(url=f"{self.base_url}/login/{token}", minutes=minutes)))

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        return await self.begin(ctx, "")
