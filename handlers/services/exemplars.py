"""Registering to become an exemplar (đăng ký xây dựng điển hình): a member for themself, a cell's leaders for the
cell; asked with the first registration of the year (/dangky) and counted apart for individuals and collectives."""

from __future__ import annotations

from datetime import datetime

from handlers.catalog import review as rv
from handlers.services.authz import Actor
from handlers.services.collective import led_cell
from handlers.services.errors import Forbidden
from storage.enums import CommitmentKind, NomineeKind
from storage.models import ExemplarRegistration
from storage.uow import UnitOfWork


def nominee_kind(kind: CommitmentKind) -> NomineeKind:
    """A member's own commitment asks about the member; a collective commitment or a model about the cell."""
    return NomineeKind.INDIVIDUAL if kind is CommitmentKind.INDIVIDUAL else NomineeKind.COLLECTIVE


async def already_registered(uow: UnitOfWork, actor: Actor, kind: NomineeKind, year: int) -> bool:
    if kind is NomineeKind.INDIVIDUAL:
        return await uow.honours.exemplar_of_member(year, actor.member_id) is not None
    cell = await led_cell(uow, actor)
    return cell is None or await uow.honours.exemplar_of_cell(year, cell.id) is not None


async def should_ask(uow: UnitOfWork, actor: Actor, kind: NomineeKind, year: int) -> bool:
    """Asked with the first registration of the year (the paper form has the line once), unless already registered."""
    if await already_registered(uow, actor, kind, year):
        return False
    if kind is NomineeKind.INDIVIDUAL:
        own = await uow.commitments.active_for(actor.member_id)
        return not any(c.year == year and c.kind == CommitmentKind.INDIVIDUAL.value for c in own)
    cell = await led_cell(uow, actor)
    return cell is not None and not any(c.year == year for c in await uow.review.cell_items(cell.id))


async def register_exemplar(
    uow: UnitOfWork, actor: Actor, kind: NomineeKind, year: int, now: datetime
) -> ExemplarRegistration | None:
    """Record the registration (once a year: None when it was already there)."""
    if await already_registered(uow, actor, kind, year):
        if kind is NomineeKind.COLLECTIVE and await led_cell(uow, actor) is None:
            raise Forbidden(rv.COLLECTIVE_FORBIDDEN)
        return None
    if kind is NomineeKind.INDIVIDUAL:
        row = ExemplarRegistration(
            year=year,
            kind=kind.value,
            member_id=actor.member_id,
            unit_id=actor.cell_id,
            registered_by_member_id=actor.member_id,
            created_at=now,
        )
    else:
        cell = await led_cell(uow, actor)
        assert cell is not None  # already_registered said so
        row = ExemplarRegistration(
            year=year,
            kind=kind.value,
            member_id=None,
            unit_id=cell.id,
            registered_by_member_id=actor.member_id,
            created_at=now,
        )
    await uow.honours.add(row)
    return row
