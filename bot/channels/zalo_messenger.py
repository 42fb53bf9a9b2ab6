"""Zalo's Messenger: replies and the bot's own messages (reminders, announcements) as Zalo messages.

The Bot API is small: no buttons, no edits, no documents. So choices go out as numbered lines (a typed
number or the choice's words select it), long texts are split at 2,000 characters on line boundaries, and
generated files become a signed link from `file_link` (the web server's), or a polite note. The monthly
quota guard keeps the less urgent messages back near the limit. Every message takes a slot of the token's shared
rate budget (bot/rate_budget.py); a 429 pauses the budget, then a reply tries again. Errors map to outcomes:
unreachable (403, "blocked"...) -> blocked · partly sent -> unknown (a retry would repeat it) · 429 -> failed
with retry_after · no answer -> unknown, a request that never left -> failed · other errors -> failed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.channels.zalo_client import ZaloApiError, ZaloClient, ZaloError, ZaloNetworkError, ZaloRateLimited
from bot.rate_budget import BudgetUnavailable, Kind, RateBudget
from handlers.catalog import channels as c
from handlers.catalog import core as t
from handlers.messages import Attachment, Reply
from handlers.outbound import MessagePriority, SendOutcome, SendStatus
from handlers.services.quota import QuotaGuard
from handlers.text import split_text
from storage.enums import Platform

log = logging.getLogger(__name__)

TEXT_LIMIT = 2000
# Errors that mean the user cannot be reached (blocked the bot, left, unknown): not retried.
UNREACHABLE_CODES = frozenset({403})
REPLY_RETRIES = 3  # a reply refused with 429 is tried again after the pause; the sender puts its own rows back
UNREACHABLE_WORDS = ("block", "chặn", "not follow", "unfollow", "user not found", "chat not found", "forbidden")

FileLink = Callable[[Attachment, str], Awaitable[str | None]]


@dataclass(frozen=True)
class Outgoing:
    """One Zalo message: a text, or a photo by URL."""

    text: str | None = None
    photo: str | None = None
    filename: str = ""  # of the photo, for the link sent instead when Zalo cannot fetch it


def plain_text(reply: Reply) -> str:
    return reply.as_plain_text(t.CHOOSE_BY_NUMBER, t.OR_TYPE)


def attachment_messages(attachment: Attachment, link: str | None) -> list[Outgoing]:
    if link is None:
        return [Outgoing(text=c.FILE_UNAVAILABLE.format(filename=attachment.filename))]
    if attachment.photo:
        return [Outgoing(photo=link, filename=attachment.filename)]
    return [Outgoing(text=c.FILE_LINK.format(filename=attachment.filename, url=link))]


def text_messages(reply: Reply) -> list[Outgoing]:
    return [Outgoing(text=piece) for piece in split_text(plain_text(reply), TEXT_LIMIT) if piece.strip()]


def is_unreachable(error: ZaloApiError) -> bool:
    description = error.description.lower()
    return error.code in UNREACHABLE_CODES or any(word in description for word in UNREACHABLE_WORDS)


class QuotaRefused(ZaloError):
    """The monthly quota keeps this message back (its priority is below what is left)."""


class ZaloMessenger:
    """Sends replies to one Zalo user; also the `handlers.outbound.Messenger` for messages the bot starts."""

    platform = Platform.ZALO.value

    def __init__(
        self,
        client: ZaloClient,
        quota: QuotaGuard | None = None,
        file_link: FileLink | None = None,
        budget: RateBudget | None = None,  # None: unpaced (tests)
    ) -> None:
        self.client, self.quota, self.file_link, self.budget = client, quota, file_link, budget

    def is_paused(self) -> bool:
        return self.budget is not None and self.budget.is_paused()

    async def messages(self, user_id: str, replies: Sequence[Reply]) -> list[Outgoing]:
        out: list[Outgoing] = []
        for reply in replies:
            if reply.attachment is not None:
                link = await self._link(reply.attachment, user_id)
                out.extend(attachment_messages(reply.attachment, link))
            out.extend(text_messages(reply))
        return out

    async def _link(self, attachment: Attachment, user_id: str) -> str | None:
        if self.file_link is None:
            return None
        try:
            return await self.file_link(attachment, user_id)
        except Exception as error:  # no link is a polite note, never a lost reply
            log.warning("could not make a file link: %s", type(error).__name__)
            return None

    async def send(
        self,
        chat_id: str,
        user_id: str,
        replies: Sequence[Reply],
        priority: MessagePriority,
        went: Callable[[int], Awaitable[None]] | None = None,
    ) -> int:
        """Send everything in order; returns how many messages went. Raises QuotaRefused or a ZaloError.
        `went(n)`: the first n replies (of several) arrived, called after each but the last."""
        groups = [await self.messages(user_id, [reply]) for reply in replies]
        total = sum(len(group) for group in groups)
        if not total:
            return 0
        if self.quota is not None and not await self.quota.allow(total, priority):
            raise QuotaRefused("quota")
        sent = 0
        kind = Kind.REPLY if priority is MessagePriority.REPLY else Kind.BROADCAST
        try:
            for number, group in enumerate(groups, 1):
                for message in group:
                    await self._paced(chat_id, message, kind)
                    sent += 1
                if went is not None and number < len(groups):
                    await went(number)
        except (ZaloError, BudgetUnavailable) as error:
            error.sent_before = sent
            raise
        finally:
            if self.quota is not None:
                await self.quota.count(sent)
        return sent

    async def _paced(self, chat_id: str, message: Outgoing, kind: Kind) -> None:
        """Each request takes a slot first; a 429 pauses the budget, and a reply tries again after it."""
        retries = REPLY_RETRIES if kind is Kind.REPLY and self.budget is not None else 0
        for attempt in range(retries + 1):
            try:
                await self._send_one(chat_id, message, kind)
                return
            except ZaloRateLimited as error:
                if self.budget is not None:
                    await self.budget.pause(error.retry_after)
                if attempt == retries:
                    raise

    async def _slot(self, chat_id: str, kind: Kind) -> None:
        if self.budget is not None:
            await self.budget.acquire(chat_id, kind)

    async def _send_one(self, chat_id: str, message: Outgoing, kind: Kind) -> None:
        await self._slot(chat_id, kind)
        if message.photo is None:
            await self.client.send_message(chat_id, message.text or "")
            return
        try:
            await self.client.send_photo(chat_id, message.photo)
        except ZaloApiError as error:  # Zalo could not fetch the picture: the link as text still helps
            if isinstance(error, ZaloRateLimited) or is_unreachable(error):
                raise
            await self._slot(chat_id, kind)  # a request of its own
            await self.client.send_message(chat_id, c.FILE_LINK.format(filename=message.filename, url=message.photo))

    async def close(self) -> None:
        """Nothing of its own to close: the client is the channel's (replies and the bot's own messages share
        it, and the quota guard); the runtime closes it with the channel."""

    async def deliver(self, external_id: str, replies: Sequence[Reply], priority: MessagePriority) -> SendOutcome:
        try:
            await self.send(external_id, external_id, replies, priority)
        except QuotaRefused:
            return SendOutcome(SendStatus.FAILED, error="quota")
        except BudgetUnavailable as error:  # no slot for the next message: it did not leave
            if error.sent_before:  # re-sending would repeat what already arrived
                return SendOutcome(SendStatus.UNKNOWN, error="partly sent: budget")
            return SendOutcome(SendStatus.PENDING, error=f"not sent: budget {error}")
        except ZaloError as error:
            return self._outcome(error)
        return SendOutcome(SendStatus.SENT)

    @staticmethod
    def _outcome(error: ZaloError) -> SendOutcome:
        partly = error.sent_before > 0
        if isinstance(error, ZaloApiError) and is_unreachable(error):
            return SendOutcome(SendStatus.BLOCKED, error=f"zalo {error.code}")
        if partly:  # re-sending would repeat what already arrived
            return SendOutcome(SendStatus.UNKNOWN, error=f"partly sent: {type(error).__name__}")
        if isinstance(error, ZaloRateLimited):
            return SendOutcome(SendStatus.FAILED, retry_after=error.retry_after, error="rate limited")
        if isinstance(error, ZaloNetworkError):
            status = SendStatus.UNKNOWN if error.maybe_sent else SendStatus.FAILED
            return SendOutcome(status, error=str(error)[:200])
        if isinstance(error, ZaloApiError):
            return SendOutcome(SendStatus.FAILED, error=f"zalo {error.code}: {error.description}"[:200])
        return SendOutcome(SendStatus.FAILED, error=type(error).__name__)
