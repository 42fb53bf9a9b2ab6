"""/thongbao: write an announcement to one's cell or a unit of one's subtree, preview it, confirm, send.

Steps: unit (only when the actor may address several) -> text -> confirm. The unit is re-checked against
the org tree at every step; the text is sent as plain text (HTML is shown, not interpreted).
"""

from __future__ import annotations

from handlers.catalog import core as t
from handlers.catalog import deliveries as d
from handlers.dialog import Ctx, Input
from handlers.flows import picker
from handlers.messages import Reply
from handlers.services.announcements import (
    ANNOUNCEMENT_MAX,
    announce_units,
    audience,
    checked_announcement,
    checked_unit,
    may_announce,
    recent_announcements,
    send_announcement,
)
from handlers.services.errors import InvalidInput
from handlers.text import fmt_date, shorten

EXCERPT = 40


class AnnounceFlow:
    name = "announce"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        if not may_announce(ctx.actor):
            return await ctx.back_to_menu(Reply(d.ANNOUNCE_FORBIDDEN))
        units = await announce_units(ctx.uow, ctx.actor)
        recent = await self._recent(ctx)
        if len(units) == 1:
            return [*recent, *await self._ask_text(ctx, units[0].id)]
        return [*recent, await self._ask_unit(ctx)]

    @staticmethod
    async def _ask_unit(ctx: Ctx) -> Reply:
        """A province has thousands of units: a page at a time, narrowed by typing part of a name."""
        options = [picker.Option(unit.name, str(unit.id)) for unit in await announce_units(ctx.uow, ctx.actor)]
        return picker.ask_page(ctx, "unit", d.ANNOUNCE_CHOOSE_UNIT, options)

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step, data = ctx.state.step, ctx.state.data
        if step == "unit":
            chosen = picker.follow(ctx, inp)
            if chosen is None:
                return [await self._ask_unit(ctx)]
            picker.reset(ctx)
            return await self._ask_text(ctx, picker.chosen_id(chosen))
        if step == "text" and not inp.value:
            data["text"] = checked_announcement(inp.text)
            return await self._preview(ctx)
        if step == "confirm" and inp.value == "edit":
            return await self._ask_text(ctx, int(data["unit_id"]))
        if step == "confirm" and inp.value == "send":
            return await self._send(ctx)
        raise InvalidInput(t.INVALID_CHOICE)

    async def _recent(self, ctx: Ctx) -> list[Reply]:
        sent = await recent_announcements(ctx.uow, ctx.actor)
        if not sent:
            return []
        lines = [d.ANNOUNCE_RECENT_HEADER]
        for item in sent:
            c = item.counts
            lines.append(
                d.ANNOUNCE_RECENT_LINE.format(
                    number=item.broadcast.id,
                    date=fmt_date(ctx.local(item.broadcast.created_at).date()),
                    unit=item.unit_name,
                    excerpt=shorten(item.broadcast.text or "", EXCERPT),
                    sent=c.sent,
                    blocked=c.blocked,
                    failed=c.failed,
                    unknown=c.unknown,
                    pending=c.open,
                    skipped=c.skipped,
                    resent=c.resent,
                )
            )
        return [Reply("\n".join(lines))]

    async def _ask_text(self, ctx: Ctx, unit_id: int) -> list[Reply]:
        target = await audience(ctx.uow, ctx.actor, unit_id, ctx.now, ctx.tz)
        ctx.state.data["unit_id"] = target.unit.id
        text = d.ANNOUNCE_ASK_TEXT.format(unit=target.unit.name, count=len(target.members), maximum=ANNOUNCEMENT_MAX)
        return [ctx.ask("text", text)]

    async def _preview(self, ctx: Ctx) -> list[Reply]:
        data = ctx.state.data
        target = await audience(ctx.uow, ctx.actor, int(data["unit_id"]), ctx.now, ctx.tz)
        if not target.members:
            return await ctx.back_to_menu(Reply(d.ANNOUNCE_NOBODY))
        text = d.ANNOUNCE_PREVIEW.format(
            unit=target.unit.name, text=data["text"], count=len(target.members), reachable=target.reachable
        )
        return [ctx.ask("confirm", text, [(d.ANNOUNCE_SEND, "send"), (d.ANNOUNCE_EDIT, "edit")])]

    async def _send(self, ctx: Ctx) -> list[Reply]:
        data = ctx.state.data
        await checked_unit(ctx.uow, ctx.actor, int(data["unit_id"]))
        broadcast, queued = await send_announcement(
            ctx.uow, ctx.actor, int(data["unit_id"]), str(data["text"]), ctx.now, ctx.tz
        )
        return await ctx.back_to_menu(Reply(d.ANNOUNCE_QUEUED.format(queued=queued, number=broadcast.id)))
