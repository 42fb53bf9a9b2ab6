"""The main menu (what this member's role can do) and the help text."""

from __future__ import annotations

from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.flows.review_menu import seasonal_menu
from handlers.messages import Reply
from handlers.services.authz import Actor, can_summarise


def menu_choices(actor: Actor) -> list[tuple[str, str]]:
    """A member's everyday actions only (short for a small phone); a leader's everyday ones after them.
    Everything else is reached by its command, listed in the help."""
    choices = [
        (t.MENU_REGISTER, "register"),
        (t.MENU_PROGRESS, "progress"),
        (t.MENU_PLEDGES, "pledges"),
    ]
    if can_summarise(actor):
        choices.extend(leader_choices(actor))
    choices.append((t.MENU_HELP, "help"))
    return choices


def leader_choices(actor: Actor) -> list[tuple[str, str]]:
    if actor.role.leads_cell:
        return [(t.MENU_SUMMARY, "summary"), (t.MENU_REVIEW, "review"), (t.MENU_ANNOUNCE, "announce")]
    return [(t.MENU_SUMMARY, "summary"), (t.MENU_REPORT, "report"), (t.MENU_ANNOUNCE, "announce")]


def help_text(actor: Actor) -> str:
    text = t.HELP_MEMBER
    if can_summarise(actor):
        text += t.HELP_SECRETARY if actor.role.leads_cell else t.HELP_COMMITTEE
    return text + t.HELP_ROLE.format(role=t.ROLE_NAMES[actor.role.value])


class MenuFlow:
    name = "menu"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        notices, seasonal = await seasonal_menu(ctx)
        choices = menu_choices(ctx.actor)
        choices[-1:-1] = seasonal  # before the help entry
        return [*notices, ctx.ask("main", t.MENU_PROMPT, choices, cancel=False)]

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        if inp.value and inp.value in ctx.flows:
            return await ctx.start(inp.value)
        return await self.begin(ctx, "")


class HelpFlow:
    name = "help"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        return await ctx.back_to_menu(Reply(help_text(ctx.actor)))

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        return await self.begin(ctx, "")
