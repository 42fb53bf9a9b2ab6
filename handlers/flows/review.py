"""/duyet: the cell's leaders list pending registrations (leaders' first), open one, approve or return it."""

from __future__ import annotations

from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.dialog import Ctx, Input
from handlers.flows import picker
from handlers.messages import Reply
from handlers.services.errors import InvalidInput
from handlers.services.notices import notify
from handlers.services.review import (
    PendingItem,
    approve_registration,
    pending_registrations,
    return_registration,
    review_detail,
    review_notice,
)
from handlers.text import fmt_date, shorten
from storage.models import Commitment

LIST_CONTENT = 90
DETAIL_CHOICES = [(rv.REVIEW_APPROVE, "approve"), (rv.REVIEW_RETURN, "return"), (t.BACK, "back")]


def _line(number: int, item: PendingItem, with_cell: bool) -> str:
    template = rv.REVIEW_LIST_LINE_CELL if with_cell else rv.REVIEW_LIST_LINE
    position = item.position or t.ROLE_NAMES["member"]
    content = shorten(item.content, LIST_CONTENT)
    return template.format(
        number=number, name=item.member_name, position=position, cell=item.cell_name, content=content
    )


class ReviewFlow:
    name = "review"

    async def begin(self, ctx: Ctx, arg: str, preface: list[Reply] | None = None) -> list[Reply]:
        items = await pending_registrations(ctx.uow, ctx.actor)
        before = preface or []
        if not items:
            return await ctx.back_to_menu(*before, Reply(rv.REVIEW_NONE_PENDING))
        with_cell = len({item.cell_name for item in items}) > 1 or not ctx.actor.role.leads_cell
        lines = [_line(i, item, with_cell) for i, item in enumerate(items, start=1)]
        if len(items) > picker.PAGE_SIZE:  # a commune in January: the list is the pages below, not a wall of text
            lines = []
        listing = "\n".join([rv.REVIEW_LIST_HEADER.format(count=len(items)), *lines])
        picker.reset(ctx)
        return [*before, Reply(listing), self._ask(ctx, items)]

    @staticmethod
    def _ask(ctx: Ctx, items: list[PendingItem]) -> Reply:
        options = [
            picker.Option(f"{item.member_name}: {item.content}", str(item.commitment_id), item.member_name)
            for item in items
        ]
        return picker.ask_page(ctx, "list", rv.REVIEW_CHOOSE, options)

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step, value = ctx.state.step, inp.value
        if step == "list":
            chosen = picker.follow(ctx, inp)
            if chosen is None:
                return [self._ask(ctx, await pending_registrations(ctx.uow, ctx.actor))]
            picker.reset(ctx)
            return await self._detail(ctx, picker.chosen_id(chosen))
        if step == "detail":
            return await self._on_detail(ctx, value)
        if step == "comment":
            return await self._return(ctx, inp.text)
        reply = ctx.state.current_reply()
        return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]

    async def _detail(self, ctx: Ctx, commitment_id: int) -> list[Reply]:
        d = await review_detail(ctx.uow, ctx.actor, commitment_id)
        ctx.state.data["commitment_id"] = d.commitment_id
        text = rv.REVIEW_DETAIL.format(
            name=d.member_name,
            position=d.position or t.ROLE_NAMES["member"],
            cell=d.cell_name,
            year=d.year,
            content=d.content,
            measures=d.measures,
            deadline=fmt_date(d.deadline),
        )
        if d.previous_comment:
            text += rv.REVIEW_PREVIOUS_COMMENT.format(comment=d.previous_comment)
        return [ctx.ask("detail", text, DETAIL_CHOICES, cancel=False)]

    async def _on_detail(self, ctx: Ctx, value: str | None) -> list[Reply]:
        commitment_id = int(ctx.state.data["commitment_id"])
        if value == "approve":
            d = await review_detail(ctx.uow, ctx.actor, commitment_id)
            commitment = await approve_registration(ctx.uow, ctx.actor, commitment_id, ctx.now)
            await self._tell_member(ctx, commitment)
            return await self._after(ctx, rv.REVIEW_APPROVED.format(name=d.member_name))
        if value == "return":
            await review_detail(ctx.uow, ctx.actor, commitment_id)  # still pending and in scope
            return [ctx.ask("comment", rv.REVIEW_ASK_COMMENT)]
        if value == "back":
            return await self.begin(ctx, "")
        raise InvalidInput(t.INVALID_CHOICE)  # typed text that is none of the choices: the same question again

    async def _return(self, ctx: Ctx, comment: str) -> list[Reply]:
        commitment_id = int(ctx.state.data["commitment_id"])
        d = await review_detail(ctx.uow, ctx.actor, commitment_id)
        commitment = await return_registration(ctx.uow, ctx.actor, commitment_id, comment, ctx.now)
        await self._tell_member(ctx, commitment)
        return await self._after(ctx, rv.REVIEW_RETURNED.format(name=d.member_name))

    @staticmethod
    async def _tell_member(ctx: Ctx, commitment: Commitment) -> None:
        """The member hears the result at once (a returned one is also shown above their menu next time)."""
        member_id, text = review_notice(commitment)
        if member_id != ctx.member.id:
            await notify(ctx.uow, member_id, text, ctx.member.id, ctx.now, ctx.tz)

    async def _after(self, ctx: Ctx, done: str) -> list[Reply]:
        ctx.state.data.pop("commitment_id", None)
        return await self.begin(ctx, "", [Reply(done)])
