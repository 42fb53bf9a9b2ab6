"""A member's chat accounts: the operator's list (`lamtheo member accounts`), unlinking one (`member unlink`),
and the warnings a member's accounts get when another one is linked or one is removed.

The warnings go through the delivery queue, one to each of the member's accounts (not only to the one their
rule for the bot's messages picks), at once: not held back by quiet hours or a pause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.catalog import admin as a
from handlers.catalog import channels as c
from handlers.outbound import MessagePriority
from handlers.services.deliveries import OutgoingMessage, enqueue
from handlers.services.errors import NotFound
from storage.enums import BroadcastKind, BroadcastState, Platform
from storage.models import Broadcast, ChatAccount, Member
from storage.uow import UnitOfWork

SHOWN_ID_CHARACTERS = 4  # enough for a member to recognise their account, too few to message it


@dataclass(frozen=True)
class AccountLine:
    """What the operator sees of a chat account: never the platform's id in full."""

    id: int
    platform: str
    masked_id: str
    linked_at: datetime
    last_seen_at: datetime
    blocked_at: datetime | None


def masked(external_id: str) -> str:
    shown = SHOWN_ID_CHARACTERS if len(external_id) > 2 * SHOWN_ID_CHARACTERS else len(external_id) // 2
    return "…" + external_id[len(external_id) - shown :] if shown else "…"


def _line(account: ChatAccount) -> AccountLine:
    return AccountLine(
        account.id,
        account.platform,
        masked(account.external_id),
        account.linked_at,
        account.last_seen_at,
        account.blocked_at,
    )


async def _member(uow: UnitOfWork, member_code: str) -> Member:
    member = await uow.members.by_code(member_code.strip())
    if member is None:
        raise NotFound(a.MEMBER_UNKNOWN.format(code=member_code))
    return member


async def member_accounts(uow: UnitOfWork, member_code: str) -> tuple[Member, list[AccountLine]]:
    member = await _member(uow, member_code)
    accounts = sorted(await uow.accounts.for_member(member.id), key=lambda account: account.id)
    return member, [_line(account) for account in accounts]


async def unlink_account(
    uow: UnitOfWork, member_code: str, account_id: int, now: datetime, tz: ZoneInfo
) -> tuple[AccountLine, int]:
    """Remove one of the member's chat accounts (with its dialog state; its waiting messages are skipped); the
    member's remaining accounts are told. Returns the account removed and how many were told. The caller
    commits."""
    member = await _member(uow, member_code)
    account = await uow.accounts.get(account_id)
    if account is None or account.member_id != member.id:
        raise NotFound(a.ACCOUNT_UNKNOWN.format(code=member.code, id=account_id))
    removed = _line(account)
    touched = await uow.personal.remove_accounts([account])
    await uow.deliveries.finish_complete(touched, now)
    await uow.web.end_sessions_of([member.id])  # a lost phone must not leave a dashboard open
    text = c.DEVICE_UNLINKED_NOTICE.format(platform=_platform_name(removed.platform), time=_when(now, tz))
    told = await _tell(uow, member, await uow.accounts.for_member(member.id), text, now, tz)
    return removed, told


async def warn_other_accounts(uow: UnitOfWork, member: Member, linked: ChatAccount, now: datetime, tz: ZoneInfo) -> int:
    """A new account was linked to the member: each of their other accounts hears of it at once."""
    others = [account for account in await uow.accounts.for_member(member.id) if account.id != linked.id]
    text = c.NEW_DEVICE_NOTICE.format(platform=_platform_name(linked.platform), time=_when(now, tz))
    return await _tell(uow, member, others, text, now, tz)


async def _tell(
    uow: UnitOfWork, member: Member, accounts: list[ChatAccount], text: str, now: datetime, tz: ZoneInfo
) -> int:
    """One delivery to each account (a broadcast each: a broadcast has one row per member); the terminal is
    the operator's and is never written to."""
    queued = 0
    for account in accounts:
        if account.platform == Platform.CONSOLE.value:
            continue
        broadcast = Broadcast(
            kind=BroadcastKind.SECURITY.value,
            priority=int(MessagePriority.REMINDER),
            state=BroadcastState.PENDING.value,
            total=0,
            created_at=now,
        )
        await uow.deliveries.add_broadcast(broadcast)
        queued += await enqueue(uow, broadcast, [OutgoingMessage(member.id, text, account_id=account.id)], now, tz)
    return queued


def _platform_name(platform: str) -> str:
    return c.PLATFORM_NAMES.get(platform, platform)


def _when(now: datetime, tz: ZoneInfo) -> str:
    return now.astimezone(tz).strftime("%d/%m/%Y %H:%M")
