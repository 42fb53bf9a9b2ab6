"""The cell summary (secretary) and the roll-up over a subtree (committee)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from handlers.services.authz import Actor, cells_in_scope
from storage.enums import UnitKind
from storage.repositories import CellCounts
from storage.uow import UnitOfWork

RECENT_DAYS = 30


@dataclass(frozen=True)
class CellSummary:
    cell_name: str
    year: int
    days: int
    counts: CellCounts
    not_registered: list[str] = field(default_factory=list)
    not_updated: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CellLine:
    cell_id: int
    cell_name: str
    parent_name: str
    counts: CellCounts


@dataclass(frozen=True)
class CommitteeSummary:
    unit_name: str
    year: int
    days: int
    lines: list[CellLine]
    totals: CellCounts


def add_counts(rows: list[CellCounts]) -> CellCounts:
    return CellCounts(
        cell_id=0,
        members=sum(r.members for r in rows),
        linked=sum(r.linked for r in rows),
        registered=sum(r.registered for r in rows),
        updated=sum(r.updated for r in rows),
        commitments=sum(r.commitments for r in rows),
        completed=sum(r.completed for r in rows),
    )


async def summarise(
    uow: UnitOfWork, actor: Actor, today: date, now: datetime, days: int = RECENT_DAYS
) -> CellSummary | CommitteeSummary:
    unit, cells = await cells_in_scope(uow, actor)
    since = now - timedelta(days=days)
    # Paused members (illness, leave) are out of the rates like exempt ones.
    counts = await uow.stats.cell_counts([cell.id for cell in cells], today.year, since, today)
    if unit.kind == UnitKind.CELL.value:
        missing = await uow.stats.members_without_commitment(unit.id, today.year, today)
        stale = await uow.stats.members_not_updated(unit.id, today.year, since, today)
        return CellSummary(
            cell_name=unit.name,
            year=today.year,
            days=days,
            counts=counts[unit.id],
            not_registered=[m.full_name for m in missing],
            not_updated=[m.full_name for m in stale],
        )
    parents = {cell.parent_id for cell in cells if cell.parent_id is not None}
    parent_names = {pid: (await uow.units.get(pid)) for pid in parents}
    lines = [
        CellLine(
            cell_id=cell.id,
            cell_name=cell.name,
            parent_name=getattr(parent_names.get(cell.parent_id or 0), "name", ""),
            counts=counts[cell.id],
        )
        for cell in cells
    ]
    return CommitteeSummary(
        unit_name=unit.name, year=today.year, days=days, lines=lines, totals=add_counts(list(counts.values()))
    )
