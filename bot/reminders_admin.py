"""The operator's reminder commands: remind now, reminders status, the annual cycle."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime

from tqdm import tqdm

from bot.rate_budget import budgets_for, shared_in_database
from bot.settings import Settings
from bot.wiring import Core
from handlers.catalog import reminders as rc
from handlers.services import cycles
from handlers.services.reminder_status import BroadcastStatus, ScheduleStatus, reminders_status
from handlers.services.reminders import remind_now as remind_now_service
from handlers.text import fmt_date


async def remind_now(core: Core, settings: Settings, unit_name: str, kind: str) -> int:
    async with core.uow() as uow:
        done = await remind_now_service(uow, unit_name, kind, core.clock.now(), core.tz)
        await uow.commit()
    queued = sum(item.queued for item in done)
    if settings.telegram_bot_token is None or queued == 0 or not shared_in_database(settings, core):
        # the budget lives in the running bot's process (SQLite): sending here too would double the rate
        print(rc.CLI_REMIND_QUEUED.format(cells=len(done), count=queued))
        return 0
    counts = await _send_now(core, settings, queued)
    print(rc.CLI_REMIND_DONE.format(counts=counts))
    return 0


async def _send_now(core: Core, settings: Settings, queued: int) -> str:
    """Drain the queue here with a live progress bar, on the budget in the database: the running bots share it
    (and the rows: each is claimed once)."""
    from bot.runtime import messengers_for
    from bot.sender import Sender, limits_from

    messengers = messengers_for(settings, budgets_for(settings, core))
    sender = Sender(core.uow, messengers, core.clock, limits_from(settings))
    try:  # no recover() here: rows in SENDING may be a running bot's requests in flight
        with tqdm(total=queued, desc=rc.CLI_REMIND_SENDING, unit=" tin", file=sys.stderr) as bar:

            def advance(count: int) -> None:
                bar.update(count)

            report = await sender.drain(until_idle=True, progress=advance)
    finally:
        await sender.close()
    return f"sent={report.sent} blocked={report.blocked} failed={report.failed} unknown={report.unknown}"


async def status(core: Core) -> int:
    async with core.uow() as uow:
        found = await reminders_status(uow, core.clock.now(), core.tz)
    print(rc.CLI_STATUS_SCHEDULES)
    for schedule in found.schedules:
        print(_schedule_line(schedule, core))
    if not found.schedules:
        print(rc.CLI_STATUS_NO_SCHEDULES)
    print(rc.CLI_STATUS_BROADCASTS)
    _print_broadcasts(found.recent, core)
    print(rc.CLI_STATUS_MISSED if found.missed else rc.CLI_STATUS_NO_MISSED)
    if found.missed:
        _print_broadcasts(found.missed, core)
    return 0


def _schedule_line(schedule: ScheduleStatus, core: Core) -> str:
    return rc.CLI_STATUS_SCHEDULE_LINE.format(
        cell=schedule.cell,
        rule=schedule.rule,
        meeting=fmt_date(schedule.meeting_on) if schedule.meeting_on else "-",
        remind=_local(schedule.remind_at, core),
        digest=_local(schedule.digest_at, core),
    )


def _local(moment: datetime | None, core: Core) -> str:
    return moment.astimezone(core.tz).strftime("%H:%M %d/%m/%Y") if moment else "-"


def _print_broadcasts(rows: Sequence[BroadcastStatus], core: Core) -> None:
    if not rows:
        print(rc.CLI_STATUS_NO_BROADCASTS)
        return
    for row in rows:
        shown = ", ".join(f"{status}={count}" for status, count in sorted(row.counts.items()))
        print(
            rc.CLI_STATUS_BROADCAST_LINE.format(
                id=row.id,
                kind=row.kind,
                unit=row.unit,
                due=_local(row.due_at, core),
                state=row.state,
                counts=shown or rc.CLI_NO_DELIVERIES,
            )
        )


async def set_cycle(core: Core, year: int, deadline: str, self_assessment_from: str | None) -> int:
    async with core.uow() as uow:
        cycle = await cycles.set_cycle(uow, year, deadline, self_assessment_from, core.clock.now())
        await uow.commit()
    print(rc.CYCLE_SET.format(year=year, **_cycle_dates(cycle.registration_deadline, cycle.self_assessment_from)))
    return 0


async def show_cycle(core: Core, year: int) -> int:
    async with core.uow() as uow:
        cycle = await cycles.cycle_of(uow, year)
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
