"""The production webhook stack for tests: the real PTB Application (pointed at the fake Bot API server) behind
the inbox and the aiohttp app, served by `start_site` on 127.0.0.1 and reached over real HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import select

from bot.channels.telegram import TelegramBot, build_application
from bot.channels.telegram_webhook import TelegramEndpoint
from bot.files import FileLinks
from bot.inbox import Inbox
from bot.web import build_web_app, start_site
from handlers.router import Router
from storage.models import InboxUpdate
from tests.fakes.fake_telegram import FakeTelegram
from tests.support import Database, FakeClock
from tests.web_support import SECRET, TELEGRAM_HEADER

LINK_KEY = "test-file-link-key-0123456789abcdef"
PUBLIC = "https://bot.example.vn"


@dataclass
class WebhookStack:
    db: Database
    fake: FakeTelegram
    bot: TelegramBot
    inbox: Inbox
    links: FileLinks
    runner: web.AppRunner
    port: int
    http: aiohttp.ClientSession

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def post_telegram(self, update: dict[str, Any]) -> int:
        async with self.http.post(self.url("/webhook/telegram"), json=update, headers={TELEGRAM_HEADER: SECRET}) as r:
            return r.status

    async def get(self, path: str) -> tuple[int, bytes]:
        async with self.http.get(self.url(path)) as response:
            return response.status, await response.read()

    async def rows(self) -> list[InboxUpdate]:
        async with self.db.reading() as session:
            return list((await session.scalars(select(InboxUpdate).order_by(InboxUpdate.id))).all())

    def local(self, link: str) -> str:
        """A link's path and query: this server stands in for the public address."""
        assert link.startswith(PUBLIC), link
        return link.removeprefix(PUBLIC)

    async def stop(self) -> None:
        await self.http.close()
        await self.runner.cleanup()
        await self.inbox.stop()
        await self.bot.stop()


async def start_stack(db: Database, router: Router, clock: FakeClock, fake: FakeTelegram, **inbox: Any) -> WebhookStack:
    """Everything `lamtheo run --webhook` starts for Telegram; `inbox` passes options to the Inbox."""
    bot = TelegramBot(build_application(fake.token, fake.base_url, router))
    await bot.start()
    queue = Inbox(db.uow, clock, [TelegramEndpoint(bot.app)], **({"retry_delays": (0.0,)} | inbox))
    await queue.start()
    links = FileLinks(db.uow, PUBLIC, LINK_KEY, timedelta(hours=24), clock)
    runner, port = await start_site(build_web_app(queue, SECRET, links), "127.0.0.1", 0)
    return WebhookStack(db, fake, bot, queue, links, runner, port, aiohttp.ClientSession())
