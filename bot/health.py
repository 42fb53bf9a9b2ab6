"""What GET /healthz answers: can this instance do its work right now?

- The database answers a trivial query, and the queue queries below, within DB_TIMEOUT_S (2 s).
- The inbox worker of every platform served is running, and no stored update has waited longer than
  INBOX_STUCK_AFTER. An update takes well under a second and a failing one at most ~6 s of retries; the worker
  handles a platform's updates one at a time, so a burst (a commune answering a reminder at once) clears in
  seconds and even a province's Excel report holds the queue for ~20 s. Waiting is counted from the worker's
  start, so updates left by a crash do not count the downtime.
- The delivery sender is running, and it is not stuck: some delivery has been due for longer than
  DELIVERY_STUCK_AFTER on a platform that is not paused by a 429, and the sender has recorded no outcome for that
  long. A due row alone is no sign (a province-wide announcement keeps rows due for up to an hour at 30
  messages a second), but while rows are due a working sender records outcomes several times a second.
Each problem is one short line without personal data; none: healthy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from handlers.clock import Clock
from storage.uow import UnitOfWork

DB_TIMEOUT_S = 2.0
INBOX_STUCK_AFTER = timedelta(minutes=5)
DELIVERY_STUCK_AFTER = timedelta(minutes=10)


class Queue(Protocol):
    """What a worker tells about itself: the inbox (bot/inbox.py) and the sender (bot/sender.py)."""

    @property
    def platforms(self) -> list[str]: ...

    @property
    def started_at(self) -> datetime | None: ...

    def alive(self) -> bool: ...


class Sending(Queue, Protocol):
    @property
    def last_progress(self) -> datetime | None: ...

    def is_paused(self, platform: str) -> bool: ...


@dataclass(frozen=True)
class Waiting:
    """Per platform, since when the oldest stored update and the oldest due delivery have waited."""

    updates: Mapping[str, datetime]
    deliveries: Mapping[str, datetime]


class Health:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        inbox: Queue | None = None,
        sender: Sending | None = None,
        db_timeout_s: float = DB_TIMEOUT_S,
    ) -> None:
        self.uow_factory, self.clock, self.inbox, self.sender = uow_factory, clock, inbox, sender
        self.db_timeout_s = db_timeout_s

    async def problems(self) -> list[str]:
        found = [f"{name}: not running" for name, queue in self._queues() if not queue.alive()]
        try:
            waiting = await asyncio.wait_for(self._waiting(), self.db_timeout_s)
        except TimeoutError:
            return [*found, f"database: no answer within {self.db_timeout_s:g} s"]
        except Exception as error:  # unreachable, refused, broken: the type is enough for the operator
            return [*found, f"database: {type(error).__name__}"]
        return found + self._stuck(waiting)

    def _queues(self) -> list[tuple[str, Queue]]:
        named: list[tuple[str, Queue | None]] = [("inbox worker", self.inbox), ("delivery sender", self.sender)]
        return [(name, queue) for name, queue in named if queue is not None]

    async def _waiting(self) -> Waiting:
        async with self.uow_factory().read_only() as uow:
            await uow.ping()
            updates = await uow.inbox.oldest_unprocessed(self.inbox.platforms) if self.inbox else {}
            due = await uow.deliveries.oldest_due(self.sender.platforms, self.clock.now()) if self.sender else {}
        return Waiting(updates, due)

    def _stuck(self, waiting: Waiting) -> list[str]:
        now, found = self.clock.now(), []
        if self.inbox is not None:
            for platform, since in sorted(waiting.updates.items()):
                waited = now - max(since, self.inbox.started_at or since)
                if waited > INBOX_STUCK_AFTER:
                    found.append(f"inbox worker: an update has waited {minutes(waited)} min on {platform}")
        sender = self.sender
        if sender is not None and now - (sender.last_progress or now) > DELIVERY_STUCK_AFTER:
            for platform, since in sorted(waiting.deliveries.items()):
                waited = now - max(since, sender.started_at or since)
                if waited > DELIVERY_STUCK_AFTER and not sender.is_paused(platform):
                    found.append(f"delivery sender: a message has been due {minutes(waited)} min on {platform}")
        return found


def minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)
