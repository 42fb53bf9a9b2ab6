"""Replicated models (nhân rộng mô hình): a cell's new model follows another unit's model, one in the bot (chosen
from a list) or one outside it (typed); roll-ups count replications and show which pilot spread where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from handlers.catalog import commend as cm
from handlers.catalog import review as rv
from handlers.services.authz import Actor, leads_cell_of
from handlers.services.collective import MODEL_NAME_MAX, led_cell
from handlers.services.errors import Forbidden, InvalidInput
from handlers.services.validation import CONTENT_MIN, checked_text
from handlers.text import fold
from storage.enums import CommitmentKind, CommitmentStatus
from storage.models import Commitment, ModelReplication
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class ModelOption:
    commitment_id: int
    name: str
    cell_name: str


async def model_options(uow: UnitOfWork, actor: Actor, today: date) -> list[ModelOption]:
    """Models of this year and the last run by other cells: the pilots a new model of the actor's cell may follow."""
    cell = await led_cell(uow, actor)
    if cell is None:
        raise Forbidden(rv.COLLECTIVE_FORBIDDEN)
    rows = await uow.honours.model_options([today.year - 1, today.year])
    options = [ModelOption(c.id, c.content, unit.name) for c, unit in rows if unit.id != cell.id]
    return sorted(options, key=lambda o: (fold(o.cell_name), fold(o.name), o.commitment_id))


async def checked_source(uow: UnitOfWork, actor: Actor, source_id: int) -> ModelOption:
    """A pilot the actor's cell may follow (re-checked: a button names only a hint)."""
    cell = await led_cell(uow, actor)
    source = await uow.commitments.get(source_id)
    if (
        cell is None
        or source is None
        or source.kind != CommitmentKind.MODEL.value
        or source.status != CommitmentStatus.ACTIVE.value
        or source.unit_id is None
        or source.unit_id == cell.id
    ):
        raise InvalidInput(cm.SOURCE_GONE)
    unit = await uow.units.get(source.unit_id)
    return ModelOption(source.id, source.content, unit.name if unit else "")


def checked_source_text(raw: str) -> str:
    return checked_text(raw, CONTENT_MIN, MODEL_NAME_MAX)


async def record_replication(
    uow: UnitOfWork, actor: Actor, model: Commitment, source_id: int | None, source_text: str | None, now: datetime
) -> ModelReplication:
    """The actor's cell's new model follows `source_id` (a model in the bot) or `source_text` (one outside it)."""
    if model.kind != CommitmentKind.MODEL.value or not leads_cell_of(actor, model):
        raise Forbidden(rv.COLLECTIVE_FORBIDDEN)
    if source_id is not None:
        await checked_source(uow, actor, source_id)
        source_text = None
    else:
        source_text = checked_source_text(source_text or "")
    row = ModelReplication(
        commitment_id=model.id, source_commitment_id=source_id, source_text=source_text, created_at=now
    )
    await uow.honours.add(row)
    return row
