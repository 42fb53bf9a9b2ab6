"""Helpers for the invite, relinking and unlinking tests (issue 10): codes issued as the operator would, the
chat accounts and the delivery rows of a member."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.services.invites import issue_invites
from storage.models import ChatAccount, Delivery
from tests.chat import Chat
from tests.support import Database, FakeClock


async def code_for(
    db: Database,
    clock: FakeClock,
    member_code: str,
    *,
    platform: str | None = None,
    relink: bool = True,
    ttl: timedelta | None = None,
) -> str:
    """A code for one member, issued as `lamtheo invite --member CODE [--platform P] [--relink]` does."""
    async with db.uow() as uow:
        options = {"ttl": ttl} if ttl is not None else {}
        batch = await issue_invites(
            uow, clock.now(), member_code=member_code, platform=platform, relink=relink, **options
        )
        await uow.commit()
    [line] = batch.issued
    return line.code


async def link_chat(chat: Chat, code: str) -> None:
    """/start CODE, then consent when the bot asks for it."""
    await chat.say(f"/start {code}")
    if any(choice == "Tôi đồng ý" for choice in chat.all_choices):
        await chat.press("Tôi đồng ý")


async def accounts_of(db: Database, member_code: str) -> list[ChatAccount]:
    async with db.uow() as uow:
        member = await uow.members.by_code(member_code)
        assert member is not None, member_code
        return sorted(await uow.accounts.for_member(member.id), key=lambda a: a.id)


async def account_id(db: Database, platform: str, external_id: str) -> int:
    async with db.uow() as uow:
        account = await uow.accounts.find(platform, external_id)
        assert account is not None, (platform, external_id)
        return account.id


async def deliveries(db: Database) -> list[Delivery]:
    async with db.sessions() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())
