"""Who may do what, decided against the organisation tree on every call (never from a button)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.catalog import core as t
from handlers.services.errors import Forbidden, NotFound
from storage.enums import CommitmentKind, CommitmentStatus, Role, UnitKind
from storage.models import Commitment, Member, Unit
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Actor:
    member_id: int
    code: str
    full_name: str
    role: Role
    cell_id: int | None
    scope_unit_id: int | None
    scope_path: str | None  # materialised path of the unit they administer


async def load_actor(uow: UnitOfWork, member: Member, scope: Unit | None = None) -> Actor:
    """The member as an actor; pass `scope` (the unit they administer) when already loaded."""
    if scope is None and member.scope_unit_id:
        scope = await uow.units.get(member.scope_unit_id)
    return Actor(
        member_id=member.id,
        code=member.code,
        full_name=member.full_name,
        role=Role(member.role),
        cell_id=member.cell_id,
        scope_unit_id=scope.id if scope else None,
        scope_path=scope.path if scope else None,
    )


def can_summarise(actor: Actor) -> bool:
    return actor.scope_path is not None and (actor.role.leads_cell or actor.role is Role.COMMITTEE)


def may_see_unit(actor: Actor, unit: Unit) -> bool:
    if not can_summarise(actor) or actor.scope_path is None:
        return False
    if actor.role.leads_cell:
        return unit.id == actor.scope_unit_id
    return unit.path.startswith(actor.scope_path)


async def scope_unit(uow: UnitOfWork, actor: Actor) -> Unit:
    if not can_summarise(actor) or actor.scope_unit_id is None:
        raise Forbidden(t.SUMMARY_FORBIDDEN)
    unit = await uow.units.get(actor.scope_unit_id)
    if unit is None or not may_see_unit(actor, unit):
        raise Forbidden(t.SUMMARY_FORBIDDEN)
    return unit


async def cells_in_scope(uow: UnitOfWork, actor: Actor) -> tuple[Unit, list[Unit]]:
    unit = await scope_unit(uow, actor)
    cells = [unit] if unit.kind == UnitKind.CELL.value else await uow.units.cells_in_subtree(unit)
    return unit, [cell for cell in cells if may_see_unit(actor, cell)]


def leads_cell_of(actor: Actor, commitment: Commitment) -> bool:
    """A collective commitment or model belongs to its cell: its secretary and deputy act on it."""
    return actor.role.leads_cell and commitment.unit_id is not None and commitment.unit_id == actor.scope_unit_id


async def own_active_commitment(uow: UnitOfWork, actor: Actor, commitment_id: int) -> Commitment:
    """The commitment, if it is the actor's own (or their cell's) and still active; otherwise NotFound (no hint why)."""
    commitment = await uow.commitments.get(commitment_id)
    if commitment is None or commitment.status != CommitmentStatus.ACTIVE.value:
        raise NotFound(t.COMMITMENT_GONE)
    if commitment.kind == CommitmentKind.INDIVIDUAL.value:
        mine = commitment.member_id == actor.member_id
    else:
        mine = leads_cell_of(actor, commitment)
    if not mine:
        raise NotFound(t.COMMITMENT_GONE)
    return commitment
