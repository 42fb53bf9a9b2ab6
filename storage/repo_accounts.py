"""Chat accounts linked to members, the invite codes that link them and wrong codes typed (link failures)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select

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

    async def unused_for(self, member_ids: Sequence[int]) -> dict[int, InviteCode]:
        unused: dict[int, InviteCode] = {}
        for chunk in chunked(member_ids):
            stmt = select(InviteCode).where(InviteCode.member_id.in_(chunk), InviteCode.used_at.is_(None))
            unused.update({row.member_id: row for row in await self._scalars(stmt.order_by(InviteCode.id))})
        return unused

    async def add(self, code: str, member_id: int, now: datetime) -> InviteCode:
        invite = InviteCode(code=code, member_id=member_id, created_at=now)
        self.session.add(invite)
        await self.session.flush()
        return invite
