"""The delivery sender: drains pending delivery rows to each platform's Messenger.

- A row is claimed (SENDING, leased to this sender, committed; SKIP LOCKED: never by two senders) before its
  request starts; at most `concurrency` rows are claimed and not yet recorded at any time. Leases of rows in
  flight are renewed every third of LEASE_S; a row whose lease lapsed (its sender died; at the start of the
  single SQLite process: every row in SENDING) is sent again once (DELIVERY_AFTER_CRASH=resend) or UNKNOWN.
- Pacing is the messengers' business: each of their requests takes a slot of the token's rate budget
  (bot/rate_budget.py), which the replies, `remind now` and the other instances share. The `concurrency`
  rows in hand wait for their slots together, so the budget reserves for them in batches.
- A 429 pauses the budget (every sender of the token); the row goes back to pending, and the platform's rows
  are not claimed while the pause runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from handlers.clock import Clock
from handlers.outbound import MessagePriority, Messenger, SendOutcome, SendStatus
from handlers.services.deliveries import ClaimedDelivery, Lease, Recovered, claim_due, record_many, recover_in_flight
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[int], None]  # called with how many deliveries just finished (tqdm's `update`)
MAX_NOT_SENT_RETRIES = 5  # a request that never left (connection refused): retried this often, then FAILED
RETRY_HORIZON_S = 90  # drain(until_idle=True) waits for rows due again within this (429 pauses, retries)
IDLE_RECHECK_S = 0.1
LEASE_S = 30.0  # rows in flight whose sender has not renewed their lease for this long are taken back


@dataclass(frozen=True)
class SenderLimits:
    concurrency: int = 16  # rows waiting for a slot together: fewer keep the budget below 30/s (bench-rate)
    poll_seconds: float = 2.0  # how often an idle sender looks for due rows (wake() is instant)
    batch_seconds: float = 0.005  # after a request finishes, wait this long for others: one transaction for all
    resend_after_crash: bool = True  # DELIVERY_AFTER_CRASH: rows in flight when their sender died are sent again
    lease_seconds: float = LEASE_S


@dataclass
class DrainReport:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0
    retried: int = 0  # put back to pending after a retry_after (429) or a request that never left
    recovered: int = 0  # rows found in SENDING whose sender was gone (resent or marked UNKNOWN)
    resent: int = 0  # of those, put back to be sent again
    elapsed: float = 0.0

    @property
    def finished(self) -> int:
        return self.sent + self.blocked + self.failed + self.unknown

    def add(self, outcome: SendOutcome) -> None:
        if outcome.retry_after is not None or outcome.status is SendStatus.PENDING:
            self.retried += 1
        elif outcome.status is SendStatus.SENT:
            self.sent += 1
        elif outcome.status is SendStatus.BLOCKED:
            self.blocked += 1
        elif outcome.status is SendStatus.UNKNOWN:
            self.unknown += 1
        else:
            self.failed += 1


class Sender:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        messengers: Mapping[str, Messenger],
        clock: Clock,
        limits: SenderLimits | None = None,
        *,
        owner: str | None = None,
        single_process: bool = False,
    ) -> None:
        self.uow_factory = uow_factory
        self.owner = owner or uuid.uuid4().hex[:16]
        self.single_process = single_process
        self.messengers = dict(messengers)
        self.clock = clock
        self.limits = limits or SenderLimits()
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.report = DrainReport()
        self.started_at: datetime | None = None
        self.last_progress: datetime | None = None  # when an outcome was last recorded (or the sender started)

    @property
    def platforms(self) -> list[str]:
        return list(self.messengers)

    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    def is_paused(self, platform: str) -> bool:
        """The platform asked to wait (a 429): its rows wait too, and that is not being stuck."""
        messenger = self.messengers.get(platform)
        return messenger is not None and messenger.is_paused()

    def start(self) -> asyncio.Task[None]:
        """Run `run_forever` as a task on the running loop."""
        self._task = asyncio.create_task(self.run_forever(), name="delivery-sender")
        return self._task

    async def close(self, grace: float = 10.0) -> None:
        """Stop after the requests in flight are recorded; close the messengers' connections."""
        self.stop()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, grace)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("the sender did not stop in time: rows in flight become unknown at the next start")
            self._task = None
        for messenger in self.messengers.values():
            await messenger.close()

    def wake(self) -> None:
        """Look for due rows now (e.g. right after an announcement was committed)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def recover(self, *, lapsed_only: bool | None = None) -> int:
        """Take back the rows in flight whose sender is gone: at start (the single SQLite process: every row in
        SENDING), then every third of a lease (rows whose lease lapsed). Returns how many."""
        lapsed_only = not self.single_process if lapsed_only is None else lapsed_only
        resend = self.limits.resend_after_crash
        async with self.uow_factory() as uow:
            found: Recovered = await recover_in_flight(uow, self.clock.now(), resend=resend, lapsed_only=lapsed_only)
            await uow.commit()
        if found.total:
            log.warning("deliveries in flight when their sender stopped: %d resent, %d unknown", *found.counts)
        if found.resent:
            self.wake()
        self.report.recovered += found.total
        self.report.resent += len(found.resent)
        return found.total

    def _lease(self, now: datetime) -> Lease:
        return Lease(self.owner, now + timedelta(seconds=self.limits.lease_seconds))

    async def _keep_leases(self, in_flight: Mapping[asyncio.Task[SendOutcome], ClaimedDelivery]) -> None:
        """While draining: renew the leases of the rows in flight here; take back lapsed ones of dead senders."""
        while True:
            await asyncio.sleep(self.limits.lease_seconds / 3)
            try:
                held = [item.delivery_id for item in in_flight.values()]
                if held:
                    async with self.uow_factory() as uow:
                        await uow.deliveries.renew(self.owner, held, self._lease(self.clock.now()).until)
                        await uow.commit()
                await self.recover(lapsed_only=True)
            except Exception as error:  # the next round tries again
                log.warning("keeping the delivery leases failed: %s", type(error).__name__)

    async def run_forever(self) -> None:
        self.started_at = self.last_progress = self.clock.now()
        await self.recover()
        log.info("sender running: %s", ", ".join(sorted(self.messengers)))
        while not self._stopping:
            try:
                await self.drain(until_idle=False)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database or a platform failed: log, wait, go on
                log.exception("the sender failed; retrying shortly")
                await asyncio.sleep(self.limits.poll_seconds)

    async def drain(self, until_idle: bool = True, progress: Progress | None = None) -> DrainReport:
        """Send due rows. until_idle: return when nothing is due and nothing is in flight; else run until stop()."""
        report = DrainReport()
        started = time.monotonic()
        in_flight: dict[asyncio.Task[SendOutcome], ClaimedDelivery] = {}
        finished: list[tuple[ClaimedDelivery, SendOutcome]] = []
        keeper = asyncio.create_task(self._keep_leases(in_flight), name="delivery-leases")
        try:
            while True:
                self._wake.clear()  # before looking: a wake() during the claim is not lost
                free = 0 if self._stopping else self.limits.concurrency - len(in_flight)
                in_flight.update(await self._step(finished, free, report, progress))
                finished = []
                if not in_flight:
                    if self._stopping or (until_idle and not await self._due_soon()):
                        break
                    await (asyncio.sleep(IDLE_RECHECK_S) if until_idle else self._idle())
                    continue
                done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                if len(done) < len(in_flight) and self.limits.batch_seconds > 0:
                    # a few ms more gathers the next completions into the same transaction
                    done, _ = await asyncio.wait(in_flight, timeout=self.limits.batch_seconds)
                finished = [(in_flight.pop(task), task.result()) for task in done]
        finally:
            keeper.cancel()
            for task in in_flight:
                task.cancel()
            report.elapsed = time.monotonic() - started
        return report

    async def _due_soon(self) -> bool:
        """Rows put back after a 429 (or a pause still running) keep a draining-until-idle call going."""
        if any(messenger.is_paused() for messenger in self.messengers.values()):
            return True
        horizon = self.clock.now() + timedelta(seconds=RETRY_HORIZON_S)
        async with self.uow_factory() as uow:
            return await uow.deliveries.has_pending(list(self.messengers), horizon)

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self.limits.poll_seconds)

    async def _step(
        self,
        finished: list[tuple[ClaimedDelivery, SendOutcome]],
        free: int,
        report: DrainReport,
        progress: Progress | None,
    ) -> dict[asyncio.Task[SendOutcome], ClaimedDelivery]:
        """One transaction: record what finished, then claim as many rows as slots are free."""
        if not finished and free <= 0:
            return {}
        claimed: list[ClaimedDelivery] = []
        outcomes = [(item.delivery_id, outcome) for item, outcome in finished]
        async with self.uow_factory() as uow:
            now = self.clock.now()
            if outcomes:
                await record_many(uow, outcomes, now)
            for platform, messenger in self.messengers.items():
                if free - len(claimed) <= 0:
                    break
                if messenger.is_paused():
                    continue  # its rows stay pending until the pause ends
                claimed.extend(await claim_due(uow, platform, now, free - len(claimed), self._lease(now)))
            await uow.commit()
        if outcomes:
            self.last_progress = now
        self._count(outcomes, report, progress)
        return {asyncio.create_task(self._send(item)): item for item in claimed}

    async def _send(self, item: ClaimedDelivery) -> SendOutcome:
        try:
            outcome = await self.messengers[item.platform].deliver(
                item.external_id, item.replies, MessagePriority(item.priority)
            )
        except Exception as error:  # a bug in a messenger must not lose the row: it may have gone out
            log.exception("messenger failed for delivery %s", item.delivery_id)
            return SendOutcome(SendStatus.UNKNOWN, error=type(error).__name__)
        if outcome.status is SendStatus.PENDING and outcome.retry_after is None:
            outcome = self._not_sent(item, outcome)
        return outcome

    @staticmethod
    def _not_sent(item: ClaimedDelivery, outcome: SendOutcome) -> SendOutcome:
        """The request never left (connection refused): retried after a growing pause, a few times."""
        if item.attempts >= MAX_NOT_SENT_RETRIES:
            return SendOutcome(SendStatus.FAILED, error=outcome.error)
        return SendOutcome(SendStatus.PENDING, retry_after=retry_delay(item.attempts), error=outcome.error)

    def _count(self, outcomes: list[tuple[int, SendOutcome]], report: DrainReport, progress: Progress | None) -> None:
        for _, outcome in outcomes:
            report.add(outcome)
            self.report.add(outcome)
        done = sum(1 for _, outcome in outcomes if outcome.retry_after is None)
        if progress is not None and done:
            progress(done)


def retry_delay(attempt: int) -> float:
    return float(min(60, 2**attempt))


def limits_from(settings: Settings) -> SenderLimits:
    return SenderLimits(
        concurrency=settings.sender_concurrency,
        poll_seconds=settings.sender_poll_seconds,
        resend_after_crash=settings.delivery_after_crash == "resend",
    )
