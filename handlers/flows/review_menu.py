"""What the main menu adds in season: returned registrations on top, the self-assessment while it is open,
and a study session still to confirm. One query finds out whether there is any (the menu is shown after
almost every step, so it must stay cheap)."""

from __future__ import annotations

from datetime import timedelta

from handlers.catalog import review as rv
from handlers.dialog import Ctx
from handlers.messages import Reply
from handlers.services.review import returned_notice_text, returned_registrations
from handlers.services.study import RECENT_DAYS, RECENT_LIMIT


async def seasonal_menu(ctx: Ctx) -> tuple[list[Reply], list[tuple[str, str]]]:
    """(notices to show before the menu, extra menu choices)."""
    today = ctx.today
    since = today - timedelta(days=RECENT_DAYS)
    returned, assessment_from, unconfirmed = await ctx.uow.review.menu_hints(
        ctx.actor.member_id, ctx.actor.cell_id, today.year, since, RECENT_LIMIT
    )
    notices = []
    if returned:
        notices.append(Reply(returned_notice_text(await returned_registrations(ctx.uow, ctx.actor))))
    choices: list[tuple[str, str]] = []
    if assessment_from is not None and today >= assessment_from:
        choices.append((rv.MENU_SELF_ASSESS, "self_assessment"))
    if unconfirmed:
        choices.append((rv.MENU_STUDY, "study"))
    return notices, choices
