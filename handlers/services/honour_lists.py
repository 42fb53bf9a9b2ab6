"""The lists behind a roll-up's exemplars, commendations, models and activities, for the Excel and the DOCX report:
each item placed in the cell it counts in at the report's moment (handlers/services/honours.py)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers.catalog import commend as cm
from handlers.catalog import document as dc
from handlers.catalog import reports as rp
from handlers.reports.excel_honours import ActivityRow, HonourSheets, ProposalRow, UnitHonours
from handlers.services.honours import Placement, placement
from handlers.services.rollup import Rollup
from handlers.text import fold
from storage.enums import CommendationState, CommitmentKind
from storage.models import Commendation
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class ModelItem:
    name: str
    cell: str
    source: str  # "«pilot» (its cell)" when it follows another unit's model, else ""


async def honour_sheets(uow: UnitOfWork, summary: Rollup, tz: ZoneInfo) -> HonourSheets:
    lines = [UnitHonours(line.name, line.honours, line.figures.models, line.figures.cells) for line in summary.lines]
    totals = UnitHonours(summary.unit_name, summary.honours, summary.totals.models, summary.totals.cells)
    place = await placement(uow, [cell.id for cell in summary.cells], summary.window)
    return HonourSheets(
        unit_name=summary.unit_name,
        lines=lines or [totals],
        totals=totals,
        proposals=await proposal_rows(uow, summary, place, tz),
        activities=await activity_rows(uow, summary, place),
    )


async def placed_proposals(uow: UnitOfWork, summary: Rollup, place: Placement) -> list[Commendation]:
    """The year's proposals made by the report's moment in the roll-up's cells (withdrawn ones left out)."""
    found = []
    for proposal in await uow.honours.proposals_of_year(summary.window.year, summary.window.end):
        member = await uow.members.get(proposal.member_id) if proposal.member_id else None
        cell = place.moved.get(member.id, member.cell_id) if member else proposal.unit_id
        if place.of_unit(cell if cell is not None else proposal.unit_id) is not None:
            found.append(proposal)
    return found


def decided_by_then(proposal: Commendation, summary: Rollup) -> bool:
    return (
        proposal.state == CommendationState.COMMENDED.value
        and proposal.decided_at is not None
        and proposal.decided_at < summary.window.end
    )


async def proposal_rows(uow: UnitOfWork, summary: Rollup, place: Placement, tz: ZoneInfo) -> list[ProposalRow]:
    rows = []
    for p in await placed_proposals(uow, summary, place):
        cell, level = await uow.units.get(p.unit_id), await uow.units.get(p.level_unit_id)
        proposer = await uow.members.get(p.proposed_by_member_id)
        item = await uow.commitments.get(p.commitment_id) if p.commitment_id else None
        decided = decided_by_then(p, summary)
        returned = p.state == CommendationState.RETURNED.value
        state = dc.XL_STATE["commended" if decided else "returned" if returned else "pending"]
        rows.append(
            ProposalRow(
                cell=cell.name if cell else "",
                nominee=await _nominee(uow, p),
                kind=p.kind,
                item=item.content if item else "",
                account=p.account,
                proposer=proposer.full_name if proposer else "",
                proposed_on=p.created_at.astimezone(tz).date(),
                state=state.format(level=level.name if level else "", comment=p.comment or ""),
                form=cm.FORM_LABELS.get(p.form or "", "") if decided else "",
                number=(p.decision_number or "") if decided else "",
                decided_on=p.decision_date if decided else None,
                level=level.name if level else "",
            )
        )
    return rows


async def _nominee(uow: UnitOfWork, proposal: Commendation) -> str:
    if proposal.member_id is None:
        cell = await uow.units.get(proposal.unit_id)
        return cm.NOMINEE_CELL.format(cell=cell.name if cell else "")
    member = await uow.members.get(proposal.member_id)
    if member is None or member.anonymised_at is not None:
        return rp.ANONYMOUS
    return cm.NOMINEE_MEMBER.format(name=member.full_name)


async def activity_rows(uow: UnitOfWork, summary: Rollup, place: Placement) -> list[ActivityRow]:
    rows = []
    for activity in await uow.honours.activities(summary.window.year, summary.window.last_day):
        if place.of_unit(activity.unit_id) is None:
            continue
        unit = await uow.units.get(activity.unit_id)  # the cell that held it, even if merged since
        kind = cm.ACTIVITY_KIND_LABELS.get(activity.kind, activity.kind)
        rows.append(
            ActivityRow(unit.name if unit else "", kind, activity.title, activity.held_on, activity.participants)
        )
    return rows


async def model_items(uow: UnitOfWork, summary: Rollup) -> list[ModelItem]:
    """The models of the roll-up's cells, with the pilot each follows, if any."""
    cells = {cell.id: cell.name for cell in summary.cells}
    owned = await uow.reports.cells_commitments(list(cells), summary.window)
    models = [(cells[cell_id], line) for cell_id, lines in owned.items() for line in lines]
    models = [(cell, line) for cell, line in models if line.kind == CommitmentKind.MODEL.value]
    followed = await uow.honours.replications([line.commitment_id for _, line in models])
    items = []
    for cell, line in models:
        source = ""
        if (rep := followed.get(line.commitment_id)) is not None:
            pilot = await uow.commitments.get(rep.source_commitment_id) if rep.source_commitment_id else None
            unit = await uow.units.get(pilot.unit_id) if pilot is not None and pilot.unit_id else None
            name = pilot.content if pilot else rep.source_text or ""
            source = cm.SOURCE_IN_BOT.format(name=name, cell=unit.name) if unit else cm.SOURCE_TYPED.format(name=name)
        items.append(ModelItem(line.content, cell, source))
    return sorted(items, key=lambda m: (fold(m.cell), fold(m.name)))
