"""The year-end self-assessment (tự đánh giá) of each commitment, its distribution per cell, and the member's
year record as plain text for their kiểm điểm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.catalog import review as rv
from handlers.services.authz import Actor, cells_in_scope, own_active_commitment
from handlers.services.commitments import own_individual
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.services.validation import NOTE_MAX, checked_text
from handlers.text import fmt_date
from storage.enums import AssessmentResult, CommitmentKind
from storage.models import Commitment, SelfAssessment
from storage.uow import UnitOfWork

CAUSE_MIN = 3
RECORD_NOTES = 5  # the latest progress notes quoted per commitment


@dataclass(frozen=True)
class CellDistribution:
    cell_name: str
    done: int
    partial: int
    not_done: int
    missing: int


async def ensure_open(uow: UnitOfWork, today: date) -> None:
    """The self-assessment of today's year is open from the cycle's date to the year's end."""
    cycle = await uow.assessments.cycle(today.year)
    if cycle is None or cycle.self_assessment_from is None:
        raise Forbidden(rv.ASSESS_NOT_SET.format(year=today.year))
    if today < cycle.self_assessment_from:
        raise Forbidden(rv.ASSESS_NOT_YET.format(year=today.year, date=fmt_date(cycle.self_assessment_from)))


async def is_open(uow: UnitOfWork, today: date) -> bool:
    try:
        await ensure_open(uow, today)
    except Forbidden:
        return False
    return True


async def assessable(uow: UnitOfWork, actor: Actor, year: int) -> list[tuple[Commitment, SelfAssessment | None]]:
    """The actor's own active commitments of the year, each with its self-assessment if any."""
    commitments = [c for c in await own_individual(uow, actor) if c.year == year]
    found = await uow.assessments.for_commitments([c.id for c in commitments])
    return [(c, found.get(c.id)) for c in commitments]


async def assessable_commitment(uow: UnitOfWork, actor: Actor, commitment_id: int, today: date) -> Commitment:
    commitment = await own_active_commitment(uow, actor, commitment_id)
    if commitment.kind != CommitmentKind.INDIVIDUAL.value or commitment.year != today.year:
        raise NotFound(rv.ASSESS_CLOSED.format(year=commitment.year))
    return commitment


def checked_result(raw: str | None) -> AssessmentResult:
    try:
        return AssessmentResult(raw or "")
    except ValueError:
        raise InvalidInput(rv.ASSESS_RESULT_INVALID) from None


async def save_assessment(
    uow: UnitOfWork,
    actor: Actor,
    commitment_id: int,
    result: str,
    cause: str | None,
    remedy: str | None,
    today: date,
    now: datetime,
) -> SelfAssessment:
    """Record (or revise) the verdict on one's own commitment; cause and remedy are required unless done."""
    await ensure_open(uow, today)
    commitment = await assessable_commitment(uow, actor, commitment_id, today)
    verdict = checked_result(result)
    if verdict is AssessmentResult.DONE:
        clean_cause = clean_remedy = None
    else:
        clean_cause = checked_text(cause, CAUSE_MIN, NOTE_MAX)
        clean_remedy = checked_text(remedy, CAUSE_MIN, NOTE_MAX)
    row = await uow.assessments.get(commitment.id)
    if row is None:
        row = await uow.assessments.add(
            SelfAssessment(commitment_id=commitment.id, result=verdict.value, assessed_at=now)
        )
    row.result, row.cause, row.remedy, row.assessed_at = verdict.value, clean_cause, clean_remedy, now
    return row


async def distribution(uow: UnitOfWork, actor: Actor, year: int) -> tuple[str, list[CellDistribution]]:
    """Per cell in the actor's scope: commitments by self-assessment result (and not yet assessed)."""
    unit, cells = await cells_in_scope(uow, actor)
    counts = await uow.assessments.distribution([cell.id for cell in cells], year)
    lines = [
        CellDistribution(
            cell_name=cell.name,
            done=counts[cell.id].get(AssessmentResult.DONE.value, 0),
            partial=counts[cell.id].get(AssessmentResult.PARTIAL.value, 0),
            not_done=counts[cell.id].get(AssessmentResult.NOT_DONE.value, 0),
            missing=counts[cell.id].get("", 0),
        )
        for cell in cells
    ]
    return unit.name, lines


def result_label(result: str) -> str:
    return rv.RESULT_LABELS.get(result, result)


async def year_record(uow: UnitOfWork, actor: Actor, year: int, tz: ZoneInfo) -> str:
    """The member's year as plain text, ready to paste into their kiểm điểm."""
    member = await uow.members.get(actor.member_id)
    cell = await uow.units.get(member.cell_id) if member and member.cell_id else None
    theme = await uow.themes.get(year)
    position = rv.RECORD_POSITION.format(position=member.position) if member and member.position else ""
    out = [rv.RECORD_HEADER.format(year=year, name=actor.full_name, position=position, cell=cell.name if cell else "")]
    if theme is not None:
        out.append(rv.RECORD_THEME.format(title=theme.title))
    items = await assessable(uow, actor, year)
    if not items:
        out.append(rv.RECORD_NOTHING)
    for number, (commitment, assessment) in enumerate(items, start=1):
        out.extend(await _record_item(uow, number, commitment, assessment, tz))
    return "\n".join(out)


async def _record_item(
    uow: UnitOfWork, number: int, c: Commitment, assessment: SelfAssessment | None, tz: ZoneInfo
) -> list[str]:
    lines = [
        rv.RECORD_ITEM.format(
            number=number, content=c.content, measures=c.measures, deadline=fmt_date(c.deadline), percent=c.percent
        )
    ]
    entries = await uow.commitments.progress_of(c.id)
    if entries:
        lines.append(rv.RECORD_PROGRESS.format(count=len(entries)))
        noted = [entry for entry in entries if entry.note][-RECORD_NOTES:]
        lines.extend(
            rv.RECORD_NOTE.format(
                date=fmt_date(entry.created_at.astimezone(tz).date()), percent=entry.percent, note=entry.note
            )
            for entry in noted
        )
    else:
        lines.append(rv.RECORD_NO_PROGRESS)
    if assessment is None:
        lines.append(rv.RECORD_NO_ASSESSMENT)
        return lines
    lines.append(rv.RECORD_ASSESSMENT.format(result=result_label(assessment.result)))
    if assessment.cause:
        lines.append(rv.RECORD_CAUSE.format(cause=assessment.cause))
    if assessment.remedy:
        lines.append(rv.RECORD_REMEDY.format(remedy=assessment.remedy))
    return lines
