"""Commitments of a cell (tập thể) and named models (mô hình), registered and followed by its leaders."""

from __future__ import annotations

from datetime import date, datetime

from handlers.catalog import review as rv
from handlers.services.authz import Actor
from handlers.services.commitments import Draft
from handlers.services.errors import Forbidden
from handlers.services.validation import (
    CONTENT_MAX,
    CONTENT_MIN,
    MEASURES_MAX,
    MEASURES_MIN,
    checked_deadline_value,
    checked_text,
)
from storage.enums import CommitmentKind, CommitmentStatus, ReviewState, UnitKind
from storage.models import Commitment, Unit
from storage.uow import UnitOfWork

MODEL_NAME_MAX = 300
CELL_KINDS = (CommitmentKind.COLLECTIVE, CommitmentKind.MODEL)


async def led_cell(uow: UnitOfWork, actor: Actor) -> Unit | None:
    """The active cell the actor leads as secretary or deputy, if any."""
    if not actor.role.leads_cell or actor.scope_unit_id is None:
        return None
    unit = await uow.units.get(actor.scope_unit_id)
    if unit is None or not unit.active or unit.kind != UnitKind.CELL.value:
        return None
    return unit


async def register_for_cell(
    uow: UnitOfWork, actor: Actor, kind: CommitmentKind, draft: Draft, today: date, now: datetime
) -> tuple[Commitment, Unit, int]:
    """Save a collective commitment or a model of the actor's cell (approved at once: the cell's leaders
    registered it); returns it, the cell and its number among the cell's items of the year."""
    cell = await led_cell(uow, actor)
    if cell is None or kind not in CELL_KINDS:
        raise Forbidden(rv.COLLECTIVE_FORBIDDEN)
    maximum = MODEL_NAME_MAX if kind is CommitmentKind.MODEL else CONTENT_MAX
    commitment = Commitment(
        member_id=actor.member_id,
        unit_id=cell.id,
        kind=kind.value,
        year=today.year,
        content=checked_text(draft.content, CONTENT_MIN, maximum),
        measures=checked_text(draft.measures, MEASURES_MIN, MEASURES_MAX),
        deadline=checked_deadline_value(draft.deadline, today),
        status=CommitmentStatus.ACTIVE.value,
        percent=0,
        review_state=ReviewState.APPROVED.value,
        reviewed_by_member_id=actor.member_id,
        reviewed_at=now,
        created_at=now,
        updated_at=now,
    )
    await uow.commitments.add(commitment)
    same_year = [c for c in await uow.review.cell_items(cell.id) if c.year == commitment.year]
    return commitment, cell, len(same_year)
