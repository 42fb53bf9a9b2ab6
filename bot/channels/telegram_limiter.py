"""A rate limiter for the interactive replies that pauses *every* request while a 429's retry_after runs.

PTB 22.8's AIORateLimiter clears an event when a request gets a 429, but every request re-sets that event
in its `finally` when it ends, so a request that was already in flight and completes during the pause
lets the waiting ones go at once: they reach Telegram inside the retry_after window (tests/channels/test_sender.py
shows it). Here the pause is a deadline shared by all requests, checked right before each one starts.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

RETRY_MARGIN_S = 0.1


class PausingRateLimiter(AIORateLimiter):
    """Overall rate (30/s) like AIORateLimiter; a 429 pauses all requests until its retry_after has passed."""

    def __init__(self, overall_max_rate: float = 30, overall_time_period: float = 1, max_retries: int = 3) -> None:
        super().__init__(overall_max_rate=0, overall_time_period=0, group_max_rate=0, max_retries=max_retries)
        self._overall = AsyncLimiter(overall_max_rate, overall_time_period) if overall_max_rate else None
        self._retries = max_retries
        self.paused_until = 0.0

    async def _wait_for_pause(self) -> None:
        # A deadline, not an event: another 429 during the sleep extends it, and we sleep again.
        while (wait := self.paused_until - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        max_retries = rate_limit_args or self._retries
        counted = self._overall is not None and data.get("chat_id") is not None
        for attempt in range(max_retries + 1):
            try:
                if counted and self._overall is not None:
                    async with self._overall:
                        await self._wait_for_pause()
                        return await callback(*args, **kwargs)
                await self._wait_for_pause()
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == max_retries:
                    raise
                seconds = retry_seconds(error) + RETRY_MARGIN_S
                self.paused_until = max(self.paused_until, time.monotonic() + seconds)
                log.info("Telegram asked to wait %.1f s: all requests paused", seconds)
        raise AssertionError("unreachable")  # the loop returns or raises


def retry_seconds(error: RetryAfter) -> float:
    # PTB 22 keeps a timedelta; its public `retry_after` is an int with a deprecation warning until PTB 23.
    value = getattr(error, "_retry_after", None)
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    public = error.retry_after
    return public.total_seconds() if isinstance(public, dtm.timedelta) else float(public)
