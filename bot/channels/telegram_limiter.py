"""PTB's requests through the token's shared rate budget (bot/rate_budget.py): replies and the bot's own messages.

PTB's AIORateLimiter keeps a budget of its own per Bot and cannot share one between the replies, the delivery
sender and other instances; and it lets waiting requests through during a 429's pause (a request in flight
re-opens its gate when it ends). So the Application's Bot (replies, `Kind.REPLY`) and the messenger's Bot (the
bot's own messages, `Kind.BROADCAST` unless the call says otherwise in `rate_limit_args`) both use this limiter:
a request with a chat asks the budget for a slot; a 429 pauses the whole token, here and on every instance.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.rate_budget import Kind, RateBudget


class BudgetLimiter(BaseRateLimiter[Kind]):
    """Every request with a chat takes a slot of the budget; a 429 pauses the budget, then (replies) tries again."""

    def __init__(self, budget: RateBudget, kind: Kind, max_retries: int) -> None:
        self.budget, self.kind, self.max_retries = budget, kind, max_retries

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Kind | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat = data.get("chat_id")
        kind = rate_limit_args or self.kind
        for attempt in range(self.max_retries + 1):
            if chat is not None:
                await self.budget.acquire(str(chat), kind)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                await self.budget.pause(retry_seconds(error))
                if attempt == self.max_retries:
                    raise
        raise AssertionError("unreachable")  # the loop returns or raises


def retry_seconds(error: RetryAfter) -> float:
    # PTB 22 keeps a timedelta; its public `retry_after` is an int with a deprecation warning until PTB 23.
    value = getattr(error, "_retry_after", None)
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    public = error.retry_after
    return public.total_seconds() if isinstance(public, dtm.timedelta) else float(public)
