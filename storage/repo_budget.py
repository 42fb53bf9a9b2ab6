"""The shared rate budget's rows (bot/rate_budget.py decides; this only reads, locks and writes them).

Every reservation of a token first upserts and so locks the token's row: the transactions of one token run one at a
time on every instance, so its chats' rows need no lock of their own (and no two transactions wait for each other
in opposite orders).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import RateBudgetRow
from storage.repo_base import Repo


class RateBudgetRepository(Repo):
    def _insert(self) -> Any:
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        return (pg_insert if dialect == "postgresql" else sqlite_insert)(RateBudgetRow)

    async def lock_token(self, key: str) -> tuple[float, float]:
        """(next_at, paused_until) of the token's row, created when missing and locked until the commit."""
        insert = self._insert().values(key=key, next_at=0.0, paused_until=0.0)
        # on a conflict `next_at` is set to its own value: nothing changes, but the row is locked
        stmt = insert.on_conflict_do_update(index_elements=["key"], set_={"next_at": RateBudgetRow.next_at})
        row = (await self.session.execute(stmt.returning(RateBudgetRow.next_at, RateBudgetRow.paused_until))).one()
        return float(row[0]), float(row[1])

    async def chats(self, keys: Collection[str]) -> dict[str, float]:
        """next_at of the chats' rows that exist."""
        if not keys:
            return {}
        stmt = select(RateBudgetRow.key, RateBudgetRow.next_at).where(RateBudgetRow.key.in_(sorted(keys)))
        return {key: float(next_at) for key, next_at in (await self.session.execute(stmt)).all()}

    async def save(self, key: str, next_at: float, chats: Mapping[str, float]) -> None:
        """The token's next start and its chats' next arrivals (after `lock_token` in this transaction)."""
        await self.session.execute(
            update(RateBudgetRow)
            .where(RateBudgetRow.key == key)
            .values(next_at=next_at)
            .execution_options(synchronize_session=False)
        )
        if chats:
            insert = self._insert().values([{"key": k, "next_at": v, "paused_until": 0.0} for k, v in chats.items()])
            await self.session.execute(
                insert.on_conflict_do_update(index_elements=["key"], set_={"next_at": insert.excluded.next_at})
            )

    async def pause(self, key: str, until: float) -> float:
        """Pause the token until `until` (a longer pause already set stays); returns the pause now in force."""
        insert = self._insert().values(key=key, next_at=0.0, paused_until=until)
        longer = case((RateBudgetRow.paused_until > until, RateBudgetRow.paused_until), else_=until)
        stmt = insert.on_conflict_do_update(index_elements=["key"], set_={"paused_until": longer})
        return float((await self.session.execute(stmt.returning(RateBudgetRow.paused_until))).scalar_one())

    async def prune_chats(self, key: str, before: float) -> int:
        """Forget the token's chats whose next arrival is older than `before` (they no longer hold anything back)."""
        stmt = delete(RateBudgetRow).where(RateBudgetRow.key.like(f"{key}:%"), RateBudgetRow.next_at < before)
        result = await self.session.execute(stmt.execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)
