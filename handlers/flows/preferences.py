"""/nhacnho: when reminders come (preferred hour, quiet hours), a pause until a date, and resuming.

A secretary or deputy may also pause reminders for a member of their cell (illness, long leave).
"""

from __future__ import annotations

from handlers.catalog import core as t
from handlers.catalog import reminders as rc
from handlers.dialog import Ctx, Input
from handlers.flows import picker
from handlers.messages import Reply
from handlers.services import preferences as prefs
from handlers.services.errors import InvalidInput
from handlers.text import fmt_date
from storage.repo_members import MemberName

HOUR_CHOICES = [("07:00", "7"), ("08:00", "8"), ("12:00", "12"), ("19:00", "19")]
QUIET_CHOICES = [("21:00–07:00", "21-7"), ("22:00–06:00", "22-6"), ("20:00–07:00", "20-7")]


class PreferencesFlow:
    name = "preferences"

    async def begin(self, ctx: Ctx, arg: str, preface: str | None = None) -> list[Reply]:
        member = ctx.member
        choices = [(rc.PREFS_HOUR, "hour"), (rc.PREFS_QUIET, "quiet"), (rc.PREFS_PAUSE, "pause")]
        if member.paused_until is not None and member.paused_until >= ctx.today:
            choices.append((rc.PREFS_RESUME, "resume"))
        if ctx.actor.role.leads_cell and ctx.actor.scope_unit_id is not None:
            choices.append((rc.PREFS_PAUSE_MEMBER, "pause_member"))
        choices.append((rc.PREFS_DONE, "done"))
        summary = rc.PREFS_SUMMARY.format(
            hour=prefs.hour_text(member.remind_hour) if member.remind_hour is not None else rc.PREFS_HOUR_DEFAULT,
            quiet=prefs.quiet_text(member.quiet_from, member.quiet_to),
            pause=await self._pause_text(ctx),
        )
        head = [Reply(preface)] if preface else []
        return [*head, Reply(summary), ctx.ask("main", rc.PREFS_ASK, choices, cancel=False)]

    async def _pause_text(self, ctx: Ctx) -> str:
        member = ctx.member
        if member.paused_until is None or member.paused_until < ctx.today:
            return rc.PREFS_NOT_PAUSED
        until = fmt_date(member.paused_until)
        if member.paused_by_member_id not in (None, member.id):
            by = await ctx.uow.members.get(member.paused_by_member_id or 0)
            if by is not None:
                return rc.PREFS_PAUSED_BY.format(date=until, name=by.full_name)
        return rc.PREFS_PAUSED.format(date=until)

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step = ctx.state.step
        if step == "main":
            return await self._on_main(ctx, inp.value)
        if step == "hour":
            hour = await prefs.set_hour(ctx.uow, ctx.member, inp.value or inp.text, ctx.now)
            return await self.begin(ctx, "", rc.HOUR_SAVED.format(hour=prefs.hour_text(hour)))
        if step == "quiet":
            start, end = await prefs.set_quiet_hours(ctx.uow, ctx.member, inp.value or inp.text, ctx.now)
            return await self.begin(ctx, "", rc.QUIET_SAVED.format(quiet=prefs.quiet_text(start, end)))
        if step == "pause":
            until = await prefs.pause_self(ctx.uow, ctx.member, inp.text, ctx.today, ctx.now)
            return await self.begin(ctx, "", rc.PAUSE_SAVED.format(date=fmt_date(until)))
        if step == "member":
            return await self._on_member(ctx, inp)
        if step == "member_until":
            member, until = await prefs.pause_member(
                ctx.uow, ctx.actor, int(ctx.state.data["member_id"]), inp.text, ctx.today, ctx.now
            )
            text = rc.PAUSE_MEMBER_SAVED.format(name=member.full_name, date=fmt_date(until))
            return await self.begin(ctx, "", text)
        reply = ctx.state.current_reply()
        return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]

    async def _on_main(self, ctx: Ctx, value: str | None) -> list[Reply]:
        if value == "hour":
            return [ctx.ask("hour", rc.ASK_HOUR, HOUR_CHOICES, numbered=False)]
        if value == "quiet":
            return [ctx.ask("quiet", rc.ASK_QUIET, QUIET_CHOICES, numbered=False)]
        if value == "pause":
            return [ctx.ask("pause", rc.ASK_PAUSE_UNTIL)]
        if value == "resume":
            await prefs.resume(ctx.uow, ctx.member, ctx.now)
            return await self.begin(ctx, "", rc.RESUMED)
        if value == "pause_member":
            members = await prefs.members_a_leader_may_pause(ctx.uow, ctx.actor)
            if not members:
                return await self.begin(ctx, "", rc.PAUSE_MEMBER_NO_ONE)
            return [self._ask_member(ctx, members)]
        if value == "done":
            return await ctx.back_to_menu()
        raise InvalidInput(t.INVALID_CHOICE)  # typed text that is none of the choices: the same question again

    @staticmethod
    def _ask_member(ctx: Ctx, members: list[MemberName]) -> Reply:
        options = [picker.Option(m.full_name, str(m.id), f"{m.full_name} {m.code}") for m in members]
        return picker.ask_page(ctx, "member", rc.ASK_WHICH_MEMBER, options)

    async def _on_member(self, ctx: Ctx, inp: Input) -> list[Reply]:
        chosen = picker.follow(ctx, inp)
        if chosen is None:
            return [self._ask_member(ctx, await prefs.members_a_leader_may_pause(ctx.uow, ctx.actor))]
        return await self._ask_member_date(ctx, picker.chosen_id(chosen))

    async def _ask_member_date(self, ctx: Ctx, member_id: int) -> list[Reply]:
        allowed = {m.id: m for m in await prefs.members_a_leader_may_pause(ctx.uow, ctx.actor)}
        member = allowed.get(member_id)
        if member is None:
            reply = ctx.state.current_reply()
            return [Reply(rc.PAUSE_MEMBER_FORBIDDEN), *([reply] if reply else [])]
        picker.reset(ctx)
        ctx.state.data["member_id"] = member.id
        return [ctx.ask("member_until", rc.ASK_MEMBER_PAUSE_UNTIL.format(name=member.full_name))]
