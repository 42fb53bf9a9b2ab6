"""How updates arrive: the one thing in which `lamtheo run` and `lamtheo run --webhook` differ.

Polling   the bot fetches them: PTB's updater for Telegram, the getUpdates loop for Zalo.
Webhooks  the platforms post them to the web app (bot/web.py), which stores each in the inbox
          (bot/inbox.py) and acknowledges it; the inbox worker processes it. The web server listens
          first, then setWebhook is called for every platform served.
In polling mode with WEBHOOK_BASE_URL set, the web server starts too, for the leaders' dashboard alone.
Either way an update ends in the same channel code (bot/channels/) and the same router.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from bot.inbox import Inbox
from bot.settings import Settings
from bot.web import start_site
from bot.webhook_admin import register_webhooks
from handlers.catalog import admin as a
from handlers.catalog import channels as c
from handlers.catalog import web as w

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramBot
    from bot.channels.zalo import ZaloChannel

log = logging.getLogger(__name__)


class Intake(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Polling:
    def __init__(
        self,
        telegram: TelegramBot | None,
        zalo: ZaloChannel | None,
        site: web.Application | None = None,
        settings: Settings | None = None,
    ) -> None:
        """`site`: the web dashboard's app, served on WEBHOOK_LISTEN:WEBHOOK_PORT while polling."""
        self.telegram, self.zalo = telegram, zalo
        self.site, self.settings = site, settings
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # where the dashboard listens, once started
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if self.site is not None and self.settings is not None:
            listen = self.settings.webhook_listen
            self._runner, self.port = await start_site(self.site, listen, self.settings.webhook_port)
            log.info("web dashboard listening on %s:%d", listen, self.port)
        if self.zalo is not None:
            self._tasks.append(asyncio.create_task(self.zalo.poll(self._stop), name="zalo-polling"))
            print(c.RUNNING_ZALO, file=sys.stderr)
        if self.telegram is not None:
            await self.telegram.start_polling()
            print(a.RUNNING, file=sys.stderr)

    async def stop(self) -> None:
        """The polls end; an update being handled is finished first."""
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.telegram is not None:
            await self.telegram.stop_polling()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class Webhooks:
    def __init__(self, settings: Settings, inbox: Inbox, app: web.Application) -> None:
        self.settings, self.inbox, self.app = settings, inbox, app
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Resume what an earlier run stored, listen, then register the webhooks."""
        await self.inbox.start()
        settings = self.settings
        self._runner, port = await start_site(self.app, settings.webhook_listen, settings.webhook_port)
        log.info("webhook server listening on %s:%d", settings.webhook_listen, port)
        platforms = list(self.inbox.endpoints)
        await register_webhooks(settings, platforms)
        running = w.WEBHOOK_RUNNING.format(listen=settings.webhook_listen, port=port, platforms=", ".join(platforms))
        print(running, file=sys.stderr)

    async def stop(self) -> None:
        """Stop listening, then let the inbox finish the update in hand (the rest waits for the next start)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.inbox.stop()
