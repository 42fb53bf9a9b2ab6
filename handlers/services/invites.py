"""One-time invite codes for linking a chat account, per unit or per member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.catalog import admin as a
from handlers.services.errors import InvalidInput, NotFound
from handlers.services.linking import active_member_by_code, new_invite_code
from storage.models import Member
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class InviteLine:
    member_code: str
    full_name: str
    unit_name: str
    code: str
    linked_platforms: tuple[str, ...]


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
    uow: UnitOfWork, now: datetime, unit_name: str | None = None, member_code: str | None = None
) -> list[InviteLine]:
    """Each member's unused code (a new one where there is none). The caller commits."""
    members = await members_for_invites(uow, unit_name, member_code)
    member_ids = [m.id for m in members]
    unused = await uow.invites.unused_for(member_ids)
    linked = await uow.accounts.platforms_of(member_ids)
    lines = []
    for member in members:
        invite = unused.get(member.id) or await uow.invites.add(await _fresh_code(uow), member.id, now)
        unit = await uow.units.get(member.cell_id or member.scope_unit_id or 0)
        platforms = tuple(sorted(linked.get(member.id, ())))
        lines.append(InviteLine(member.code, member.full_name, unit.name if unit else "", invite.code, platforms))
    return lines


async def _fresh_code(uow: UnitOfWork) -> str:
    while True:
        code = new_invite_code()
        if await uow.invites.by_code(code) is None:
            return code
