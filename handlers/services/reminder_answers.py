"""A member's answers to a reminder: remind me later, not applicable this month, and /nhacviec (the reminder again)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.catalog import reminders as rc
from handlers.clock import local_today
from handlers.services.deliveries import OutgoingMessage
from handlers.services.errors import InvalidInput
from handlers.services.reminders import MEMBER_KINDS, member_messages, occasion_now
from storage.models import Member, ReminderResponse
from storage.repo_reminders import NOT_APPLICABLE, SNOOZE
from storage.uow import UnitOfWork

REASON_MIN, REASON_MAX = 3, 500
SNOOZE_MAX_DAYS = 7


async def snooze(uow: UnitOfWork, member: Member, meeting: date, days: int, now: datetime) -> datetime:
    """Remind the member again in `days` days (the sender then applies their quiet hours)."""
    if not 1 <= days <= SNOOZE_MAX_DAYS:
        raise InvalidInput(rc.REMINDER_NONE)
    remind_at = now + timedelta(days=days)
    await uow.reminders.add_response(
        ReminderResponse(member_id=member.id, meeting_on=meeting, action=SNOOZE, remind_at=remind_at, created_at=now)
    )
    return remind_at


async def mark_not_applicable(uow: UnitOfWork, member: Member, meeting: date, reason: str, now: datetime) -> None:
    """No more reminders to this member for this meeting; a pending "remind me later" is dropped too."""
    for pending in await uow.reminders.open_snoozes(member.id, meeting):
        pending.done_at = now
    await uow.reminders.add_response(
        ReminderResponse(member_id=member.id, meeting_on=meeting, action=NOT_APPLICABLE, reason=reason, created_at=now)
    )


async def current_reminder(uow: UnitOfWork, member: Member, now: datetime, tz: ZoneInfo) -> OutgoingMessage | None:
    """The reminder this member would get now for their cell's next meeting, if any (for /nhacviec)."""
    cell = await uow.units.get(member.cell_id) if member.cell_id else None
    if cell is None or member.exempt:
        return None
    today = local_today(now, tz)
    occasion = await occasion_now(uow, cell, now, today, tz)
    for kind in MEMBER_KINDS:
        for message in await member_messages(uow, occasion, kind):
            if message.member_id == member.id:
                return message
    return None
