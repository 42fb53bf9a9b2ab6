"""/bieuduong for committee staff: the proposals waiting at their committee, one with its history, and the
decision: biểu dương or khen thưởng (decision number, then date), propose to the level above, or return with a
comment. Every action is re-authorised by handlers/services/commend_decisions.py."""

from __future__ import annotations

from datetime import date

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.flows import picker
from handlers.messages import Reply
from handlers.services import commend_decisions as dec
from handlers.services.authz import scope_unit
from handlers.services.commend_views import committee_year, history, view_of, waiting_for
from handlers.services.errors import InvalidInput
from handlers.text import fmt_date
from storage.enums import CommendationForm

STEPS = ("waiting", "detail", "number", "date", "decision", "comment")
DONE_VALUE, TODAY_VALUE = "done", "today"
FORMS = {CommendationForm.PRAISE.value: cm.DECIDE_PRAISE, CommendationForm.REWARD.value: cm.DECIDE_REWARD}


async def begin(ctx: Ctx, preface: list[Reply] | None = None) -> list[Reply]:
    """The committee's year in figures and the proposals waiting for it."""
    unit = await scope_unit(ctx.uow, ctx.actor)
    ctx.state.data = {}
    views = await waiting_for(ctx.uow, ctx.actor)
    year = await committee_year(ctx.uow, ctx.actor, ctx.today.year)
    summary = [
        cm.YEAR_DONE.format(
            year=ctx.today.year,
            collective=year.commended_collective,
            individual=year.commended_individual,
            up_collective=year.upward_collective,
            up_individual=year.upward_individual,
        )
    ]
    if year.lower_pending:
        summary.append(cm.LOWER_PENDING.format(count=year.lower_pending))
    before = [*(preface or []), Reply("\n".join(summary))]
    if not views:
        return await ctx.back_to_menu(*before, Reply(cm.WAITING_NONE.format(unit=unit.name)))
    lines = [
        cm.WAITING_LINE.format(
            number=i, nominee=v.nominee, cell=v.cell_name, date=fmt_date(ctx.local(v.created_at).date())
        )
        for i, v in enumerate(views, start=1)
    ]
    listing = Reply("\n".join([cm.WAITING_HEADER.format(unit=unit.name, count=len(views)), *lines]))
    return [*before, listing, await _ask_waiting(ctx)]


async def _ask_waiting(ctx: Ctx) -> Reply:
    views = await waiting_for(ctx.uow, ctx.actor)
    options = [picker.Option(f"{v.nominee} ({v.cell_name})", f"p{v.id}") for v in views]
    return picker.ask_page(ctx, "waiting", cm.CHOOSE_PROPOSAL, options, after=[(cm.DONE, DONE_VALUE)])


async def on_input(ctx: Ctx, inp: Input) -> list[Reply]:
    step = ctx.state.step
    if step == "waiting":
        return await _on_waiting(ctx, inp)
    if step == "detail":
        return await _on_detail(ctx, inp)
    if step == "number":
        ctx.state.data["number"] = dec.checked_decision_number(inp.text)
        return [ctx.ask("date", cm.ASK_DECISION_DATE, [(cm.TODAY, TODAY_VALUE)])]
    if step == "date":
        decided_on = ctx.today if inp.value == TODAY_VALUE else dec.checked_decision_date(inp.text, ctx.today)
        ctx.state.data["date"] = decided_on.isoformat()
        return [await _ask_decision(ctx)]
    if step == "decision":
        return await _on_decision(ctx, inp)
    return await _on_comment(ctx, inp)


async def _on_waiting(ctx: Ctx, inp: Input) -> list[Reply]:
    chosen = picker.follow(ctx, inp)
    if chosen is None:
        return [await _ask_waiting(ctx)]
    if chosen == DONE_VALUE:
        return await ctx.back_to_menu()
    if not (chosen.startswith("p") and chosen[1:].isdecimal()):
        raise InvalidInput(t.INVALID_CHOICE)
    picker.reset(ctx)
    return [await _detail(ctx, int(chosen[1:]))]


async def _detail(ctx: Ctx, proposal_id: int) -> Reply:
    proposal, level = await dec.decidable(ctx.uow, ctx.actor, proposal_id)
    view = await view_of(ctx.uow, proposal)
    ctx.state.data = {"proposal_id": proposal.id}
    text = cm.DETAIL.format(
        nominee=view.nominee,
        cell=view.cell_name,
        proposer=view.proposer_name,
        date=fmt_date(ctx.local(view.created_at).date()),
        item=cm.CONFIRM_ITEM.format(item=view.item) if view.item else "",
        account=view.account,
        history="\n".join(await history(ctx.uow, proposal, ctx.tz)),
    )
    choices = [(cm.DECIDE_PRAISE, CommendationForm.PRAISE.value), (cm.DECIDE_REWARD, CommendationForm.REWARD.value)]
    parent = await ctx.uow.units.get(level.parent_id) if level.parent_id else None
    if parent is not None and parent.active:
        choices.append((cm.DECIDE_FORWARD.format(parent=parent.name), "forward"))
    choices.extend([(cm.DECIDE_RETURN, "return"), (t.BACK, "back")])
    return ctx.ask("detail", text, choices, cancel=False)


def _proposal_id(ctx: Ctx) -> int:
    return int(ctx.state.data["proposal_id"])


async def _on_detail(ctx: Ctx, inp: Input) -> list[Reply]:
    value = inp.value or ""
    if value == "back":
        return await begin(ctx)
    proposal, _ = await dec.decidable(ctx.uow, ctx.actor, _proposal_id(ctx))
    dec.refuse_own(ctx.actor, proposal)
    if value in FORMS:
        ctx.state.data["form"] = value
        return [ctx.ask("number", cm.ASK_DECISION_NUMBER.format(form=cm.FORM_LABELS[value]))]
    if value == "forward":
        parent = await dec.forward(ctx.uow, ctx.actor, proposal.id, ctx.now, ctx.tz)
        done = cm.FORWARDED.format(parent=parent.name, nominee=(await view_of(ctx.uow, proposal)).nominee)
        return await begin(ctx, [Reply(done)])
    if value == "return":
        return [ctx.ask("comment", cm.ASK_RETURN_COMMENT)]
    raise InvalidInput(t.INVALID_CHOICE)


async def _ask_decision(ctx: Ctx) -> Reply:
    data = ctx.state.data
    proposal, level = await dec.decidable(ctx.uow, ctx.actor, _proposal_id(ctx))
    text = cm.CONFIRM_DECISION.format(
        form=cm.FORM_LABELS[data["form"]],
        nominee=(await view_of(ctx.uow, proposal)).nominee,
        number=data["number"],
        date=fmt_date(date.fromisoformat(data["date"])),
        level=level.name,
    )
    return ctx.ask("decision", text, [(cm.CONFIRM, "confirm")])


async def _on_decision(ctx: Ctx, inp: Input) -> list[Reply]:
    if inp.value != "confirm":
        raise InvalidInput(t.INVALID_CHOICE)
    data = ctx.state.data
    proposal = await dec.commend(
        ctx.uow,
        ctx.actor,
        _proposal_id(ctx),
        CommendationForm(data["form"]),
        data["number"],
        date.fromisoformat(data["date"]),
        ctx.today,
        ctx.now,
        ctx.tz,
    )
    done = cm.COMMENDED.format(
        form=cm.FORM_LABELS[data["form"]],
        nominee=(await view_of(ctx.uow, proposal)).nominee,
        number=proposal.decision_number,
        date=fmt_date(date.fromisoformat(data["date"])),
    )
    return await begin(ctx, [Reply(done)])


async def _on_comment(ctx: Ctx, inp: Input) -> list[Reply]:
    proposal, _ = await dec.decidable(ctx.uow, ctx.actor, _proposal_id(ctx))
    target = await dec.return_proposal(ctx.uow, ctx.actor, proposal.id, inp.text, ctx.now, ctx.tz)
    done = cm.RETURNED_DONE.format(nominee=(await view_of(ctx.uow, proposal)).nominee, to=target.name)
    return await begin(ctx, [Reply(done)])
