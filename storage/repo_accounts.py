"""Chat accounts linked to members, the invite codes that link them and wrong codes typed (link failures)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update

from storage.models import ChatAccount, InviteCode, LinkFailure
from storage.repo_base import Repo, chunked


class AccountRepository(Repo):
    async def find(self, platform: str, external_id: str) -> ChatAccount | None:
        stmt = select(ChatAccount).where(ChatAccount.platform == platform, ChatAccount.external_id == external_id)
        return (await self.session.scalars(stmt)).first()

    async def add(self, platform: str, external_id: str, member_id: int, now: datetime) -> ChatAccount:
        account = ChatAccount(
            platform=platform, external_id=external_id, member_id=member_id, linked_at=now, last_seen_at=now
        )
        self.session.add(account)
        await self.session.flush()
        return account

    async def get(self, account_id: int) -> ChatAccount | None:
        return await self.session.get(ChatAccount, account_id)

    async def for_member(self, member_id: int) -> list[ChatAccount]:
        return await self._scalars(select(ChatAccount).where(ChatAccount.member_id == member_id))

    async def platforms_of(self, member_ids: Sequence[int]) -> dict[int, set[str]]:
        """The platforms each member has linked, for many members in one query."""
        linked: dict[int, set[str]] = {}
        for chunk in chunked(member_ids):
            stmt = select(ChatAccount.member_id, ChatAccount.platform).where(ChatAccount.member_id.in_(chunk))
            for member_id, platform in (await self.session.execute(stmt)).all():
                linked.setdefault(member_id, set()).add(platform)
        return linked

    async def record_link_failure(self, platform: str, external_id: str, now: datetime) -> None:
        self.session.add(LinkFailure(platform=platform, external_id=external_id, failed_at=now))
        await self.session.flush()

    async def link_failures_since(self, platform: str, external_id: str, since: datetime) -> int:
        stmt = select(func.count(LinkFailure.id)).where(
            LinkFailure.platform == platform, LinkFailure.external_id == external_id, LinkFailure.failed_at >= since
        )
        return int(await self.session.scalar(stmt) or 0)

    async def prune_link_failures(self, before: datetime) -> int:
        result = await self.session.execute(delete(LinkFailure).where(LinkFailure.failed_at < before))
        return int(getattr(result, "rowcount", 0) or 0)


class InviteRepository(Repo):
    async def by_code(self, code: str) -> InviteCode | None:
        return (await self.session.scalars(select(InviteCode).where(InviteCode.code == code))).first()

    async def unused_for(
        self, member_ids: Sequence[int], now: datetime | None = None, platform: str | None = None
    ) -> dict[int, InviteCode]:
        """Each member's latest unused code for `platform` (None: the codes valid on any platform), unexpired
        at `now` when it is given."""
        unused: dict[int, InviteCode] = {}
        same_platform = InviteCode.platform.is_(None) if platform is None else InviteCode.platform == platform
        for chunk in chunked(member_ids):
            unused_codes = (InviteCode.member_id.in_(chunk), InviteCode.used_at.is_(None), same_platform)
            stmt = select(InviteCode).where(*unused_codes)
            if now is not None:
                stmt = stmt.where(InviteCode.expires_at > now)
            unused.update({row.member_id: row for row in await self._scalars(stmt.order_by(InviteCode.id))})
        return unused

    async def add(
        self, code: str, member_id: int, now: datetime, *, expires_at: datetime, platform: str | None = None
    ) -> InviteCode:
        invite = InviteCode(code=code, member_id=member_id, created_at=now, expires_at=expires_at, platform=platform)
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def spend(self, invite_id: int, now: datetime) -> bool:
        """Mark the code used, in one conditional UPDATE: of two transactions spending it at once, the second
        waits for the first's row lock (PostgreSQL) or its write lock (SQLite) and then changes nothing."""
        stmt = (
            update(InviteCode)
            .where(InviteCode.id == invite_id, InviteCode.used_at.is_(None), InviteCode.expires_at > now)
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0) == 1

    async def record_user(self, invite_id: int, account_id: int) -> None:
        stmt = update(InviteCode).where(InviteCode.id == invite_id).values(used_by_account_id=account_id)
        await self.session.execute(stmt.execution_options(synchronize_session=False))
