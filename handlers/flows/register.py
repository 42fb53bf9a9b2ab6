"""/dangky: register a commitment (deed, measures, deadline, confirm)."""

from __future__ import annotations

from datetime import date

from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.dialog import Ctx, Input
from handlers.flows import register_extras
from handlers.flows.deadline import ask_deadline, read_deadline
from handlers.messages import Reply
from handlers.services.collective import MODEL_NAME_MAX, led_cell, register_for_cell
from handlers.services.commitments import Draft, register_commitment
from handlers.services.errors import Forbidden
from handlers.services.validation import CONTENT_MAX, CONTENT_MIN, MEASURES_MAX, MEASURES_MIN, checked_text
from handlers.text import fmt_date
from storage.enums import CommitmentKind

CONFIRM_CHOICES = [
    (t.CONFIRM, "confirm"),
    (t.EDIT_CONTENT, "edit_content"),
    (t.EDIT_MEASURES, "edit_measures"),
    (t.EDIT_DEADLINE, "edit_deadline"),
]
# Asked first, of a cell's secretary or deputy only: members never see it.
KIND_CHOICES = [
    (rv.KIND_SELF, CommitmentKind.INDIVIDUAL.value),
    (rv.KIND_COLLECTIVE, CommitmentKind.COLLECTIVE.value),
    (rv.KIND_MODEL, CommitmentKind.MODEL.value),
]
FIRST_QUESTION = {
    CommitmentKind.INDIVIDUAL.value: t.ASK_CONTENT,
    CommitmentKind.COLLECTIVE.value: rv.ASK_COLLECTIVE_CONTENT,
    CommitmentKind.MODEL.value: rv.ASK_MODEL_NAME,
}


class RegisterFlow:
    name = "register"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        replies = []
        theme = await ctx.uow.themes.get(ctx.today.year)
        if theme is not None:
            replies.append(Reply(t.THEME_OF_YEAR.format(year=theme.year, title=theme.title)))
        if ctx.actor.role.leads_cell and ctx.actor.scope_unit_id is not None:
            replies.append(ctx.ask("kind", rv.ASK_KIND, KIND_CHOICES))
        else:
            replies.append(ctx.ask("content", t.ASK_CONTENT))
        return replies

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        data = ctx.state.data
        step = ctx.state.step
        if step == "kind":
            return await self._on_kind(ctx, inp)
        if step == "content":
            maximum = MODEL_NAME_MAX if data.get("kind") == CommitmentKind.MODEL.value else CONTENT_MAX
            data["content"] = checked_text(inp.text, CONTENT_MIN, maximum)
            return [self._next_after_edit(ctx) or ctx.ask("measures", t.ASK_MEASURES)]
        if step == "measures":
            data["measures"] = checked_text(inp.text, MEASURES_MIN, MEASURES_MAX)
            return [self._next_after_edit(ctx) or ask_deadline(ctx, "deadline")]
        if step == "deadline":
            data["deadline"] = read_deadline(ctx, inp).isoformat()
            return [await register_extras.next_question(ctx) or self._confirm(ctx)]
        if step in register_extras.STEPS:  # a model's pilot, the exemplar question
            return [await register_extras.on_input(ctx, inp) or self._confirm(ctx)]
        if step == "confirm":
            return await self._on_confirm(ctx, inp)
        return await self.begin(ctx, "")

    async def _on_kind(self, ctx: Ctx, inp: Input) -> list[Reply]:
        kind = inp.value or ""
        if kind not in FIRST_QUESTION:
            reply = ctx.state.current_reply()
            return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]
        if kind != CommitmentKind.INDIVIDUAL.value:
            cell = await led_cell(ctx.uow, ctx.actor)
            if cell is None:
                raise Forbidden(rv.COLLECTIVE_FORBIDDEN)
            ctx.state.data["cell"] = cell.name
        ctx.state.data["kind"] = kind
        return [ctx.ask("content", FIRST_QUESTION[kind])]

    def _next_after_edit(self, ctx: Ctx) -> Reply | None:
        """After fixing one field from the confirmation screen, go straight back to it."""
        if ctx.state.data.get("deadline"):
            return self._confirm(ctx)
        return None

    def _confirm(self, ctx: Ctx) -> Reply:
        data = ctx.state.data
        text = t.CONFIRM_REGISTRATION.format(
            content=data["content"],
            measures=data["measures"],
            deadline=fmt_date(date.fromisoformat(data["deadline"])),
        )
        kind = data.get("kind", CommitmentKind.INDIVIDUAL.value)
        if kind in rv.CONFIRM_KIND:
            text = rv.CONFIRM_KIND[kind].format(cell=data.get("cell", "")) + text
        fields, gap, question = text.rpartition("\n\n")
        text = fields + register_extras.confirm_lines(ctx) + gap + question
        return ctx.ask("confirm", text, CONFIRM_CHOICES)

    async def _on_confirm(self, ctx: Ctx, inp: Input) -> list[Reply]:
        if inp.value == "edit_content":
            return [ctx.ask("content", t.ASK_NEW_CONTENT)]
        if inp.value == "edit_measures":
            return [ctx.ask("measures", t.ASK_NEW_MEASURES)]
        if inp.value == "edit_deadline":
            return [ask_deadline(ctx, "deadline", t.ASK_NEW_DEADLINE)]
        if inp.value != "confirm":
            reply = ctx.state.current_reply()
            return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]
        data = ctx.state.data
        draft = Draft(data["content"], data["measures"], date.fromisoformat(data["deadline"]))
        kind = data.get("kind", CommitmentKind.INDIVIDUAL.value)
        if kind == CommitmentKind.INDIVIDUAL.value:
            commitment, number = await register_commitment(ctx.uow, ctx.actor, draft, ctx.today, ctx.now)
            done = t.REGISTERED.format(number=number, year=commitment.year)
        else:
            commitment, cell, number = await register_for_cell(
                ctx.uow, ctx.actor, CommitmentKind(kind), draft, ctx.today, ctx.now
            )
            template = rv.REGISTERED_MODEL if kind == CommitmentKind.MODEL.value else rv.REGISTERED_COLLECTIVE
            done = template.format(cell=cell.name, name=commitment.content, number=number, year=commitment.year)
        done = " ".join([done, *await register_extras.save(ctx, commitment)])
        return await ctx.back_to_menu(Reply(done))
