"""What the main menu adds in season: returned registrations on top, the self-assessment while it is open,
and a study session still to confirm."""

from __future__ import annotations

from handlers.catalog import review as r
from handlers.dialog import Ctx
from handlers.messages import Reply
from handlers.services.review import returned_notice_text, returned_registrations
from handlers.services.self_assessment import is_open
from handlers.services.study import unconfirmed_count


async def seasonal_menu(ctx: Ctx) -> tuple[list[Reply], list[tuple[str, str]]]:
    """(notices to show before the menu, extra menu choices)."""
    returned = await returned_registrations(ctx.uow, ctx.actor)
    notices = [Reply(returned_notice_text(returned))] if returned else []
    choices: list[tuple[str, str]] = []
    if await is_open(ctx.uow, ctx.today):
        choices.append((r.MENU_SELF_ASSESS, "self_assessment"))
    if await unconfirmed_count(ctx.uow, ctx.actor, ctx.today):
        choices.append((r.MENU_STUDY, "study"))
    return notices, choices
