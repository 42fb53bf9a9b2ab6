"""Importing the roster into the org tree and the members; idempotent, reporting what changed.

`import_in_batches` is what the operator's command runs: BATCH rows a transaction, each committed, with a pause
between them, so a bot on the same SQLite file waits at most one batch for the write lock. An interrupted import
is resumed by running it again: rows already imported are simply unchanged. `preview_import` (`--dry-run`) plans
the same changes in one read-only transaction, never taking the write lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from handlers.catalog import roster as ro
from handlers.services.roster_file import RosterRow, RowError
from storage.enums import Role, UnitKind
from storage.models import Member, Unit
from storage.uow import UnitOfWork

BATCH = 500
BATCH_PAUSE_S = 0.15  # longer than SQLite's busy-wait step (100 ms): a waiting writer gets in between batches


@dataclass
class ImportReport:
    units_created: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    def add(self, other: ImportReport) -> None:
        self.units_created += other.units_created
        self.created += other.created
        self.updated += other.updated
        self.moved += other.moved
        self.unchanged += other.unchanged
        self.errors += other.errors
        self.changes += other.changes

    def summary(self) -> str:
        return ro.IMPORT_SUMMARY.format(
            units=len(self.units_created),
            created=self.created,
            updated=self.updated,
            moved=self.moved,
            unchanged=self.unchanged,
            errors=len(self.errors),
        )


class _UnitKindClash(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class _UnitChanged(Exception):
    """The file names a unit as it was before an organisation change (merged, dissolved or moved)."""

    def __init__(self, message: str) -> None:
        self.message = message


@dataclass(frozen=True)
class _PlannedUnit:
    """A unit a dry run would create: it has no id, and nothing is under it yet."""

    name: str
    kind: str
    id: None = None


AnyUnit = Unit | _PlannedUnit


class _Tree:
    """Finds or creates (or, planning, pretends to create) units by their path of names, remembering them."""

    def __init__(self, uow: UnitOfWork, now: datetime, report: ImportReport, apply: bool) -> None:
        self.uow, self.now, self.report, self.apply = uow, now, report, apply
        self.cache: dict[tuple[str, ...], AnyUnit] = {}

    async def unit(self, names: tuple[str, ...], kind: UnitKind) -> AnyUnit:
        if names in self.cache:
            return self._checked(self.cache[names], kind)
        parent = await self.unit(names[:-1], UnitKind.COMMITTEE) if len(names) > 1 else None
        found: AnyUnit | None = await self._existing(parent, names)
        if found is None:
            found = await self._create(parent, names, kind)
        self.cache[names] = found
        return self._checked(found, kind)

    async def _existing(self, parent: AnyUnit | None, names: tuple[str, ...]) -> Unit | None:
        if isinstance(parent, _PlannedUnit):
            return None
        found = await self.uow.units.child(parent.id if parent else None, names[-1])
        if found is not None and not found.active:
            raise _UnitChanged(ro.ROW_UNIT_CLOSED.format(path=" / ".join(names)))
        if found is None and await self.uow.units.moved_away(parent.id if parent else None, names[-1]):
            raise _UnitChanged(ro.ROW_UNIT_MOVED.format(path=" / ".join(names)))
        return found

    async def _create(self, parent: AnyUnit | None, names: tuple[str, ...], kind: UnitKind) -> AnyUnit:
        self.report.units_created.append(" / ".join(names))
        self.report.changes.append(ro.CHANGE_NEW_UNIT.format(path=" / ".join(names)))
        if not self.apply:
            return _PlannedUnit(names[-1], kind.value)
        assert not isinstance(parent, _PlannedUnit)
        return await self.uow.units.add(names[-1], kind, parent, self.now)

    @staticmethod
    def _checked(unit: AnyUnit, kind: UnitKind) -> AnyUnit:
        if unit.kind != kind.value:
            raise _UnitKindClash(unit.name)
        return unit


async def import_in_batches(
    uow_factory: Callable[[], UnitOfWork],
    rows: Sequence[RosterRow],
    now: datetime,
    on_row: Callable[[], None] | None = None,
    batch: int = BATCH,
    pause_s: float = BATCH_PAUSE_S,
) -> ImportReport:
    """Import `batch` rows a transaction, committing each (see the module's docstring)."""
    report = ImportReport()
    for start in range(0, len(rows), batch):
        if start:
            await asyncio.sleep(pause_s)
        async with uow_factory() as uow:
            report.add(await import_roster(uow, rows[start : start + batch], now, on_row))
            await uow.commit()
    return report


async def preview_import(
    uow_factory: Callable[[], UnitOfWork],
    rows: Sequence[RosterRow],
    now: datetime,
    on_row: Callable[[], None] | None = None,
) -> ImportReport:
    """What importing `rows` would change, planned in one read-only transaction (`--dry-run`)."""
    async with uow_factory().read_only() as uow:
        return await import_roster(uow, rows, now, on_row, apply=False)


async def import_roster(
    uow: UnitOfWork,
    rows: Sequence[RosterRow],
    now: datetime,
    on_row: Callable[[], None] | None = None,
    *,
    apply: bool = True,
) -> ImportReport:
    """Upsert every row in this unit of work; the caller commits. apply=False: only report what would change."""
    report = ImportReport()
    tree = _Tree(uow, now, report, apply)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        existing = await uow.members.by_codes(row.code for row in batch)
        for row in batch:
            try:
                await _import_row(uow, tree, row, existing.get(row.code), now, report)
            except _UnitKindClash as clash:
                reason = ro.row_error(row.row_number, [ro.ROW_UNIT_KIND_CLASH.format(name=clash.name)])
                report.errors.append(RowError(row.row_number, reason))
            except _UnitChanged as changed:
                report.errors.append(RowError(row.row_number, ro.row_error(row.row_number, [changed.message])))
            if on_row:
                on_row()
    return report


async def _import_row(
    uow: UnitOfWork, tree: _Tree, row: RosterRow, member: Member | None, now: datetime, report: ImportReport
) -> None:
    """One row: the member created, updated (a move recorded) or unchanged; with apply=False only reported."""
    committee = await tree.unit(row.committee_path, UnitKind.COMMITTEE)
    cell = await tree.unit((*row.committee_path, row.cell), UnitKind.CELL) if row.cell else None
    scope = committee if row.role is Role.COMMITTEE else (cell if row.role.leads_cell else None)
    wanted = {
        "full_name": row.full_name,
        "position": row.position,
        "role": row.role.value,
        "phone": row.phone,
        "cell_id": cell.id if cell else None,
        "scope_unit_id": scope.id if scope else None,
        "active": True,
    }
    unit_name = (cell or committee).name
    if member is None:
        if tree.apply:  # flushed with the next query or the commit: one INSERT for many rows
            uow.members.stage(Member(code=row.code, created_at=now, updated_at=now, exempt=False, **wanted))
        report.created += 1
        report.changes.append(ro.CHANGE_NEW_MEMBER.format(code=row.code, name=row.full_name, unit=unit_name))
        return
    changed = [key for key, value in wanted.items() if getattr(member, key) != value]
    if not changed:
        report.unchanged += 1
        return
    if "cell_id" in changed:
        old = await uow.units.get(member.cell_id) if member.cell_id else None
        if tree.apply:
            await uow.members.record_move(member, cell.id if cell else None, now)
        report.moved += 1
        old_name, new_name = (old.name if old else "—"), (cell.name if cell else "—")
        move = ro.CHANGE_MOVED.format(code=row.code, name=row.full_name, old=old_name, new=new_name)
        report.changes.append(move)
    if tree.apply:
        for key in changed:
            setattr(member, key, wanted[key])
        member.updated_at = now
        if {"role", "scope_unit_id", "active"} & set(changed):  # what they may see changed: log in again
            await uow.web.end_sessions_of([member.id])
    report.updated += 1
    fields = ", ".join(ro.FIELD_NAMES[key] for key in changed)
    report.changes.append(ro.CHANGE_UPDATED.format(code=row.code, name=row.full_name, fields=fields))
