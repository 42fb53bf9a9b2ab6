"""The one web server of production: Telegram's and Zalo's webhooks, signed file links, a health check.

An update is stored in `inbox_updates` and committed before the platform gets its 200; an in-process
worker (a queue and a task per platform, in arrival order) then processes it from there. On start the
worker first drains every row left unprocessed, so a crash after the acknowledgement loses nothing; a
redelivery (same key) is acknowledged and not stored again (the router's update log guards as well). An
update whose processing keeps failing is given up after MAX_ATTEMPTS, with an ERROR log, so it never
blocks the queue.

`lamtheo run --webhook` calls `run_webhook(settings)`; `lamtheo webhook set|info|delete` calls
`webhook_command(settings, action, platform)`.

Test hook: with LAMTHEO_TEST_EXIT_AFTER_ACK=1 in the environment (read in webhook mode only) the process
kills itself with SIGKILL right after the first update was committed and acknowledged, before the worker
sees it: a deterministic "crash after the 200" for tests/test_web_process.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote

from aiohttp import web

from bot.background import messengers_for, start_background
from bot.channels.zalo import ZaloChannel
from bot.files import FileAnswer, FileLinks, zalo_file_link
from bot.settings import Settings
from handlers.catalog import web as w
from handlers.clock import Clock
from handlers.outbound import Messenger
from handlers.router import Router
from handlers.services.maintenance import prune_update_log
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAYS_S = (1.0, 5.0)  # between attempts of a failing update; then it is given up
KEEP_PROCESSED = timedelta(days=7)  # platforms stop redelivering long before
HOUSEKEEPING_EVERY_S = 3600
STOP_GRACE_S = 10.0
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})  # never SVG: it can run scripts
MAX_BODY = 1024 * 1024  # an update is a few kilobytes
EXIT_AFTER_ACK_ENV = "LAMTHEO_TEST_EXIT_AFTER_ACK"
EXIT_USAGE = 2
ZALO_SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)

Payload = dict[str, Any]


class WebhookEndpoint(Protocol):
    """What a platform gives the web server: where its secret is, how to key an update, how to process one."""

    platform: str
    secret_header: str

    def update_key(self, payload: dict[str, Any]) -> str | None: ...

    async def process(self, payload: dict[str, Any]) -> None: ...


class UpdateHandler(Protocol):
    """A platform channel as it is (ZaloChannel): keys and processes raw updates."""

    def update_key(self, payload: dict[str, Any]) -> str | None: ...

    async def process(self, payload: dict[str, Any]) -> None: ...


class ChannelEndpoint:
    """A channel given the platform's name and the header its secret comes in."""

    def __init__(self, platform: str, secret_header: str, channel: UpdateHandler) -> None:
        self.platform, self.secret_header, self.channel = platform, secret_header, channel

    def update_key(self, payload: dict[str, Any]) -> str | None:
        return self.channel.update_key(payload)

    async def process(self, payload: dict[str, Any]) -> None:
        await self.channel.process(payload)


# ---- the inbox: store first, process afterwards --------------------------------------------------------


class Inbox:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        endpoints: Iterable[WebhookEndpoint],
        *,
        max_attempts: int = MAX_ATTEMPTS,
        retry_delays: Sequence[float] = RETRY_DELAYS_S,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.endpoints: dict[str, WebhookEndpoint] = {endpoint.platform: endpoint for endpoint in endpoints}
        self.max_attempts = max_attempts
        self.retry_delays = tuple(retry_delays)
        self._queues: dict[str, asyncio.Queue[int]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._current: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        """Queue what an earlier run left unprocessed (oldest first), then start one worker per platform."""
        for platform in self.endpoints:
            queue: asyncio.Queue[int] = asyncio.Queue()
            async with self.uow_factory() as uow:
                left = await uow.inbox.unprocessed_ids(platform)
            for row_id in left:
                queue.put_nowait(row_id)
            if left:
                log.info("resuming %d stored update(s) platform=%s", len(left), platform)
            self._queues[platform] = queue
            self._tasks.append(asyncio.create_task(self._work(platform, queue), name=f"inbox-{platform}"))

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop taking updates off the queues; an update being processed is finished (within `grace_s`)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        running = [job for job in self._current.values() if not job.done()]
        if running:
            _done, late = await asyncio.wait(running, timeout=grace_s)
            for job in late:  # left unprocessed in the inbox: the next start does it
                job.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def join(self) -> None:
        """Wait until every queued update has been processed (or given up)."""
        for queue in self._queues.values():
            await queue.join()

    async def accept(self, platform: str, key: str, payload: Payload, *, enqueue: bool = True) -> bool:
        """Store and commit the update; queue it for the worker. False: a redelivery, already stored."""
        async with self.uow_factory() as uow:
            added = await uow.inbox.add_if_absent(platform, key, payload, self.clock.now())
            row = await uow.inbox.find(platform, key) if added else None
            await uow.commit()
        if row is None:
            log.info("redelivered update acknowledged platform=%s key=%s", platform, key)
            return False
        if enqueue:
            self._queues[platform].put_nowait(row.id)
        return True

    async def _work(self, platform: str, queue: asyncio.Queue[int]) -> None:
        while True:
            row_id = await queue.get()
            # Shielded: stopping the worker must not cut an update off halfway (replies sent, not marked).
            job = self._current[platform] = asyncio.create_task(self._process_logged(platform, row_id))
            try:
                await asyncio.shield(job)
            finally:
                queue.task_done()

    async def _process_logged(self, platform: str, row_id: int) -> None:
        try:
            await self._process(self.endpoints[platform], row_id)
        except Exception as error:  # the database itself failed: the row stays for the next start
            log.error("inbox worker could not handle a stored update: %s", type(error).__name__, exc_info=True)

    async def _process(self, endpoint: WebhookEndpoint, row_id: int) -> None:
        while True:
            claimed = await self._next_attempt(row_id)
            if claimed is None:
                return
            payload, key, attempt = claimed
            if attempt > self.max_attempts:  # failed (or took the process down) every time before
                await self._give_up(endpoint.platform, key, row_id, attempt - 1)
                return
            try:
                await endpoint.process(payload)
            except Exception as error:
                log.error(
                    "processing a stored update failed platform=%s key=%s attempt=%d/%d: %s",
                    *(endpoint.platform, key, attempt, self.max_attempts, type(error).__name__),
                    exc_info=(type(error), error, error.__traceback__),
                )
                if attempt >= self.max_attempts:
                    await self._give_up(endpoint.platform, key, row_id, attempt)
                    return
                await asyncio.sleep(self._delay(attempt))
                continue
            await self._mark_processed(row_id)
            return

    async def _next_attempt(self, row_id: int) -> tuple[Payload, str, int] | None:
        """Count (and commit) one more attempt before trying, so a crash mid-way still counts; None: done."""
        async with self.uow_factory() as uow:
            row = await uow.inbox.get(row_id)
            if row is None or row.processed_at is not None:
                return None
            payload, key = row.payload, row.update_key
            if row.attempts >= self.max_attempts:
                return payload, key, row.attempts + 1
            attempt = await uow.inbox.count_attempt(row_id)
            await uow.commit()
        return payload, key, attempt

    def _delay(self, attempt: int) -> float:
        if not self.retry_delays:
            return 0.0
        return self.retry_delays[min(attempt, len(self.retry_delays)) - 1]

    async def _give_up(self, platform: str, key: str, row_id: int, attempts: int) -> None:
        log.error("gave up on a stored update after %d attempt(s) platform=%s key=%s", attempts, platform, key)
        await self._mark_processed(row_id)

    async def _mark_processed(self, row_id: int) -> None:
        async with self.uow_factory() as uow:
            await uow.inbox.mark_processed(row_id, self.clock.now())
            await uow.commit()


async def housekeeping(uow_factory: Callable[[], UnitOfWork], now: datetime) -> None:
    """Forget old processed updates and keys, and delete files whose links have expired."""
    async with uow_factory() as uow:
        updates = await uow.inbox.prune_processed(now - KEEP_PROCESSED)
        files = await uow.files.prune_expired(now)
        keys = await prune_update_log(uow, now)
        await uow.commit()
    log.info("pruned %d inbox update(s), %d expired file(s), %d update key(s)", updates, files, keys)


# ---- the HTTP side ----------------------------------------------------------------------------------------


def secret_matches(given: str | None, secret: str) -> bool:
    """Constant-time comparison; a missing header never matches."""
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode("utf-8"))


def build_web_app(
    inbox: Inbox,
    secret: str,
    links: FileLinks | None,
    *,
    exit_after_ack: bool = False,
) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)

    async def receive(request: web.Request) -> web.StreamResponse:
        endpoint = inbox.endpoints.get(request.match_info["platform"])
        if endpoint is None:
            raise web.HTTPNotFound()
        if not secret_matches(request.headers.get(endpoint.secret_header), secret):
            log.warning("webhook call refused: wrong or missing secret platform=%s", endpoint.platform)
            return web.Response(status=403, text="forbidden")
        try:
            payload = await request.json()
        except ValueError:
            return web.Response(status=400, text="bad json")
        if not isinstance(payload, dict):
            return web.Response(status=400, text="bad update")
        key = endpoint.update_key(payload)
        if key is None:  # not an update we could ever key: acknowledging it stops the redeliveries
            log.warning("webhook update without a key ignored platform=%s", endpoint.platform)
            return web.json_response({"ok": True})
        await inbox.accept(endpoint.platform, key, payload, enqueue=not exit_after_ack)
        if exit_after_ack:
            return await _acknowledge_then_die(request)
        return web.json_response({"ok": True})

    async def serve_file(request: web.Request) -> web.StreamResponse:
        if links is None:
            raise web.HTTPNotFound()
        answer = await links.open(request.match_info["token"], request.query.get("e"), request.query.get("s"))
        return file_response(answer)

    async def healthz(_request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True})

    app.router.add_post("/webhook/{platform}", receive)
    app.router.add_get("/files/{token}", serve_file)
    app.router.add_get("/healthz", healthz)
    return app


async def _acknowledge_then_die(request: web.Request) -> web.StreamResponse:
    response = web.json_response({"ok": True})
    await response.prepare(request)
    await response.write_eof()
    log.warning("%s is set: killing this process right after the acknowledgement", EXIT_AFTER_ACK_ENV)
    os.kill(os.getpid(), signal.SIGKILL)
    return response


def file_response(answer: FileAnswer) -> web.Response:
    private = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    private["Referrer-Policy"] = "no-referrer"  # the signed link must not leak to another site
    if answer.status != 200:
        page = w.FILE_PAGE.format(title=answer.title, text=answer.message)
        return web.Response(status=answer.status, text=page, content_type="text/html", charset="utf-8", headers=private)
    disposition = "inline" if answer.mime in INLINE_TYPES else "attachment"
    headers = {**private, "Content-Disposition": content_disposition(disposition, answer.filename)}
    headers["Content-Type"] = answer.mime or "application/octet-stream"  # as stored, parameters included
    return web.Response(body=answer.content, headers=headers)


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266: an ASCII fallback for old clients and the UTF-8 name (Vietnamese diacritics) for the rest."""
    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in filename)
    return f"{kind}; filename=\"{fallback or 'file'}\"; filename*=UTF-8''{quote(filename, safe='')}"


# ---- platforms ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookInfo:
    url: str
    pending: int
    last_error: str | None


@dataclass(frozen=True)
class PlatformWebhook:
    """How the operator's commands reach one platform's setWebhook, getWebhookInfo and deleteWebhook."""

    platform: str
    set: Callable[[str, str], Awaitable[None]]  # (url, secret)
    info: Callable[[], Awaitable[WebhookInfo]]
    delete: Callable[[], Awaitable[None]]


def webhook_url(settings: Settings, platform: str) -> str:
    return f"{settings.webhook_base_url}/webhook/{platform}"


def telegram_webhook(settings: Settings) -> PlatformWebhook | None:
    if settings.telegram_bot_token is None:
        return None
    from bot.channels import telegram_webhook as tw

    token, base = settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url

    return PlatformWebhook(
        "telegram",
        lambda url, secret: tw.set_webhook(token, base, url, secret),
        lambda: tw.webhook_info(token, base),
        lambda: tw.delete_webhook(token, base),
    )


def zalo_webhook(settings: Settings) -> PlatformWebhook | None:
    if settings.zalo_bot_token is None:
        return None
    from bot.channels.zalo import ZaloClient

    token, base = settings.zalo_bot_token.get_secret_value(), settings.zalo_api_base_url

    async def set_hook(url: str, secret: str) -> None:
        async with ZaloClient(token, base) as client:
            await client.set_webhook(url, secret)

    async def info() -> WebhookInfo:
        async with ZaloClient(token, base) as client:
            found = await client.get_webhook_info()
        pending = found.get("pending_update_count")
        error = found.get("last_error_message")
        return WebhookInfo(
            str(found.get("url") or ""),
            pending if isinstance(pending, int) else 0,
            str(error) if error else None,
        )

    async def delete() -> None:
        async with ZaloClient(token, base) as client:
            await client.delete_webhook()

    return PlatformWebhook("zalo", set_hook, info, delete)


def configured_webhooks(settings: Settings) -> dict[str, PlatformWebhook]:
    """The webhook operations of every platform whose token is set."""
    found = {"telegram": telegram_webhook(settings), "zalo": zalo_webhook(settings)}
    return {platform: hooks for platform, hooks in found.items() if hooks is not None}


def webhook_command(settings: Settings, action: str, platform: str) -> int:
    """`lamtheo webhook set|info|delete [--platform telegram|zalo|all]`."""
    if action == "set" and (settings.webhook_base_url is None or settings.webhook_secret is None):
        print(w.WEBHOOK_NEEDS_SETTINGS, file=sys.stderr)
        return EXIT_USAGE
    available = configured_webhooks(settings)
    chosen = list(available) if platform == "all" else [platform]
    if not chosen:
        print(w.WEBHOOK_NO_PLATFORM, file=sys.stderr)
        return EXIT_USAGE
    failures = 0
    for name in chosen:
        if name not in available:
            print(w.WEBHOOK_PLATFORM_MISSING.format(platform=name), file=sys.stderr)
            failures += 1
            continue
        hooks = available[name]
        try:
            print(asyncio.run(_webhook_action(settings, hooks, action)))
        except Exception as error:  # the platform refused or could not be reached: say which, go on
            reason = redact(f"{type(error).__name__}: {error}", secrets_of(settings))
            print(w.WEBHOOK_FAILED.format(platform=name, reason=reason[:300]), file=sys.stderr)
            failures += 1
    return 1 if failures else 0


def secrets_of(settings: Settings) -> list[str]:
    held = (settings.telegram_bot_token, settings.zalo_bot_token, settings.webhook_secret)
    return [secret.get_secret_value() for secret in held if secret is not None]


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


async def _webhook_action(settings: Settings, hooks: PlatformWebhook, action: str) -> str:
    if action == "set":
        assert settings.webhook_secret is not None
        url = webhook_url(settings, hooks.platform)
        await hooks.set(url, settings.webhook_secret.get_secret_value())
        return w.WEBHOOK_SET.format(platform=hooks.platform, url=url)
    if action == "delete":
        await hooks.delete()
        return w.WEBHOOK_DELETED.format(platform=hooks.platform)
    info = await hooks.info()
    return w.WEBHOOK_INFO.format(
        platform=hooks.platform,
        url=info.url or w.WEBHOOK_INFO_NONE,
        pending=info.pending,
        error=info.last_error or w.WEBHOOK_INFO_NO_ERROR,
    )


# ---- `lamtheo run --webhook` ------------------------------------------------------------------------------


def run_webhook(settings: Settings) -> int:
    if settings.webhook_base_url is None or settings.webhook_secret is None:
        print(w.WEBHOOK_NEEDS_SETTINGS, file=sys.stderr)
        return EXIT_USAGE
    if not configured_webhooks(settings):
        print(w.WEBHOOK_NO_PLATFORM, file=sys.stderr)
        return EXIT_USAGE
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    return asyncio.run(serve(settings, exit_after_ack=os.environ.get(EXIT_AFTER_ACK_ENV) == "1"))


async def serve(settings: Settings, *, exit_after_ack: bool = False) -> int:
    from bot.wiring import build_core

    assert settings.webhook_base_url is not None and settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    core = build_core(settings)
    ttl = timedelta(hours=settings.file_link_ttl_hours)
    links = FileLinks(core.uow, settings.webhook_base_url, secret, ttl, core.clock)
    stops: list[Callable[[], Awaitable[None]]] = [core.close]
    try:
        endpoints = await _start_endpoints(settings, core.router, links, stops)
        background = await start_background(core, settings, messengers_for(settings, _zalo_messenger(endpoints)))
        stops.append(background.stop)
        inbox = Inbox(core.uow, core.clock, endpoints)
        await inbox.start()
        stops.append(inbox.stop)
        runner = web.AppRunner(build_web_app(inbox, secret, links, exit_after_ack=exit_after_ack))
        await runner.setup()
        stops.append(runner.cleanup)
        site = web.TCPSite(runner, settings.webhook_listen, settings.webhook_port)
        await site.start()
        port = _bound_port(runner, settings.webhook_port)
        log.info("webhook server listening on %s:%d", settings.webhook_listen, port)
        await _register_webhooks(settings, [endpoint.platform for endpoint in endpoints])
        keeper = asyncio.create_task(_housekeep_forever(core.uow, core.clock))
        stops.append(lambda: _cancel(keeper))
        names = ", ".join(endpoint.platform for endpoint in endpoints)
        print(w.WEBHOOK_RUNNING.format(listen=settings.webhook_listen, port=port, platforms=names), file=sys.stderr)
        await _until_stopped()
        return 0
    finally:
        for stop in reversed(stops):
            try:
                await stop()
            except Exception as error:  # keep shutting the rest down
                log.warning("error while stopping: %s", type(error).__name__)


async def _start_endpoints(
    settings: Settings, router: Router, links: FileLinks, stops: list[Callable[[], Awaitable[None]]]
) -> list[WebhookEndpoint]:
    endpoints: list[WebhookEndpoint] = []
    if settings.telegram_bot_token is not None:
        from bot.channels import telegram_webhook as tw

        telegram = await tw.start_endpoint(
            settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url, router
        )
        stops.append(lambda: tw.stop_endpoint(telegram))
        endpoints.append(telegram)
    if settings.zalo_bot_token is not None:
        from bot.channels.zalo import PLATFORM, build_zalo

        zalo = build_zalo(
            settings.zalo_bot_token.get_secret_value(),
            settings.zalo_api_base_url,
            router,
            settings.zalo_monthly_quota,
            file_link=zalo_file_link(links),
        )
        stops.append(zalo.client.close)
        endpoints.append(ChannelEndpoint(PLATFORM, ZALO_SECRET_HEADER, zalo))
    return endpoints


def _zalo_messenger(endpoints: Sequence[WebhookEndpoint]) -> Messenger | None:
    for endpoint in endpoints:
        if isinstance(endpoint, ChannelEndpoint) and isinstance(endpoint.channel, ZaloChannel):
            return endpoint.channel.messenger
    return None


async def _register_webhooks(settings: Settings, platforms: Sequence[str]) -> None:
    """setWebhook for every platform served; a failure is logged (`lamtheo webhook set` can retry)."""
    assert settings.webhook_secret is not None
    available = configured_webhooks(settings)
    for platform in platforms:
        hooks = available.get(platform)
        if hooks is None:
            continue
        try:
            await hooks.set(webhook_url(settings, platform), settings.webhook_secret.get_secret_value())
            log.info("webhook registered platform=%s", platform)
        except Exception as error:
            log.error("could not register the webhook platform=%s: %s", platform, type(error).__name__)


async def _housekeep_forever(uow_factory: Callable[[], UnitOfWork], clock: Clock) -> None:
    while True:
        await asyncio.sleep(60)
        try:
            await housekeeping(uow_factory, clock.now())
        except Exception as error:
            log.warning("housekeeping failed: %s", type(error).__name__)
        await asyncio.sleep(HOUSEKEEPING_EVERY_S - 60)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _until_stopped() -> None:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()


def _bound_port(runner: web.AppRunner, configured: int) -> int:
    """The port actually bound (WEBHOOK_PORT=0 asks the system for a free one)."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return configured
