"""Importing the roster into the org tree and the members; idempotent, reporting what changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from handlers.catalog import roster as ro
from handlers.services.roster_file import RosterRow, RowError
from storage.enums import Role, UnitKind
from storage.models import Member, Unit
from storage.uow import UnitOfWork

BATCH = 500


@dataclass
class ImportReport:
    units_created: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

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


class _Tree:
    """Finds or creates units by their path of names, remembering what it has seen."""

    def __init__(self, uow: UnitOfWork, now: datetime, report: ImportReport) -> None:
        self.uow, self.now, self.report = uow, now, report
        self.cache: dict[tuple[str, ...], Unit] = {}

    async def unit(self, names: tuple[str, ...], kind: UnitKind) -> Unit:
        if names in self.cache:
            return self._checked(self.cache[names], kind)
        parent = await self.unit(names[:-1], UnitKind.COMMITTEE) if len(names) > 1 else None
        found = await self.uow.units.child(parent.id if parent else None, names[-1])
        if found is not None and not found.active:
            raise _UnitChanged(ro.ROW_UNIT_CLOSED.format(path=" / ".join(names)))
        if found is None and await self.uow.units.moved_away(parent.id if parent else None, names[-1]):
            raise _UnitChanged(ro.ROW_UNIT_MOVED.format(path=" / ".join(names)))
        if found is None:
            found = await self.uow.units.add(names[-1], kind, parent, self.now)
            self.report.units_created.append(" / ".join(names))
            self.report.changes.append(ro.CHANGE_NEW_UNIT.format(path=" / ".join(names)))
        self.cache[names] = found
        return self._checked(found, kind)

    @staticmethod
    def _checked(unit: Unit, kind: UnitKind) -> Unit:
        if unit.kind != kind.value:
            raise _UnitKindClash(unit.name)
        return unit


async def import_roster(
    uow: UnitOfWork,
    rows: Sequence[RosterRow],
    now: datetime,
    on_row: Callable[[], None] | None = None,
) -> ImportReport:
    """Upsert every row; the caller commits (or, for a dry run, does not)."""
    report = ImportReport()
    tree = _Tree(uow, now, report)
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
        await uow.members.add(Member(code=row.code, created_at=now, updated_at=now, exempt=False, **wanted))
        report.created += 1
        report.changes.append(ro.CHANGE_NEW_MEMBER.format(code=row.code, name=row.full_name, unit=unit_name))
        return
    changed = [key for key, value in wanted.items() if getattr(member, key) != value]
    if not changed:
        report.unchanged += 1
        return
    if "cell_id" in changed:
        old = await uow.units.get(member.cell_id) if member.cell_id else None
        await uow.members.record_move(member, cell.id if cell else None, now)
        report.moved += 1
        old_name, new_name = (old.name if old else "—"), (cell.name if cell else "—")
        move = ro.CHANGE_MOVED.format(code=row.code, name=row.full_name, old=old_name, new=new_name)
        report.changes.append(move)
    for key in changed:
        setattr(member, key, wanted[key])
    member.updated_at = now
    report.updated += 1
    fields = ", ".join(ro.FIELD_NAMES[key] for key in changed)
    report.changes.append(ro.CHANGE_UPDATED.format(code=row.code, name=row.full_name, fields=fields))
