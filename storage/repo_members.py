"""Members: lookups by code, cell and subtree; their moves between cells and their consent events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import or_, select

from storage.models import ConsentEvent, Member, MemberMove, Unit
from storage.repo_base import Repo


class MemberName(NamedTuple):
    """A member as a list of names shows one: columns, not an entity (a paged list of a big cell reads thousands)."""

    id: int
    code: str
    full_name: str


class MemberRepository(Repo):
    async def get(self, member_id: int) -> Member | None:
        return await self.session.get(Member, member_id)

    async def by_code(self, code: str) -> Member | None:
        """Codes are stored in upper case (the roster reader does that); lookups accept any case."""
        stmt = select(Member).where(Member.code == code.strip().upper())
        return (await self.session.scalars(stmt)).first()

    async def by_codes(self, codes: Iterable[str]) -> dict[str, Member]:
        rows = await self._scalars(select(Member).where(Member.code.in_(list(codes))))
        return {row.code: row for row in rows}

    async def add(self, member: Member) -> Member:
        self.session.add(member)
        await self.session.flush()
        return member

    def stage(self, member: Member) -> None:
        """Add without flushing: many staged members go in one INSERT (at the next query or the commit)."""
        self.session.add(member)

    async def in_cells(self, cell_ids: Sequence[int]) -> list[Member]:
        stmt = select(Member).where(Member.cell_id.in_(cell_ids), Member.active.is_(True))
        return await self._scalars(stmt.order_by(Member.full_name, Member.code))

    async def names_in_cell(self, cell_id: int) -> list[MemberName]:
        """The cell's active members by name (exempt and paused ones too)."""
        stmt = select(Member.id, Member.code, Member.full_name).where(
            Member.cell_id == cell_id, Member.active.is_(True)
        )
        rows = await self.session.execute(stmt.order_by(Member.full_name, Member.code))
        return [MemberName(*row) for row in rows.all()]

    async def in_subtree(self, unit: Unit) -> list[Member]:
        """Active members whose cell, or the unit they administer, lies in the subtree."""
        units = select(Unit.id).where(Unit.path.startswith(unit.path))
        stmt = select(Member).where(
            or_(Member.cell_id.in_(units), Member.scope_unit_id.in_(units)), Member.active.is_(True)
        )
        return await self._scalars(stmt.order_by(Member.code))

    async def record_move(self, member: Member, to_unit_id: int | None, now: datetime) -> None:
        self.session.add(
            MemberMove(member_id=member.id, from_unit_id=member.cell_id, to_unit_id=to_unit_id, moved_at=now)
        )

    async def record_consent(self, member: Member, action: str, version: str, now: datetime) -> None:
        self.session.add(ConsentEvent(member_id=member.id, action=action, notice_version=version, at=now))

    async def consent_events(self, member_id: int) -> list[ConsentEvent]:
        stmt = select(ConsentEvent).where(ConsentEvent.member_id == member_id).order_by(ConsentEvent.id)
        return await self._scalars(stmt)
