"""Which platform the bot's own messages go to when a member has linked several (/kenh)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handlers.catalog import channels as c
from handlers.services.authz import Actor
from handlers.services.errors import InvalidInput
from storage.enums import Platform
from storage.models import ChatAccount
from storage.uow import UnitOfWork

# The terminal is the operator's own: the bot never starts a conversation there.
MESSAGING_PLATFORMS = (Platform.ZALO.value, Platform.TELEGRAM.value)


async def linked_platforms(uow: UnitOfWork, actor: Actor) -> list[str]:
    """The member's messaging platforms, Zalo first (the one most members use)."""
    linked = {account.platform for account in await uow.accounts.for_member(actor.member_id)}
    return [platform for platform in MESSAGING_PLATFORMS if platform in linked]


async def set_preferred_platform(uow: UnitOfWork, actor: Actor, platform: str | None, now: datetime) -> None:
    """None: wherever the member wrote last. A platform must be one the member has linked."""
    if platform is not None and platform not in await linked_platforms(uow, actor):
        raise InvalidInput(c.CHANNEL_ASK.split("\n", 1)[0])
    member = await uow.members.get(actor.member_id)
    if member is None:
        raise InvalidInput(c.CHANNEL_ASK.split("\n", 1)[0])
    member.preferred_platform = platform
    member.updated_at = now


def account_for_messages(accounts: Sequence[ChatAccount], preferred: str | None) -> ChatAccount | None:
    """The account the bot's own messages go to: the preferred platform's, else the one used last.

    Accounts on the terminal, and accounts whose user blocked the bot, are never chosen.
    """
    usable = [a for a in accounts if a.platform in MESSAGING_PLATFORMS and a.blocked_at is None]
    chosen = [a for a in usable if a.platform == preferred] if preferred else []
    pool = chosen or usable
    return max(pool, key=lambda a: (a.last_seen_at, a.id)) if pool else None
