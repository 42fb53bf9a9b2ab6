"""Housekeeping: one loop, started once by the runtime in both modes (bot/runtime.py, a singleton worker).

A minute after start, then every hour, it forgets old processed webhook updates and update keys (blanking
replies kept unsent for a day) and old wrong-code records, deletes files whose links have expired, and blanks
the texts of messages sent longer than SENT_TEXT_RETENTION_DAYS ago (handlers/services/maintenance.py).
A failing round is logged and the next one tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from handlers.clock import Clock
from handlers.services.maintenance import KEEP_SENT_TEXTS, Pruned, prune_old_records
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_S = 3600.0
FIRST_ROUND_AFTER_S = 60.0  # not at start: a bot restarting in a loop should not prune each time
STOP_GRACE_S = 10.0


async def housekeeping(
    uow_factory: Callable[[], UnitOfWork], now: datetime, keep_sent_texts: timedelta = KEEP_SENT_TEXTS
) -> Pruned:
    """One round, in one transaction."""
    async with uow_factory() as uow:
        pruned = await prune_old_records(uow, now, keep_sent_texts)
        await uow.commit()
    log.info(
        "pruned %d inbox update(s), %d expired file(s), %d update key(s), %d web session(s); blanked %d sent text(s)",
        pruned.inbox_updates,
        pruned.expired_files,
        pruned.update_keys,
        pruned.web_sessions,
        pruned.sent_texts,
    )
    return pruned


class Housekeeping:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        every_s: float = HOUSEKEEPING_EVERY_S,
        first_after_s: float = FIRST_ROUND_AFTER_S,
        keep_sent_texts: timedelta = KEEP_SENT_TEXTS,
    ) -> None:
        self.uow_factory, self.clock, self.keep_sent_texts = uow_factory, clock, keep_sent_texts
        self.every_s, self.first_after_s = every_s, first_after_s
        self.rounds = 0
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> asyncio.Task[None]:
        """Run the loop as a task on the running loop."""
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="housekeeping")
        return self._task

    async def stop(self) -> None:
        """End the loop; a round in progress finishes first (cancelled mid-query it would log a traceback)."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is None:
            return
        _done, late = await asyncio.wait({task}, timeout=STOP_GRACE_S)
        for stuck in late:
            stuck.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        if await self._stopped_within(self.first_after_s):
            return
        while True:
            try:
                await housekeeping(self.uow_factory, self.clock.now(), self.keep_sent_texts)
            except Exception as error:  # housekeeping must never stop the bot
                log.warning("housekeeping failed: %s", type(error).__name__)
            self.rounds += 1
            if await self._stopped_within(self.every_s):
                return

    async def _stopped_within(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
            return True
        return False
