"""Dialog state: where a chat account is in a conversation, loaded with its account and member per update."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import aliased

from storage.models import ChatAccount, DialogStateRow, Member, Unit
from storage.repo_base import Repo


class LoadedChat(NamedTuple):
    account: ChatAccount | None
    member: Member | None
    dialog: DialogStateRow | None
    scope: Unit | None  # the unit the member administers, if any


class DialogRepository(Repo):
    async def load_for(self, platform: str, external_id: str) -> LoadedChat:
        """Account, member, dialog state and the member's scope unit in one round trip (every update's hot path)."""
        scope = aliased(Unit)
        stmt = (
            select(ChatAccount, Member, DialogStateRow, scope)
            .join(Member, Member.id == ChatAccount.member_id)
            .outerjoin(DialogStateRow, DialogStateRow.account_id == ChatAccount.id)
            .outerjoin(scope, scope.id == Member.scope_unit_id)
            .where(ChatAccount.platform == platform, ChatAccount.external_id == external_id)
            .with_for_update(of=ChatAccount)
        )
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return LoadedChat(None, None, None, None)
        return LoadedChat(row[0], row[1], row[2], row[3])

    async def load(self, account_id: int) -> DialogStateRow | None:
        # FOR UPDATE serialises two instances working on one chat (PostgreSQL); SQLite's
        # BEGIN IMMEDIATE already does.
        stmt = select(DialogStateRow).where(DialogStateRow.account_id == account_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def save(self, row: DialogStateRow) -> None:
        self.session.add(row)
        await self.session.flush()
