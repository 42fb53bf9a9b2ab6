"""Organisation changes (merge, move, dissolve) and the tree as it was at a past time.

A change runs in the caller's one transaction; with `dry_run` it only plans and writes nothing.
Each change leaves `unit_events` rows (and `member_moves` for members who change cell), so
`tree_as_of` and `member_cells_as_of` can give past periods the organisation as it was then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from handlers.catalog import core as t
from handlers.catalog import org as o
from handlers.services.errors import InvalidInput, NotFound
from handlers.text import clean
from storage.enums import UnitKind
from storage.models import Unit, UnitEvent
from storage.uow import UnitOfWork

MERGE, MOVE, DISSOLVE = "merge", "move", "dissolve"
_ID_SPEC = re.compile(r"^(?:id\s*)?#?\s*(\d+)$", re.IGNORECASE)


@dataclass
class OrgChange:
    """What a change does (or would do, in a dry run), ready to print."""

    action: str
    unit: str  # "Parent / Name" labels
    target: str
    dry_run: bool
    members: list[tuple[str, str]] = field(default_factory=list)  # (code, full name) changing cell
    units: list[str] = field(default_factory=list)  # sub-units re-parented under the target
    paths: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old path, new path)
    scopes: list[tuple[str, str, str]] = field(default_factory=list)  # (code, full name, role)
    commitments: int = 0  # collective commitments and models moving to the target
    members_with_unit: int = 0  # a moved unit's members: same cell, new place in the tree
    deactivated: bool = False
    schedule_off: bool = False


# --- naming units --------------------------------------------------------------------------------------------
async def unit_label(uow: UnitOfWork, unit: Unit) -> str:
    """'Đảng bộ tỉnh … / Đảng bộ xã … / Chi bộ …': the unit with its ancestors."""
    return " / ".join(ancestor.name for ancestor in await uow.units.ancestors(unit))


async def resolve_unit(uow: UnitOfWork, spec: str) -> Unit:
    """A unit named as the operator would: an id ("12", "#12"), a name, or "Parent / Name".

    Active units win over inactive ones of the same name; a name still ambiguous is refused with
    the candidates and their parents listed.
    """
    spec = clean(spec)
    by_id = _ID_SPEC.match(spec)
    if by_id:
        unit = await uow.units.get(int(by_id.group(1)))
        if unit is None:
            raise NotFound(o.UNIT_UNKNOWN.format(name=spec))
        return unit
    parts = [part.strip() for part in spec.split("/") if part.strip()]
    if not parts:
        raise NotFound(o.UNIT_UNKNOWN.format(name=spec))
    candidates = [unit for unit in await uow.units.find_by_name(parts[-1]) if await _parents_match(uow, unit, parts)]
    active = [unit for unit in candidates if unit.active]
    candidates = active or candidates
    if not candidates:
        raise NotFound(o.UNIT_UNKNOWN.format(name=spec))
    if len(candidates) > 1:
        lines = [
            o.UNIT_CANDIDATE.format(
                id=unit.id, label=await unit_label(uow, unit), inactive="" if unit.active else o.UNIT_INACTIVE_MARK
            )
            for unit in candidates
        ]
        raise InvalidInput(o.UNIT_AMBIGUOUS.format(count=len(candidates), name=spec, lines="\n".join(lines)))
    return candidates[0]


async def _parents_match(uow: UnitOfWork, unit: Unit, parts: list[str]) -> bool:
    """True when the names before the last part are the unit's nearest ancestors (case-insensitive)."""
    if len(parts) == 1:
        return True
    names = [ancestor.name.casefold() for ancestor in await uow.units.ancestors(unit)]
    wanted = [part.casefold() for part in parts]
    return names[-len(wanted) :] == wanted


# --- the changes ------------------------------------------------------------------------------------------------
async def merge_unit(uow: UnitOfWork, unit_spec: str, target_spec: str, now: datetime, *, dry_run: bool) -> OrgChange:
    """A's members (with their history), collective commitments, sub-units and scopes go to B; A is deactivated."""
    unit, target = await _pair(uow, unit_spec, target_spec)
    return await _absorb(uow, MERGE, unit, target, now, dry_run)


async def dissolve_unit(
    uow: UnitOfWork, unit_spec: str, target_spec: str, now: datetime, *, dry_run: bool
) -> OrgChange:
    """A cell's members go to cell B; a committee's sub-units go under committee B. A is deactivated."""
    unit, target = await _pair(uow, unit_spec, target_spec)
    return await _absorb(uow, DISSOLVE, unit, target, now, dry_run)


async def move_unit(uow: UnitOfWork, unit_spec: str, parent_spec: str, now: datetime, *, dry_run: bool) -> OrgChange:
    """A and its whole subtree go under PARENT; every path below A is rewritten in one statement."""
    unit, parent = await _pair(uow, unit_spec, parent_spec)
    unit_name, parent_name = await unit_label(uow, unit), await unit_label(uow, parent)
    if parent.kind != UnitKind.COMMITTEE.value:
        raise InvalidInput(o.PARENT_NOT_COMMITTEE.format(target=parent_name))
    if unit.parent_id == parent.id:
        raise InvalidInput(o.ALREADY_THERE.format(unit=unit_name, target=parent_name))
    await _refuse_name_clash(uow, parent, [unit], parent_name)
    subtree = await uow.org.subtree(unit)
    old_prefix, new_prefix = unit.path, f"{parent.path}{unit.id}/"
    change = OrgChange(MOVE, unit_name, parent_name, dry_run)
    change.paths = [(await unit_label(uow, u), u.path, new_prefix + u.path[len(old_prefix) :]) for u in subtree]
    change.members_with_unit = await uow.org.count_members_in(subtree)
    if dry_run:
        return change
    old_parent_id = unit.parent_id
    await uow.org.rewrite_paths(old_prefix, new_prefix)
    await uow.org.refresh(subtree)
    unit.parent_id = parent.id
    await uow.org.add_event(
        UnitEvent(
            unit_id=unit.id,
            action=MOVE,
            target_unit_id=parent.id,
            old_parent_id=old_parent_id,
            new_parent_id=parent.id,
            old_path=old_prefix,
            members_moved=0,  # nobody changes cell; the members go with their unit
            at=now,
        )
    )
    return change


async def _pair(uow: UnitOfWork, unit_spec: str, target_spec: str) -> tuple[Unit, Unit]:
    unit = await resolve_unit(uow, unit_spec)
    target = await resolve_unit(uow, target_spec)
    for checked in (unit, target):
        if not checked.active:
            raise InvalidInput(o.UNIT_INACTIVE.format(name=await unit_label(uow, checked)))
    if unit.id == target.id:
        raise InvalidInput(o.SAME_UNIT.format(name=await unit_label(uow, unit)))
    if target.path.startswith(unit.path):
        unit_name, target_name = await unit_label(uow, unit), await unit_label(uow, target)
        raise InvalidInput(o.TARGET_INSIDE.format(unit=unit_name, target=target_name))
    return unit, target


async def _absorb(uow: UnitOfWork, action: str, unit: Unit, target: Unit, now: datetime, dry_run: bool) -> OrgChange:
    unit_name, target_name = await unit_label(uow, unit), await unit_label(uow, target)
    if unit.kind != target.kind:
        raise InvalidInput(
            o.KIND_MISMATCH.format(
                unit=unit_name,
                kind=o.KIND_NAMES[unit.kind],
                target=target_name,
                target_kind=o.KIND_NAMES[target.kind],
            )
        )
    children = await uow.org.children(unit.id)
    await _refuse_name_clash(uow, target, children, target_name)
    members = await uow.org.members_of_cell(unit.id)
    scoped = await uow.org.members_scoped_to(unit.id)
    commitments = await uow.org.unit_commitments(unit.id)
    descendants = [u for u in await uow.org.subtree(unit) if u.id != unit.id]
    schedule = await uow.org.schedule_of(unit.id)
    change = OrgChange(action, unit_name, target_name, dry_run, deactivated=True)
    change.members = [(m.code, m.full_name) for m in members]
    change.scopes = [(m.code, m.full_name, t.ROLE_NAMES.get(m.role, m.role)) for m in scoped]
    change.commitments = len(commitments)
    change.units = [await unit_label(uow, child) for child in children]
    change.paths = [(await unit_label(uow, u), u.path, target.path + u.path[len(unit.path) :]) for u in descendants]
    change.schedule_off = schedule is not None and schedule.active
    if dry_run:
        return change
    for member in members:
        await uow.org.move_member(member, target.id, now)
    for member in scoped:
        member.scope_unit_id, member.updated_at = target.id, now
    for commitment in commitments:
        commitment.unit_id, commitment.updated_at = target.id, now
    if schedule is not None:
        schedule.active = False
    if children:
        await _reparent_children(uow, unit, target, children, descendants, now)
    old_path = unit.path
    unit.active = False
    await uow.org.add_event(
        UnitEvent(
            unit_id=unit.id,
            action=action,
            target_unit_id=target.id,
            old_parent_id=unit.parent_id,
            new_parent_id=unit.parent_id,
            old_path=old_path,
            members_moved=len(members),
            at=now,
        )
    )
    return change


async def _reparent_children(
    uow: UnitOfWork, unit: Unit, target: Unit, children: list[Unit], descendants: list[Unit], now: datetime
) -> None:
    """The sub-units of an absorbed committee go under the target: each gets its own move event."""
    old_paths = {child.id: child.path for child in children}
    await uow.org.rewrite_paths(unit.path, target.path, keep_id=unit.id)
    await uow.org.reparent_children(unit.id, target.id)
    await uow.org.refresh(descendants)
    for child in children:
        await uow.org.add_event(
            UnitEvent(
                unit_id=child.id,
                action=MOVE,
                target_unit_id=target.id,
                old_parent_id=unit.id,
                new_parent_id=target.id,
                old_path=old_paths[child.id],
                members_moved=0,
                at=now,
            )
        )


async def _refuse_name_clash(uow: UnitOfWork, parent: Unit, arriving: list[Unit], parent_name: str) -> None:
    """Two units of one parent cannot share a name (uq_units_parent_name): say so before the database does."""
    present = {child.name.casefold() for child in await uow.org.children(parent.id)}
    for unit in arriving:
        if unit.name.casefold() in present:
            raise InvalidInput(o.NAME_TAKEN.format(target=parent_name, name=unit.name))


# --- the past ------------------------------------------------------------------------------------------------------
class UnitAsOf(NamedTuple):
    parent_id: int | None
    path: str
    active: bool


async def tree_as_of(uow: UnitOfWork, when: datetime) -> dict[int, UnitAsOf]:
    """The organisation tree as it was at `when`: the current tree with later unit events undone.

    Events are undone newest first: a move puts the unit (and, by path prefix, its subtree) back under
    its old parent and old path; a merge or dissolve makes the unit active again (an inactive unit
    cannot be merged, so it was active before). Units created after `when` are left out.
    """
    units = await uow.org.all_units()
    tree = {unit.id: UnitAsOf(unit.parent_id, unit.path, unit.active) for unit in units}
    for event in await uow.org.events_after(when):
        current = tree.get(event.unit_id)
        if current is None:
            continue
        if event.action == MOVE:
            _undo_move(tree, event)
        else:
            tree[event.unit_id] = current._replace(active=True)
    return {unit.id: tree[unit.id] for unit in units if unit.created_at <= when}


def _undo_move(tree: dict[int, UnitAsOf], event: UnitEvent) -> None:
    moved_prefix = tree[event.unit_id].path
    for unit_id, state in tree.items():
        if state.path.startswith(moved_prefix):
            tree[unit_id] = state._replace(path=event.old_path + state.path[len(moved_prefix) :])
    tree[event.unit_id] = tree[event.unit_id]._replace(parent_id=event.old_parent_id)


async def member_cells_as_of(uow: UnitOfWork, when: datetime) -> dict[int, int | None]:
    """Each member's cell at `when`: the current cell with later member moves undone (newest first)."""
    cells = await uow.org.current_cells()
    for move in await uow.org.member_moves_after(when):
        if move.member_id in cells:
            cells[move.member_id] = move.from_unit_id
    return cells
