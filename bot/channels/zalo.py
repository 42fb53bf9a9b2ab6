"""Zalo: a thin client for the Zalo Bot API, the channel (updates in, replies out) and the Messenger.

The Bot API is Telegram-like but small: no buttons, no edits, no documents. So choices go out as numbered
lines (a typed number or the choice's words select it), long texts are split at 2,000 characters on line
boundaries, and generated files become a signed link from `file_link` (the web server's), or a polite note.

The token is part of every URL (`<base>/bot<TOKEN>/<method>`): httpx logs URLs, so each client adds a
redacting filter for its token to httpx's loggers, and no error raised here carries the URL.

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
from types import TracebackType
from typing import Any, Self

import httpx

from bot.logs import RedactingFilter
from handlers.catalog import channels as c
from handlers.catalog import core as t
from handlers.messages import Attachment, Incoming, Reply
from handlers.outbound import SendOutcome
from handlers.router import Router
from handlers.services.quota import QuotaGuard
from handlers.text import split_text
from storage.enums import DeliveryStatus, MessagePriority

log = logging.getLogger(__name__)

PLATFORM = "zalo"
DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = 2000
POLL_TIMEOUT_S = 30
UPDATE_KEY_MAX = 64  # processed_updates.update_key
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
KNOWN_EVENTS = frozenset({TEXT_EVENT, IMAGE_EVENT, "message.sticker.received", "message.unsupported.received"})
# Errors that mean the user cannot be reached (blocked the bot, left, unknown): not retried.
UNREACHABLE_CODES = frozenset({403})
UNREACHABLE_WORDS = ("block", "chặn", "not follow", "unfollow", "user not found", "chat not found", "forbidden")

FileLink = Callable[[Attachment, str], Awaitable[str | None]]


# --- errors (none of them carries the URL, hence never the token) ---------------------------------------------
class ZaloError(Exception):
    """Anything that went wrong talking to the Zalo Bot API."""

    sent_before = 0  # messages of the same batch that had already gone out


class ZaloApiError(ZaloError):
    """The API answered `ok: false` (or an HTTP error without a usable body)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"Zalo API error {code}: {description}")
        self.code, self.description = code, description


class ZaloRateLimited(ZaloApiError):
    """Still HTTP 429 after the client's own retries."""

    def __init__(self, description: str, retry_after: float) -> None:
        super().__init__(429, description)
        self.retry_after = retry_after


class ZaloNetworkError(ZaloError):
    """No answer. `maybe_sent`: the request may have reached Zalo (a read timeout), so it may have acted."""

    def __init__(self, method: str, reason: str, maybe_sent: bool) -> None:
        super().__init__(f"Zalo {method}: {reason}")
        self.maybe_sent = maybe_sent


# --- the client --------------------------------------------------------------------------------------------------
_protected: set[str] = set()


def protect_secret(secret: str) -> None:
    """Blank `secret` in whatever httpx and httpcore log (they log request URLs), whoever set up logging."""
    if not secret or secret in _protected:
        return
    _protected.add(secret)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).addFilter(RedactingFilter([secret]))


def _retry_hint(response: httpx.Response, body: Any) -> float | None:
    if isinstance(body, dict):
        parameters = body.get("parameters")
        if isinstance(parameters, dict) and isinstance(parameters.get("retry_after"), int | float):
            return float(parameters["retry_after"])
        if isinstance(body.get("retry_after"), int | float):
            return float(body["retry_after"])
    header = response.headers.get("Retry-After", "")
    try:
        return float(header) if header else None
    except ValueError:
        return None


class ZaloClient:
    """The nine methods of the Zalo Bot API over one httpx.AsyncClient (POST, JSON body)."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        http: httpx.AsyncClient | None = None,
        max_retries: int = 3,
        max_backoff: float = 30.0,
        timeout: float = 15.0,
    ) -> None:
        if not token:
            raise ValueError("empty Zalo token")
        protect_secret(token)
        self._token = token
        self._base = base_url.rstrip("/")
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._owns_http = http is None
        self.max_retries, self.max_backoff, self.timeout = max_retries, max_backoff, timeout

    def __repr__(self) -> str:
        return f"ZaloClient(base_url={self._base!r})"

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- plumbing --
    async def _post(self, method: str, params: dict[str, Any], seconds: float) -> httpx.Response:
        url = f"{self._base}/bot{self._token}/{method}"
        try:
            return await self._http.post(url, json=params, timeout=seconds)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            reason = type(error).__name__
        except httpx.TimeoutException as error:
            raise ZaloNetworkError(method, type(error).__name__, maybe_sent=True) from None
        except httpx.HTTPError as error:
            raise ZaloNetworkError(method, type(error).__name__, maybe_sent=True) from None
        raise ZaloNetworkError(method, reason, maybe_sent=False)

    async def _call(
        self, method: str, params: dict[str, Any] | None = None, *, seconds: float | None = None, none_on: int = 0
    ) -> Any:
        """POST the method; the `result` of an ok answer. HTTP `none_on` (408 for getUpdates) gives None."""
        attempt = 0
        while True:
            response = await self._post(method, params or {}, seconds or self.timeout)
            if none_on and response.status_code == none_on:
                return None
            try:
                body = response.json()
            except ValueError:
                body = None
            if response.status_code == 429:
                hint = _retry_hint(response, body)
                if attempt >= self.max_retries:
                    raise ZaloRateLimited("Too Many Requests", hint or 1.0)
                delay = min(self.max_backoff, hint if hint is not None else 0.5 * 2**attempt)
                log.warning("zalo %s: rate limited, retrying in %.1fs", method, delay)
                await asyncio.sleep(delay)
                attempt += 1
                continue
            return self._result(method, response, body)

    @staticmethod
    def _result(method: str, response: httpx.Response, body: Any) -> Any:
        if not isinstance(body, dict):
            raise ZaloApiError(response.status_code, f"{method}: unreadable answer")
        if body.get("ok") is True and response.is_success:
            return body.get("result")
        code = body.get("error_code")
        description = body.get("description") or body.get("message") or response.reason_phrase or "error"
        raise ZaloApiError(int(code) if isinstance(code, int) else response.status_code, str(description)[:300])

    # -- the nine methods --
    async def get_me(self) -> dict[str, Any]:
        result = await self._call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_updates(self, wait_s: int = POLL_TIMEOUT_S) -> list[dict[str, Any]]:
        """At most one update as a rule (a list is accepted too); [] when there was none (HTTP 408)."""
        result = await self._call("getUpdates", {"timeout": str(wait_s)}, seconds=wait_s + 10.0, none_on=408)
        if isinstance(result, dict):
            return [result]
        if isinstance(result, list):
            return [item for item in result if isinstance(item, dict)]
        return []

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self._call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self._call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        result = await self._call("getWebhookInfo")
        return result if isinstance(result, dict) else {}

    async def send_message(self, chat_id: str, text: str) -> Any:
        return await self._call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> Any:
        params = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption
        return await self._call("sendPhoto", params)

    async def send_sticker(self, chat_id: str, sticker: str) -> Any:
        return await self._call("sendSticker", {"chat_id": chat_id, "sticker": sticker})

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self._call("sendChatAction", {"chat_id": chat_id, "action": action})


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


# --- sending -----------------------------------------------------------------------------------------------------
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

    platform = PLATFORM

    def __init__(self, client: ZaloClient, quota: QuotaGuard | None = None, file_link: FileLink | None = None) -> None:
        self.client, self.quota, self.file_link = client, quota, file_link

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

    async def send(self, chat_id: str, user_id: str, replies: Sequence[Reply], priority: MessagePriority) -> int:
        """Send everything in order; returns how many messages went. Raises QuotaRefused or a ZaloError."""
        out = await self.messages(user_id, replies)
        if not out:
            return 0
        if self.quota is not None and not await self.quota.allow(len(out), priority):
            raise QuotaRefused("quota")
        sent = 0
        try:
            for message in out:
                await self._send_one(chat_id, message)
                sent += 1
        except ZaloError as error:
            error.sent_before = sent
            raise
        finally:
            if self.quota is not None:
                await self.quota.count(sent)
        return sent

    async def _send_one(self, chat_id: str, message: Outgoing) -> None:
        if message.photo is None:
            await self.client.send_message(chat_id, message.text or "")
            return
        try:
            await self.client.send_photo(chat_id, message.photo)
        except ZaloApiError as error:  # Zalo could not fetch the picture: the link as text still helps
            if isinstance(error, ZaloRateLimited) or is_unreachable(error):
                raise
            await self.client.send_message(chat_id, c.FILE_LINK.format(filename=message.filename, url=message.photo))

    async def deliver(self, external_id: str, replies: Sequence[Reply], priority: MessagePriority) -> SendOutcome:
        try:
            await self.send(external_id, external_id, replies, priority)
        except QuotaRefused:
            return SendOutcome(DeliveryStatus.FAILED, error="quota")
        except ZaloError as error:
            return self._outcome(error)
        return SendOutcome(DeliveryStatus.SENT)

    @staticmethod
    def _outcome(error: ZaloError) -> SendOutcome:
        partly = error.sent_before > 0
        if isinstance(error, ZaloApiError) and is_unreachable(error):
            return SendOutcome(DeliveryStatus.BLOCKED, error=f"zalo {error.code}")
        if partly:  # re-sending would repeat what already arrived
            return SendOutcome(DeliveryStatus.UNKNOWN, error=f"partly sent: {type(error).__name__}")
        if isinstance(error, ZaloRateLimited):
            return SendOutcome(DeliveryStatus.FAILED, retry_after=error.retry_after, error="rate limited")
        if isinstance(error, ZaloNetworkError):
            status = DeliveryStatus.UNKNOWN if error.maybe_sent else DeliveryStatus.FAILED
            return SendOutcome(status, error=str(error)[:200])
        if isinstance(error, ZaloApiError):
            return SendOutcome(DeliveryStatus.FAILED, error=f"zalo {error.code}: {error.description}"[:200])
        return SendOutcome(DeliveryStatus.FAILED, error=type(error).__name__)


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
    ) -> None:
        self.router, self.client = router, client
        self.messenger = ZaloMessenger(client, quota, file_link)

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
        """Handle one raw update (as the webhook or getUpdates delivered it) and send the replies."""
        update = parse_update(payload)
        name = event_name(payload)
        if update is None or (update.event and update.event not in KNOWN_EVENTS):
            log.info("zalo update not understood, ignored: event=%s", name)
            return
        if update.chat_type != "PRIVATE":
            log.info("zalo update from a group chat ignored: event=%s", name)
            return
        key = key_of(update)
        if key is None:
            log.warning("zalo update without message id or date ignored: event=%s", name)
            return
        try:
            replies = await self.router.handle(self.incoming(update, key))
        except Exception as error:
            log.error("error while handling a zalo update: %s", type(error).__name__, exc_info=error)
            replies = [Reply(t.INTERNAL_ERROR)]
        await self._answer(update, replies)

    async def _answer(self, update: ZaloUpdate, replies: Sequence[Reply]) -> None:
        try:
            await self.messenger.send(update.chat_id, update.user_id, replies, MessagePriority.REPLY)
        except QuotaRefused:
            log.warning("zalo reply held back by the monthly quota")
        except ZaloError as error:
            log.warning("could not send a zalo reply: %s", error)

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
    token: str, base_url: str, router: Router, monthly_quota: int = 0, file_link: FileLink | None = None
) -> ZaloChannel:
    """The channel with its client and the quota guard on the router's database."""
    quota = QuotaGuard(router.uow_factory, router.clock, router.tz, PLATFORM, monthly_quota)
    return ZaloChannel(router, ZaloClient(token, base_url), quota=quota, file_link=file_link)
