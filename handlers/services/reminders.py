"""Firing reminders: every due time of every schedule becomes one broadcast row, and its recipients' messages.

The database is the source of truth. `fire_due` may run any number of times, from any number of
processes: a broadcast is unique per (schedule, kind, due time), so a due time fires once. A due time
found later than the grace (the bot was down) is recorded as missed, never sent late and never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.catalog import admin as a
from handlers.catalog import reminders as rc
from handlers.clock import local_today
from handlers.outbound import MessagePriority
from handlers.services.authz import load_actor
from handlers.services.deliveries import OutgoingMessage, enqueue
from handlers.services.errors import InvalidInput, NotFound
from handlers.services.member_refs import member_ref
from handlers.services.schedules import DIGEST, Due, due_times, next_meetings, previous_meeting
from handlers.services.summary import CellSummary, render_cell, summarise
from handlers.text import fmt_date, shorten
from storage.enums import BroadcastKind, BroadcastState, UnitKind
from storage.models import Broadcast, Commitment, MeetingSchedule, Member, ReminderResponse, Unit
from storage.repo_reminders import NOT_APPLICABLE, SNOOZE
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

FLOW = "reminder"
LOOKBACK = timedelta(days=62)  # how far back a restarted bot looks for firings it missed
RECENT_DAYS = 30  # "not updated since" for a cell without a meeting day
NOMINAL_LEAD_DAYS = 3  # the meeting date named by an operator's reminder for a cell without a meeting day
ITEMS_SHOWN, ITEM_TEXT = 5, 80
PROGRESS_CHOICES = (
    (rc.CHOICE_UPDATE_NOW, "progress"),
    (rc.CHOICE_SNOOZE_1, "snooze:1"),
    (rc.CHOICE_SNOOZE_3, "snooze:3"),
    (rc.CHOICE_NOT_APPLICABLE, "na"),
)
REGISTER_CHOICES = (
    (rc.CHOICE_REGISTER_NOW, "register"),
    (rc.CHOICE_SNOOZE_1, "snooze:1"),
    (rc.CHOICE_SNOOZE_3, "snooze:3"),
)
MEMBER_KINDS = (BroadcastKind.PROGRESS_REMINDER.value, BroadcastKind.REGISTER_REMINDER.value)


@dataclass
class FireReport:
    created: list[int] = field(default_factory=list)  # broadcast ids queued now
    missed: list[int] = field(default_factory=list)  # broadcast ids recorded as missed
    queued: int = 0  # messages queued
    snoozes: int = 0  # snoozed reminders that came due


@dataclass(frozen=True)
class Occasion:
    """What a member reminder is about: the cell, its meeting, and since when an update counts."""

    cell: Unit
    meeting_on: date  # for a cell without a meeting day: a nominal date that keys the member's answers
    since: datetime
    today: date
    scheduled: bool = True  # False: the cell has no meeting day; the text names no date


# --- firing ---------------------------------------------------------------------------------------------
async def fire_due(uow: UnitOfWork, now: datetime, tz: ZoneInfo, grace: timedelta) -> FireReport:
    report = FireReport()
    last_dues = await uow.reminders.last_dues()
    for schedule in await uow.reminders.active_schedules():
        # Due times already fired are skipped by the unique row anyway; starting after the last one is cheaper.
        start = max(schedule.updated_at, now - LOOKBACK, last_dues.get(schedule.id) or schedule.updated_at)
        dues = due_times(schedule, start, now, tz)
        if dues:
            await _fire_schedule(uow, schedule, dues, now, tz, grace, report)
    await _fire_snoozes(uow, now, tz, report)
    return report


async def _fire_schedule(
    uow: UnitOfWork,
    schedule: MeetingSchedule,
    dues: list[Due],
    now: datetime,
    tz: ZoneInfo,
    grace: timedelta,
    report: FireReport,
) -> None:
    cell = await uow.units.get(schedule.unit_id)
    if cell is None or not cell.active:
        return
    for due in dues:
        for kind in await _kinds_due(uow, due, tz):
            if due.due_at < now - grace:
                await _record_missed(uow, schedule, cell, kind, due, now, report)
            else:
                await _fire_one(uow, schedule, cell, kind, due, now, tz, report)


async def _record_missed(
    uow: UnitOfWork, schedule: MeetingSchedule, cell: Unit, kind: str, due: Due, now: datetime, report: FireReport
) -> None:
    missed = await _insert(uow, schedule, cell, kind, due, now, BroadcastState.MISSED)
    if missed is not None:
        log.warning("reminder firing missed schedule=%s kind=%s due=%s", schedule.id, kind, due.due_at)
        report.missed.append(missed.id)


async def _fire_one(
    uow: UnitOfWork,
    schedule: MeetingSchedule,
    cell: Unit,
    kind: str,
    due: Due,
    now: datetime,
    tz: ZoneInfo,
    report: FireReport,
) -> None:
    broadcast = await _insert(uow, schedule, cell, kind, due, now, BroadcastState.PENDING)
    if broadcast is None:
        return  # another run (or instance) fired it already
    messages = await _messages_for(uow, broadcast, schedule, cell, due, now, tz)
    report.queued += await enqueue(uow, broadcast, messages, now, tz)
    report.created.append(broadcast.id)


async def _kinds_due(uow: UnitOfWork, due: Due, tz: ZoneInfo) -> list[str]:
    if due.kind == DIGEST:
        return [BroadcastKind.DIGEST.value]
    kinds = [BroadcastKind.PROGRESS_REMINDER.value]
    if await registration_closed(uow, due.meeting_on.year, due.due_at.astimezone(tz).date()):
        kinds.append(BroadcastKind.REGISTER_REMINDER.value)
    return kinds


async def registration_closed(uow: UnitOfWork, year: int, today: date) -> bool:
    cycle = await uow.reminders.cycle(year)
    return bool(cycle and cycle.registration_deadline and today > cycle.registration_deadline)


async def _insert(
    uow: UnitOfWork,
    schedule: MeetingSchedule,
    cell: Unit,
    kind: str,
    due: Due,
    now: datetime,
    state: BroadcastState,
) -> Broadcast | None:
    values: dict[str, Any] = {
        "kind": kind,
        "unit_id": cell.id,
        "schedule_id": schedule.id,
        "due_at": due.due_at,
        "meeting_on": due.meeting_on,
        "priority": int(MessagePriority.REMINDER),
        "state": state.value,
        "total": 0,
        "created_at": now,
    }
    return await uow.reminders.insert_firing(values)


async def _messages_for(
    uow: UnitOfWork,
    broadcast: Broadcast,
    schedule: MeetingSchedule,
    cell: Unit,
    due: Due,
    now: datetime,
    tz: ZoneInfo,
) -> list[OutgoingMessage]:
    if broadcast.kind == BroadcastKind.DIGEST.value:
        return await digest_messages(uow, cell, due.meeting_on, now, tz)
    occasion = Occasion(cell, due.meeting_on, since_last_meeting(schedule, due.meeting_on, tz), local_today(now, tz))
    return await member_messages(uow, occasion, broadcast.kind)


def since_last_meeting(schedule: MeetingSchedule, meeting: date, tz: ZoneInfo) -> datetime:
    """Updates count from the day after the previous meeting (an update made at that meeting was for it)."""
    previous = previous_meeting(schedule, meeting)
    return datetime.combine(previous + timedelta(days=1), time(0), tzinfo=tz)


# --- recipients -------------------------------------------------------------------------------------------
def is_paused(member: Member, today: date) -> bool:
    return member.paused_until is not None and member.paused_until >= today


async def member_messages(uow: UnitOfWork, occasion: Occasion, kind: str) -> list[OutgoingMessage]:
    """The reminder for each member who needs one: active, not exempt, not paused, not excused this month."""
    in_cell = await uow.reminders.cell_members(occasion.cell.id)
    members = [m for m in in_cell if not m.exempt and not is_paused(m, occasion.today)]
    excused = await _excused(uow, [m.id for m in members], occasion.meeting_on)
    members = [m for m in members if m.id not in excused]
    commitments = await uow.reminders.active_commitments([m.id for m in members], occasion.meeting_on.year)
    messages = []
    for member in members:
        own = commitments.get(member.id, [])
        if kind == BroadcastKind.PROGRESS_REMINDER.value and own and not _updated_since(own, occasion.since):
            messages.append(progress_message(member, own, occasion))
        elif kind == BroadcastKind.REGISTER_REMINDER.value and not own:
            messages.append(await register_message(uow, member, occasion))
    return messages


async def _excused(uow: UnitOfWork, member_ids: Sequence[int], meeting: date) -> set[int]:
    """Members who said "not applicable" for this meeting, or asked to be reminded later."""
    responses = await uow.reminders.responses_for(member_ids, meeting)
    return {r.member_id for r in responses if r.action == NOT_APPLICABLE or (r.action == SNOOZE and r.done_at is None)}


def _updated_since(commitments: list[Commitment], since: datetime) -> bool:
    return any(c.last_progress_at is not None and c.last_progress_at >= since for c in commitments)


def _data(kind: str, meeting: date) -> dict[str, Any]:
    # "command": what the sender tells a member who is busy in another flow to type to answer later.
    return {"meeting_on": meeting.isoformat(), "kind": kind, "command": "/nhacviec"}


def progress_message(member: Member, commitments: list[Commitment], occasion: Occasion) -> OutgoingMessage:
    items = "\n".join(
        rc.REMIND_ITEM.format(content=shorten(c.content, ITEM_TEXT), percent=c.percent)
        for c in commitments[:ITEMS_SHOWN]
    )
    if occasion.scheduled:
        text = rc.REMIND_PROGRESS.format(cell=occasion.cell.name, meeting=fmt_date(occasion.meeting_on), items=items)
    else:
        text = rc.REMIND_PROGRESS_UNSCHEDULED.format(cell=occasion.cell.name, days=RECENT_DAYS, items=items)
    kind = BroadcastKind.PROGRESS_REMINDER.value
    return OutgoingMessage(member.id, text, PROGRESS_CHOICES, FLOW, _data(kind, occasion.meeting_on))


async def register_message(uow: UnitOfWork, member: Member, occasion: Occasion) -> OutgoingMessage:
    year = occasion.meeting_on.year
    cycle = await uow.reminders.cycle(year)
    meeting = fmt_date(occasion.meeting_on)
    head = (
        rc.REMIND_HEAD.format(cell=occasion.cell.name, meeting=meeting)
        if occasion.scheduled
        else rc.REMIND_HEAD_UNSCHEDULED.format(cell=occasion.cell.name)
    )
    if cycle is not None and cycle.registration_deadline is not None:
        deadline = fmt_date(cycle.registration_deadline)
        text = head + rc.REMIND_REGISTER.format(year=year, deadline=deadline)
    else:
        text = head + rc.REMIND_REGISTER_NO_DEADLINE.format(year=year)
    kind = BroadcastKind.REGISTER_REMINDER.value
    return OutgoingMessage(member.id, text, REGISTER_CHOICES, FLOW, _data(kind, occasion.meeting_on))


async def digest_messages(
    uow: UnitOfWork, cell: Unit, meeting: date, now: datetime, tz: ZoneInfo
) -> list[OutgoingMessage]:
    """The cell summary, to each secretary and deputy of the cell, computed with their own permissions."""
    today = local_today(now, tz)
    messages = []
    for leader in await uow.reminders.cell_leaders(cell.id):
        # The digest waits in the queue: members are named when it is sent (handlers/services/member_refs.py).
        summary = await summarise(uow, await load_actor(uow, leader), today, now, named=lambda m: member_ref(m.id))
        if not isinstance(summary, CellSummary):
            continue
        header = rc.DIGEST_HEADER.format(cell=cell.name, meeting=fmt_date(meeting))
        messages.append(OutgoingMessage(leader.id, header + render_cell(summary, today)))
    return messages


# --- snoozed reminders -------------------------------------------------------------------------------------
async def _fire_snoozes(uow: UnitOfWork, now: datetime, tz: ZoneInfo, report: FireReport) -> None:
    due = await uow.reminders.due_snoozes(now)
    if not due:
        return
    messages: dict[int, OutgoingMessage] = {}
    for snooze in due:
        snooze.done_at = now
        if snooze.member_id not in messages:
            message = await _snoozed_message(uow, snooze, now, tz)
            if message is not None:
                messages[snooze.member_id] = message
    report.snoozes += len(due)
    if not messages:
        return
    broadcast = await uow.reminders.add_broadcast(
        Broadcast(
            kind=BroadcastKind.NOTICE.value,
            due_at=now,
            priority=int(MessagePriority.REMINDER),
            state=BroadcastState.PENDING.value,
            total=0,
            created_at=now,
        )
    )
    report.queued += await enqueue(uow, broadcast, list(messages.values()), now, tz)
    report.created.append(broadcast.id)


async def _snoozed_message(
    uow: UnitOfWork, snooze: ReminderResponse, now: datetime, tz: ZoneInfo
) -> OutgoingMessage | None:
    """The reminder again, as it stands now: nothing if the meeting is over or the member has since updated."""
    today = local_today(now, tz)
    member = await uow.members.get(snooze.member_id)
    if member is None or not member.active or member.exempt or is_paused(member, today) or snooze.meeting_on < today:
        return None
    cell = await uow.units.get(member.cell_id) if member.cell_id else None
    if cell is None:
        return None
    schedule = await uow.reminders.schedule_of(cell.id)
    scheduled = schedule is not None and schedule.active
    since = (
        since_last_meeting(schedule, snooze.meeting_on, tz)
        if schedule is not None and scheduled
        else now - timedelta(days=RECENT_DAYS)
    )
    occasion = Occasion(cell, snooze.meeting_on, since, today, scheduled)
    own = (await uow.reminders.active_commitments([member.id], snooze.meeting_on.year)).get(member.id, [])
    if own:
        if _updated_since(own, since):
            return None
        message = progress_message(member, own, occasion)
    else:
        message = await register_message(uow, member, occasion)
    text = rc.REMIND_SNOOZED_AGAIN + message.text
    return OutgoingMessage(message.member_id, text, message.choices, FLOW, message.data)


# --- the operator's "remind now" ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RemindNow:
    broadcast: Broadcast
    cell: Unit
    queued: int


async def cells_named(uow: UnitOfWork, unit_name: str) -> list[Unit]:
    units = await uow.units.find_by_name(unit_name.strip())
    if not units:
        raise NotFound(a.UNIT_UNKNOWN.format(name=unit_name))
    if len(units) > 1:
        raise InvalidInput(a.UNIT_AMBIGUOUS.format(name=unit_name, count=len(units)))
    unit = units[0]
    cells = [unit] if unit.kind == UnitKind.CELL.value else await uow.units.cells_in_subtree(unit)
    if not cells:
        raise NotFound(rc.CLI_NO_CELLS.format(name=unit_name))
    return cells


async def remind_now(uow: UnitOfWork, unit_name: str, kind: str, now: datetime, tz: ZoneInfo) -> list[RemindNow]:
    """A reminder broadcast at once for the cell, or every cell of the committee's subtree. The caller commits."""
    if kind not in MEMBER_KINDS:
        raise ValueError(f"not a member reminder kind: {kind}")
    today = local_today(now, tz)
    done = []
    for cell in await cells_named(uow, unit_name):
        occasion = await occasion_now(uow, cell, now, today, tz)
        broadcast = await uow.reminders.add_broadcast(
            Broadcast(
                kind=kind,
                unit_id=cell.id,
                due_at=now,
                meeting_on=occasion.meeting_on,
                priority=int(MessagePriority.REMINDER),
                state=BroadcastState.PENDING.value,
                total=0,
                created_at=now,
            )
        )
        messages = await member_messages(uow, occasion, kind)
        done.append(RemindNow(broadcast, cell, await enqueue(uow, broadcast, messages, now, tz)))
    return done


async def occasion_now(uow: UnitOfWork, cell: Unit, now: datetime, today: date, tz: ZoneInfo) -> Occasion:
    schedule = await uow.reminders.schedule_of(cell.id)
    if schedule is None or not schedule.active:
        meeting = today + timedelta(days=NOMINAL_LEAD_DAYS)
        return Occasion(cell, meeting, now - timedelta(days=RECENT_DAYS), today, scheduled=False)
    meeting = next_meetings(schedule, today - timedelta(days=1), 1)[0]
    return Occasion(cell, meeting, since_last_meeting(schedule, meeting, tz), today)
