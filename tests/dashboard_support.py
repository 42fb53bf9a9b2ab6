"""The web dashboard for the route tests: the real aiohttp app on a test server, leaders who get their login
link by sending /web in a chat (the real router), and a client that keeps the session cookie by hand (aiohttp's
cookie jar does not send a Secure cookie over the test server's plain http)."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from bot.dashboard import add_dashboard
from bot.dashboard.access import COOKIE
from handlers.catalog import core as t
from handlers.flows import default_flows
from handlers.router import Router
from tests.chat import Chat, invite_code
from tests.support import TZ, Database, FakeClock

BASE = "https://lamtheo.example.vn"
LINK = re.compile(re.escape(BASE) + r"(/login/[A-Za-z0-9_-]+)")
_users = itertools.count(9100)


@asynccontextmanager
async def dashboard_client(db: Database, clock: FakeClock) -> AsyncIterator[TestClient[Any, Any]]:
    app = web.Application()
    add_dashboard(app, db.uow, clock, TZ)
    async with TestClient(TestServer(app)) as client:
        yield client


def web_router(db: Database, clock: FakeClock) -> Router:
    return Router(db.uow, clock, TZ, default_flows(BASE))


async def link_path(chat: Chat) -> str:
    """Send /web and return the path of the login link the bot answered with."""
    await chat.say("/web")
    for text in chat.all_texts:
        found = LINK.search(text)
        if found:
            return found.group(1)
    raise AssertionError(f"no login link in {chat.all_texts}")


@dataclass
class Browser:
    """A client with its own session cookie."""

    client: TestClient[Any, Any]
    session: str = ""
    chat: Chat | None = None
    pages: list[str] = field(default_factory=list)

    async def get(self, path: str, **kwargs: Any) -> ClientResponse:
        cookies = {COOKIE: self.session} if self.session else {}
        return await self.client.get(path, cookies=cookies, allow_redirects=False, **kwargs)

    async def post(self, path: str) -> ClientResponse:
        cookies = {COOKIE: self.session} if self.session else {}
        return await self.client.post(path, cookies=cookies, allow_redirects=False)

    async def open_link(self, path: str) -> ClientResponse:
        """What a person does: open the link (a page with a button), press the button."""
        form = await self.client.get(path)
        assert form.status == 200, form.status
        assert f'action="{path}"' in await form.text()
        answer = await self.client.post(path, allow_redirects=False)
        morsel = answer.cookies.get(COOKIE)
        if answer.status == 303 and morsel is not None:
            self.session = morsel.value
        return answer


async def leader_chat(db: Database, clock: FakeClock, code: str) -> Chat:
    """A new chat account linked to the member (consenting, if they had not yet)."""
    chat = Chat(web_router(db, clock), user_id=str(next(_users)))
    await chat.say(f"/start {await invite_code(db, clock, code)}")
    if any(reply.text == t.CONSENT_NOTICE for reply in chat.last_replies):
        await chat.press(t.CONSENT_YES)
    return chat


async def logged_in(client: TestClient[Any, Any], db: Database, clock: FakeClock, code: str) -> Browser:
    """The member links a chat, asks for /web and opens the link."""
    chat = await leader_chat(db, clock, code)
    browser = Browser(client, chat=chat)
    answer = await browser.open_link(await link_path(chat))
    assert answer.status == 303, (answer.status, await answer.text())
    return browser
