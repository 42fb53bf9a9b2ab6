"""The one runtime of `lamtheo run` (polling) and `lamtheo run --webhook`: they differ only in how updates arrive.

`serve(settings, webhook=...)` assembles, in this order (and stops in the reverse order):
  core        the engine, the unit-of-work factory, the clock, the router (bot/wiring.py)
  channels    Telegram (a PTB Application, started by hand) and Zalo (a ZaloChannel), each when its token
              is set; in webhook mode Zalo sends generated files as signed links to the web server
  workers     the delivery sender, on every instance (bot/sender.py)
  singletons  the reminder clock (bot/scheduler.py) and housekeeping (bot/housekeeping.py): work one instance
              of a deployment does, started on the instance that wins the election (bot/election.py: a
              PostgreSQL advisory lock; on SQLite the one process) and stopped when it loses the role
  intake      how updates arrive (bot/intake.py): Polling, or Webhooks with the inbox and the web app
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot import crash_after_ack
from bot.channels.webhooks import WebhookEndpoint
from bot.dashboard import add_dashboard
from bot.election import Election
from bot.files import FileLinks, load_or_create_link_key, zalo_file_link
from bot.health import Health
from bot.housekeeping import Housekeeping
from bot.inbox import Inbox
from bot.intake import Intake, Polling, Webhooks
from bot.poller_guard import PollerGuard
from bot.rate_budget import RateBudget, budgets_for
from bot.scheduler import ReminderClock
from bot.sender import Sender, limits_from
from bot.settings import Settings
from bot.web import build_web_app
from bot.webhook_admin import EXIT_USAGE, webhook_settings_missing
from bot.wiring import Core, build_core
from handlers.catalog import admin as a
from handlers.catalog import web as w
from handlers.outbound import Messenger
from handlers.services.quota import QuotaGuard
from storage.db import is_sqlite
from storage.enums import Platform
from storage.locks import SINGLETONS, SessionLock

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramBot
    from bot.channels.zalo import ZaloChannel

log = logging.getLogger(__name__)

Stop = Callable[[], Awaitable[None]]
EXIT_POLLER_RUNNING = 3


def run(settings: Settings, *, webhook: bool) -> int:
    """`lamtheo run [--webhook]`: migrate the database, then serve until SIGINT or SIGTERM."""
    if webhook and webhook_settings_missing(settings):
        print(w.WEBHOOK_NEEDS_SETTINGS, file=sys.stderr)
        return EXIT_USAGE
    if webhook and settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        print(w.WEBHOOK_NO_PLATFORM, file=sys.stderr)
        return EXIT_USAGE
    if webhook and (problem := link_key_problem(settings)):
        print(a.SETTINGS_ERROR.format(name="FILE_LINK_KEY", problem=problem), file=sys.stderr)
        return EXIT_USAGE
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    return asyncio.run(serve(settings, webhook=webhook))


async def serve(settings: Settings, *, webhook: bool, stop: asyncio.Event | None = None) -> int:
    """Run every configured platform until `stop` is set (or a stop signal arrives)."""
    stop = stop or asyncio.Event()
    install_stop_signals(stop)
    stops = Stops()
    try:
        if not webhook:
            guard = PollerGuard(settings)
            stops.add("poller guard", guard.release)
            if not await guard.acquire():
                print(w.POLLER_ALREADY_RUNNING, file=sys.stderr)
                return EXIT_POLLER_RUNNING
        core = build_core(settings)
        stops.add("database", core.close)
        links = file_links(settings, core) if webhook else None
        budgets = budgets_for(settings, core)  # one per token: replies and deliveries share it
        channels = await start_channels(settings, core, links, stops, budgets)
        workers = start_workers(core, settings, messengers_for(settings, budgets, channels.zalo))
        stops.add("workers", workers.stop)
        intake = (
            webhook_intake(settings, core, links, channels, workers.sender)
            if webhook
            else polling_intake(settings, core, channels)
        )
        stops.add("intake", intake.stop)
        await intake.start()
        settle_heap()
        await stop.wait()
        log.info("stopping")
    finally:
        await stops.run()
    return 0


def settle_heap() -> None:
    """Once started: what startup made (modules, mapped classes, compiled statements; ~200,000 objects) is moved
    out of the collector's reach, so that a full collection, which a roll-up's many rows set off, no longer walks
    it (it took ~180 ms, a province view's p95; docs/PERFORMANCE.md)."""
    gc.collect()
    gc.freeze()


class Stops:
    """What was started, stopped in the reverse order; a failing stop is logged and the others still run."""

    def __init__(self) -> None:
        self._stops: list[tuple[str, Stop]] = []

    def add(self, name: str, stop: Stop) -> None:
        self._stops.append((name, stop))

    async def run(self) -> None:
        while self._stops:
            name, stop = self._stops.pop()
            try:
                await stop()
            except Exception as error:  # keep shutting the rest down
                log.warning("error while stopping the %s: %s", name, type(error).__name__)


def install_stop_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for name in ("SIGINT", "SIGTERM"):
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):  # Windows: Ctrl+C only
            loop.add_signal_handler(getattr(signal, name), stop.set)


# ---- channels ---------------------------------------------------------------------------------------------


@dataclass
class Channels:
    telegram: TelegramBot | None = None
    zalo: ZaloChannel | None = None


def link_key_problem(settings: Settings) -> str | None:
    """Read (or, on the first start, generate) the file-link key now: a broken key file stops the start."""
    try:
        file_links_key(settings)
    except ValueError as error:
        return str(error)
    return None


def file_links_key(settings: Settings) -> str:
    return load_or_create_link_key(settings.file_link_key.get_secret_value() if settings.file_link_key else None)


def file_links(settings: Settings, core: Core) -> FileLinks:
    assert settings.webhook_base_url is not None
    ttl = timedelta(hours=settings.file_link_ttl_hours)
    return FileLinks(core.uow, settings.webhook_base_url, file_links_key(settings), ttl, core.clock)


async def start_channels(
    settings: Settings, core: Core, links: FileLinks | None, stops: Stops, budgets: dict[str, RateBudget]
) -> Channels:
    """The channel of every platform whose token is set, ready to handle updates (none arrive yet)."""
    channels = Channels()
    if settings.zalo_bot_token is not None:
        from bot.channels.zalo import build_zalo

        quota = QuotaGuard(core.uow, core.clock, core.tz, Platform.ZALO.value, settings.zalo_monthly_quota)
        token, base_url = settings.zalo_bot_token.get_secret_value(), settings.zalo_api_base_url
        file_link = zalo_file_link(links) if links is not None else None
        channels.zalo = build_zalo(token, base_url, core.router, quota, file_link, budgets["zalo"])
        stops.add("zalo channel", channels.zalo.close)
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram import TelegramBot, build_application

        token, base_url = settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url
        channels.telegram = TelegramBot(build_application(token, base_url, core.router, budget=budgets["telegram"]))
        stops.add("telegram channel", channels.telegram.stop)  # also when starting fails halfway
        await channels.telegram.start()
    return channels


def messengers_for(
    settings: Settings, budgets: dict[str, RateBudget], zalo: ZaloChannel | None = None
) -> dict[str, Messenger]:
    """A messenger per platform whose token is set, on the token's budget. Telegram's has a Bot of its own (the
    sender must see every 429 to put the row back); Zalo's is the channel's, sharing its client and quota guard."""
    found: dict[str, Messenger] = {}
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram_messenger import TelegramMessenger

        token, base_url = settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url
        telegram = TelegramMessenger(token, base_url, budgets["telegram"], settings.sender_concurrency)
        found[telegram.platform] = telegram
    if zalo is not None:
        found[zalo.messenger.platform] = zalo.messenger
    return found


# ---- workers ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Worker:
    name: str
    start: Callable[[], object]  # on the running loop
    stop: Stop


@dataclass
class Workers:
    """What runs beside the channels in both modes. The clock only wakes the process: it fires due reminders
    from the schedule rows and wakes the sender, which drains the delivery rows at each platform's rate."""

    sender: Sender
    reminder_clock: ReminderClock
    housekeeping: Housekeeping
    election_lock: SessionLock
    started: list[Worker] = field(default_factory=list)
    election: Election | None = None

    def everywhere(self) -> list[Worker]:
        """Work every instance does (the sender claims each delivery row in the database before sending it)."""
        return [Worker("sender", self.sender.start, self.sender.close)]

    def singletons(self) -> list[Worker]:
        """Work one instance of a deployment does: started by the election on the instance holding the role."""
        return [
            Worker("reminder clock", self.reminder_clock.start, self.reminder_clock.stop),
            Worker("housekeeping", self.housekeeping.start, self.housekeeping.stop),
        ]

    def start(self) -> None:
        self._start(self.everywhere())
        self.election = Election(self.election_lock, self.take_up_singletons, self.stop_singletons)
        self.election.start()

    def take_up_singletons(self) -> None:
        self._start(self.singletons())

    async def stop_singletons(self) -> None:
        names = {worker.name for worker in self.singletons()}
        await self._stop([worker for worker in self.started if worker.name in names])

    async def stop(self) -> None:
        if self.election is not None:
            await self.election.stop()  # stops the singletons when holding the role
        await self._stop(list(self.started))

    def _start(self, workers: list[Worker]) -> None:
        for worker in workers:
            worker.start()
            self.started.append(worker)

    async def _stop(self, workers: list[Worker]) -> None:
        stops = Stops()
        for worker in workers:
            stops.add(worker.name, worker.stop)
            self.started.remove(worker)
        await stops.run()


def start_workers(core: Core, settings: Settings, messengers: dict[str, Messenger]) -> Workers:
    """Start the sender, the reminder clock (its first check runs at once) and housekeeping on the running loop."""
    sender = Sender(
        core.uow, messengers, core.clock, limits_from(settings), single_process=is_sqlite(settings.database_url)
    )
    reminder_clock = ReminderClock(core.uow, core.clock, core.tz, settings.reminder_grace, on_fired=sender.wake)
    keeper = Housekeeping(core.uow, core.clock, keep_sent_texts=timedelta(days=settings.sent_text_retention_days))
    workers = Workers(sender, reminder_clock, keeper, SessionLock(settings.database_url, SINGLETONS))
    workers.start()
    log.info("reminders and deliveries running for %s", ", ".join(sorted(messengers)) or "no platform")
    return workers


# ---- intake -----------------------------------------------------------------------------------------


def polling_intake(settings: Settings, core: Core, channels: Channels) -> Intake:
    """The platforms' polls; with WEBHOOK_BASE_URL set, the web server too, for the leaders' dashboard."""
    site = None
    if settings.webhook_base_url is not None:
        site = web.Application()
        add_dashboard(site, core.uow, core.clock, core.tz, settings.trusted_proxies)
    return Polling(channels.telegram, channels.zalo, site, settings)


def webhook_intake(
    settings: Settings, core: Core, links: FileLinks | None, channels: Channels, sender: Sender
) -> Intake:
    """The inbox of every platform served and the web app in front of it (its /healthz watches both workers)."""
    from bot.channels.telegram_webhook import TelegramEndpoint
    from bot.channels.zalo_webhook import ZaloEndpoint

    assert settings.webhook_secret is not None
    endpoints: list[WebhookEndpoint] = []
    if channels.telegram is not None:
        endpoints.append(TelegramEndpoint(channels.telegram.app))
    if channels.zalo is not None:
        endpoints.append(ZaloEndpoint(channels.zalo))
    inbox = Inbox(
        core.uow,
        core.clock,
        endpoints,
        max_age=settings.inbox_max_age,
        workers=settings.inbox_workers,
        lease_s=settings.inbox_lease_seconds,
        single_process=is_sqlite(settings.database_url),
    )
    seams: list[Middleware] = [crash_after_ack.crash_after_ack(inbox)] if crash_after_ack.requested() else []
    health = Health(core.uow, core.clock, inbox=inbox, sender=sender)
    app = build_web_app(inbox, settings.webhook_secret.get_secret_value(), links, seams, health)
    add_dashboard(app, core.uow, core.clock, core.tz, settings.trusted_proxies)
    return Webhooks(settings, inbox, app)
