"""The questions /dangky asks after the deadline: whether a cell's model follows another unit's model (a paged
list, or a name typed), and whether the member (or the cell) registers to become an exemplar this year. Answers
stay in the dialog until the registration is confirmed, then are saved with it."""

from __future__ import annotations

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.flows import picker
from handlers.messages import Reply
from handlers.services.errors import InvalidInput
from handlers.services.exemplars import nominee_kind, register_exemplar, should_ask
from handlers.services.replications import (
    checked_source,
    checked_source_text,
    model_options,
    record_replication,
)
from handlers.text import shorten
from storage.enums import CommitmentKind, NomineeKind
from storage.models import Commitment

REPLICATES_STEP, EXEMPLAR_STEP = "replicates", "exemplar"
STEPS = (REPLICATES_STEP, EXEMPLAR_STEP)
NONE_VALUE, TYPED_VALUE, MODEL_PREFIX = "none", "typed", "m"
YES, NO = "yes", "no"


def _kind(ctx: Ctx) -> CommitmentKind:
    return CommitmentKind(ctx.state.data.get("kind", CommitmentKind.INDIVIDUAL.value))


async def next_question(ctx: Ctx) -> Reply | None:
    """The next question not answered yet, or None (then the confirmation comes)."""
    data = ctx.state.data
    if _kind(ctx) is CommitmentKind.MODEL and "replicates" not in data:
        return await _ask_replicates(ctx)
    if "exemplar" not in data:
        kind = nominee_kind(_kind(ctx))
        if not await should_ask(ctx.uow, ctx.actor, kind, ctx.today.year):
            data["exemplar"] = NO  # asked with the first registration of the year only
            return None
        template = cm.ASK_EXEMPLAR_INDIVIDUAL if kind is NomineeKind.INDIVIDUAL else cm.ASK_EXEMPLAR_COLLECTIVE
        text = template.format(year=ctx.today.year, cell=data.get("cell", ""))
        return ctx.ask(EXEMPLAR_STEP, text, [(cm.EXEMPLAR_YES, YES), (cm.EXEMPLAR_NO, NO)])
    return None


async def _ask_replicates(ctx: Ctx) -> Reply:
    options = [
        picker.Option(cm.MODEL_OPTION.format(name=o.name, cell=o.cell_name), f"{MODEL_PREFIX}{o.commitment_id}")
        for o in await model_options(ctx.uow, ctx.actor, ctx.today)
    ]
    typed = picker.query(ctx)
    after = [(shorten(cm.REPLICATION_TYPED.format(name=typed), 60), TYPED_VALUE)] if typed else []
    before = [(cm.REPLICATION_NONE, NONE_VALUE)]
    return picker.ask_page(ctx, REPLICATES_STEP, cm.ASK_REPLICATION, options, before=before, after=after)


async def on_input(ctx: Ctx, inp: Input) -> Reply | None:
    """Handle an answer to one of these questions; the next question, or None for the confirmation."""
    data = ctx.state.data
    if ctx.state.step == EXEMPLAR_STEP:
        if inp.value not in (YES, NO):
            raise InvalidInput(t.INVALID_CHOICE)
        data["exemplar"] = inp.value
        return await next_question(ctx)
    chosen = picker.follow(ctx, inp)
    if chosen is None:
        return await _ask_replicates(ctx)
    if chosen == NONE_VALUE:
        data["replicates"] = None
    elif chosen == TYPED_VALUE:
        text = checked_source_text(picker.query(ctx))
        data["replicates"] = {"text": text, "label": cm.SOURCE_TYPED.format(name=text)}
    elif chosen.startswith(MODEL_PREFIX) and chosen[1:].isdecimal():
        source = await checked_source(ctx.uow, ctx.actor, int(chosen[1:]))
        label = cm.SOURCE_IN_BOT.format(name=source.name, cell=source.cell_name)
        data["replicates"] = {"id": source.commitment_id, "label": label}
    else:
        raise InvalidInput(t.INVALID_CHOICE)
    picker.reset(ctx)
    return await next_question(ctx)


def confirm_lines(ctx: Ctx) -> str:
    """What the confirmation adds: the pilot followed and the exemplar registration."""
    data = ctx.state.data
    lines = ""
    source = data.get("replicates")
    if isinstance(source, dict):
        lines += cm.CONFIRM_REPLICATES.format(source=source.get("label", ""))
    if data.get("exemplar") == YES:
        individual = nominee_kind(_kind(ctx)) is NomineeKind.INDIVIDUAL
        template = cm.CONFIRM_EXEMPLAR_INDIVIDUAL if individual else cm.CONFIRM_EXEMPLAR_COLLECTIVE
        lines += template.format(year=ctx.today.year)
    return lines


async def save(ctx: Ctx, commitment: Commitment) -> list[str]:
    """Save the answers with the confirmed registration; returns what to add to the confirmation message."""
    data = ctx.state.data
    said = []
    source = data.get("replicates")
    if isinstance(source, dict):
        await record_replication(ctx.uow, ctx.actor, commitment, source.get("id"), source.get("text"), ctx.now)
    if data.get("exemplar") == YES:
        kind = nominee_kind(_kind(ctx))
        if await register_exemplar(ctx.uow, ctx.actor, kind, commitment.year, ctx.now) is not None:
            template = cm.EXEMPLAR_SAVED_INDIVIDUAL if kind is NomineeKind.INDIVIDUAL else cm.EXEMPLAR_SAVED_COLLECTIVE
            said.append(template.format(year=commitment.year, cell=data.get("cell", "")))
    return said
