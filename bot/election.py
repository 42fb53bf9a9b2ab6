"""The election of the instance that runs a deployment's singletons (the reminder clock, housekeeping).

The singletons run on the instance holding a PostgreSQL session-level advisory lock (storage/locks.py) on a
dedicated connection. The others try to take it every RETRY_S seconds; the holder checks every RETRY_S that
its connection still answers and drops the role when it does not (its lock went with the connection). When
the holder is killed the server releases its lock at once, so another instance takes the role within
RETRY_S (plus one connection's set-up). On SQLite the one process holds the role from the start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from storage.locks import SessionLock

log = logging.getLogger(__name__)

RETRY_S = 5.0


class Election:
    def __init__(
        self,
        lock: SessionLock,
        take_up: Callable[[], None],
        step_down: Callable[[], Awaitable[None]],
        retry_s: float = RETRY_S,
    ) -> None:
        self.lock, self.retry_s = lock, retry_s
        self._take_up, self._step_down = take_up, step_down
        self.leading = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> asyncio.Task[None]:
        """Run for the role on the running loop (the first try at once)."""
        self._task = asyncio.create_task(self._run(), name="election")
        return self._task

    async def stop(self) -> None:
        """Stop running for the role; when holding it, stop the singletons, then let the lock go."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._resign()
        await self.lock.release()

    async def _run(self) -> None:
        while True:
            if self.leading and not await self.lock.still_held():
                log.warning("lost the singleton role (its database connection): stopping the singletons")
                await self._resign()
            elif not self.leading and await self.lock.try_acquire():
                self.leading = True
                log.info("holding the singleton role: reminder clock and housekeeping run on this instance")
                self._take_up()
            await asyncio.sleep(self.retry_s)

    async def _resign(self) -> None:
        if self.leading:
            self.leading = False
            await self._step_down()
