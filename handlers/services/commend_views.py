"""What /bieuduong shows: a cell's proposals, what waits at a committee, one proposal with its history, a
member's own commendations, and a committee's year in figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.catalog import commend as cm
from handlers.services.authz import Actor, cells_in_scope
from handlers.services.commend_decisions import decidable
from handlers.services.commendations import nominee_label, proposing_cell
from handlers.services.errors import Forbidden
from handlers.text import fmt_date
from storage.enums import CommendationAction, CommendationState, NomineeKind, Role
from storage.models import Commendation
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class ProposalView:
    id: int
    kind: str
    nominee: str  # "Đồng chí …" or "Tập thể …"
    cell_name: str
    item: str | None  # the commitment or model it is tied to
    account: str
    state: str
    level_name: str
    proposer_name: str
    created_at: datetime
    form: str | None
    decision_number: str | None
    decision_date: date | None
    comment: str | None

    def state_text(self) -> str:
        if self.state == CommendationState.COMMENDED.value:
            return cm.STATE_COMMENDED.format(
                form=cm.FORM_LABELS.get(self.form or "", ""),
                number=self.decision_number or "",
                date=fmt_date(self.decision_date) if self.decision_date else "",
            )
        if self.state == CommendationState.RETURNED.value:
            return cm.STATE_RETURNED.format(comment=self.comment or "")
        if self.state == CommendationState.WITHDRAWN.value:
            return cm.STATE_WITHDRAWN
        return cm.STATE_PENDING.format(level=self.level_name)


@dataclass(frozen=True)
class CommitteeYear:
    lower_pending: int  # waiting at a committee below the actor's
    commended_collective: int  # decided at the actor's committee
    commended_individual: int
    upward_collective: int  # proposed by the actor's committee to the level above
    upward_individual: int


async def view_of(uow: UnitOfWork, proposal: Commendation) -> ProposalView:
    cell = await uow.units.get(proposal.unit_id)
    level = await uow.units.get(proposal.level_unit_id)
    proposer = await uow.members.get(proposal.proposed_by_member_id)
    item = await uow.commitments.get(proposal.commitment_id) if proposal.commitment_id else None
    return ProposalView(
        id=proposal.id,
        kind=proposal.kind,
        nominee=await nominee_label(uow, proposal),
        cell_name=cell.name if cell else "",
        item=item.content if item else None,
        account=proposal.account,
        state=proposal.state,
        level_name=level.name if level else "",
        proposer_name=proposer.full_name if proposer else "",
        created_at=proposal.created_at,
        form=proposal.form,
        decision_number=proposal.decision_number,
        decision_date=proposal.decision_date,
        comment=proposal.comment,
    )


async def history(uow: UnitOfWork, proposal: Commendation, tz: ZoneInfo) -> list[str]:
    """Every step: when, who, at which unit, what (with the comment of a return)."""
    lines = []
    for step in await uow.honours.steps([proposal.id]):
        who = await uow.members.get(step.member_id)
        unit = await uow.units.get(step.unit_id)
        to = await uow.units.get(step.to_unit_id) if step.to_unit_id else None
        action = cm.ACTION_LABELS[step.action].format(
            to=to.name if to else "",
            form=cm.FORM_LABELS.get(proposal.form or "", ""),
            number=proposal.decision_number or "",
            date=fmt_date(proposal.decision_date) if proposal.decision_date else "",
        )
        lines.append(
            cm.HISTORY_LINE.format(
                time=step.at.astimezone(tz).strftime("%H:%M %d/%m/%Y"),
                who=who.full_name if who else "",
                unit=unit.name if unit else "",
                action=action,
                note=cm.HISTORY_NOTE.format(note=step.note) if step.note else "",
            )
        )
    return lines


async def cell_proposals(uow: UnitOfWork, actor: Actor, year: int) -> list[ProposalView]:
    """The year's proposals of the cell the actor leads."""
    cell = await proposing_cell(uow, actor)
    return [await view_of(uow, p) for p in await uow.honours.of_cells([cell.id], year)]


async def waiting_for(uow: UnitOfWork, actor: Actor) -> list[ProposalView]:
    """The proposals waiting at the actor's committee (re-checked one by one)."""
    if actor.role is not Role.COMMITTEE or actor.scope_unit_id is None:
        raise Forbidden(cm.COMMEND_FORBIDDEN)
    views = []
    for proposal in await uow.honours.waiting_at(actor.scope_unit_id):
        found, _ = await decidable(uow, actor, proposal.id)
        views.append(await view_of(uow, found))
    return views


async def committee_year(uow: UnitOfWork, actor: Actor, year: int) -> CommitteeYear:
    _, cells = await cells_in_scope(uow, actor)
    proposals = await uow.honours.of_cells([cell.id for cell in cells], year)
    steps = await uow.honours.steps([p.id for p in proposals])
    here = [s for s in steps if s.unit_id == actor.scope_unit_id]
    forwarded_here = {s.commendation_id for s in here if s.action == CommendationAction.FORWARDED.value}
    decided_here = {s.commendation_id for s in here if s.action == CommendationAction.COMMENDED.value}

    def count(ids: set[int], kind: NomineeKind) -> int:
        return sum(1 for p in proposals if p.id in ids and p.kind == kind.value)

    lower = 0
    for p in proposals:
        level = await uow.units.get(p.level_unit_id)
        below = level is not None and level.id != actor.scope_unit_id and level.path.startswith(actor.scope_path or "")
        lower += int(p.state == CommendationState.PENDING.value and below)
    return CommitteeYear(
        lower_pending=lower,
        commended_collective=count(decided_here, NomineeKind.COLLECTIVE),
        commended_individual=count(decided_here, NomineeKind.INDIVIDUAL),
        upward_collective=count(forwarded_here, NomineeKind.COLLECTIVE),
        upward_individual=count(forwarded_here, NomineeKind.INDIVIDUAL),
    )


async def my_commendations(uow: UnitOfWork, actor: Actor) -> list[ProposalView]:
    return [await view_of(uow, p) for p in await uow.honours.commended_member(actor.member_id)]
