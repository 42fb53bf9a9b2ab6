"""Telegram's Messenger: the bot's own messages (reminders, announcements) through a Bot of its own.

Its requests take slots of the token's shared budget as broadcasts (`BudgetLimiter`, no retries: a 429 pauses
the budget and comes back here, so the sender puts the row back). Errors map to outcomes:
RetryAfter -> pending + retry_after · Forbidden, "chat not found" -> blocked (unreachable) · a request that
never left (connect error, pool timeout) -> pending, retried · other timeouts and network errors -> unknown
(it may have arrived: not re-sent) · other errors -> failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import httpx
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.channels.telegram import PLATFORM, keyboard
from bot.channels.telegram_limiter import BudgetLimiter, retry_seconds
from bot.rate_budget import BudgetUnavailable, Kind, RateBudget
from handlers.messages import Reply
from handlers.outbound import MessagePriority, SendOutcome, SendStatus
from handlers.text import split_text, utf16_length

log = logging.getLogger(__name__)

UNREACHABLE_HINTS = ("chat not found", "user is deactivated", "bot can't initiate conversation")
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class TelegramMessenger:
    platform = PLATFORM

    def __init__(
        self, token: str, base_url: str, budget: RateBudget | None, connections: int = 8, timeout: float = 15.0
    ) -> None:
        request = HTTPXRequest(
            connection_pool_size=connections + 2,
            connect_timeout=timeout,
            read_timeout=timeout,
            write_timeout=timeout,
            pool_timeout=timeout,
        )
        self.budget = budget  # None: unpaced (tests of the outcomes)
        limiter = BudgetLimiter(budget, Kind.BROADCAST, max_retries=0) if budget is not None else None
        self.bot: ExtBot[Kind] = ExtBot(token, base_url=base_url, request=request, rate_limiter=limiter)
        self._ready = False
        self._init_lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._init_lock:
            if not self._ready:
                await self.bot.initialize()
                self._ready = True

    def is_paused(self) -> bool:
        return self.budget is not None and self.budget.is_paused()

    async def close(self) -> None:
        if self._ready:
            await self.bot.shutdown()
            self._ready = False

    async def deliver(self, external_id: str, replies: Sequence[Reply], priority: MessagePriority) -> SendOutcome:
        await self.start()
        chat_id = int(external_id)
        sent_any = False
        kind = None if self.budget is None else Kind.REPLY if priority is MessagePriority.REPLY else Kind.BROADCAST
        try:
            for reply in replies:
                pieces = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH, utf16_length)
                for index, piece in enumerate(pieces):
                    markup = keyboard(reply) if index == len(pieces) - 1 else None
                    await self.bot.send_message(chat_id, piece, reply_markup=markup, rate_limit_args=kind)
                    sent_any = True
        except BudgetUnavailable as error:  # no slot, so the request never left
            outcome = SendOutcome(SendStatus.PENDING, error=f"not sent: budget {error}")
            return SendOutcome(SendStatus.SENT, error="partly sent: budget") if sent_any else outcome
        except TelegramError as error:
            outcome = outcome_of(error)
            if sent_any:  # part of it arrived: a retry would repeat that part
                return SendOutcome(SendStatus.SENT, error=f"partly sent: {outcome.error}")
            return outcome
        return SendOutcome(SendStatus.SENT)


def outcome_of(error: TelegramError) -> SendOutcome:
    name = type(error).__name__
    if isinstance(error, RetryAfter):
        return SendOutcome(SendStatus.PENDING, retry_after=retry_seconds(error), error="429 retry after")
    if isinstance(error, Forbidden):
        return SendOutcome(SendStatus.BLOCKED, error="403 forbidden")
    if isinstance(error, BadRequest):
        if any(hint in error.message.lower() for hint in UNREACHABLE_HINTS):
            return SendOutcome(SendStatus.BLOCKED, error="400 chat unreachable")
        return SendOutcome(SendStatus.FAILED, error=f"400 {error.message[:120]}")
    if isinstance(error, TimedOut | NetworkError):
        if isinstance(error.__cause__, NOT_SENT_ERRORS):
            return SendOutcome(SendStatus.PENDING, error=f"not sent: {type(error.__cause__).__name__}")
        return SendOutcome(SendStatus.UNKNOWN, error=f"no answer: {name}")
    return SendOutcome(SendStatus.FAILED, error=name)
