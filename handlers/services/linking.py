"""Linking a chat account to a member with a one-time invite code, and recording consent."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.catalog import admin as a
from handlers.catalog import channels as c
from handlers.catalog import core as t
from handlers.services.accounts import warn_other_accounts
from handlers.services.errors import InvalidInput, NotFound
from storage.models import ChatAccount, InviteCode, Member
from storage.uow import UnitOfWork

CONSENT_NOTICE_VERSION = "2026-11"  # the notice now points to /dulieu
# No 0/O, 1/I/L: easy to read aloud and to type on a small phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_LINK_FAILURES = 5
LINK_FAILURE_WINDOW = timedelta(hours=1)
_CODE_SHAPE = re.compile(rf"^[A-Za-z0-9]{{{CODE_LENGTH}}}$")


def new_invite_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def looks_like_code(text: str) -> bool:
    return bool(_CODE_SHAPE.match(text.strip().replace(" ", "").replace("-", "")))


def normalise_code(text: str) -> str:
    return text.strip().replace(" ", "").replace("-", "").upper()


async def link_account(
    uow: UnitOfWork, platform: str, external_id: str, code: str, now: datetime, tz: ZoneInfo
) -> tuple[ChatAccount, Member]:
    """Spend an invite code: the chat account now belongs to the code's member.

    Wrong codes are counted per chat account; after MAX_LINK_FAILURES within LINK_FAILURE_WINDOW no code
    is even looked at, so guessing codes is not a way in. Expired codes and codes for another platform count
    as wrong ones. The code is spent by one conditional update, so of two accounts typing it at once only
    one is linked. The member's other accounts are warned at once. The caller commits (the failures too).
    """
    since = now - LINK_FAILURE_WINDOW
    if await uow.accounts.link_failures_since(platform, external_id, since) >= MAX_LINK_FAILURES:
        raise InvalidInput(t.CODE_TOO_MANY_TRIES)
    code = normalise_code(code)
    invite = await uow.invites.by_code(code)
    member = await uow.members.get(invite.member_id) if invite else None
    refusal = _refusal(invite, member, platform, code, now)
    if refusal is None and invite is not None and not await uow.invites.spend(invite.id, now):
        refusal = t.CODE_UNKNOWN.format(code=code[:16])  # another account spent it a moment ago
    if refusal is not None or invite is None or member is None:
        await uow.accounts.record_link_failure(platform, external_id, now)
        raise InvalidInput(refusal or t.CODE_UNKNOWN.format(code=code[:16]))
    account = await uow.accounts.find(platform, external_id)
    if account is None:
        account = await uow.accounts.add(platform, external_id, member.id, now)
    else:  # the chat account of a member who left the roster, now given to the code's member
        account.member_id, account.linked_at, account.last_seen_at = member.id, now, now
    await uow.invites.record_user(invite.id, account.id)
    await warn_other_accounts(uow, member, account, now, tz)
    return account, member


def _refusal(invite: InviteCode | None, member: Member | None, platform: str, code: str, now: datetime) -> str | None:
    """Why the code cannot link this account, or None."""
    if invite is None or invite.used_at is not None or member is None or not member.active:
        return t.CODE_UNKNOWN.format(code=code[:16])
    if invite.expires_at <= now:
        return t.CODE_EXPIRED.format(code=code[:16])
    if invite.platform is not None and invite.platform != platform:
        return t.CODE_OTHER_PLATFORM.format(code=code[:16], platform=c.PLATFORM_NAMES.get(invite.platform, ""))
    return None


async def link_console(uow: UnitOfWork, member: Member, now: datetime) -> ChatAccount:
    """The operator's own terminal: linked directly, no code needed."""
    account = await uow.accounts.find("console", member.code)
    return account or await uow.accounts.add("console", member.code, member.id, now)


@dataclass(frozen=True)
class ConsoleUser:
    """Whom the operator's terminal speaks as."""

    account_id: str
    full_name: str
    role: str
    unit_name: str


async def active_member_by_code(uow: UnitOfWork, code: str) -> Member:
    """A member the operator names by code: NotFound unless on the roster and active."""
    member = await uow.members.by_code(code.strip())
    if member is None or not member.active:
        raise NotFound(a.MEMBER_UNKNOWN.format(code=code))
    return member


async def link_console_as(uow: UnitOfWork, member_code: str, now: datetime) -> ConsoleUser:
    """Link the operator's terminal to the member with this code; the caller commits."""
    member = await active_member_by_code(uow, member_code)
    account = await link_console(uow, member, now)
    unit = await uow.units.get(member.cell_id or member.scope_unit_id or 0)
    return ConsoleUser(account.external_id, member.full_name, member.role, unit.name if unit else "")


async def give_consent(uow: UnitOfWork, member: Member, now: datetime) -> None:
    member.consent_at = now
    await uow.members.record_consent(member, "given", CONSENT_NOTICE_VERSION, now)


async def decline_consent(uow: UnitOfWork, member: Member, now: datetime) -> None:
    await uow.members.record_consent(member, "declined", CONSENT_NOTICE_VERSION, now)
