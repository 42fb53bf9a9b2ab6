"""/hoatdong (/activity, «hoạt động»): a cell's leaders record a contest, seminar or writing contest with its
participants; members see their cell's; committee staff see how many cells held one and how many took part."""

from __future__ import annotations

from datetime import date

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services import activities as ac
from handlers.services.authz import can_summarise
from handlers.services.collective import led_cell
from handlers.services.errors import InvalidInput
from handlers.text import fmt_date, fmt_number
from storage.enums import ActivityKind, UnitKind
from storage.models import Activity

NEW_VALUE, DONE_VALUE, TODAY_VALUE, SAVE_VALUE = "new", "done", "today", "save"


def activity_line(activity: Activity) -> str:
    return cm.ACTIVITY_LINE.format(
        date=fmt_date(activity.held_on),
        kind=cm.ACTIVITY_KIND_LABELS.get(activity.kind, activity.kind),
        title=activity.title,
        participants=fmt_number(activity.participants),
    )


class ActivityFlow:
    name = "activity"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        leads = await led_cell(ctx.uow, ctx.actor) is not None
        if not leads and can_summarise(ctx.actor):
            return await ctx.back_to_menu(await self._committee(ctx))
        cell, recent = await ac.cell_activities(ctx.uow, ctx.actor, ctx.today)
        listing = "\n".join([cm.ACTIVITIES_HEADER.format(cell=cell.name), *map(activity_line, recent)])
        shown = Reply(listing if recent else cm.ACTIVITIES_NONE.format(cell=cell.name))
        if not leads:
            return await ctx.back_to_menu(shown)
        choices = [(cm.ACTIVITY_NEW, NEW_VALUE), (cm.DONE, DONE_VALUE)]
        return [shown, ctx.ask("list", cm.CHOOSE, choices, cancel=False)]

    async def _committee(self, ctx: Ctx) -> Reply:
        found = await ac.committee_activities(ctx.uow, ctx.actor, ctx.now, ctx.tz)
        totals = found.totals
        lines = [
            cm.COMMITTEE_ACTIVITIES.format(
                year=found.year,
                unit=found.unit_name,
                held=totals.cells_active,
                total=found.cells,
                count=totals.activities,
                participants=fmt_number(totals.participants),
            )
        ]
        if found.by_kind:
            kinds = ", ".join(
                cm.COMMITTEE_ACTIVITY_KIND.format(kind=cm.ACTIVITY_KIND_LABELS[kind.value], count=found.by_kind[kind])
                for kind in ActivityKind
                if kind.value in found.by_kind
            )
            lines.append(cm.COMMITTEE_ACTIVITY_KINDS.format(kinds=kinds))
        committees = [line for line in found.lines if line.kind != UnitKind.CELL.value]
        if committees:
            held = sum(1 for line in found.lines if line.honours.activities)
            lines.append(cm.COMMITTEE_ACTIVITY_UNITS.format(held=held, total=len(found.lines)))
        for line in found.lines:
            template = cm.COMMITTEE_ACTIVITY_CELL if line.kind == UnitKind.CELL.value else cm.COMMITTEE_ACTIVITY_UNIT
            lines.append(
                template.format(
                    unit=line.name,
                    held=line.honours.cells_active,
                    total=line.cells,
                    count=line.honours.activities,
                    participants=fmt_number(line.honours.participants),
                )
            )
        return Reply("\n".join(lines))

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step, value = ctx.state.step, inp.value or ""
        data = ctx.state.data
        if step == "list" and value == DONE_VALUE:
            return await ctx.back_to_menu()
        if step == "list" and value == NEW_VALUE:
            await ac.activity_cell(ctx.uow, ctx.actor)  # still a leader of the cell
            choices = [(cm.ACTIVITY_KIND_LABELS[kind.value], kind.value) for kind in ActivityKind]
            return [ctx.ask("kind", cm.ASK_ACTIVITY_KIND, choices)]
        if step == "kind" and value:
            data["kind"] = ac.checked_kind(value).value
            return [ctx.ask("date", cm.ASK_ACTIVITY_DATE, [(cm.TODAY, TODAY_VALUE)])]
        if step == "date":
            held_on = ctx.today if value == TODAY_VALUE else ac.checked_held_on(inp.text, ctx.today)
            data["held_on"] = held_on.isoformat()
            return [ctx.ask("title", cm.ASK_ACTIVITY_TITLE)]
        if step == "title":
            data["title"] = ac.checked_title(inp.text)
            return [ctx.ask("participants", cm.ASK_PARTICIPANTS)]
        if step == "participants":
            data["participants"] = ac.checked_participants(inp.text)
            return [self._confirm(ctx)]
        if step == "confirm" and value == SAVE_VALUE:
            return await self._save(ctx)
        raise InvalidInput(t.INVALID_CHOICE)

    def _confirm(self, ctx: Ctx) -> Reply:
        data = ctx.state.data
        text = cm.CONFIRM_ACTIVITY.format(
            kind=cm.ACTIVITY_KIND_LABELS[data["kind"]],
            title=data["title"],
            date=fmt_date(date.fromisoformat(data["held_on"])),
            participants=fmt_number(int(data["participants"])),
        )
        return ctx.ask("confirm", text, [(cm.SAVE, SAVE_VALUE)])

    async def _save(self, ctx: Ctx) -> list[Reply]:
        data = ctx.state.data
        activity = await ac.record_activity(
            ctx.uow,
            ctx.actor,
            ac.checked_kind(data["kind"]),
            date.fromisoformat(data["held_on"]),
            data["title"],
            int(data["participants"]),
            ctx.today,
            ctx.now,
        )
        done = cm.ACTIVITY_SAVED.format(
            kind=cm.ACTIVITY_KIND_LABELS[activity.kind],
            title=activity.title,
            date=fmt_date(activity.held_on),
            participants=fmt_number(activity.participants),
        )
        return await ctx.back_to_menu(Reply(done))
