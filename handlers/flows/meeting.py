"""/lichhop: the cell's monthly meeting day. A secretary or deputy sets it; everyone else sees it.

Members see their cell's next meeting; committee staff see every cell of their subtree (they do not set).
"""

from __future__ import annotations

from datetime import timedelta

from handlers.catalog import core as t
from handlers.catalog import reminders as rc
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services import schedules as s
from handlers.services.authz import can_summarise, scope_unit
from handlers.text import fmt_date

RULE_CHOICES = [(rc.MEETING_BY_MONTHDAY, "monthday"), (rc.MEETING_BY_WEEKDAY, "weekday")]
WEEKDAY_CHOICES = [(name[:1].upper() + name[1:], str(i)) for i, name in enumerate(rc.WEEKDAY_NAMES)]
WEEK_CHOICES = [(name[:1].upper() + name[1:], str(week)) for week, name in rc.WEEK_NAMES.items()]
SHOWN = 3


class MeetingFlow:
    name = "meeting"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        if not ctx.actor.role.leads_cell:
            return await ctx.back_to_menu(Reply(await self._view(ctx)))
        cell = await s.own_cell(ctx.uow, ctx.actor)
        typed = s.parse_rule(arg) if arg else None
        if typed is not None:
            return [self._confirm(ctx, typed)]
        replies = []
        schedule = await ctx.uow.reminders.schedule_of(cell.id)
        if schedule is not None and schedule.active:
            dates = s.next_meetings(schedule, ctx.today - timedelta(days=1), SHOWN)
            text = rc.MEETING_CURRENT.format(cell=cell.name, rule=s.describe(schedule), dates=s.dates_text(dates))
            replies.append(Reply(text))
        replies.append(ctx.ask("rule", rc.MEETING_ASK_RULE, RULE_CHOICES))
        return replies

    async def _view(self, ctx: Ctx) -> str:
        meetings = await s.meetings_in_view(ctx.uow, ctx.actor, ctx.today)
        if not meetings:
            return rc.MEETING_NO_CELL
        if not can_summarise(ctx.actor):
            only = meetings[0]
            if only.schedule is None:
                return rc.MEETING_NONE.format(cell=only.cell.name)
            nxt = fmt_date(only.upcoming[0])
            return rc.MEETING_OF_CELL.format(cell=only.cell.name, rule=s.describe(only.schedule), next=nxt)
        unit = await scope_unit(ctx.uow, ctx.actor)
        lines = [rc.MEETING_COMMITTEE_HEADER.format(unit=unit.name)]
        for meeting in meetings:
            if meeting.schedule is None:
                lines.append(rc.MEETING_COMMITTEE_UNSET.format(cell=meeting.cell.name))
            else:
                nxt = fmt_date(meeting.upcoming[0])
                rule = s.describe(meeting.schedule)
                lines.append(rc.MEETING_COMMITTEE_LINE.format(cell=meeting.cell.name, rule=rule, next=nxt))
        return "\n".join(lines)

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step, value = ctx.state.step, inp.value
        if step == "rule":
            return self._on_rule(ctx, inp)
        if step == "day":
            return [self._confirm(ctx, s.Rule(s.MONTHDAY, day=s.checked_day(inp.text)))]
        if step == "weekday":
            return self._on_weekday(ctx, inp)
        if step == "week" and value in {v for _, v in WEEK_CHOICES}:
            rule = s.Rule(s.WEEKDAY, weekday=int(ctx.state.data["weekday"]), week=int(value))
            return [self._confirm(ctx, rule)]
        if step == "confirm":
            return await self._on_confirm(ctx, value)
        reply = ctx.state.current_reply()
        return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]

    def _on_weekday(self, ctx: Ctx, inp: Input) -> list[Reply]:
        # Typed digits are Vietnamese day numbers ("6" is thứ Sáu), not choice numbers: the step is unnumbered.
        weekday = int(inp.value) if inp.value and inp.value.isdecimal() else s.parse_weekday(inp.text)
        if weekday is None or not 0 <= weekday <= 6:
            reply = ctx.state.current_reply()
            return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]
        ctx.state.data["weekday"] = weekday
        name = rc.WEEKDAY_NAMES[weekday]
        return [ctx.ask("week", rc.MEETING_ASK_WEEK.format(weekday=name), WEEK_CHOICES)]

    def _on_rule(self, ctx: Ctx, inp: Input) -> list[Reply]:
        if inp.value == "monthday":
            return [ctx.ask("day", rc.MEETING_ASK_DAY)]
        if inp.value == "weekday":
            return [ctx.ask("weekday", rc.MEETING_ASK_WEEKDAY, WEEKDAY_CHOICES, numbered=False)]
        rule = s.parse_rule(inp.text)
        if rule is None:
            reply = ctx.state.current_reply()
            unknown = rc.MEETING_RULE_UNKNOWN.format(text=inp.text[:50])
            return [Reply(unknown), *([reply] if reply else [])]
        return [self._confirm(ctx, rule)]

    def _confirm(self, ctx: Ctx, rule: s.Rule) -> Reply:
        ctx.state.data["rule"] = {"rule": rule.rule, "day": rule.day, "weekday": rule.weekday, "week": rule.week}
        dates = s.next_meetings(rule, ctx.today - timedelta(days=1), SHOWN)
        text = rc.MEETING_CONFIRM.format(rule=s.describe(rule), dates=s.dates_text(dates))
        return ctx.ask("confirm", text, [(t.CONFIRM, "confirm"), (rc.MEETING_RECHOOSE, "again")])

    async def _on_confirm(self, ctx: Ctx, value: str | None) -> list[Reply]:
        if value == "again":
            return [ctx.ask("rule", rc.MEETING_ASK_RULE, RULE_CHOICES)]
        if value != "confirm":
            reply = ctx.state.current_reply()
            return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]
        raw = ctx.state.data["rule"]
        rule = s.Rule(raw["rule"], raw.get("day"), raw.get("weekday"), raw.get("week"))
        cell, schedule = await s.set_schedule(ctx.uow, ctx.actor, rule, ctx.now)
        text = rc.MEETING_SAVED.format(
            cell=cell.name,
            rule=s.describe(schedule),
            remind=schedule.remind_days_before or 3,
            digest=schedule.digest_days_before or 1,
        )
        return await ctx.back_to_menu(Reply(text))
