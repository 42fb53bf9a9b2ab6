"""Announcements (/thongbao): a secretary or deputy to their cell, committee staff to any unit of their subtree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.catalog import deliveries as d
from handlers.clock import local_today
from handlers.outbound import MessagePriority
from handlers.services.authz import Actor, can_summarise, may_see_unit
from handlers.services.deliveries import (
    BroadcastCounts,
    OutgoingMessage,
    choose_account,
    counts_of,
    enqueue,
    skip_reason,
)
from handlers.services.errors import Forbidden
from handlers.services.member_refs import member_ref
from handlers.services.validation import checked_text
from storage.enums import BroadcastKind, BroadcastState
from storage.models import Broadcast, Member, Unit
from storage.uow import UnitOfWork

ANNOUNCEMENT_MAX = 2000
RECENT_LIMIT = 5


@dataclass(frozen=True)
class Audience:
    unit: Unit
    members: list[Member]
    reachable: int  # members the bot can message now (linked, consented, not paused, not blocked)


@dataclass(frozen=True)
class SentAnnouncement:
    broadcast: Broadcast
    unit_name: str
    counts: BroadcastCounts


def may_announce(actor: Actor) -> bool:
    return can_summarise(actor)


async def announce_units(uow: UnitOfWork, actor: Actor) -> list[Unit]:
    """The units the actor may address: their cell, or their committee and every active unit below it."""
    if not may_announce(actor) or actor.scope_unit_id is None:
        raise Forbidden(d.ANNOUNCE_FORBIDDEN)
    scope = await uow.units.get(actor.scope_unit_id)
    if scope is None or not may_see_unit(actor, scope):
        raise Forbidden(d.ANNOUNCE_FORBIDDEN)
    if actor.role.leads_cell:
        return [scope]
    units = [unit for unit in await uow.units.all() if unit.active and unit.path.startswith(scope.path)]
    return [unit for unit in units if may_see_unit(actor, unit)]


async def checked_unit(uow: UnitOfWork, actor: Actor, unit_id: int) -> Unit:
    """Re-checked on every step: a forged or stale unit id is refused."""
    unit = await uow.units.get(unit_id)
    if unit is None or not unit.active or not may_announce(actor) or not may_see_unit(actor, unit):
        raise Forbidden(d.ANNOUNCE_UNIT_GONE)
    return unit


def checked_announcement(raw: str | None) -> str:
    return checked_text(raw, 1, ANNOUNCEMENT_MAX)


async def audience(uow: UnitOfWork, actor: Actor, unit_id: int, now: datetime, tz: ZoneInfo) -> Audience:
    unit = await checked_unit(uow, actor, unit_id)
    members = await uow.members.in_subtree(unit)
    accounts = await uow.deliveries.reachable_accounts([m.id for m in members])
    today = local_today(now, tz)
    reachable = sum(
        1
        for m in members
        if skip_reason(m, today) is None and choose_account(m, accounts.get(m.id, [])) is not None
    )
    return Audience(unit, members, reachable)


async def send_announcement(
    uow: UnitOfWork, actor: Actor, unit_id: int, text: str, now: datetime, tz: ZoneInfo
) -> tuple[Broadcast, int]:
    """An announcement broadcast to every active member of the unit's subtree; returns it and the queued count."""
    text = checked_announcement(text)
    target = await audience(uow, actor, unit_id, now, tz)
    broadcast = Broadcast(
        kind=BroadcastKind.ANNOUNCEMENT.value,
        unit_id=target.unit.id,
        created_by_member_id=actor.member_id,
        text=text,
        priority=int(MessagePriority.ANNOUNCEMENT),
        state=BroadcastState.PENDING.value,
        total=0,
        created_at=now,
    )
    await uow.deliveries.add_broadcast(broadcast)
    body = d.ANNOUNCE_HEADER.format(unit=target.unit.name, sender=member_ref(actor.member_id), text=text)
    queued = await enqueue(uow, broadcast, [OutgoingMessage(m.id, body) for m in target.members], now, tz)
    return broadcast, queued


async def recent_announcements(uow: UnitOfWork, actor: Actor, limit: int = RECENT_LIMIT) -> list[SentAnnouncement]:
    broadcasts = await uow.deliveries.recent_broadcasts(actor.member_id, BroadcastKind.ANNOUNCEMENT.value, limit)
    counts = await counts_of(uow, [b.id for b in broadcasts])
    out = []
    for broadcast in broadcasts:
        unit = await uow.units.get(broadcast.unit_id) if broadcast.unit_id else None
        out.append(SentAnnouncement(broadcast, unit.name if unit else "", counts[broadcast.id]))
    return out
