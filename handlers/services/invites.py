"""One-time invite codes for linking a chat account, per unit or per member.

A code expires (INVITE_TTL_DAYS, 14 days by default) and may be bound to one platform. Members already linked
(on that platform, or on any when no platform is named) get no new code unless the operator relinks them: a
stale code handed to someone else must not quietly become a second way into a member's account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from handlers.catalog import admin as a
from handlers.services.errors import InvalidInput, NotFound
from handlers.services.linking import active_member_by_code, new_invite_code
from storage.enums import Platform
from storage.models import Member
from storage.uow import UnitOfWork

DEFAULT_INVITE_TTL = timedelta(days=14)
INVITE_PLATFORMS = (Platform.TELEGRAM.value, Platform.ZALO.value)


@dataclass(frozen=True)
class InviteLine:
    member_code: str
    full_name: str
    unit_name: str
    code: str
    linked_platforms: tuple[str, ...]
    expires_at: datetime
    platform: str | None = None  # the code links only there; None: on any platform


@dataclass(frozen=True)
class SkippedMember:
    """Already linked: no code printed (`--relink` issues one anyway)."""

    member_code: str
    full_name: str
    unit_name: str
    linked_platforms: tuple[str, ...]


@dataclass(frozen=True)
class InviteBatch:
    issued: list[InviteLine] = field(default_factory=list)
    skipped: list[SkippedMember] = field(default_factory=list)


async def members_for_invites(uow: UnitOfWork, unit_name: str | None, member_code: str | None) -> list[Member]:
    if member_code:
        return [await active_member_by_code(uow, member_code)]
    if unit_name:
        units = await uow.units.find_by_name(unit_name.strip())
        if not units:
            raise NotFound(a.UNIT_UNKNOWN.format(name=unit_name))
        if len(units) > 1:
            raise InvalidInput(a.UNIT_AMBIGUOUS.format(name=unit_name, count=len(units)))
        return _not_withdrawn(await uow.members.in_subtree(units[0]))
    roots = [unit for unit in await uow.units.all() if unit.parent_id is None]
    members: list[Member] = []
    for root in roots:
        members.extend(await uow.members.in_subtree(root))
    return _not_withdrawn(members)


def _not_withdrawn(members: list[Member]) -> list[Member]:
    """Who withdrew consent gets no code in a batch; the operator may still invite them back by code."""
    return [member for member in members if member.anonymised_at is None]


async def issue_invites(
    uow: UnitOfWork,
    now: datetime,
    unit_name: str | None = None,
    member_code: str | None = None,
    *,
    platform: str | None = None,
    relink: bool = False,
    ttl: timedelta = DEFAULT_INVITE_TTL,
) -> InviteBatch:
    """Each member's unused, unexpired code (a new one where there is none). The caller commits.

    A member linked on `platform` (on any messaging platform when it is None) is skipped unless `relink`.
    """
    if platform is not None and platform not in INVITE_PLATFORMS:
        raise InvalidInput(a.INVITE_PLATFORM_UNKNOWN.format(platform=platform))
    members = await members_for_invites(uow, unit_name, member_code)
    member_ids = [m.id for m in members]
    unused = await uow.invites.unused_for(member_ids, now, platform)
    linked = await uow.accounts.platforms_of(member_ids)
    batch = InviteBatch()
    for member in members:
        unit = await uow.units.get(member.cell_id or member.scope_unit_id or 0)
        unit_name_ = unit.name if unit else ""
        platforms = tuple(p for p in INVITE_PLATFORMS if p in linked.get(member.id, ()))
        if not relink and (platform in platforms if platform else platforms):
            batch.skipped.append(SkippedMember(member.code, member.full_name, unit_name_, platforms))
            continue
        invite = unused.get(member.id) or await uow.invites.add(
            await _fresh_code(uow), member.id, now, expires_at=now + ttl, platform=platform
        )
        line = InviteLine(
            member.code, member.full_name, unit_name_, invite.code, platforms, invite.expires_at, invite.platform
        )
        batch.issued.append(line)
    return batch


async def _fresh_code(uow: UnitOfWork) -> str:
    while True:
        code = new_invite_code()
        if await uow.invites.by_code(code) is None:
            return code
