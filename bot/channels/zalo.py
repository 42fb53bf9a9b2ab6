"""Zalo: updates (from getUpdates or the webhook) to the router, its replies back through the messenger.

Siblings: `zalo_client.py` (the Bot API over httpx), `zalo_messenger.py` (replies and the bot's own messages
as Zalo messages), `zalo_webhook.py` (the web server's endpoint and setWebhook & co).

Update shape (fields vary between sources, so it is read loosely):
    {"event_name": "message.text.received" | "message.image.received" | "message.sticker.received" | ...,
     "message": {"from": {"id", "display_name" | "first_name", "is_bot"}, "chat": {"id", "chat_type"},
                 "text", "photo" | "photo_url", "message_id", "date" (ms)}}
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.channels.zalo_client import (
    POLL_TIMEOUT_S,
    ZaloApiError,
    ZaloClient,
    ZaloError,
    ZaloNetworkError,
    ZaloRateLimited,
)
from bot.channels.zalo_messenger import FileLink, QuotaRefused, ZaloMessenger, is_unreachable
from bot.rate_budget import RateBudget
from handlers.catalog import core as t
from handlers.messages import Incoming, Reply
from handlers.outbound import MessagePriority
from handlers.router import Router
from handlers.services.quota import QuotaGuard
from storage.enums import Platform

log = logging.getLogger(__name__)

PLATFORM = Platform.ZALO.value
UPDATE_KEY_MAX = 64  # processed_updates.update_key
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
KNOWN_EVENTS = frozenset({TEXT_EVENT, IMAGE_EVENT, "message.sticker.received", "message.unsupported.received"})


# --- reading updates ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ZaloUpdate:
    event: str
    user_id: str
    chat_id: str
    chat_type: str
    message_id: str | None
    date: str | None
    text: str | None
    photo_url: str | None


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value).strip() or None
    return None


def _url(value: Any) -> str | None:
    """A photo given as a URL, an object with a URL, or a list of sizes (the last is the largest)."""
    if isinstance(value, list):
        return _url(value[-1]) if value else None
    if isinstance(value, dict):
        return _text(value.get("url") or value.get("photo_url") or value.get("href"))
    return _text(value)


def _unwrap(payload: Any) -> dict[str, Any] | None:
    if not isinstance(payload, dict):
        return None
    if "message" not in payload and isinstance(payload.get("result"), dict):
        return _unwrap(payload["result"])  # a getUpdates answer handed over whole
    return payload


def event_name(payload: Any) -> str:
    """The event name, safe to log (never a message text); '?' when there is none."""
    update = _unwrap(payload)
    name = update.get("event_name") if update else None
    return name[:60] if isinstance(name, str) else "?"


def parse_update(payload: Any) -> ZaloUpdate | None:
    """The parts the bot uses, read loosely; None when the shape is not understood."""
    update = _unwrap(payload)
    if update is None:
        return None
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    sender = message.get("from") or message.get("sender") or {}
    chat = message.get("chat") or {}
    if not isinstance(sender, dict) or not isinstance(chat, dict):
        return None
    user_id = _text(sender.get("id"))
    if user_id is None or sender.get("is_bot") is True:
        return None
    event = update.get("event_name") or message.get("event_name")
    return ZaloUpdate(
        event=event if isinstance(event, str) else "",
        user_id=user_id,
        chat_id=_text(chat.get("id")) or user_id,
        chat_type=str(chat.get("chat_type") or "PRIVATE").upper(),
        message_id=_text(message.get("message_id") or message.get("msg_id")),
        date=_text(message.get("date")),
        text=message.get("text") if isinstance(message.get("text"), str) else None,
        photo_url=_url(message.get("photo") or message.get("photo_url") or message.get("image")),
    )


def key_of(update: ZaloUpdate) -> str | None:
    """Stable across redeliveries: the message id; without one, sender, time and event together."""
    if update.message_id:
        key = update.message_id
    elif update.date:
        key = f"{update.user_id}:{update.date}:{update.event}"
    else:
        return None
    if len(key) > UPDATE_KEY_MAX:
        key = "h:" + hashlib.sha256(key.encode()).hexdigest()[: UPDATE_KEY_MAX - 2]
    return key


# --- the channel -------------------------------------------------------------------------------------------------
class ZaloChannel:
    """Zalo updates (from getUpdates or the webhook) to the router, its replies back as Zalo messages."""

    def __init__(
        self,
        router: Router,
        client: ZaloClient,
        *,
        quota: QuotaGuard | None = None,
        file_link: FileLink | None = None,
        budget: RateBudget | None = None,
    ) -> None:
        self.router, self.client = router, client
        self.messenger = ZaloMessenger(client, quota, file_link, budget)

    async def close(self) -> None:
        await self.client.close()

    @staticmethod
    def update_key(payload: dict[str, Any]) -> str | None:
        """The key a redelivery of this update carries too (None: not an update the bot can use)."""
        update = parse_update(payload)
        return key_of(update) if update else None

    @staticmethod
    def incoming(update: ZaloUpdate, key: str) -> Incoming:
        """Text as text, a photo as evidence; a sticker or anything else as 'not text' (the router asks for text)."""
        if update.event == IMAGE_EVENT and update.photo_url:
            return Incoming(PLATFORM, update.user_id, key, image_ref=update.photo_url)
        text = update.text if update.event in (TEXT_EVENT, "") else None
        return Incoming(PLATFORM, update.user_id, key, text=text)

    async def process(self, payload: dict[str, Any]) -> None:
        """Polling: handle one update; when that fails, log it and tell the member."""
        try:
            await self.handle(payload)
        except Exception as error:
            log.error("error while handling a zalo update: %s", type(error).__name__, exc_info=error)
            await self.notify_failure(payload)

    async def handle(self, payload: dict[str, Any], *, retried: bool = False) -> None:
        """Handle one raw update (as the webhook or getUpdates delivered it) and send the replies. The
        router's error is raised (nothing was sent): the webhook inbox tries again. `retried` (the inbox): a
        reply Zalo did not answer is raised too and stays kept, so the next try sends it (at-least-once)."""
        update = self._usable(payload)
        if update is None:
            return
        key = key_of(update)
        if key is None:
            log.warning("zalo update without message id or date ignored: event=%s", event_name(payload))
            return
        incoming = self.incoming(update, key)
        replies = await self.router.handle(incoming)

        async def went(count: int) -> None:  # the first `count` replies arrived: a take-over sends only the rest
            await self.router.partly_replied(incoming, replies[count:])

        await self._answer(update, replies, went, retried)
        if replies:  # sent, or refused and handled: only a crash before this leaves them kept for a resend
            await self.router.replied(incoming)

    async def notify_failure(self, payload: dict[str, Any]) -> None:
        """Tell the update's sender it could not be handled (best effort, like any reply)."""
        update = parse_update(payload)
        if update is not None and update.chat_type == "PRIVATE":
            await self._answer(update, [Reply(t.INTERNAL_ERROR)])

    @staticmethod
    def _usable(payload: dict[str, Any]) -> ZaloUpdate | None:
        """The update when the bot handles its kind (a private chat's known event); None, logged, otherwise."""
        update = parse_update(payload)
        name = event_name(payload)
        if update is None or (update.event and update.event not in KNOWN_EVENTS):
            log.info("zalo update not understood, ignored: event=%s", name)
            return None
        if update.chat_type != "PRIVATE":
            log.info("zalo update from a group chat ignored: event=%s", name)
            return None
        return update

    async def _answer(
        self,
        update: ZaloUpdate,
        replies: Sequence[Reply],
        went: Callable[[int], Awaitable[None]] | None = None,
        retried: bool = False,
    ) -> None:
        try:
            await self.messenger.send(update.chat_id, update.user_id, replies, MessagePriority.REPLY, went)
        except ZaloNetworkError as error:
            if retried:  # no answer, not a refusal: kept, the inbox's next try sends what did not go
                raise
            log.warning("could not send a zalo reply: %s", error)
            await self.router.unseen(PLATFORM, update.user_id)
        except QuotaRefused:
            log.warning("zalo reply held back by the monthly quota")
            await self.router.unseen(PLATFORM, update.user_id)
        except ZaloError as error:
            if isinstance(error, ZaloApiError) and is_unreachable(error):  # the member blocked the bot
                await self.router.unreachable(PLATFORM, update.user_id)
            else:
                log.warning("could not send a zalo reply: %s", error)
                await self.router.unseen(PLATFORM, update.user_id)

    async def poll(self, stop: asyncio.Event, wait_s: int = POLL_TIMEOUT_S) -> None:
        """Long polling for development: one update at a time, until `stop` is set."""
        failures = 0
        while not stop.is_set():
            updates = await self._fetch(stop, wait_s)
            if updates is None:  # stopping, or an error (already logged)
                failures += 1
                await _pause(stop, min(60.0, 0.5 * 2 ** min(failures, 7)))
                continue
            failures = 0
            for payload in updates:
                try:
                    await self.process(payload)
                except Exception as error:  # e.g. the database is gone for a moment: keep polling
                    log.error("zalo update could not be processed: %s", type(error).__name__, exc_info=error)

    async def _fetch(self, stop: asyncio.Event, wait_s: int) -> list[dict[str, Any]] | None:
        fetch = asyncio.ensure_future(self.client.get_updates(wait_s))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, ZaloError):
                await fetch
            return None
        try:
            return fetch.result()
        except ZaloRateLimited as error:
            await _pause(stop, error.retry_after)
            return []
        except ZaloError as error:
            log.warning("zalo getUpdates failed (a webhook set? `lamtheo webhook delete`): %s", error)
            return None


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when stopping."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def build_zalo(
    token: str,
    base_url: str,
    router: Router,
    quota: QuotaGuard | None = None,
    file_link: FileLink | None = None,
    budget: RateBudget | None = None,
) -> ZaloChannel:
    """The channel with its own client (closed by `ZaloChannel.close`). On a budget, a 429 is not retried by the
    client: the messenger pauses the token's budget (getUpdates waits), so every sender holds back."""
    client = ZaloClient(token, base_url) if budget is None else ZaloClient(token, base_url, max_retries=0)
    return ZaloChannel(router, client, quota=quota, file_link=file_link, budget=budget)
