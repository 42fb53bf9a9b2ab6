"""Deciding a commendation (/bieuduong, committee staff): commend it at their level (biểu dương or khen thưởng,
with the decision's number and date), propose it to the level above, or return it with a comment (to the level
that sent it up, or to the cell that proposed it). Staff decide only what waits at their own committee, inside
their subtree, and never a proposal they made or one naming themselves. Each step is recorded; the people
concerned are told through the delivery queue."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.catalog import commend as cm
from handlers.services.authz import Actor
from handlers.services.commendations import nominee_ref, record_step, tell_staff
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.services.notices import notify
from handlers.services.review import COMMENT_MIN
from handlers.services.validation import NOTE_MAX, checked_text, past_day, past_day_value
from handlers.text import clean, fmt_date
from storage.enums import CommendationAction, CommendationForm, CommendationState, Role
from storage.models import Commendation, Member, Unit
from storage.uow import UnitOfWork

DECISION_NUMBER_MAX = 50
_DIGIT = re.compile(r"[0-9]")


def checked_decision_number(raw: str | None) -> str:
    """A decision's number as written on it (e.g. "125-QĐ/ĐU"): one line with a digit, at most 50 characters."""
    text = clean(raw)
    if not text or "\n" in text or len(text) > DECISION_NUMBER_MAX or not _DIGIT.search(text):
        raise InvalidInput(cm.DECISION_NUMBER_INVALID.format(maximum=DECISION_NUMBER_MAX))
    return text


def checked_decision_date(raw: str | None, today: date) -> date:
    return past_day(raw, today, cm.DECISION_DATE_FUTURE, cm.DECISION_DATE_TOO_OLD)


async def decidable(uow: UnitOfWork, actor: Actor, proposal_id: int) -> tuple[Commendation, Unit]:
    """A proposal waiting at the actor's committee, from a cell of its subtree; otherwise NotFound (no hint why)."""
    if actor.role is not Role.COMMITTEE or actor.scope_unit_id is None or actor.scope_path is None:
        raise Forbidden(cm.COMMEND_FORBIDDEN)
    proposal = await uow.honours.commendation(proposal_id)
    if (
        proposal is None
        or proposal.state != CommendationState.PENDING.value
        or proposal.level_unit_id != actor.scope_unit_id
    ):
        raise NotFound(cm.GONE)
    level, cell = await uow.units.get(proposal.level_unit_id), await uow.units.get(proposal.unit_id)
    if level is None or cell is None or not cell.path.startswith(actor.scope_path):
        raise NotFound(cm.GONE)
    return proposal, level


def refuse_own(actor: Actor, proposal: Commendation) -> None:
    """Nobody decides on their own proposal, nor on one naming themselves."""
    if actor.member_id in (proposal.proposed_by_member_id, proposal.member_id):
        raise Forbidden(cm.OWN_PROPOSAL)


async def commend(
    uow: UnitOfWork,
    actor: Actor,
    proposal_id: int,
    form: CommendationForm,
    number: str,
    decided_on: date,
    today: date,
    now: datetime,
    tz: ZoneInfo,
) -> Commendation:
    proposal, level = await decidable(uow, actor, proposal_id)
    refuse_own(actor, proposal)
    proposal.form = form.value
    proposal.decision_number = checked_decision_number(number)
    proposal.decision_date = past_day_value(decided_on, today, cm.DECISION_DATE_FUTURE, cm.DECISION_DATE_TOO_OLD)
    proposal.state, proposal.comment = CommendationState.COMMENDED.value, None
    proposal.decided_by_member_id, proposal.decided_at, proposal.updated_at = actor.member_id, now, now
    await record_step(uow, proposal, CommendationAction.COMMENDED, actor, level.id, None, None, now)
    await _tell_commended(uow, proposal, level, actor, now, tz)
    return proposal


async def _tell_commended(
    uow: UnitOfWork, proposal: Commendation, level: Unit, actor: Actor, now: datetime, tz: ZoneInfo
) -> None:
    form = cm.FORM_LABELS[proposal.form or ""]
    decision = {"level": level.name, "form": form, "number": proposal.decision_number}
    decision["date"] = fmt_date(proposal.decision_date) if proposal.decision_date else ""
    told: set[int] = {actor.member_id}
    if proposal.member_id is not None:
        await notify(uow, proposal.member_id, cm.NOTICE_COMMENDED_MEMBER.format(**decision), actor.member_id, now, tz)
        told.add(proposal.member_id)
    else:
        cell = await uow.units.get(proposal.unit_id)
        text = cm.NOTICE_COMMENDED_CELL.format(cell=cell.name if cell else "", **decision)
        for leader in await cell_leaders(uow, proposal.unit_id):
            await notify(uow, leader.id, text, actor.member_id, now, tz)
            told.add(leader.id)
    if proposal.proposed_by_member_id not in told:
        text = cm.NOTICE_COMMENDED_PROPOSER.format(nominee=await nominee_ref(uow, proposal), **decision)
        await notify(uow, proposal.proposed_by_member_id, text, actor.member_id, now, tz)


async def cell_leaders(uow: UnitOfWork, cell_id: int) -> list[Member]:
    members = await uow.members.in_cells([cell_id])
    return [m for m in members if Role(m.role).leads_cell and m.scope_unit_id == cell_id]


async def forward(uow: UnitOfWork, actor: Actor, proposal_id: int, now: datetime, tz: ZoneInfo) -> Unit:
    """Propose it to the committee above the actor's; returns that committee."""
    proposal, level = await decidable(uow, actor, proposal_id)
    refuse_own(actor, proposal)
    parent = await uow.units.get(level.parent_id) if level.parent_id else None
    if parent is None or not parent.active:
        raise InvalidInput(cm.NO_PARENT.format(unit=level.name))
    proposal.level_unit_id, proposal.updated_at = parent.id, now
    await record_step(uow, proposal, CommendationAction.FORWARDED, actor, level.id, parent.id, None, now)
    text = cm.NOTICE_FORWARDED.format(nominee=await nominee_ref(uow, proposal), level=level.name, parent=parent.name)
    await notify(uow, proposal.proposed_by_member_id, text, actor.member_id, now, tz)
    await tell_staff(uow, proposal, parent, actor, now, tz)
    return parent


async def return_proposal(
    uow: UnitOfWork, actor: Actor, proposal_id: int, comment: str, now: datetime, tz: ZoneInfo
) -> Unit:
    """Back to the level that proposed it upward (still waiting, there), or to the cell that proposed it."""
    proposal, level = await decidable(uow, actor, proposal_id)
    refuse_own(actor, proposal)
    note = checked_text(comment, COMMENT_MIN, NOTE_MAX)
    sent_up = [s for s in await uow.honours.steps([proposal.id]) if s.action == CommendationAction.FORWARDED.value]
    from_below = [s for s in sent_up if s.to_unit_id == level.id]
    lower = await uow.units.get(from_below[-1].unit_id) if from_below else None
    cell = await uow.units.get(proposal.unit_id)
    assert cell is not None  # decidable found it
    target = lower or cell
    proposal.comment, proposal.updated_at = note, now
    nominee = await nominee_ref(uow, proposal)
    if lower is not None:
        proposal.level_unit_id = lower.id
        text = cm.NOTICE_RETURNED_LOWER.format(nominee=nominee, cell=cell.name, level=level.name, comment=note)
        for member in await uow.honours.staff_of(lower.id):
            await notify(uow, member.id, text, actor.member_id, now, tz)
    else:
        proposal.state = CommendationState.RETURNED.value
        text = cm.NOTICE_RETURNED_PROPOSER.format(nominee=nominee, level=level.name, comment=note)
        await notify(uow, proposal.proposed_by_member_id, text, actor.member_id, now, tz)
    await record_step(uow, proposal, CommendationAction.RETURNED, actor, level.id, target.id, note, now)
    return target
