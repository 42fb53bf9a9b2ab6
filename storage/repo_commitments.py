"""A member's commitments and the progress entries logged against them."""

from __future__ import annotations

from sqlalchemy import select

from storage.enums import CommitmentStatus
from storage.models import Commitment, ProgressEntry
from storage.repo_base import Repo


class CommitmentRepository(Repo):
    async def get(self, commitment_id: int) -> Commitment | None:
        return await self.session.get(Commitment, commitment_id)

    async def add(self, commitment: Commitment) -> Commitment:
        self.session.add(commitment)
        await self.session.flush()
        return commitment

    async def active_for(self, member_id: int) -> list[Commitment]:
        stmt = select(Commitment).where(
            Commitment.member_id == member_id, Commitment.status == CommitmentStatus.ACTIVE.value
        )
        return await self._scalars(stmt.order_by(Commitment.year, Commitment.id))

    async def add_progress(self, entry: ProgressEntry) -> ProgressEntry:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def progress_of(self, commitment_id: int) -> list[ProgressEntry]:
        stmt = select(ProgressEntry).where(ProgressEntry.commitment_id == commitment_id)
        return await self._scalars(stmt.order_by(ProgressEntry.created_at, ProgressEntry.id))

    async def any(self) -> bool:
        """Whether anything was ever registered (the demo seeds its year only into an empty database)."""
        return (await self.session.scalars(select(Commitment.id).limit(1))).first() is not None
