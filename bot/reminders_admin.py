"""The operator's reminder commands: remind now, reminders status, the annual cycle."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime

from tqdm import tqdm

from bot.settings import Settings
from bot.wiring import Core
from handlers.catalog import admin as a
from handlers.catalog import reminders as rc
from handlers.services import schedules as s
from handlers.services.errors import InvalidInput
from handlers.services.reminders import remind_now as remind_now_service
from handlers.text import fmt_date
from storage.enums import BroadcastState
from storage.models import Broadcast, MeetingSchedule
from storage.uow import UnitOfWork

RECENT_BROADCASTS = 10


async def remind_now(core: Core, settings: Settings, unit_name: str, kind: str) -> int:
    async with core.uow() as uow:
        done = await remind_now_service(uow, unit_name, kind, core.clock.now(), core.tz)
        await uow.commit()
    queued = sum(item.queued for item in done)
    if settings.telegram_bot_token is None or queued == 0:
        print(rc.CLI_REMIND_QUEUED.format(cells=len(done), count=queued))
        return 0
    counts = await _send_now(core, settings, queued)
    print(rc.CLI_REMIND_DONE.format(counts=counts))
    return 0


async def _send_now(core: Core, settings: Settings, queued: int) -> str:
    """Drain the queue here with a live progress bar (a running bot, if any, shares the work safely)."""
    from bot.sender import telegram_sender

    sender = telegram_sender(core, settings)
    try:  # no recover() here: rows in SENDING may be a running bot's requests in flight
        with tqdm(total=queued, desc=rc.CLI_REMIND_SENDING, unit=" tin", file=sys.stderr) as bar:

            def advance(count: int) -> None:
                bar.update(count)

            report = await sender.drain(until_idle=True, progress=advance)
    finally:
        await sender.close()
    return f"sent={report.sent} blocked={report.blocked} failed={report.failed} unknown={report.unknown}"


async def status(core: Core) -> int:
    now = core.clock.now()
    async with core.uow() as uow:
        print(rc.CLI_STATUS_SCHEDULES)
        schedules = await uow.reminders.active_schedules()
        for schedule in schedules:
            print(await _schedule_line(uow, schedule, now, core))
        if not schedules:
            print(rc.CLI_STATUS_NO_SCHEDULES)
        recent = await uow.reminders.broadcasts(limit=RECENT_BROADCASTS)
        print(rc.CLI_STATUS_BROADCASTS)
        await _print_broadcasts(uow, [b for b in recent if b.state != BroadcastState.MISSED.value], core)
        missed = await uow.reminders.missed()
        print(rc.CLI_STATUS_MISSED if missed else rc.CLI_STATUS_NO_MISSED)
        if missed:
            await _print_broadcasts(uow, missed, core)
    return 0


async def _schedule_line(uow: UnitOfWork, schedule: MeetingSchedule, now: datetime, core: Core) -> str:
    cell = await uow.units.get(schedule.unit_id)
    remind = s.next_due(schedule, now, core.tz, s.MEMBER_REMINDER)
    digest = s.next_due(schedule, now, core.tz, s.DIGEST)
    return rc.CLI_STATUS_SCHEDULE_LINE.format(
        cell=cell.name if cell else schedule.unit_id,
        rule=s.describe(schedule),
        meeting=fmt_date(remind.meeting_on) if remind else "-",
        remind=_local(remind.due_at, core) if remind else "-",
        digest=_local(digest.due_at, core) if digest else "-",
    )


def _local(moment: datetime | None, core: Core) -> str:
    return moment.astimezone(core.tz).strftime("%H:%M %d/%m/%Y") if moment else "-"


async def _print_broadcasts(uow: UnitOfWork, rows: Sequence[Broadcast], core: Core) -> None:
    if not rows:
        print(rc.CLI_STATUS_NO_BROADCASTS)
        return
    counts = await uow.reminders.delivery_counts([row.id for row in rows])
    for row in rows:
        unit = await uow.units.get(row.unit_id) if row.unit_id else None
        by_status = counts.get(row.id, {})
        shown = ", ".join(f"{status}={count}" for status, count in sorted(by_status.items()))
        print(
            rc.CLI_STATUS_BROADCAST_LINE.format(
                id=row.id,
                kind=row.kind,
                unit=unit.name if unit else "",
                due=_local(row.due_at, core),
                state=row.state,
                counts=shown or rc.CLI_NO_DELIVERIES,
            )
        )


def parse_cycle_date(raw: str, year: int) -> date:
    try:
        value = datetime.strptime(raw.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise InvalidInput(rc.CYCLE_DATE_INVALID.format(text=raw)) from None
    if value.year != year:
        raise InvalidInput(rc.CYCLE_DATE_OTHER_YEAR.format(date=fmt_date(value), year=year))
    return value


async def set_cycle(core: Core, year: int, deadline: str, self_assessment_from: str | None) -> int:
    if not 2000 <= year <= 2100:
        raise InvalidInput(a.YEAR_INVALID.format(year=year))
    deadline_value = parse_cycle_date(deadline, year)
    assessment = parse_cycle_date(self_assessment_from, year) if self_assessment_from else None
    async with core.uow() as uow:
        cycle = await uow.reminders.set_cycle(year, deadline_value, assessment, core.clock.now())
        await uow.commit()
    print(rc.CYCLE_SET.format(year=year, **_cycle_dates(cycle.registration_deadline, cycle.self_assessment_from)))
    return 0


async def show_cycle(core: Core, year: int) -> int:
    async with core.uow() as uow:
        cycle = await uow.reminders.cycle(year)
    if cycle is None:
        print(rc.CYCLE_NONE.format(year=year))
        return 0
    print(rc.CYCLE_SHOW.format(year=year, **_cycle_dates(cycle.registration_deadline, cycle.self_assessment_from)))
    return 0


def _cycle_dates(deadline: date | None, assessment: date | None) -> dict[str, str]:
    return {
        "deadline": fmt_date(deadline) if deadline else rc.CYCLE_UNSET,
        "assessment": fmt_date(assessment) if assessment else rc.CYCLE_UNSET,
    }
