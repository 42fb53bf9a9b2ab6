"""/bieuduong (/commend, «biểu dương»): a cell's secretary or deputy proposes a member or the cell for
commendation and follows the proposals; committee staff decide (handlers/flows/commend_decide.py); a member
sees the decisions about them."""

from __future__ import annotations

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.flows import commend_decide, picker
from handlers.messages import Reply
from handlers.services import commendations as co
from handlers.services.commend_views import cell_proposals, my_commendations, view_of
from handlers.services.errors import InvalidInput
from handlers.text import fmt_date, shorten
from storage.enums import CommendationState, Role

BUTTON_TEXT = 60
CELL_VALUE, NONE_VALUE, DONE_VALUE, NEW_VALUE = "cell", "none", "done", "new"


class CommendFlow:
    name = "commend"

    async def begin(self, ctx: Ctx, arg: str, preface: list[Reply] | None = None) -> list[Reply]:
        before = preface or []
        if ctx.actor.role is Role.COMMITTEE:
            return [*before, *await commend_decide.begin(ctx)]
        if not ctx.actor.role.leads_cell:
            return await ctx.back_to_menu(*before, *await self._member(ctx))
        cell = await co.proposing_cell(ctx.uow, ctx.actor)
        year = ctx.today.year
        views = await cell_proposals(ctx.uow, ctx.actor, year)
        if views:
            lines = [
                cm.CELL_LIST_LINE.format(number=i, nominee=v.nominee, state=v.state_text())
                for i, v in enumerate(views, start=1)
            ]
            listing = "\n".join([cm.CELL_LIST_HEADER.format(cell=cell.name, year=year), *lines])
        else:
            listing = cm.CELL_LIST_NONE.format(cell=cell.name, year=year)
        choices = [(cm.NEW_PROPOSAL, NEW_VALUE)]
        choices.extend(
            (shorten(cm.OPEN_RETURNED.format(nominee=v.nominee), BUTTON_TEXT), f"r{v.id}")
            for v in views
            if v.state == CommendationState.RETURNED.value
        )
        choices.append((cm.DONE, DONE_VALUE))
        return [*before, Reply(listing), ctx.ask("cell_list", cm.CHOOSE, choices, cancel=False)]

    async def _member(self, ctx: Ctx) -> list[Reply]:
        mine = await my_commendations(ctx.uow, ctx.actor)
        if not mine:
            return [Reply(cm.COMMEND_FORBIDDEN)]
        lines = [
            cm.MY_COMMENDATION_LINE.format(
                form=cm.FORM_LABELS.get(v.form or "", "").capitalize(),
                number=v.decision_number or "",
                date=fmt_date(v.decision_date) if v.decision_date else "",
                level=v.level_name,
                item=cm.MY_COMMENDATION_ITEM.format(item=shorten(v.item, 80)) if v.item else "",
            )
            for v in mine
        ]
        return [Reply("\n".join([cm.MY_COMMENDATIONS_HEADER, *lines])), Reply(cm.COMMEND_FORBIDDEN)]

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step = ctx.state.step or ""
        if step in commend_decide.STEPS:
            return await commend_decide.on_input(ctx, inp)
        if step == "cell_list":
            return await self._on_list(ctx, inp)
        if step == "nominee":
            return await self._on_nominee(ctx, inp)
        if step == "item":
            return await self._on_item(ctx, inp)
        if step in ("account", "new_account"):
            return await self._on_account(ctx, inp)
        if step == "confirm":
            return await self._on_confirm(ctx, inp)
        if step == "returned":
            return await self._on_returned(ctx, inp)
        raise InvalidInput(t.INVALID_CHOICE)

    async def _on_list(self, ctx: Ctx, inp: Input) -> list[Reply]:
        value = inp.value or ""
        if value == DONE_VALUE:
            return await ctx.back_to_menu()
        if value == NEW_VALUE:
            ctx.state.data = {}
            return [await self._ask_nominee(ctx)]
        if value.startswith("r") and value[1:].isdecimal():
            return await self._returned(ctx, int(value[1:]))
        raise InvalidInput(t.INVALID_CHOICE)

    # --- a new proposal ---------------------------------------------------------------------------------------
    async def _ask_nominee(self, ctx: Ctx) -> Reply:
        cell, members = await co.nominees(ctx.uow, ctx.actor)
        options = [picker.Option(m.full_name, f"m{m.id}", f"{m.full_name} {m.code}") for m in members]
        before = [(cm.NOMINEE_CELL.format(cell=cell.name), CELL_VALUE)]
        return picker.ask_page(ctx, "nominee", cm.ASK_NOMINEE, options, before=before)

    async def _on_nominee(self, ctx: Ctx, inp: Input) -> list[Reply]:
        chosen = picker.follow(ctx, inp)
        if chosen is None:
            return [await self._ask_nominee(ctx)]
        if chosen == CELL_VALUE:
            member_id = None
        elif chosen.startswith("m") and chosen[1:].isdecimal():
            member_id = int(chosen[1:])
        else:
            raise InvalidInput(t.INVALID_CHOICE)
        await co.checked_nominee(ctx.uow, ctx.actor, member_id)
        picker.reset(ctx)
        ctx.state.data["member_id"] = member_id
        return [await self._ask_item(ctx)]

    async def _ask_item(self, ctx: Ctx) -> Reply:
        items = await co.items_of(ctx.uow, ctx.actor, ctx.state.data.get("member_id"), ctx.today)
        if not items:
            ctx.state.data["commitment_id"] = None
            return ctx.ask("account", cm.ASK_ACCOUNT)
        options = [picker.Option(c.content, f"c{c.id}") for c in items]
        return picker.ask_page(ctx, "item", cm.ASK_ITEM, options, before=[(cm.ITEM_NONE, NONE_VALUE)])

    async def _on_item(self, ctx: Ctx, inp: Input) -> list[Reply]:
        chosen = picker.follow(ctx, inp)
        if chosen is None:
            return [await self._ask_item(ctx)]
        member_id = ctx.state.data.get("member_id")
        if chosen == NONE_VALUE:
            ctx.state.data["commitment_id"] = None
        elif chosen.startswith("c") and chosen[1:].isdecimal():
            ctx.state.data["commitment_id"] = (await co.checked_item(ctx.uow, ctx.actor, member_id, int(chosen[1:]))).id
        else:
            raise InvalidInput(t.INVALID_CHOICE)
        picker.reset(ctx)
        return [ctx.ask("account", cm.ASK_ACCOUNT)]

    async def _on_account(self, ctx: Ctx, inp: Input) -> list[Reply]:
        account = co.checked_account(inp.text)
        if ctx.state.step == "new_account":
            proposal_id = int(ctx.state.data["proposal_id"])
            proposal, level = await co.resubmit(ctx.uow, ctx.actor, proposal_id, account, ctx.now, ctx.tz)
            done = cm.RESUBMITTED.format(nominee=await co.nominee_label(ctx.uow, proposal), level=level.name)
            ctx.state.data = {}
            return await self.begin(ctx, "", [Reply(done)])
        ctx.state.data["account"] = account
        return [await self._confirm(ctx)]

    async def _confirm(self, ctx: Ctx) -> Reply:
        data = ctx.state.data
        cell, member = await co.checked_nominee(ctx.uow, ctx.actor, data.get("member_id"))
        level = await co.first_level(ctx.uow, cell)
        item = ""
        if data.get("commitment_id"):
            tied = await co.checked_item(ctx.uow, ctx.actor, data.get("member_id"), int(data["commitment_id"]))
            item = cm.CONFIRM_ITEM.format(item=tied.content)
        nominee = cm.NOMINEE_MEMBER.format(name=member.full_name) if member else cm.NOMINEE_CELL.format(cell=cell.name)
        text = cm.CONFIRM_PROPOSAL.format(nominee=nominee, item=item, account=data["account"], level=level.name)
        return ctx.ask("confirm", text, [(cm.SEND, "send"), (cm.EDIT_ACCOUNT, "edit")])

    async def _on_confirm(self, ctx: Ctx, inp: Input) -> list[Reply]:
        if inp.value == "edit":
            return [ctx.ask("account", cm.ASK_ACCOUNT)]
        if inp.value != "send":
            raise InvalidInput(t.INVALID_CHOICE)
        data = ctx.state.data
        proposal, level = await co.propose(
            ctx.uow,
            ctx.actor,
            data.get("member_id"),
            data.get("commitment_id"),
            data["account"],
            ctx.today,
            ctx.now,
            ctx.tz,
        )
        done = cm.PROPOSED.format(nominee=await co.nominee_label(ctx.uow, proposal), level=level.name)
        ctx.state.data = {}
        return await self.begin(ctx, "", [Reply(done)])

    # --- a returned proposal ----------------------------------------------------------------------------------
    async def _returned(self, ctx: Ctx, proposal_id: int) -> list[Reply]:
        proposal = await co.own_returned(ctx.uow, ctx.actor, proposal_id)
        view = await view_of(ctx.uow, proposal)
        ctx.state.data = {"proposal_id": proposal.id}
        text = cm.RETURNED_DETAIL.format(
            nominee=view.nominee, level=view.level_name, comment=view.comment or "", account=view.account
        )
        choices = [(cm.RESUBMIT, "resubmit"), (cm.WITHDRAW, "withdraw"), (t.BACK, "back")]
        return [ctx.ask("returned", text, choices, cancel=False)]

    async def _on_returned(self, ctx: Ctx, inp: Input) -> list[Reply]:
        proposal_id = int(ctx.state.data["proposal_id"])
        if inp.value == "resubmit":
            await co.own_returned(ctx.uow, ctx.actor, proposal_id)
            return [ctx.ask("new_account", cm.ASK_NEW_ACCOUNT)]
        if inp.value == "withdraw":
            proposal = await co.withdraw(ctx.uow, ctx.actor, proposal_id, ctx.now)
            done = cm.WITHDRAWN.format(nominee=await co.nominee_label(ctx.uow, proposal))
            ctx.state.data = {}
            return await self.begin(ctx, "", [Reply(done)])
        if inp.value == "back":
            ctx.state.data = {}
            return await self.begin(ctx, "")
        raise InvalidInput(t.INVALID_CHOICE)
