"""The inbox: a webhook update is stored and committed before the platform gets its 200, then processed.

An in-process worker (a queue and a task per platform, in arrival order) processes the stored updates. On
start it first queues every row left unprocessed, so a crash after the acknowledgement loses nothing; a
redelivery (same key) is acknowledged and not stored again (the router's update log guards as well). An
update whose processing keeps failing is given up after MAX_ATTEMPTS, with an ERROR log, so it never
blocks the queue. Old processed rows are pruned by housekeeping (bot/housekeeping.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bot.channels.webhooks import WebhookEndpoint
from handlers.clock import Clock
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAYS_S = (1.0, 5.0)  # between attempts of a failing update; then it is given up
STOP_GRACE_S = 10.0

Payload = dict[str, Any]


class Inbox:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        endpoints: Iterable[WebhookEndpoint],
        *,
        max_attempts: int = MAX_ATTEMPTS,
        retry_delays: Sequence[float] = RETRY_DELAYS_S,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.endpoints: dict[str, WebhookEndpoint] = {endpoint.platform: endpoint for endpoint in endpoints}
        self.max_attempts = max_attempts
        self.retry_delays = tuple(retry_delays)
        self._queues: dict[str, asyncio.Queue[int]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._current: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        """Queue what an earlier run left unprocessed (oldest first), then start one worker per platform."""
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
        try:
            await self._process(self.endpoints[platform], row_id)
        except Exception as error:  # the database itself failed: the row stays for the next start
            log.error("inbox worker could not handle a stored update: %s", type(error).__name__, exc_info=True)

    async def _process(self, endpoint: WebhookEndpoint, row_id: int) -> None:
        while True:
            claimed = await self._next_attempt(row_id)
            if claimed is None:
                return
            payload, key, attempt = claimed
            if attempt > self.max_attempts:  # failed (or took the process down) every time before
                await self._give_up(endpoint.platform, key, row_id, attempt - 1)
                return
            try:
                await endpoint.process(payload)
            except Exception as error:
                log.error(
                    "processing a stored update failed platform=%s key=%s attempt=%d/%d: %s",
                    *(endpoint.platform, key, attempt, self.max_attempts, type(error).__name__),
                    exc_info=(type(error), error, error.__traceback__),
                )
                if attempt >= self.max_attempts:
                    await self._give_up(endpoint.platform, key, row_id, attempt)
                    return
                await asyncio.sleep(self._delay(attempt))
                continue
            await self._mark_processed(row_id)
            return

    async def _next_attempt(self, row_id: int) -> tuple[Payload, str, int] | None:
        """Count (and commit) one more attempt before trying, so a crash mid-way still counts; None: done."""
        async with self.uow_factory() as uow:
            row = await uow.inbox.get(row_id)
            if row is None or row.processed_at is not None:
                return None
            payload, key = row.payload, row.update_key
            if row.attempts >= self.max_attempts:
                return payload, key, row.attempts + 1
            attempt = await uow.inbox.count_attempt(row_id)
            await uow.commit()
        return payload, key, attempt

    def _delay(self, attempt: int) -> float:
        if not self.retry_delays:
            return 0.0
        return self.retry_delays[min(attempt, len(self.retry_delays)) - 1]

    async def _give_up(self, platform: str, key: str, row_id: int, attempts: int) -> None:
        log.error("gave up on a stored update after %d attempt(s) platform=%s key=%s", attempts, platform, key)
        await self._mark_processed(row_id)

    async def _mark_processed(self, row_id: int) -> None:
        async with self.uow_factory() as uow:
            await uow.inbox.mark_processed(row_id, self.clock.now())
            await uow.commit()
