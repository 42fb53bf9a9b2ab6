"""The inbox: a webhook update is stored and committed before the platform gets its 200, then processed.

An in-process worker (a queue and a task per platform, in arrival order) processes the stored updates. On
start it first queues every row left unprocessed, so a crash after the acknowledgement loses nothing; a
redelivery (same key) is acknowledged and not stored again (the router's update log guards as well).

- An update whose processing fails (the endpoint raises: a database error mid-update, say) is tried again
  after a pause, up to MAX_ATTEMPTS in all; then it is given up with an ERROR (type and stack, no text) and
  the member is told something went wrong. Attempts are counted in the row before each try, so an update
  that takes the process down counts too.
- A stored update older than `max_age` (INBOX_MAX_AGE_MINUTES) is given up unprocessed with a WARNING: an
  "announce" pressed yesterday must not go out today because the bot was down overnight.
- When the inbox's own bookkeeping fails (the database is gone), the worker tries again in place a few times,
  keeping the order; then the row is left for the next start (and /healthz reports the queue stuck).
Old processed rows are pruned by housekeeping (bot/housekeeping.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.channels.webhooks import WebhookEndpoint
from handlers.clock import Clock
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAYS_S = (1.0, 5.0)  # between attempts of a failing update; then it is given up
MAX_AGE = timedelta(hours=1)  # a stored update older than this is given up, not processed
BOOKKEEPING_RETRIES_S = (0.5, 2.0, 5.0, 10.0)  # the database failed around an update: pauses before trying again
STOP_GRACE_S = 10.0

Payload = dict[str, Any]


@dataclass(frozen=True)
class Attempt:
    """One try at a stored update: its number (counted and committed before the try)."""

    row_id: int
    key: str
    payload: Payload
    number: int
    received_at: datetime


class Inbox:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        endpoints: Iterable[WebhookEndpoint],
        *,
        max_attempts: int = MAX_ATTEMPTS,
        retry_delays: Sequence[float] = RETRY_DELAYS_S,
        max_age: timedelta = MAX_AGE,
        bookkeeping_retries: Sequence[float] = BOOKKEEPING_RETRIES_S,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.endpoints: dict[str, WebhookEndpoint] = {endpoint.platform: endpoint for endpoint in endpoints}
        self.max_attempts = max_attempts
        self.retry_delays = tuple(retry_delays)
        self.max_age = max_age
        self.bookkeeping_retries = tuple(bookkeeping_retries)
        self._queues: dict[str, asyncio.Queue[int]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._current: dict[str, asyncio.Task[None]] = {}
        self.started_at: datetime | None = None

    @property
    def platforms(self) -> list[str]:
        return list(self.endpoints)

    def alive(self) -> bool:
        """Every platform's worker is running (none ended on an unexpected error, nor was stopped)."""
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    async def start(self) -> None:
        """Queue what an earlier run left unprocessed (oldest first), then start one worker per platform."""
        self.started_at = self.clock.now()
        for platform in self.endpoints:
            queue: asyncio.Queue[int] = asyncio.Queue()
            async with self.uow_factory() as uow:
                left = await uow.inbox.unprocessed_ids(platform)
            for row_id in left:
                queue.put_nowait(row_id)
            if left:
                log.info("resuming %d stored update(s) platform=%s", len(left), platform)
            self._queues[platform] = queue
            self._tasks.append(asyncio.create_task(self._work(platform, queue), name=f"inbox-{platform}"))

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop taking updates off the queues; an update being processed is finished (within `grace_s`)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        running = [job for job in self._current.values() if not job.done()]
        if running:
            _done, late = await asyncio.wait(running, timeout=grace_s)
            for job in late:  # left unprocessed in the inbox: the next start does it
                job.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def join(self) -> None:
        """Wait until every queued update has been processed (or given up)."""
        for queue in self._queues.values():
            await queue.join()

    async def accept(self, platform: str, key: str, payload: Payload) -> bool:
        """Store and commit the update; queue it for the worker. False: a redelivery, already stored."""
        async with self.uow_factory() as uow:
            added = await uow.inbox.add_if_absent(platform, key, payload, self.clock.now())
            row = await uow.inbox.find(platform, key) if added else None
            await uow.commit()
        if row is None:
            log.info("redelivered update acknowledged platform=%s key=%s", platform, key)
            return False
        self._queues[platform].put_nowait(row.id)
        return True

    async def _work(self, platform: str, queue: asyncio.Queue[int]) -> None:
        while True:
            row_id = await queue.get()
            # Shielded: stopping the worker must not cut an update off halfway (replies sent, not marked).
            job = self._current[platform] = asyncio.create_task(self._process_logged(platform, row_id))
            try:
                await asyncio.shield(job)
            finally:
                queue.task_done()

    async def _process_logged(self, platform: str, row_id: int) -> None:
        endpoint = self.endpoints[platform]
        for pause in (*self.bookkeeping_retries, None):
            try:
                await self._process(endpoint, row_id)
                return
            except Exception as error:  # the database itself failed around the update
                if pause is None:
                    log.error("inbox worker left a stored update for the next start: %s", type(error).__name__)
                    return
                log.warning("inbox bookkeeping failed, trying again in %.1f s: %s", pause, type(error).__name__)
                await asyncio.sleep(pause)

    async def _process(self, endpoint: WebhookEndpoint, row_id: int) -> None:
        while True:
            attempt = await self._next_attempt(row_id)
            if attempt is None:
                return
            if attempt.received_at < self.clock.now() - self.max_age:
                log.warning(
                    "gave up on a stored update, too old to act on (received %s) platform=%s key=%s",
                    *(attempt.received_at.isoformat(timespec="seconds"), endpoint.platform, attempt.key),
                )
                await self._mark_processed(row_id)
                return
            if attempt.number > self.max_attempts:  # failed (or took the process down) every time before
                await self._give_up(endpoint, attempt, attempt.number - 1, None)
                return
            try:
                await endpoint.process(attempt.payload)
            except Exception as error:
                if attempt.number >= self.max_attempts:
                    await self._give_up(endpoint, attempt, attempt.number, error)
                    return
                delay = self._delay(attempt.number)
                log.warning(
                    "processing a stored update failed, trying again in %.1f s platform=%s key=%s attempt=%d/%d: %s",
                    *(delay, endpoint.platform, attempt.key, attempt.number, self.max_attempts, type(error).__name__),
                )
                await asyncio.sleep(delay)
                continue
            await self._mark_processed(row_id)
            return

    async def _next_attempt(self, row_id: int) -> Attempt | None:
        """Count (and commit) one more attempt before trying, so a crash mid-way still counts; None: done.
        A row too old to act on, or tried too often, comes back without counting (it is given up)."""
        async with self.uow_factory() as uow:
            row = await uow.inbox.get(row_id)
            if row is None or row.processed_at is not None:
                return None
            found = Attempt(row_id, row.update_key, row.payload, row.attempts + 1, row.received_at)
            if found.received_at < self.clock.now() - self.max_age or row.attempts >= self.max_attempts:
                return found
            number = await uow.inbox.count_attempt(row_id)
            await uow.commit()
        return Attempt(row_id, found.key, found.payload, number, found.received_at)

    def _delay(self, attempt: int) -> float:
        if not self.retry_delays:
            return 0.0
        return self.retry_delays[min(attempt, len(self.retry_delays)) - 1]

    async def _give_up(
        self, endpoint: WebhookEndpoint, attempt: Attempt, attempts: int, error: Exception | None
    ) -> None:
        """An ERROR with the type and stack of the last failure (never a text), the member told, the row done."""
        log.error(
            "gave up on a stored update after %d attempt(s) platform=%s key=%s%s",
            *(attempts, endpoint.platform, attempt.key, f": {type(error).__name__}" if error else ""),
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )
        await self._mark_processed(attempt.row_id)
        try:
            await endpoint.notify_failure(attempt.payload)
        except Exception as notice_error:  # best effort: the update is given up either way
            log.warning("could not tell the member an update failed: %s", type(notice_error).__name__)

    async def _mark_processed(self, row_id: int) -> None:
        async with self.uow_factory() as uow:
            await uow.inbox.mark_processed(row_id, self.clock.now())
            await uow.commit()
