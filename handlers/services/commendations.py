"""Proposing commendations (/bieuduong): a cell's secretary or deputy proposes a member of the cell, or the cell
itself, with a short account of what was done; the proposal goes to the committee above the cell. Returned
proposals are revised and sent again, or withdrawn. Every step is a `commendation_steps` row (who, where, when).

Decisions (commend, propose upward, return) are in commend_decisions.py; what is shown, in commend_views.py.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.catalog import commend as cm
from handlers.services.authz import Actor
from handlers.services.collective import led_cell
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.services.member_refs import member_ref
from handlers.services.notices import notify
from handlers.services.validation import checked_text
from handlers.text import fold
from storage.enums import (
    CommendationAction,
    CommendationState,
    CommitmentKind,
    CommitmentStatus,
    NomineeKind,
)
from storage.models import Commendation, CommendationStep, Commitment, Member, Unit
from storage.uow import UnitOfWork

ACCOUNT_MIN, ACCOUNT_MAX = 20, 2000


async def proposing_cell(uow: UnitOfWork, actor: Actor) -> Unit:
    """The cell whose members (or itself) the actor may propose: the one they lead."""
    cell = await led_cell(uow, actor)
    if cell is None:
        raise Forbidden(cm.COMMEND_FORBIDDEN)
    return cell


async def first_level(uow: UnitOfWork, cell: Unit) -> Unit:
    """The committee directly above the cell: it decides first."""
    parent = await uow.units.get(cell.parent_id) if cell.parent_id else None
    if parent is None or not parent.active:
        raise InvalidInput(cm.NO_LEVEL)
    return parent


async def nominees(uow: UnitOfWork, actor: Actor) -> tuple[Unit, list[Member]]:
    """The actor's cell and its active members other than the actor (nobody proposes themself)."""
    cell = await proposing_cell(uow, actor)
    members = [m for m in await uow.members.in_cells([cell.id]) if m.id != actor.member_id]
    return cell, sorted(members, key=lambda m: (fold(m.full_name), m.code))


async def checked_nominee(uow: UnitOfWork, actor: Actor, member_id: int | None) -> tuple[Unit, Member | None]:
    """(the cell, the member proposed or None for the cell itself), re-checked against the actor's cell."""
    cell = await proposing_cell(uow, actor)
    if member_id is None:
        return cell, None
    if member_id == actor.member_id:
        raise InvalidInput(cm.SELF_NOMINATION)
    member = await uow.members.get(member_id)
    if member is None or not member.active or member.cell_id != cell.id:
        raise NotFound(cm.NOMINEE_GONE)
    return cell, member


async def items_of(uow: UnitOfWork, actor: Actor, member_id: int | None, today: date) -> list[Commitment]:
    """What a proposal may be tied to: the nominee's commitments, or the cell's collective commitments and models,
    of this year and the last."""
    cell, member = await checked_nominee(uow, actor, member_id)
    if member is None:
        found = await uow.review.cell_items(cell.id)
    else:
        found = [c for c in await uow.commitments.active_for(member.id) if c.kind == CommitmentKind.INDIVIDUAL.value]
    return [c for c in found if c.year >= today.year - 1]


async def checked_item(uow: UnitOfWork, actor: Actor, member_id: int | None, commitment_id: int) -> Commitment:
    item = await uow.commitments.get(commitment_id)
    if item is None or item.status != CommitmentStatus.ACTIVE.value:
        raise InvalidInput(cm.ITEM_GONE)
    cell, member = await checked_nominee(uow, actor, member_id)
    if member is None:
        mine = item.kind != CommitmentKind.INDIVIDUAL.value and item.unit_id == cell.id
    else:
        mine = item.kind == CommitmentKind.INDIVIDUAL.value and item.member_id == member.id
    if not mine:
        raise InvalidInput(cm.ITEM_GONE)
    return item


def checked_account(raw: str | None) -> str:
    return checked_text(raw, ACCOUNT_MIN, ACCOUNT_MAX)


async def propose(
    uow: UnitOfWork,
    actor: Actor,
    member_id: int | None,
    commitment_id: int | None,
    account: str,
    today: date,
    now: datetime,
    tz: ZoneInfo,
) -> tuple[Commendation, Unit]:
    """Save the proposal, waiting at the committee above the cell; its staff are told. Returns it and that level."""
    cell, member = await checked_nominee(uow, actor, member_id)
    if commitment_id is not None:
        await checked_item(uow, actor, member_id, commitment_id)
    level = await first_level(uow, cell)
    proposal = Commendation(
        year=today.year,
        kind=(NomineeKind.INDIVIDUAL if member else NomineeKind.COLLECTIVE).value,
        member_id=member.id if member else None,
        unit_id=cell.id,
        commitment_id=commitment_id,
        account=checked_account(account),
        state=CommendationState.PENDING.value,
        level_unit_id=level.id,
        proposed_by_member_id=actor.member_id,
        created_at=now,
        updated_at=now,
    )
    await uow.honours.add(proposal)
    await record_step(uow, proposal, CommendationAction.PROPOSED, actor, cell.id, level.id, None, now)
    await tell_staff(uow, proposal, level, actor, now, tz)
    return proposal, level


async def record_step(
    uow: UnitOfWork,
    proposal: Commendation,
    action: CommendationAction,
    actor: Actor,
    at_unit: int,
    to_unit: int | None,
    note: str | None,
    now: datetime,
) -> None:
    step = CommendationStep(
        commendation_id=proposal.id,
        action=action.value,
        member_id=actor.member_id,
        unit_id=at_unit,
        to_unit_id=to_unit,
        note=note,
        at=now,
    )
    await uow.honours.add(step)


async def nominee_label(uow: UnitOfWork, proposal: Commendation) -> str:
    if proposal.member_id is None:
        cell = await uow.units.get(proposal.unit_id)
        return cm.NOMINEE_CELL.format(cell=cell.name if cell else "")
    member = await uow.members.get(proposal.member_id)
    return cm.NOMINEE_MEMBER.format(name=member.full_name if member else "")


async def nominee_ref(uow: UnitOfWork, proposal: Commendation) -> str:
    """The nominee for a queued notice: a member by reference, named when the notice is sent."""
    if proposal.member_id is None:
        return await nominee_label(uow, proposal)
    return cm.NOMINEE_MEMBER.format(name=member_ref(proposal.member_id))


async def tell_staff(
    uow: UnitOfWork, proposal: Commendation, level: Unit, actor: Actor, now: datetime, tz: ZoneInfo
) -> None:
    """The staff of the level where the proposal now waits hear of it (through the delivery queue)."""
    cell = await uow.units.get(proposal.unit_id)
    text = cm.NOTICE_WAITING.format(
        nominee=await nominee_ref(uow, proposal), cell=cell.name if cell else "", level=level.name
    )
    for member in await uow.honours.staff_of(level.id):
        if member.id not in (actor.member_id, proposal.member_id):
            await notify(uow, member.id, text, actor.member_id, now, tz)


async def own_returned(uow: UnitOfWork, actor: Actor, proposal_id: int) -> Commendation:
    """A returned proposal of the actor's cell (its leaders revise it, whoever proposed it)."""
    cell = await proposing_cell(uow, actor)
    proposal = await uow.honours.commendation(proposal_id)
    if proposal is None or proposal.unit_id != cell.id:
        raise NotFound(cm.GONE)
    if proposal.state != CommendationState.RETURNED.value:
        raise InvalidInput(cm.NOT_RETURNED)
    return proposal


async def resubmit(
    uow: UnitOfWork, actor: Actor, proposal_id: int, account: str, now: datetime, tz: ZoneInfo
) -> tuple[Commendation, Unit]:
    proposal = await own_returned(uow, actor, proposal_id)
    cell = await proposing_cell(uow, actor)
    level = await first_level(uow, cell)
    proposal.account = checked_account(account)
    proposal.state, proposal.level_unit_id, proposal.updated_at = CommendationState.PENDING.value, level.id, now
    await record_step(uow, proposal, CommendationAction.RESUBMITTED, actor, cell.id, level.id, None, now)
    await tell_staff(uow, proposal, level, actor, now, tz)
    return proposal, level


async def withdraw(uow: UnitOfWork, actor: Actor, proposal_id: int, now: datetime) -> Commendation:
    proposal = await own_returned(uow, actor, proposal_id)
    proposal.state, proposal.updated_at = CommendationState.WITHDRAWN.value, now
    await record_step(uow, proposal, CommendationAction.WITHDRAWN, actor, proposal.unit_id, None, None, now)
    return proposal
