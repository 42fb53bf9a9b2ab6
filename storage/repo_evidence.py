"""Photos sent as evidence of progress (the platform's file reference or URL, not the file)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Evidence, ProgressEntry
from storage.repo_base import Repo


class EvidenceRepository(Repo):
    async def add(self, evidence: Evidence) -> Evidence:
        self.session.add(evidence)
        await self.session.flush()
        return evidence

    async def of_commitment(self, commitment_id: int) -> list[Evidence]:
        stmt = select(Evidence).where(Evidence.commitment_id == commitment_id)
        return await self._scalars(stmt.order_by(Evidence.id))

    async def latest_entry_id(self, commitment_id: int) -> int | None:
        stmt = (
            select(ProgressEntry.id)
            .where(ProgressEntry.commitment_id == commitment_id)
            .order_by(ProgressEntry.created_at.desc(), ProgressEntry.id.desc())
            .limit(1)
        )
        return (await self.session.scalars(stmt)).first()
