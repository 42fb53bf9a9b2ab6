"""/camket: one's commitments with status; view one, edit it, withdraw it, or log progress on it."""

from __future__ import annotations

from datetime import date

from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.dialog import Ctx, Input
from handlers.flows.deadline import ask_deadline, read_deadline
from handlers.messages import Reply
from handlers.services.authz import own_active_commitment
from handlers.services.commitments import edit_commitment, list_commitments, withdraw_commitment
from handlers.services.errors import InvalidInput
from handlers.services.review import (
    resubmit_registration,
    returned_notice_text,
    returned_registrations,
    review_state_label,
)
from handlers.text import fmt_date, shorten
from storage.enums import CommitmentKind, ReviewState
from storage.models import Commitment

BUTTON_TEXT = 60
DETAIL_CHOICES = [
    (t.MENU_PROGRESS, "progress"),
    (t.EDIT_CONTENT, "edit_content"),
    (t.EDIT_MEASURES, "edit_measures"),
    (t.EDIT_DEADLINE, "edit_deadline"),
    (t.WITHDRAW, "withdraw"),
    (t.BACK, "back"),
]


def status_text(commitment: Commitment, today: date, ctx: Ctx) -> str:
    if commitment.percent >= 100:
        status = t.PLEDGE_STATUS_DONE
    elif commitment.deadline < today:
        status = t.PLEDGE_STATUS_LATE
    else:
        status = t.PLEDGE_STATUS_ONGOING
    return f"{status}, {last_update_text(commitment, ctx)}"


def review_text(commitment: Commitment) -> str:
    """The review state of a member's own registration; a cell's items need none (approved at once)."""
    if commitment.kind != CommitmentKind.INDIVIDUAL.value:
        return ""
    return rv.PLEDGE_REVIEW_SUFFIX.format(state=review_state_label(commitment))


def labelled(commitment: Commitment) -> str:
    return rv.KIND_PREFIX.get(commitment.kind, "") + commitment.content


def last_update_text(commitment: Commitment, ctx: Ctx) -> str:
    if commitment.last_progress_at is None:
        return t.PLEDGE_NEVER_UPDATED
    return t.PLEDGE_LAST_UPDATE.format(date=fmt_date(ctx.local(commitment.last_progress_at).date()))


class PledgesFlow:
    name = "pledges"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        commitments = await list_commitments(ctx.uow, ctx.actor)
        if not commitments:
            return await ctx.back_to_menu(Reply(t.NO_COMMITMENTS))
        lines = [
            t.PLEDGE_LINE.format(
                number=i,
                content=labelled(c),
                deadline=fmt_date(c.deadline),
                percent=c.percent,
                status=status_text(c, ctx.today, ctx),
            )
            + review_text(c)
            for i, c in enumerate(commitments, start=1)
        ]
        listing = "\n".join([t.PLEDGES_HEADER, *lines])
        choices = [(shorten(labelled(c), BUTTON_TEXT), str(c.id)) for c in commitments]
        choices.append((t.REGISTER_MORE, "new"))
        returned = await returned_registrations(ctx.uow, ctx.actor)
        notice = [Reply(returned_notice_text(returned))] if returned else []
        return [*notice, Reply(listing), ctx.ask("list", t.PLEDGES_CHOOSE, choices)]

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step, value = ctx.state.step, inp.value
        if step == "list" and value == "new":
            return await ctx.start("register")
        if step == "list" and value and value.isdecimal():
            return await self._detail(ctx, int(value))
        if step == "detail":
            return await self._on_detail(ctx, value)
        if step in ("edit_content", "edit_measures", "edit_deadline"):
            return await self._save_edit(ctx, step, inp)
        if step == "withdraw":
            return await self._on_withdraw(ctx, value)
        if step == "detail_returned":
            return await self._on_detail(ctx, value)
        reply = ctx.state.current_reply()
        return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]

    async def _detail(self, ctx: Ctx, commitment_id: int, preface: str | None = None) -> list[Reply]:
        c = await own_active_commitment(ctx.uow, ctx.actor, commitment_id)
        ctx.state.data["commitment_id"] = c.id
        text = t.PLEDGE_DETAIL.format(
            content=labelled(c),
            measures=c.measures,
            deadline=fmt_date(c.deadline),
            percent=c.percent,
            updated=last_update_text(c, ctx),
        )
        before = [Reply(preface)] if preface else []
        if c.kind == CommitmentKind.INDIVIDUAL.value and c.review_state == ReviewState.RETURNED.value:
            text += rv.PLEDGE_DETAIL_REVIEW.format(state=review_state_label(c))
            text += rv.PLEDGE_DETAIL_COMMENT.format(comment=c.review_comment or "")
            choices = [(rv.RESUBMIT, "resubmit"), *DETAIL_CHOICES]
            return [*before, ctx.ask("detail_returned", text, choices, cancel=False)]
        return [*before, ctx.ask("detail", text, DETAIL_CHOICES, cancel=False)]

    async def _on_detail(self, ctx: Ctx, value: str | None) -> list[Reply]:
        commitment_id = int(ctx.state.data["commitment_id"])
        if value == "progress":
            return await ctx.start("progress", str(commitment_id))
        if value == "resubmit":
            await resubmit_registration(ctx.uow, ctx.actor, commitment_id, ctx.now)
            return await self._detail(ctx, commitment_id, rv.RESUBMITTED)
        if value == "edit_content":
            return [ctx.ask("edit_content", t.ASK_NEW_CONTENT)]
        if value == "edit_measures":
            return [ctx.ask("edit_measures", t.ASK_NEW_MEASURES)]
        if value == "edit_deadline":
            return [ask_deadline(ctx, "edit_deadline", t.ASK_NEW_DEADLINE)]
        if value == "withdraw":
            c = await own_active_commitment(ctx.uow, ctx.actor, commitment_id)
            text = t.CONFIRM_WITHDRAW.format(content=shorten(c.content, 120))
            return [ctx.ask("withdraw", text, [(t.WITHDRAW_YES, "yes"), (t.BACK, "back")], cancel=False)]
        if value == "back":
            return await self.begin(ctx, "")
        raise InvalidInput(t.INVALID_CHOICE)  # typed text that is none of the choices: the same question again

    async def _save_edit(self, ctx: Ctx, step: str, inp: Input) -> list[Reply]:
        commitment_id = int(ctx.state.data["commitment_id"])
        uow, actor, now = ctx.uow, ctx.actor, ctx.now
        if step == "edit_content":
            await edit_commitment(uow, actor, commitment_id, now, content=inp.text)
        elif step == "edit_measures":
            await edit_commitment(uow, actor, commitment_id, now, measures=inp.text)
        else:
            deadline = read_deadline(ctx, inp)
            await edit_commitment(uow, actor, commitment_id, now, deadline=deadline, today=ctx.today)
        return await self._detail(ctx, commitment_id, t.SAVED_CHANGE)

    async def _on_withdraw(self, ctx: Ctx, value: str | None) -> list[Reply]:
        commitment_id = int(ctx.state.data["commitment_id"])
        if value != "yes":
            return await self._detail(ctx, commitment_id)
        commitment = await withdraw_commitment(ctx.uow, ctx.actor, commitment_id, ctx.now)
        return await ctx.back_to_menu(Reply(t.WITHDRAWN.format(content=shorten(commitment.content, 120))))
