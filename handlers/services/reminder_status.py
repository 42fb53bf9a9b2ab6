"""What `lamtheo reminders status` shows the operator: each active schedule with its next due times, the
last broadcasts with their deliveries counted by status, and the firings that were missed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.services import schedules as s
from storage.enums import BroadcastState
from storage.models import Broadcast, MeetingSchedule
from storage.uow import UnitOfWork

RECENT_BROADCASTS = 10


@dataclass(frozen=True)
class ScheduleStatus:
    cell: str
    rule: str
    meeting_on: date | None  # the next meeting the members are reminded of
    remind_at: datetime | None  # UTC
    digest_at: datetime | None  # UTC


@dataclass(frozen=True)
class BroadcastStatus:
    id: int
    kind: str
    unit: str
    due_at: datetime | None  # UTC
    state: str
    counts: dict[str, int]  # deliveries by status


@dataclass(frozen=True)
class RemindersStatus:
    schedules: list[ScheduleStatus]
    recent: list[BroadcastStatus]  # the last broadcasts, missed ones left out
    missed: list[BroadcastStatus]


async def reminders_status(
    uow: UnitOfWork, now: datetime, tz: ZoneInfo, recent: int = RECENT_BROADCASTS
) -> RemindersStatus:
    schedules = [await _schedule_status(uow, schedule, now, tz) for schedule in await uow.reminders.active_schedules()]
    last = await uow.reminders.broadcasts(limit=recent)
    not_missed = [row for row in last if row.state != BroadcastState.MISSED.value]
    missed = await uow.reminders.missed()
    recent_statuses = await _broadcast_statuses(uow, not_missed)
    return RemindersStatus(schedules, recent_statuses, await _broadcast_statuses(uow, missed))


async def _schedule_status(uow: UnitOfWork, schedule: MeetingSchedule, now: datetime, tz: ZoneInfo) -> ScheduleStatus:
    cell = await uow.units.get(schedule.unit_id)
    remind = s.next_due(schedule, now, tz, s.MEMBER_REMINDER)
    digest = s.next_due(schedule, now, tz, s.DIGEST)
    return ScheduleStatus(
        cell=cell.name if cell else str(schedule.unit_id),
        rule=s.describe(schedule),
        meeting_on=remind.meeting_on if remind else None,
        remind_at=remind.due_at if remind else None,
        digest_at=digest.due_at if digest else None,
    )


async def _broadcast_statuses(uow: UnitOfWork, rows: Sequence[Broadcast]) -> list[BroadcastStatus]:
    if not rows:
        return []
    counts = await uow.reminders.delivery_counts([row.id for row in rows])
    found = []
    for row in rows:
        unit = await uow.units.get(row.unit_id) if row.unit_id else None
        name = unit.name if unit else ""
        found.append(BroadcastStatus(row.id, row.kind, name, row.due_at, row.state, counts.get(row.id, {})))
    return found
