"""Organisation changes: subtrees, path rewrites, moving members and collective commitments, unit events.

Nothing here commits; the service runs a whole change in the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, literal, select, update

from storage.models import Commitment, MeetingSchedule, Member, MemberMove, Unit, UnitEvent
from storage.repo_base import Repo


class OrgRepository(Repo):
    async def subtree(self, unit: Unit) -> list[Unit]:
        """The unit and every unit below it (active or not), shallowest first."""
        stmt = select(Unit).where(Unit.path.startswith(unit.path))
        return await self._scalars(stmt.order_by(func.length(Unit.path), Unit.id))

    async def children(self, unit_id: int) -> list[Unit]:
        return await self._scalars(select(Unit).where(Unit.parent_id == unit_id).order_by(Unit.name, Unit.id))

    async def members_of_cell(self, unit_id: int) -> list[Member]:
        """Everyone whose cell this is, active or not: their history moves with them."""
        return await self._scalars(select(Member).where(Member.cell_id == unit_id).order_by(Member.code))

    async def members_scoped_to(self, unit_id: int) -> list[Member]:
        return await self._scalars(select(Member).where(Member.scope_unit_id == unit_id).order_by(Member.code))

    async def count_members_in(self, units: Sequence[Unit]) -> int:
        ids = [unit.id for unit in units]
        if not ids:
            return 0
        stmt = select(func.count(Member.id)).where(Member.cell_id.in_(ids), Member.active.is_(True))
        return int(await self.session.scalar(stmt) or 0)

    async def unit_commitments(self, unit_id: int) -> list[Commitment]:
        """Collective commitments and models registered for this unit."""
        return await self._scalars(select(Commitment).where(Commitment.unit_id == unit_id).order_by(Commitment.id))

    async def rewrite_paths(self, old_prefix: str, new_prefix: str, *, keep_id: int | None = None) -> int:
        """Replace `old_prefix` by `new_prefix` in every path under it, in one statement.

        `keep_id` leaves one unit alone (a dissolved committee keeps its own path; only its descendants move).
        Loaded Unit objects are refreshed afterwards by the caller (`refresh`).
        """
        condition = [Unit.path.startswith(old_prefix)]
        if keep_id is not None:
            condition.append(Unit.id != keep_id)
        new_path = literal(new_prefix) + func.substr(Unit.path, len(old_prefix) + 1)
        stmt = update(Unit).where(*condition).values(path=new_path).execution_options(synchronize_session=False)
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)

    async def reparent_children(self, old_parent_id: int, new_parent_id: int) -> None:
        stmt = (
            update(Unit)
            .where(Unit.parent_id == old_parent_id)
            .values(parent_id=new_parent_id)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(stmt)

    async def refresh(self, units: Sequence[Unit]) -> None:
        for unit in units:
            await self.session.refresh(unit)

    async def move_member(self, member: Member, to_unit_id: int, now: datetime) -> None:
        self.session.add(
            MemberMove(member_id=member.id, from_unit_id=member.cell_id, to_unit_id=to_unit_id, moved_at=now)
        )
        member.cell_id = to_unit_id
        member.updated_at = now

    async def schedule_of(self, unit_id: int) -> MeetingSchedule | None:
        return (await self.session.scalars(select(MeetingSchedule).where(MeetingSchedule.unit_id == unit_id))).first()

    async def add_event(self, event: UnitEvent) -> UnitEvent:
        self.session.add(event)
        await self.session.flush()
        return event

    async def all_units(self) -> list[Unit]:
        return await self._scalars(select(Unit).order_by(Unit.id))

    async def events_after(self, when: datetime) -> list[UnitEvent]:
        """Organisation changes after `when`, newest first (the order in which they are undone)."""
        stmt = select(UnitEvent).where(UnitEvent.at > when).order_by(UnitEvent.at.desc(), UnitEvent.id.desc())
        return await self._scalars(stmt)

    async def member_moves_after(self, when: datetime) -> list[MemberMove]:
        stmt = select(MemberMove).where(MemberMove.moved_at > when)
        return await self._scalars(stmt.order_by(MemberMove.moved_at.desc(), MemberMove.id.desc()))

    async def current_cells(self) -> dict[int, int | None]:
        rows = (await self.session.execute(select(Member.id, Member.cell_id))).all()
        return {member_id: cell_id for member_id, cell_id in rows}
