"""Zalo through the web server: the real ZaloChannel (client pointed at the fake Zalo Bot API) behind
`POST /webhook/zalo`, and a file reaching a Zalo user as a signed link the same server then serves."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.zalo import ZaloChannel, build_zalo
from bot.channels.zalo_webhook import SECRET_HEADER as ZALO_SECRET_HEADER
from bot.channels.zalo_webhook import ZaloEndpoint
from bot.files import FileLinks, zalo_file_link
from bot.inbox import Inbox
from bot.web import build_web_app
from handlers.catalog import channels as c
from handlers.catalog import core as t
from handlers.messages import Attachment, Reply
from handlers.outbound import MessagePriority
from handlers.router import Router
from tests.chat import invite_code
from tests.fakes.fake_zalo import FakeZalo
from tests.support import Database, FakeClock
from tests.web_support import SECRET

USER = "zalo-user-8842"
BASE = "https://bot.example.vn"


@dataclass
class ZaloWeb:
    client: TestClient[Any, Any]
    inbox: Inbox
    fake: FakeZalo
    channel: ZaloChannel

    async def post(self, payload: dict[str, Any], secret: str | None = SECRET) -> ClientResponse:
        headers = {ZALO_SECRET_HEADER: secret} if secret is not None else {}
        return await self.client.post("/webhook/zalo", json=payload, headers=headers)


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


@pytest.fixture
async def web(roster_db: Database, router: Router, clock: FakeClock, fake: FakeZalo) -> AsyncIterator[ZaloWeb]:
    links = FileLinks(roster_db.uow, BASE, SECRET, timedelta(hours=24), clock)
    channel = build_zalo(fake.token, fake.base_url, router, file_link=zalo_file_link(links))
    inbox = Inbox(roster_db.uow, clock, [ZaloEndpoint(channel)], retry_delays=(0.0,))
    await inbox.start()
    client: TestClient[Any, Any] = TestClient(TestServer(build_web_app(inbox, SECRET, links), host="127.0.0.1"))
    await client.start_server()
    try:
        yield ZaloWeb(client, inbox, fake, channel)
    finally:
        await client.close()
        await inbox.stop()
        await channel.client.close()


@pytest.mark.parametrize("secret", [None, "", "nope", SECRET.lower()])
async def test_a_wrong_or_missing_zalo_secret_is_refused(web: ZaloWeb, secret: str | None) -> None:
    response = await web.post(web.fake.text_update(USER, "xin chào"), secret)
    assert response.status == 403
    await web.inbox.join()
    assert web.fake.sent() == []


async def test_a_zalo_update_delivered_twice_is_answered_once(web: ZaloWeb) -> None:
    update = web.fake.text_update(USER, "xin chào")
    for _ in range(2):
        assert (await web.post(update)).status == 200
    await web.inbox.join()
    assert web.fake.sent_texts(USER) == [t.STRANGER]


async def test_a_member_links_on_zalo_through_the_webhook(web: ZaloWeb, roster_db: Database, clock: FakeClock) -> None:
    code = await invite_code(roster_db, clock, "DV001")
    assert (await web.post(web.fake.text_update(USER, code))).status == 200
    await web.inbox.join()
    linked, notice = web.fake.sent_texts(USER)
    assert linked == t.LINKED.format(name="Nguyễn Văn An", cell="Chi bộ thôn Đồng Tâm")
    assert notice.startswith(t.CONSENT_NOTICE) and f"1. {t.CONSENT_YES}" in notice
    assert (await web.post(web.fake.text_update(USER, "1"))).status == 200
    await web.inbox.join()
    assert web.fake.sent_texts(USER)[2].startswith("Cảm ơn đồng chí. Sự đồng ý đã được ghi nhận lúc ")


async def test_a_file_reaches_a_zalo_member_as_a_link_this_server_serves(
    web: ZaloWeb, roster_db: Database, clock: FakeClock
) -> None:
    code = await invite_code(roster_db, clock, "DV002")
    assert (await web.post(web.fake.text_update(USER, code))).status == 200
    await web.inbox.join()
    before = len(web.fake.sent(USER))
    report = Attachment("Tổng hợp Chi bộ thôn Đồng Tâm.xlsx", b"PK\x03\x04 summary", "application/vnd.ms-excel")
    await web.channel.messenger.send(USER, USER, [Reply("Báo cáo tổng hợp", attachment=report)], MessagePriority.REPLY)
    link_text, caption = web.fake.sent_texts(USER)[before:]
    assert caption == "Báo cáo tổng hợp"
    match = re.search(r"https://\S+", link_text)
    assert match is not None
    assert link_text == c.FILE_LINK.format(filename=report.filename, url=match.group(0))
    url = urlsplit(match.group(0))
    response = await web.client.get(f"{url.path}?{url.query}")
    assert response.status == 200 and await response.read() == report.content
    # the same link with another expiry is refused: the signature covers it
    expiry = int(dict(part.split("=", 1) for part in url.query.split("&"))["e"])
    forged = url.query.replace(f"e={expiry}", f"e={expiry + 60}")
    assert (await web.client.get(f"{url.path}?{forged}")).status == 403
