"""/capnhat: log progress on one of one's commitments (choose, percent, optional note)."""

from __future__ import annotations

from handlers.catalog import channels as c
from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.flows.pledges import labelled
from handlers.messages import Reply
from handlers.services.authz import own_active_commitment
from handlers.services.commitments import list_commitments, log_progress
from handlers.services.evidence import attach_evidence
from handlers.services.validation import NOTE_MAX, checked_percent, checked_text
from handlers.text import shorten, typed_number

PERCENT_CHOICES = [("25%", "25"), ("50%", "50"), ("75%", "75"), ("100%", "100")]
BUTTON_TEXT = 60


class ProgressFlow:
    name = "progress"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        commitments = await list_commitments(ctx.uow, ctx.actor)
        typed = typed_number(arg)
        if typed is not None:
            return await self._ask_percent(ctx, typed)
        if not commitments:
            return await ctx.back_to_menu(Reply(t.NO_COMMITMENTS))
        if len(commitments) == 1:
            return await self._ask_percent(ctx, commitments[0].id)
        choices = [(shorten(labelled(c), BUTTON_TEXT), str(c.id)) for c in commitments]
        return [ctx.ask("choose", t.CHOOSE_COMMITMENT, choices)]

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step = ctx.state.step
        if step == "choose" and inp.value and inp.value.isdecimal():
            return await self._ask_percent(ctx, int(inp.value))
        if step == "percent":
            ctx.state.data["percent"] = checked_percent(inp.value or inp.text)
            # numbered=False: a note of "2" is a note, not the second choice
            return [ctx.ask("note", t.ASK_NOTE, [(t.SKIP, "skip")], numbered=False)]
        if step == "note":
            note = None if inp.value == "skip" else checked_text(inp.text, 1, NOTE_MAX)
            return await self._save(ctx, note)
        reply = ctx.state.current_reply()
        return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]

    async def _ask_percent(self, ctx: Ctx, commitment_id: int) -> list[Reply]:
        commitment = await own_active_commitment(ctx.uow, ctx.actor, commitment_id)
        ctx.state.data["commitment_id"] = commitment.id
        text = t.ASK_PERCENT.format(content=commitment.content, percent=commitment.percent)
        return [ctx.ask("percent", text, PERCENT_CHOICES, numbered=False)]

    async def _save(self, ctx: Ctx, note: str | None) -> list[Reply]:
        data = ctx.state.data
        commitment = await log_progress(
            ctx.uow, ctx.actor, int(data["commitment_id"]), int(data["percent"]), note, ctx.now
        )
        photos = await attach_evidence(ctx.uow, ctx.actor, commitment.id, data.get("photos") or [], ctx.now)
        when = ctx.local(ctx.now).strftime("%H:%M %d/%m/%Y")
        text = t.PROGRESS_SAVED.format(percent=commitment.percent, content=shorten(commitment.content, 120), time=when)
        replies = [Reply(text)]
        if photos:
            replies.append(Reply(c.PHOTOS_ATTACHED.format(count=photos)))
        if commitment.percent >= 100:
            replies.append(Reply(t.PROGRESS_DONE))
        return await ctx.back_to_menu(*replies)
