"""The inbox: a webhook update is stored and committed before the platform gets its 200, then processed.

Rows are claimed, not scanned: each platform's workers (INBOX_WORKERS of them) take one stored row at a time
under a lease (owner, expiry, LEASE_S, renewed while it is worked on), with SKIP LOCKED on PostgreSQL, so
several instances on one database never take the same update, and one row of a chat only when it is the
oldest unprocessed update of that chat: a chat's updates are processed strictly in arrival order, one at a
time, whichever instance holds them. A crashed instance's rows are taken over when their lease lapses; an
instance starting never takes rows another live instance holds. On SQLite (one process) the leases left by
the previous run are dropped at start, so what a crash left is resumed at once. A redelivery (same key) is
acknowledged and not stored again (the router's update log guards as well).

Idle workers wait to be nudged, one at a time: an accepted update wakes one idle worker, a worker that claimed a
row wakes one more (there may be others), and once every POLL_S one idle worker per platform looks for rows no
accept() here announced (another instance's, a lapsed lease's). So an idle instance costs one claim a second per
platform, not one per worker, and an update does not wake every idle worker to find one row.

- An update whose processing fails (the endpoint raises: a database error mid-update, say) is tried again
  after a pause, up to MAX_ATTEMPTS in all; then it is given up with an ERROR (type and stack, no text) and
  the member is told something went wrong. Attempts are counted in the row before each try, so an update
  that takes the process down counts too.
- A stored update older than `max_age` (INBOX_MAX_AGE_MINUTES) is given up unprocessed with a WARNING: an
  "announce" pressed yesterday must not go out today because the bot was down overnight.
- When the inbox's own bookkeeping fails (the database is gone), the worker tries again in place a few times,
  keeping the order; then the row is left to its lease's lapse (and /healthz reports the queue stuck).
Old processed rows are pruned by housekeeping (bot/housekeeping.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.channels.webhooks import WebhookEndpoint
from handlers.clock import Clock
from storage.models import InboxUpdate
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAYS_S = (1.0, 5.0)  # between attempts of a failing update; then it is given up
MAX_AGE = timedelta(hours=1)  # a stored update older than this is given up, not processed
BOOKKEEPING_RETRIES_S = (0.5, 2.0, 5.0, 10.0)  # the database failed around an update: pauses before trying again
STOP_GRACE_S = 10.0
LEASE_S = 30.0  # a crashed instance's updates are taken over this long after its last renewal
POLL_S = 1.0  # one idle worker per platform looks for rows this often: lapsed leases, other instances' rows

Payload = dict[str, Any]


def instance_id() -> str:
    """This process's name in the leases it holds."""
    return uuid.uuid4().hex[:16]


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
        workers: int = 1,
        owner: str | None = None,
        single_process: bool = False,
        lease_s: float = LEASE_S,
        poll_s: float = POLL_S,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.endpoints: dict[str, WebhookEndpoint] = {endpoint.platform: endpoint for endpoint in endpoints}
        self.max_attempts = max_attempts
        self.retry_delays = tuple(retry_delays)
        self.max_age = max_age
        self.bookkeeping_retries = tuple(bookkeeping_retries)
        self.workers = max(1, workers)
        self.owner = owner or instance_id()
        self.single_process = single_process
        self.lease = timedelta(seconds=lease_s)
        self.poll_s = poll_s
        # Per platform: the idle workers' bells (one rung per nudge: an accepted row wakes one worker, not all) and
        # a count of the nudges, so that a worker whose claim found nothing looks again if one came meanwhile.
        self._idle: dict[str, list[asyncio.Event]] = {}
        self._nudges: dict[str, int] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._current: dict[asyncio.Task[None], int] = {}  # update being processed -> its row
        self._claiming = 0  # workers between a claim's start and their job's registration in _current
        self.started_at: datetime | None = None

    @property
    def platforms(self) -> list[str]:
        return list(self.endpoints)

    def alive(self) -> bool:
        """Every platform's worker is running (none ended on an unexpected error, nor was stopped)."""
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    async def start(self) -> None:
        """Start the workers of every platform (they take what an earlier run left, oldest first) and the renewal
        of the leases held. SQLite: the leases of the previous run are dropped first (nobody else can hold one)."""
        self.started_at = self.clock.now()
        if self.single_process and self.platforms:
            async with self.uow_factory() as uow:
                released = await uow.inbox.release_leases(self.platforms)
                await uow.commit()
            if released:
                log.info("resuming %d stored update(s) the previous run held", released)
        for platform in self.endpoints:
            self._idle[platform], self._nudges[platform] = [], 0
            for number in range(self.workers):
                name = f"inbox-{platform}-{number}"
                self._tasks.append(asyncio.create_task(self._work(platform), name=name))
            self._tasks.append(asyncio.create_task(self._poll(platform), name=f"inbox-{platform}-poll"))
        self._tasks.append(asyncio.create_task(self._renew_leases(), name="inbox-leases"))
        log.info("inbox started owner=%s workers=%d platforms=%s", self.owner, self.workers, ",".join(self.platforms))

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop taking updates; an update being processed is finished (within `grace_s`)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        running = [job for job in self._current if not job.done()]
        if running:
            _done, late = await asyncio.wait(running, timeout=grace_s)
            for job in late:  # left unprocessed in the inbox: taken again when its lease lapses
                job.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def join(self) -> None:
        """Wait until no update is being processed here and none is left that nobody holds."""
        while True:
            async with self.uow_factory().read_only() as uow:
                left = await uow.inbox.claimable(self.platforms, self.clock.now())
            # Looked at after the query: a row claimed meanwhile is in _claiming or _current by now.
            if not left and not self._current and not self._claiming:
                return
            await asyncio.sleep(0.01)

    async def accept(self, platform: str, key: str, payload: Payload) -> bool:
        """Store and commit the update; wake one of the platform's workers. False: a redelivery, already stored."""
        chat = self.endpoints[platform].chat_key(payload) if platform in self.endpoints else None
        async with self.uow_factory() as uow:
            added = await uow.inbox.add_if_absent(platform, key, payload, self.clock.now(), chat)
            await uow.commit()
        if not added:
            log.info("redelivered update acknowledged platform=%s key=%s", platform, key)
            return False
        if platform in self._nudges:
            self._nudge(platform)
        return True

    def _nudge(self, platform: str) -> None:
        """There may be a row to claim: one idle worker of the platform looks (the one idle longest)."""
        self._nudges[platform] += 1
        if self._idle[platform]:
            self._idle[platform].pop(0).set()

    async def _poll(self, platform: str) -> None:
        """Every `poll_s`, one idle worker looks for rows no accept() here announced: another instance's, or a
        lapsed lease's. One claim a second per platform while idle, not one per worker."""
        while True:
            await asyncio.sleep(self.poll_s)
            self._nudge(platform)

    async def _idle_until_nudged(self, platform: str) -> None:
        bell = asyncio.Event()
        self._idle[platform].append(bell)
        try:
            await bell.wait()
        finally:
            if bell in self._idle[platform]:  # stopped while idle
                self._idle[platform].remove(bell)

    async def _work(self, platform: str) -> None:
        while True:
            seen = self._nudges[platform]  # before looking: a nudge during the claim is not lost
            self._claiming += 1
            try:
                attempt = await self._claim(platform)
                if attempt is not None:
                    # Shielded: stopping the worker must not cut an update off halfway (replies sent, not marked).
                    job = asyncio.create_task(self._process_logged(self.endpoints[platform], attempt))
                    self._current[job] = attempt.row_id
            finally:
                self._claiming -= 1
            if attempt is None:
                if self._nudges[platform] == seen:
                    await self._idle_until_nudged(platform)
                continue
            self._nudge(platform)  # there may be more: an idle sibling looks too (and, if it finds one, the next)
            try:
                await asyncio.shield(job)
            finally:
                if job.done():
                    self._current.pop(job, None)
                else:
                    job.add_done_callback(lambda done: self._current.pop(done, None))

    async def _claim(self, platform: str) -> Attempt | None:
        """Lease the next row of the platform and count the attempt at it (one transaction); None: nothing to do.
        A row too old to act on, or tried too often, comes back without counting (it is given up)."""
        try:
            async with self.uow_factory() as uow:
                now = self.clock.now()
                row = await uow.inbox.claim_next(platform, self.owner, now, now + self.lease)
                if row is None:
                    return None
                attempt = self._counted(row, now)
                await uow.commit()
            log.debug("claimed platform=%s key=%s attempt=%d", platform, attempt.key, attempt.number)
        except Exception as error:  # the database failed: the row stays where it was, in order
            log.warning("claiming a stored update failed: %s", type(error).__name__)
            await asyncio.sleep(self.bookkeeping_retries[0] if self.bookkeeping_retries else self.poll_s)
            self._nudge(platform)  # this worker looks again at once
            return None
        return attempt

    def _counted(self, row: InboxUpdate, now: datetime) -> Attempt:
        if row.received_at >= now - self.max_age and row.attempts < self.max_attempts:
            row.attempts += 1
            return Attempt(row.id, row.update_key, row.payload, row.attempts, row.received_at)
        return Attempt(row.id, row.update_key, row.payload, row.attempts + 1, row.received_at)

    async def _renew_leases(self) -> None:
        """Every third of a lease, extend the leases of the rows being processed here."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            held = sorted(set(self._current.values()))
            if not held:
                continue
            try:
                async with self.uow_factory() as uow:
                    await uow.inbox.renew(self.owner, held, self.clock.now() + self.lease)
                    await uow.commit()
            except Exception as error:  # the next round tries again; a lapse means another instance takes over
                log.warning("renewing inbox leases failed: %s", type(error).__name__)

    async def _process_logged(self, endpoint: WebhookEndpoint, first: Attempt) -> None:
        for pause in (*self.bookkeeping_retries, None):
            try:
                await self._process(endpoint, first)
                return
            except Exception as error:  # the database itself failed around the update
                if pause is None:
                    log.error("inbox worker left a stored update to its lease: %s", type(error).__name__)
                    return
                log.warning("inbox bookkeeping failed, trying again in %.1f s: %s", pause, type(error).__name__)
                await asyncio.sleep(pause)
                found = await self._next_attempt(first.row_id)
                if found is None:
                    return
                first = found

    async def _process(self, endpoint: WebhookEndpoint, attempt: Attempt) -> None:
        while True:
            if attempt.received_at < self.clock.now() - self.max_age:
                log.warning(
                    "gave up on a stored update, too old to act on (received %s) platform=%s key=%s",
                    *(attempt.received_at.isoformat(timespec="seconds"), endpoint.platform, attempt.key),
                )
                await self._mark_processed(attempt.row_id)
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
                found = await self._next_attempt(attempt.row_id)
                if found is None:
                    return
                attempt = found
                continue
            await self._mark_processed(attempt.row_id)
            log.debug("processed platform=%s key=%s attempt=%d", endpoint.platform, attempt.key, attempt.number)
            return

    async def _next_attempt(self, row_id: int) -> Attempt | None:
        """Count (and commit) one more attempt before trying again, renewing the lease; None: done meanwhile."""
        async with self.uow_factory() as uow:
            row = await uow.inbox.get(row_id)
            if row is None or row.processed_at is not None:
                return None
            now = self.clock.now()
            found = Attempt(row_id, row.update_key, row.payload, row.attempts + 1, row.received_at)
            if found.received_at < now - self.max_age or row.attempts >= self.max_attempts:
                return found
            number = await uow.inbox.count_attempt(row_id, now + self.lease)
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
