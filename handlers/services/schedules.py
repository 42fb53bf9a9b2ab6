"""Each cell's monthly meeting day: the date rules (pure), when reminders fall due, and setting or viewing it.

A rule is a day of the month (capped at the month's last day: the 31st of April is the 30th) or the
nth / last weekday of the month. Reminders fall due `remind_days_before` days before a meeting at
`send_hour` local time; the secretary's digest `digest_days_before` days before.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.catalog import reminders as rc
from handlers.services.authz import Actor, can_summarise, cells_in_scope
from handlers.services.errors import Forbidden, InvalidInput
from handlers.text import clean, fmt_date, fold
from storage.enums import BroadcastKind
from storage.models import MeetingSchedule, Unit
from storage.uow import UnitOfWork

MONTHDAY, WEEKDAY = "monthday", "weekday"
LAST_WEEK = -1
MEMBER_REMINDER = "member"  # the due time of the members' reminders (progress, and registration after the deadline)
DIGEST = BroadcastKind.DIGEST.value


class MeetingRule(Protocol):
    @property
    def rule(self) -> str: ...
    @property
    def day(self) -> int | None: ...
    @property
    def weekday(self) -> int | None: ...
    @property
    def week(self) -> int | None: ...


@dataclass(frozen=True)
class Rule:
    """A rule not yet saved (what the secretary is choosing)."""

    rule: str
    day: int | None = None
    weekday: int | None = None
    week: int | None = None


@dataclass(frozen=True)
class Due:
    kind: str  # MEMBER_REMINDER or DIGEST
    meeting_on: date
    due_at: datetime  # UTC


# --- pure date rules ---------------------------------------------------------------------------------------
def meeting_on(schedule: MeetingRule, year: int, month: int) -> date:
    last_day = calendar.monthrange(year, month)[1]
    if schedule.rule == MONTHDAY:
        return date(year, month, min(schedule.day or 1, last_day))
    weekday = schedule.weekday or 0
    if schedule.week == LAST_WEEK:
        last = date(year, month, last_day)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    first_match = first + timedelta(days=(weekday - first.weekday()) % 7)
    return first_match + timedelta(weeks=(schedule.week or 1) - 1)


def _months_from(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def next_meetings(schedule: MeetingRule, after: date, n: int) -> list[date]:
    """The next `n` meetings strictly after `after`."""
    found: list[date] = []
    year, month = after.year, after.month
    while len(found) < n:
        day = meeting_on(schedule, year, month)
        if day > after:
            found.append(day)
        year, month = _months_from(year, month)
    return found


def previous_meeting(schedule: MeetingRule, before: date) -> date:
    """The last meeting strictly before `before`."""
    year, month = before.year, before.month
    while True:
        day = meeting_on(schedule, year, month)
        if day < before:
            return day
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)


def local_at(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def due_times(schedule: MeetingSchedule, start: datetime, end: datetime, tz: ZoneInfo) -> list[Due]:
    """Every due time in (start, end], oldest first."""
    lead = max(schedule.remind_days_before, schedule.digest_days_before) + 1
    first_meeting_day = start.astimezone(tz).date() - timedelta(days=1)
    last_meeting_day = end.astimezone(tz).date() + timedelta(days=lead)
    found: list[Due] = []
    for meeting in next_meetings(schedule, first_meeting_day, 2 + (last_meeting_day - first_meeting_day).days // 28):
        if meeting > last_meeting_day:
            break
        for kind, days in ((MEMBER_REMINDER, schedule.remind_days_before), (DIGEST, schedule.digest_days_before)):
            due_at = local_at(meeting - timedelta(days=days), schedule.send_hour, tz)
            if start < due_at <= end:
                found.append(Due(kind, meeting, due_at))
    return sorted(found, key=lambda due: (due.due_at, due.kind))


def next_due(schedule: MeetingSchedule, now: datetime, tz: ZoneInfo, kind: str) -> Due | None:
    later = [due for due in due_times(schedule, now, now + timedelta(days=70), tz) if due.kind == kind]
    return later[0] if later else None


# --- reading and describing rules ----------------------------------------------------------------------------
_WEEKDAY_WORDS = {
    "hai": 0, "2": 0, "ba": 1, "3": 1, "tu": 2, "4": 2, "nam": 3, "5": 3, "sau": 4, "6": 4, "bay": 5, "7": 5,
}  # fmt: skip
_WEEK_WORDS = {
    "dau": 1, "dau tien": 1, "thu nhat": 1, "1": 1, "thu 1": 1,
    "thu hai": 2, "2": 2, "thu 2": 2, "thu ba": 3, "3": 3, "thu 3": 3, "thu tu": 4, "4": 4, "thu 4": 4,
    "cuoi": LAST_WEEK, "cuoi cung": LAST_WEEK,
}  # fmt: skip
_MONTHDAY = re.compile(r"^ngay (\d{1,2})(?: hang thang| moi thang)?$")
_WEEKDAY = re.compile(r"^(?:thu (hai|ba|tu|nam|sau|bay|[2-7])|(chu nhat|cn)) (.+)$")
_WEEK = re.compile(r"^(?:tuan (.+?)(?: cua thang| trong thang| hang thang)?|(cuoi thang|cuoi moi thang))$")


def checked_day(text: str) -> int:
    raw = clean(text)
    match = re.fullmatch(r"(?:ngày\s*)?(\d{1,2})", raw, flags=re.IGNORECASE)
    if not match or not 1 <= int(match.group(1)) <= 31:
        raise InvalidInput(rc.MEETING_DAY_INVALID.format(text=raw[:50]))
    return int(match.group(1))


def parse_weekday(text: str) -> int | None:
    """'thứ Sáu', 'thu 6', '6' (Vietnamese numbering: thứ 2 is Monday), 'chủ nhật', 'CN' -> 0..6."""
    words = fold(text).removeprefix("thu ").strip()
    if words in ("chu nhat", "cn"):
        return 6
    return _WEEKDAY_WORDS.get(words)


def parse_rule(text: str) -> Rule | None:
    """'ngày 4 hằng tháng', 'thứ Sáu cuối tháng', 'thứ 2 tuần đầu', 'chủ nhật tuần thứ ba'; None if not one."""
    words = fold(text)
    monthday = _MONTHDAY.match(words)
    if monthday:
        day = int(monthday.group(1))
        return Rule(MONTHDAY, day=day) if 1 <= day <= 31 else None
    weekday_match = _WEEKDAY.match(words)
    if not weekday_match:
        return None
    weekday = 6 if weekday_match.group(2) else _WEEKDAY_WORDS[weekday_match.group(1)]
    week_match = _WEEK.match(weekday_match.group(3))
    if not week_match:
        return None
    week = LAST_WEEK if week_match.group(2) else _WEEK_WORDS.get(week_match.group(1))
    return None if week is None else Rule(WEEKDAY, weekday=weekday, week=week)


def describe(schedule: MeetingRule) -> str:
    if schedule.rule == MONTHDAY:
        return rc.RULE_MONTHDAY.format(day=schedule.day)
    return rc.RULE_WEEKDAY.format(
        weekday=rc.WEEKDAY_NAMES[schedule.weekday or 0], week=rc.WEEK_NAMES[schedule.week or 1]
    )


def dates_text(days: list[date]) -> str:
    return ", ".join(fmt_date(day) for day in days)


# --- setting and viewing ---------------------------------------------------------------------------------
async def own_cell(uow: UnitOfWork, actor: Actor) -> Unit:
    """The cell a secretary or deputy leads; Forbidden for anyone else (committee staff only look)."""
    if not actor.role.leads_cell or not can_summarise(actor):
        raise Forbidden(rc.MEETING_FORBIDDEN)
    unit, cells = await cells_in_scope(uow, actor)
    if cells != [unit]:
        raise Forbidden(rc.MEETING_FORBIDDEN)
    return unit


async def set_schedule(uow: UnitOfWork, actor: Actor, rule: Rule, now: datetime) -> tuple[Unit, MeetingSchedule]:
    cell = await own_cell(uow, actor)
    _check_rule(rule)
    schedule = await uow.reminders.schedule_of(cell.id) or MeetingSchedule(unit_id=cell.id)
    schedule.rule, schedule.day = rule.rule, rule.day if rule.rule == MONTHDAY else None
    schedule.weekday = rule.weekday if rule.rule == WEEKDAY else None
    schedule.week = rule.week if rule.rule == WEEKDAY else None
    schedule.active, schedule.updated_by_member_id, schedule.updated_at = True, actor.member_id, now
    return cell, await uow.reminders.save_schedule(schedule)


def _check_rule(rule: Rule) -> None:
    valid = (rule.rule == MONTHDAY and rule.day is not None and 1 <= rule.day <= 31) or (
        rule.rule == WEEKDAY
        and rule.weekday is not None
        and 0 <= rule.weekday <= 6
        and rule.week in (1, 2, 3, 4, LAST_WEEK)
    )
    if not valid:
        raise InvalidInput(rc.MEETING_RULE_UNKNOWN.format(text=""))


@dataclass(frozen=True)
class CellMeeting:
    cell: Unit
    schedule: MeetingSchedule | None
    upcoming: list[date]


async def meetings_in_view(uow: UnitOfWork, actor: Actor, today: date, n: int = 1) -> list[CellMeeting]:
    """The cells this actor may see (their own cell for a member) with their next meetings."""
    if can_summarise(actor):
        _, cells = await cells_in_scope(uow, actor)
    else:
        cell = await uow.units.get(actor.cell_id) if actor.cell_id else None
        cells = [cell] if cell is not None else []
    schedules = await uow.reminders.schedules_of([cell.id for cell in cells])
    found = []
    for cell in cells:
        schedule = schedules.get(cell.id)
        active = schedule if schedule is not None and schedule.active else None
        upcoming = next_meetings(active, today - timedelta(days=1), n) if active else []
        found.append(CellMeeting(cell, active, upcoming))
    return found
