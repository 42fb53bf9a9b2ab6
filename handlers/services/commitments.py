"""Registering, editing, withdrawing and listing one's own commitments; logging their progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from handlers.services.authz import Actor, own_active_commitment
from handlers.services.validation import (
    CONTENT_MAX,
    CONTENT_MIN,
    MEASURES_MAX,
    MEASURES_MIN,
    NOTE_MAX,
    checked_deadline_value,
    checked_percent,
    checked_text,
)
from storage.enums import CommitmentKind, CommitmentStatus, ReviewState
from storage.models import Commitment, ProgressEntry
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Draft:
    content: str
    measures: str
    deadline: date


async def register_commitment(
    uow: UnitOfWork, actor: Actor, draft: Draft, today: date, now: datetime
) -> tuple[Commitment, int]:
    """Save a registration; returns it and its number among the member's active ones."""
    commitment = Commitment(
        member_id=actor.member_id,
        year=today.year,
        content=checked_text(draft.content, CONTENT_MIN, CONTENT_MAX),
        measures=checked_text(draft.measures, MEASURES_MIN, MEASURES_MAX),
        deadline=checked_deadline_value(draft.deadline, today),
        status=CommitmentStatus.ACTIVE.value,
        percent=0,
        kind=CommitmentKind.INDIVIDUAL.value,
        review_state=ReviewState.PENDING.value,  # the secretary reviews it (/duyet)
        created_at=now,
        updated_at=now,
    )
    await uow.commitments.add(commitment)
    same_year = [c for c in await own_individual(uow, actor) if c.year == commitment.year]
    return commitment, len(same_year)


async def own_individual(uow: UnitOfWork, actor: Actor) -> list[Commitment]:
    rows = await uow.commitments.active_for(actor.member_id)
    return [c for c in rows if c.kind == CommitmentKind.INDIVIDUAL.value]


async def list_commitments(uow: UnitOfWork, actor: Actor) -> list[Commitment]:
    """One's own commitments, then (for a secretary or deputy) the cell's collective commitments and models."""
    own = await own_individual(uow, actor)
    if not actor.role.leads_cell or actor.scope_unit_id is None:
        return own
    return [*own, *await uow.review.cell_items(actor.scope_unit_id)]


async def edit_commitment(
    uow: UnitOfWork,
    actor: Actor,
    commitment_id: int,
    now: datetime,
    *,
    content: str | None = None,
    measures: str | None = None,
    deadline: date | None = None,
    today: date | None = None,
) -> Commitment:
    commitment = await own_active_commitment(uow, actor, commitment_id)
    if content is not None:
        commitment.content = checked_text(content, CONTENT_MIN, CONTENT_MAX)
    if measures is not None:
        commitment.measures = checked_text(measures, MEASURES_MIN, MEASURES_MAX)
    if deadline is not None:
        commitment.deadline = checked_deadline_value(deadline, today or now.date())
    if commitment.kind == CommitmentKind.INDIVIDUAL.value and commitment.review_state == ReviewState.APPROVED.value:
        commitment.review_state = ReviewState.PENDING.value  # the chi ủy approved the old wording, not this one
    commitment.updated_at = now
    return commitment


async def withdraw_commitment(uow: UnitOfWork, actor: Actor, commitment_id: int, now: datetime) -> Commitment:
    commitment = await own_active_commitment(uow, actor, commitment_id)
    commitment.status = CommitmentStatus.WITHDRAWN.value
    commitment.withdrawn_at = commitment.updated_at = now
    return commitment


async def log_progress(
    uow: UnitOfWork, actor: Actor, commitment_id: int, percent: int | str, note: str | None, now: datetime
) -> Commitment:
    commitment = await own_active_commitment(uow, actor, commitment_id)
    value = checked_percent(str(percent))
    clean_note = checked_text(note, 1, NOTE_MAX) if note and note.strip() else None
    await uow.commitments.add_progress(
        ProgressEntry(
            commitment_id=commitment.id,
            percent=value,
            note=clean_note,
            entered_by_member_id=actor.member_id,
            created_at=now,
        )
    )
    commitment.percent = value
    commitment.last_progress_at = commitment.updated_at = now
    return commitment
