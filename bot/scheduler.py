"""The clock: APScheduler only wakes the process; what is due is decided from the database by `fire_due`.

Every minute (and once at start, to catch up after downtime) one unit of work runs `fire_due`; when it
queued something, `on_fired` wakes the sender. Nothing is lost if a tick is skipped or the process stops:
the next tick finds the same due times in the database (and a second instance finds them already fired).
APScheduler's own misfire handling is switched off (misfire_grace_time=None): a late tick still runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from handlers.clock import Clock
from handlers.services.reminders import FireReport, fire_due
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
STOP_GRACE_S = 10.0

TICK_SECONDS = 60
JOB_ID = "fire_due_reminders"


class ReminderClock:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        tz: ZoneInfo,
        grace: timedelta,
        on_fired: Callable[[], None] | None = None,
        every_seconds: float = TICK_SECONDS,
    ) -> None:
        self.uow_factory, self.clock, self.tz = uow_factory, clock, tz
        self.grace = grace
        self.on_fired = on_fired
        self.every_seconds = every_seconds
        self.scheduler: AsyncIOScheduler | None = None
        self.ticks = 0
        self._running: asyncio.Task[object] | None = None

    async def tick(self) -> FireReport:
        """One check: fire what is due, commit, then wake the sender if anything was queued."""
        async with self.uow_factory() as uow:
            report = await fire_due(uow, self.clock.now(), self.tz, self.grace)
            await uow.commit()
        self.ticks += 1
        if report.created or report.missed:
            log.info(
                "reminders fired broadcasts=%d queued=%d missed=%d snoozes=%d",
                len(report.created),
                report.queued,
                len(report.missed),
                report.snoozes,
            )
        if report.created and self.on_fired is not None:
            self.on_fired()
        return report

    async def _safe_tick(self) -> None:
        self._running = asyncio.current_task()
        try:
            await self.tick()
        except Exception:  # the next tick tries again; the database still holds what is due
            log.exception("reminder check failed")
        finally:
            self._running = None

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> AsyncIOScheduler:
        """Schedule the checks on `loop` (default: the running loop); the first one runs at once."""
        options: dict[str, Any] = {"timezone": self.tz}
        if loop is not None:
            options["event_loop"] = loop
        scheduler = AsyncIOScheduler(**options)
        scheduler.add_job(
            self._safe_tick,
            "interval",
            seconds=self.every_seconds,
            id=JOB_ID,
            next_run_time=datetime.now(self.tz),  # catch up at start
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )
        scheduler.start()
        self.scheduler = scheduler
        return scheduler

    def shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None

    async def stop(self) -> None:
        """Stop the checks and let one in progress finish first, so the database is not closed under it
        (APScheduler's shutdown would cancel it mid-query)."""
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
        running = self._running
        if running is not None and not running.done():
            await asyncio.wait({running}, timeout=STOP_GRACE_S)
        self.shutdown()
