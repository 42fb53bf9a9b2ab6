"""A member's reminder preferences: preferred hour, quiet hours, a pause (set by themselves or their secretary)."""

from __future__ import annotations

import re
from datetime import date, datetime

from handlers.catalog import reminders as rc
from handlers.services.authz import Actor, can_summarise
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.text import clean, fmt_date
from storage.models import Member
from storage.repo_members import MemberName
from storage.uow import UnitOfWork

PAUSE_MAX_DAYS = 366
_HOUR = re.compile(r"^(\d{1,2})\s*(?:(?::|h|giờ|gio)\s*(?:00)?)?$", re.IGNORECASE)
_RANGE = re.compile(r"^(.+?)\s*(?:-|–|—|đến|den|to)\s*(.+)$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")


def checked_hour(raw: str) -> int:
    """'7', '07:00', '19h', '19 giờ' -> the hour 0..23; '25:00', '7:30', 'sáng' are refused."""
    text = clean(raw)
    match = _HOUR.match(text)
    if not match or not 0 <= int(match.group(1)) <= 23:
        raise InvalidInput(rc.HOUR_INVALID.format(text=text[:50]))
    return int(match.group(1))


def checked_quiet_hours(raw: str) -> tuple[int, int]:
    text = clean(raw)
    match = _RANGE.match(text)
    try:
        if not match:
            raise InvalidInput("")
        start, end = checked_hour(match.group(1)), checked_hour(match.group(2))
    except InvalidInput:
        raise InvalidInput(rc.QUIET_INVALID.format(text=text[:50])) from None
    if start == end:
        raise InvalidInput(rc.QUIET_INVALID.format(text=text[:50]))
    return start, end


def checked_pause_date(raw: str, today: date) -> date:
    text = clean(raw)
    match = _DATE.match(text)
    if not match:
        raise InvalidInput(rc.PAUSE_DATE_FORMAT)
    day, month, year = (int(part) for part in match.groups())
    try:
        value = date(year, month, day)
    except ValueError:
        raise InvalidInput(rc.PAUSE_DATE_INVALID.format(text=text)) from None
    if value < today:
        raise InvalidInput(rc.PAUSE_DATE_PAST.format(today=fmt_date(today)))
    limit = date.fromordinal(today.toordinal() + PAUSE_MAX_DAYS)
    if value > limit:
        raise InvalidInput(rc.PAUSE_DATE_TOO_FAR.format(limit=fmt_date(limit)))
    return value


def hour_text(hour: int) -> str:
    return f"{hour:02d}:00"


def quiet_text(quiet_from: int, quiet_to: int) -> str:
    return f"{hour_text(quiet_from)}–{hour_text(quiet_to)}"


async def set_hour(uow: UnitOfWork, member: Member, raw: str, now: datetime) -> int:
    member.remind_hour = checked_hour(raw)
    member.updated_at = now
    return member.remind_hour


async def set_quiet_hours(uow: UnitOfWork, member: Member, raw: str, now: datetime) -> tuple[int, int]:
    member.quiet_from, member.quiet_to = checked_quiet_hours(raw)
    member.updated_at = now
    return member.quiet_from, member.quiet_to


async def pause_self(uow: UnitOfWork, member: Member, raw: str, today: date, now: datetime) -> date:
    member.paused_until = checked_pause_date(raw, today)
    member.paused_by_member_id = member.id
    member.updated_at = now
    return member.paused_until


async def resume(uow: UnitOfWork, member: Member, now: datetime) -> None:
    member.paused_until = None
    member.paused_by_member_id = None
    member.updated_at = now


async def members_a_leader_may_pause(uow: UnitOfWork, actor: Actor) -> list[MemberName]:
    """The other active members of the cell a secretary or deputy leads."""
    if not actor.role.leads_cell or not can_summarise(actor) or actor.scope_unit_id is None:
        raise Forbidden(rc.PAUSE_MEMBER_FORBIDDEN)
    cell = await uow.units.get(actor.scope_unit_id)
    if cell is None or cell.kind != "cell":
        raise Forbidden(rc.PAUSE_MEMBER_FORBIDDEN)
    return [m for m in await uow.members.names_in_cell(cell.id) if m.id != actor.member_id]


async def pause_member(
    uow: UnitOfWork, actor: Actor, member_id: int, raw: str, today: date, now: datetime
) -> tuple[Member, date]:
    """A secretary or deputy pauses reminders for a member of their own cell (checked here, not from a button)."""
    allowed = {m.id for m in await members_a_leader_may_pause(uow, actor)}
    member = await uow.members.get(member_id)
    if member is None or member_id not in allowed:
        raise (Forbidden(rc.PAUSE_MEMBER_FORBIDDEN) if member is not None else NotFound(rc.PAUSE_MEMBER_FORBIDDEN))
    member.paused_until = checked_pause_date(raw, today)
    member.paused_by_member_id = actor.member_id
    member.updated_at = now
    return member, member.paused_until
