"""Per-cell counts for the live summaries (members, linked, registered, updated, completed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, distinct, func, or_, select

from storage.enums import CommitmentStatus, Platform
from storage.models import ChatAccount, Commitment, Member
from storage.repo_base import Repo


@dataclass(frozen=True)
class CellCounts:
    cell_id: int
    members: int = 0
    linked: int = 0
    registered: int = 0
    updated: int = 0
    commitments: int = 0
    completed: int = 0


class StatsRepository(Repo):
    """Aggregates for summaries, computed in SQL (one query per figure, grouped by cell)."""

    async def cell_counts(
        self, cell_ids: Sequence[int], year: int, since: datetime, today: date | None = None
    ) -> dict[int, CellCounts]:
        """Members in scope: active, not exempt, and (given `today`) not paused on that day."""
        in_scope = and_(Member.cell_id.in_(cell_ids), *self._counted(today))
        active = and_(Commitment.status == CommitmentStatus.ACTIVE.value, Commitment.year == year)
        members = await self._grouped(select(Member.cell_id, func.count(Member.id)).where(in_scope))
        linked = await self._grouped(
            select(Member.cell_id, func.count(distinct(Member.id)))
            .join(ChatAccount, ChatAccount.member_id == Member.id)
            .where(in_scope, ChatAccount.platform != Platform.CONSOLE.value, Member.consent_at.is_not(None))
        )
        with_commitments = select(Member.cell_id).join(Commitment, Commitment.member_id == Member.id)
        registered = await self._grouped(
            with_commitments.add_columns(func.count(distinct(Member.id))).where(in_scope, active)
        )
        updated = await self._grouped(
            with_commitments.add_columns(func.count(distinct(Member.id))).where(
                in_scope, active, Commitment.last_progress_at >= since
            )
        )
        done = case((Commitment.percent >= 100, 1), else_=0)
        stmt = with_commitments.add_columns(func.count(Commitment.id), func.sum(done)).where(in_scope, active)
        totals = {row[0]: (int(row[1]), int(row[2] or 0)) for row in await self._rows(stmt)}
        return {
            cell_id: CellCounts(
                cell_id=cell_id,
                members=members.get(cell_id, 0),
                linked=linked.get(cell_id, 0),
                registered=registered.get(cell_id, 0),
                updated=updated.get(cell_id, 0),
                commitments=totals.get(cell_id, (0, 0))[0],
                completed=totals.get(cell_id, (0, 0))[1],
            )
            for cell_id in cell_ids
        }

    async def members_without_commitment(self, cell_id: int, year: int, today: date | None = None) -> list[Member]:
        has = select(Commitment.id).where(
            Commitment.member_id == Member.id,
            Commitment.status == CommitmentStatus.ACTIVE.value,
            Commitment.year == year,
        )
        stmt = select(Member).where(*self._in_cell(cell_id, today), ~has.exists())
        return await self._scalars(stmt.order_by(Member.full_name))

    async def members_not_updated(
        self, cell_id: int, year: int, since: datetime, today: date | None = None
    ) -> list[Member]:
        commitment_of_member = and_(
            Commitment.member_id == Member.id,
            Commitment.status == CommitmentStatus.ACTIVE.value,
            Commitment.year == year,
        )
        has_any = select(Commitment.id).where(commitment_of_member)
        has_recent = select(Commitment.id).where(commitment_of_member, Commitment.last_progress_at >= since)
        stmt = select(Member).where(*self._in_cell(cell_id, today), has_any.exists(), ~has_recent.exists())
        return await self._scalars(stmt.order_by(Member.full_name))

    @classmethod
    def _in_cell(cls, cell_id: int, today: date | None = None) -> tuple[Any, ...]:
        return (Member.cell_id == cell_id, *cls._counted(today))

    @staticmethod
    def _counted(today: date | None) -> tuple[Any, ...]:
        """Exempt members, and members paused on `today` (illness, leave), are left out of rates."""
        counted: tuple[Any, ...] = (Member.active.is_(True), Member.exempt.is_(False))
        if today is not None:
            counted = (*counted, or_(Member.paused_until.is_(None), Member.paused_until < today))
        return counted

    async def _rows(self, stmt: Select[Any]) -> Sequence[Any]:
        rows: Sequence[Any] = (await self.session.execute(stmt.group_by(Member.cell_id))).all()
        return rows

    async def _grouped(self, stmt: Select[Any, Any]) -> dict[int, int]:
        return {row[0]: int(row[1]) for row in await self._rows(stmt)}
