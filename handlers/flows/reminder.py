"""Answering a reminder: update now, register now, remind me in 1 or 3 days, or "not applicable this month".

The sender puts the member's dialog here (step "respond") when it delivers a reminder with choices, the
reminder's meeting date and kind in the values. `/nhacviec` offers the member's current reminder again.
"""

from __future__ import annotations

from datetime import date

from handlers.catalog import core as t
from handlers.catalog import reminders as rc
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services.reminder_answers import REASON_MAX, REASON_MIN, current_reminder, mark_not_applicable, snooze
from handlers.services.validation import checked_text
from handlers.text import fmt_date

RESPOND = "respond"
REASON = "reason"
SNOOZE_DAYS = {"snooze:1": 1, "snooze:3": 3}


class ReminderFlow:
    name = "reminder"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        found = await current_reminder(ctx.uow, ctx.member, ctx.now, ctx.tz)
        if found is None:
            return await ctx.back_to_menu(Reply(rc.REMINDER_NONE))
        ctx.state.data.update(found.data)
        return [ctx.ask(RESPOND, found.text, list(found.choices))]

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        meeting = self._meeting(ctx)
        if meeting is None or meeting < ctx.today:
            shown = fmt_date(meeting) if meeting else ""
            return await ctx.back_to_menu(Reply(rc.REMINDER_EXPIRED.format(meeting=shown)))
        if ctx.state.step == REASON:
            return await self._save_reason(ctx, meeting, inp)
        return await self._respond(ctx, meeting, inp)

    async def _respond(self, ctx: Ctx, meeting: date, inp: Input) -> list[Reply]:
        value = inp.value
        if value == "progress":
            return await ctx.start("progress")
        if value == "register":
            return await ctx.start("register")
        if value in SNOOZE_DAYS:
            remind_at = await snooze(ctx.uow, ctx.member, meeting, SNOOZE_DAYS[value], ctx.now)
            text = rc.SNOOZED.format(date=fmt_date(ctx.local(remind_at).date()))
            return await ctx.back_to_menu(Reply(text))
        if value == "na":
            return [ctx.ask(REASON, rc.ASK_NA_REASON)]
        reply = ctx.state.current_reply()
        return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]

    async def _save_reason(self, ctx: Ctx, meeting: date, inp: Input) -> list[Reply]:
        reason = checked_text(inp.text, REASON_MIN, REASON_MAX)
        await mark_not_applicable(ctx.uow, ctx.member, meeting, reason, ctx.now)
        return await ctx.back_to_menu(Reply(rc.NA_SAVED.format(reason=reason, meeting=fmt_date(meeting))))

    @staticmethod
    def _meeting(ctx: Ctx) -> date | None:
        raw = ctx.state.data.get("meeting_on")
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            return None
