"""/hoctap: members confirm they studied the year's theme; a cell's leaders record a session and who attended;
committee staff see how many cells held one."""

from __future__ import annotations

import re
from datetime import date

from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.dialog import Ctx, Input
from handlers.flows import picker
from handlers.messages import Reply
from handlers.services.authz import can_summarise, cells_in_scope
from handlers.services.collective import led_cell
from handlers.services.errors import InvalidInput
from handlers.services.study import (
    TITLE_MAX,
    TITLE_MIN,
    SessionView,
    cell_roster,
    checked_held_on,
    confirm_attendance,
    default_title,
    my_cell_sessions,
    record_session,
    sessions_for,
    study_stats,
)
from handlers.services.validation import checked_text
from handlers.text import fmt_date, shorten, typed_number

BUTTON_TEXT = 60
MEMBER_BUTTONS_UP_TO = 20  # bigger cells choose from pages of names (handlers/flows/picker.py)
_NUMBERS = re.compile(r"^[\d\s,;.]+$")


def _confirm_choices(views: list[SessionView]) -> list[tuple[str, str]]:
    return [
        (
            shorten(rv.STUDY_CONFIRM_LABEL.format(title=v.title, date=fmt_date(v.held_on)), BUTTON_TEXT),
            f"c{v.session_id}",
        )
        for v in views
        if not v.attended
    ]


class StudyFlow:
    name = "study"

    async def begin(self, ctx: Ctx, arg: str, preface: list[Reply] | None = None) -> list[Reply]:
        before = preface or []
        cell = await led_cell(ctx.uow, ctx.actor)
        if cell is not None:
            views = await sessions_for(ctx.uow, ctx.actor, cell.id, ctx.today)
            lines = [
                rv.STUDY_SESSION_LINE_LEADER.format(date=fmt_date(v.held_on), title=v.title, count=v.attendees)
                for v in views
            ]
            listing = "\n".join([rv.STUDY_SESSIONS_HEADER, *lines]) if views else rv.STUDY_NO_SESSIONS
            choices = [(rv.STUDY_NEW, "new"), *_confirm_choices(views)]
            return [*before, Reply(listing), ctx.ask("list", rv.STUDY_CHOOSE, choices)]
        if can_summarise(ctx.actor):
            return await ctx.back_to_menu(*before, await self._committee(ctx))
        views = await my_cell_sessions(ctx.uow, ctx.actor, ctx.today)
        if not views:
            return await ctx.back_to_menu(*before, Reply(rv.STUDY_NO_SESSIONS))
        lines = [
            rv.STUDY_SESSION_LINE.format(
                date=fmt_date(v.held_on),
                title=v.title,
                status=rv.STUDY_ATTENDED if v.attended else rv.STUDY_NOT_CONFIRMED,
            )
            for v in views
        ]
        sessions = Reply("\n".join([rv.STUDY_SESSIONS_HEADER, *lines]))
        choices = _confirm_choices(views)
        if not choices:
            return await ctx.back_to_menu(*before, sessions)
        return [*before, sessions, ctx.ask("list", rv.STUDY_CHOOSE, choices)]

    async def _committee(self, ctx: Ctx) -> Reply:
        unit, cells = await cells_in_scope(ctx.uow, ctx.actor)
        members, with_session = await study_stats(ctx.uow, [cell.id for cell in cells], ctx.today.year)
        text = rv.STUDY_COMMITTEE.format(
            year=ctx.today.year, unit=unit.name, cells=with_session, total_cells=len(cells), members=members
        )
        return Reply(text)

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step, value = ctx.state.step, inp.value or ""
        if step == "list" and value == "new":
            await cell_roster(ctx.uow, ctx.actor)  # a leader of the cell, still
            return [ctx.ask("date", rv.STUDY_ASK_DATE, [(rv.STUDY_TODAY, "today")])]
        if step == "list" and value.startswith("c") and value[1:].isdecimal():
            session = await confirm_attendance(ctx.uow, ctx.actor, int(value[1:]), ctx.now)
            return await self.begin(ctx, "", [Reply(rv.STUDY_CONFIRMED.format(date=fmt_date(session.held_on)))])
        if step == "date":
            held_on = ctx.today if value == "today" else checked_held_on(inp.text, ctx.today)
            ctx.state.data["held_on"] = held_on.isoformat()
            title = await default_title(ctx.uow, held_on.year)
            choice = (shorten(rv.STUDY_USE_THEME.format(title=title), BUTTON_TEXT), "default")
            return [ctx.ask("title", rv.STUDY_ASK_TITLE, [choice])]
        if step == "title":
            held_on = date.fromisoformat(ctx.state.data["held_on"])
            title = await default_title(ctx.uow, held_on.year) if value == "default" else inp.text
            ctx.state.data["title"] = checked_text(title, TITLE_MIN, TITLE_MAX)
            roster = await cell_roster(ctx.uow, ctx.actor)
            ctx.state.data["roster"] = [m.id for m in roster]
            ctx.state.data["selected"] = []
            return [await self._ask_attendance(ctx)]
        if step == "attendance":
            return await self._on_attendance(ctx, inp)
        reply = ctx.state.current_reply()
        return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]

    async def _ask_attendance(self, ctx: Ctx) -> Reply:
        roster_ids: list[int] = list(ctx.state.data["roster"])
        selected = set(ctx.state.data["selected"])
        members = {m.id: m for m in await cell_roster(ctx.uow, ctx.actor)}
        names = [(member_id, members[member_id].full_name if member_id in members else "") for member_id in roster_ids]
        if len(names) > MEMBER_BUTTONS_UP_TO:
            return self._ask_attendance_paged(ctx, names, selected)
        lines = [
            rv.STUDY_ROSTER_LINE.format(
                number=i, mark=rv.STUDY_MARK_ON if member_id in selected else rv.STUDY_MARK_OFF, name=name
            )
            for i, (member_id, name) in enumerate(names, start=1)
        ]
        text = rv.STUDY_ASK_ATTENDANCE.format(roster="\n".join(lines), count=len(selected), total=len(roster_ids))
        choices = [
            (rv.STUDY_DONE, "done"),
            (rv.STUDY_ALL, "all"),
            (rv.STUDY_NONE, "none"),
            (rv.STUDY_LEAVE_TO_MEMBERS, "leave"),
        ]
        marks = {True: rv.STUDY_MARK_ON, False: rv.STUDY_MARK_OFF}
        choices.extend((f"{marks[member_id in selected]} {name}", f"m{member_id}") for member_id, name in names)
        return ctx.ask("attendance", text, choices, numbered=False)

    @staticmethod
    def _ask_attendance_paged(ctx: Ctx, names: list[tuple[int, str]], selected: set[int]) -> Reply:
        """A big cell: its members a page at a time, each a toggle, narrowed by typing part of a name."""
        marks = {True: rv.STUDY_MARK_ON, False: rv.STUDY_MARK_OFF}
        options = [picker.Option(f"{marks[i in selected]} {name}", f"m{i}", name) for i, name in names]
        after = [(rv.STUDY_DONE, "done"), (rv.STUDY_ALL, "all"), (rv.STUDY_NONE, "none")]
        after.append((rv.STUDY_LEAVE_TO_MEMBERS, "leave"))
        text = rv.STUDY_ASK_ATTENDANCE_PAGED.format(count=len(selected), total=len(names))
        return picker.ask_page(ctx, "attendance", text, options, after=after)

    async def _on_attendance(self, ctx: Ctx, inp: Input) -> list[Reply]:
        data = ctx.state.data
        roster_ids: list[int] = list(data["roster"])
        selected = set(data["selected"])
        value = inp.value or ""
        if value in ("done", "leave"):
            return await self._save(ctx, [] if value == "leave" else sorted(selected))
        if value == "all":
            selected = set(roster_ids)
        elif value == "none":
            selected = set()
        elif value.startswith("m"):
            selected ^= {picker.chosen_id(value, "m")}
        elif len(roster_ids) > MEMBER_BUTTONS_UP_TO:  # a page moved or the names were narrowed
            picker.follow(ctx, inp)
        elif inp.text and _NUMBERS.match(inp.text):
            for number in (typed_number(n) for n in re.findall(r"\d+", inp.text)):
                if number is None or not 1 <= number <= len(roster_ids):
                    raise InvalidInput(rv.STUDY_NUMBER_INVALID.format(total=len(roster_ids)))
                selected ^= {roster_ids[number - 1]}
        else:
            raise InvalidInput(t.INVALID_CHOICE)
        data["selected"] = sorted(selected & set(roster_ids))
        return [await self._ask_attendance(ctx)]

    async def _save(self, ctx: Ctx, attendees: list[int]) -> list[Reply]:
        data = ctx.state.data
        held_on = date.fromisoformat(data["held_on"])
        session = await record_session(ctx.uow, ctx.actor, held_on, data["title"], attendees, ctx.today, ctx.now)
        day = fmt_date(session.held_on)
        if attendees:
            text = rv.STUDY_SAVED.format(date=day, title=session.title, count=len(attendees))
        else:
            text = rv.STUDY_SAVED_OPEN.format(date=day, title=session.title)
        return await ctx.back_to_menu(Reply(text))
