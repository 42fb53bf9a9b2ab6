"""The organisation tree's units: lookups by name and parent, subtrees by materialised path."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import UnitKind
from storage.models import Unit, UnitEvent
from storage.repo_base import Repo

HELD_UNITS = 64  # a page asks for a few; a long import walks thousands (no need to hold those)


class UnitRepository(Repo):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        # The units got in this unit of work, held: the session's identity map holds them weakly, so the same
        # unit asked for again a moment later (the actor's scope, the unit on view) would be read again.
        self._held: dict[int, Unit] = {}

    async def get(self, unit_id: int) -> Unit | None:
        found = await self.session.get(Unit, unit_id)
        if found is not None:
            self.hold(found)
        return found

    def hold(self, unit: Unit) -> None:
        """Keep a unit loaded by another query of this unit of work, so that `get` finds it without a statement."""
        if len(self._held) < HELD_UNITS:
            self._held[unit.id] = unit

    async def child(self, parent_id: int | None, name: str) -> Unit | None:
        parent_match = Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id
        return (await self.session.scalars(select(Unit).where(parent_match, Unit.name == name))).first()

    async def moved_away(self, parent_id: int | None, name: str) -> Unit | None:
        """A unit of this name that used to be under `parent_id` and was moved elsewhere (`lamtheo unit move`)."""
        old_parent = UnitEvent.old_parent_id.is_(None) if parent_id is None else UnitEvent.old_parent_id == parent_id
        stmt = (
            select(Unit)
            .join(UnitEvent, UnitEvent.unit_id == Unit.id)
            .where(UnitEvent.action == "move", old_parent, Unit.name == name)
            .order_by(UnitEvent.at.desc())
        )
        return (await self.session.scalars(stmt)).first()

    async def add(self, name: str, kind: UnitKind, parent: Unit | None, now: datetime) -> Unit:
        unit = Unit(name=name, kind=kind.value, parent_id=parent.id if parent else None, created_at=now)
        self.session.add(unit)
        await self.session.flush()
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        await self.session.flush()
        return unit

    async def find_by_name(self, name: str) -> list[Unit]:
        # Compared in Python: SQLite's lower() folds ASCII only ("Đ", "Â" stay), so SQL would miss
        # "chi bộ đồng tâm" for "Chi bộ Đồng Tâm". The unit table is small.
        wanted = unicodedata.normalize("NFC", name).casefold()
        units = await self._scalars(select(Unit).order_by(Unit.id))
        return [unit for unit in units if unicodedata.normalize("NFC", unit.name).casefold() == wanted]

    async def cells_in_subtree(self, unit: Unit) -> list[Unit]:
        stmt = select(Unit).where(
            Unit.path.startswith(unit.path), Unit.kind == UnitKind.CELL.value, Unit.active.is_(True)
        )
        return await self._scalars(stmt.order_by(Unit.path))

    async def committees_in_subtree(self, unit: Unit) -> list[Unit]:
        """The active committees of the subtree, `unit` itself included when it is one."""
        stmt = select(Unit).where(
            Unit.path.startswith(unit.path), Unit.kind == UnitKind.COMMITTEE.value, Unit.active.is_(True)
        )
        return await self._scalars(stmt.order_by(Unit.path))

    async def ancestors(self, unit: Unit) -> list[Unit]:
        return await self.on_path(unit.path)

    async def on_path(self, path: str) -> list[Unit]:
        """The units a path names, from the root down (the unit itself last)."""
        ids = [int(part) for part in path.strip("/").split("/") if part]
        rows = await self._scalars(select(Unit).where(Unit.id.in_(ids)))
        by_id = {row.id: row for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def all(self) -> list[Unit]:
        return await self._scalars(select(Unit).order_by(Unit.path))
