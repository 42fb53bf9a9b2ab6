"""Files: signed, expiring links served by the web server (for Zalo), and documents/photos on Telegram.

Links are fetched over real HTTP from the aiohttp app on 127.0.0.1; Telegram uploads go through the real
PTB Bot to the fake Bot API server, which parses the multipart body."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any, cast
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from telegram.ext import Application, ContextTypes

from bot.channels.telegram import TelegramChannel, build_application
from bot.files import FileLinks, zalo_file_link
from bot.housekeeping import housekeeping
from bot.inbox import Inbox
from bot.web import build_web_app, content_disposition
from handlers.catalog import web as w
from handlers.messages import Attachment, Choice, Reply
from handlers.router import Router
from storage.models import StoredFile
from tests.chat import member_id
from tests.fakes.fake_telegram import FakeTelegram
from tests.support import Database, FakeClock
from tests.web_support import SECRET

BASE = "https://bot.example.vn"
REPORT = Attachment("Báo cáo Chi bộ thôn Đồng Tâm 11-2026.xlsx", b"PK\x03\x04 report bytes", "application/vnd.ms-excel")
CHART = Attachment("biểu đồ.png", b"\x89PNG\r\n\x1a\n chart", "image/png", photo=True)


@pytest.fixture
def links(roster_db: Database, clock: FakeClock) -> FileLinks:
    return FileLinks(roster_db.uow, BASE, SECRET, timedelta(hours=24), clock)


@pytest.fixture
async def client(roster_db: Database, clock: FakeClock, links: FileLinks) -> AsyncIterator[TestClient[Any, Any]]:
    inbox = Inbox(roster_db.uow, clock, [])
    http: TestClient[Any, Any] = TestClient(TestServer(build_web_app(inbox, SECRET, links), host="127.0.0.1"))
    await http.start_server()
    try:
        yield http
    finally:
        await http.close()


def local(url: str) -> str:
    """The path and query of a link (the test server stands in for the public base URL)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE
    return f"{parts.path}?{parts.query}"


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return f"{parts.path}?" + "&".join(f"{key}={value}" for key, value in query.items())


async def test_a_valid_link_serves_the_file_with_its_type_and_utf8_name(
    client: TestClient[Any, Any], links: FileLinks, roster_db: Database, clock: FakeClock
) -> None:
    owner = await member_id(roster_db, "DV001")
    url = await links.link_for(REPORT, owner)
    parts = urlsplit(url)
    token = parts.path.rsplit("/", 1)[1]
    query = parse_qs(parts.query)
    assert parts.path == f"/files/{token}" and len(token) >= 32
    assert query["e"] == [str(int((clock.now() + timedelta(hours=24)).timestamp()))]
    assert query["s"] == [links.signature(token, int(query["e"][0]))]

    response = await client.get(local(url))
    assert response.status == 200
    assert await response.read() == REPORT.content
    assert response.headers["Content-Type"] == "application/vnd.ms-excel"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''" + quote(REPORT.filename, safe="") in disposition
    assert response.headers["Cache-Control"] == "private, no-store"


async def test_a_chart_is_shown_inline(client: TestClient[Any, Any], links: FileLinks, roster_db: Database) -> None:
    response = await client.get(local(await links.link_for(CHART, await member_id(roster_db, "DV002"))))
    assert response.status == 200 and await response.read() == CHART.content
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline; ")


async def test_a_mime_type_with_parameters_is_served_as_stored(
    client: TestClient[Any, Any], links: FileLinks, roster_db: Database
) -> None:
    table = Attachment("danh sách.csv", "Mã,Họ và tên\n".encode(), "text/csv; charset=utf-8")
    response = await client.get(local(await links.link_for(table, await member_id(roster_db, "DV001"))))
    assert response.status == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (await response.read()).decode() == "Mã,Họ và tên\n"


def test_the_disposition_has_an_ascii_fallback_and_the_exact_utf8_name() -> None:
    header = content_disposition("attachment", 'Tổng hợp "quý" 4.xlsx')
    assert header == (
        'attachment; filename="T_ng h_p _qu__ 4.xlsx"; '
        "filename*=UTF-8''T%E1%BB%95ng%20h%E1%BB%A3p%20%22qu%C3%BD%22%204.xlsx"
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: with_query(url, s="0" * 64),
        lambda url: with_query(url, s=parse_qs(urlsplit(url).query)["s"][0][:-1] + "x"),
        lambda url: with_query(url, s=""),
        lambda url: with_query(url, e=str(int(parse_qs(urlsplit(url).query)["e"][0]) + 3600)),
        lambda url: with_query(url, e="soon"),
        lambda url: urlsplit(url).path,  # no signature, no expiry
    ],
    ids=["forged", "one-char", "empty", "longer-expiry", "bad-expiry", "bare"],
)
async def test_a_tampered_link_is_refused_with_a_vietnamese_page(
    client: TestClient[Any, Any], links: FileLinks, roster_db: Database, tamper: Any
) -> None:
    url = await links.link_for(REPORT, await member_id(roster_db, "DV001"))
    response = await client.get(tamper(url))
    assert response.status == 403
    page = await response.text()
    assert w.FILE_FORBIDDEN in page and response.headers["Content-Type"].startswith("text/html")
    assert REPORT.content.decode("latin-1") not in page


async def test_an_expired_link_is_gone_and_housekeeping_deletes_the_file(
    client: TestClient[Any, Any], links: FileLinks, roster_db: Database, clock: FakeClock
) -> None:
    url = await links.link_for(REPORT, await member_id(roster_db, "DV001"))
    clock.advance(hours=23, minutes=59)
    assert (await client.get(local(url))).status == 200
    clock.advance(minutes=1)
    response = await client.get(local(url))
    assert response.status == 410 and w.FILE_EXPIRED in await response.text()
    await housekeeping(roster_db.uow, clock.now())
    async with roster_db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert (await client.get(local(url))).status == 410


async def test_a_token_with_the_signature_of_another_link_is_refused(
    client: TestClient[Any, Any], links: FileLinks, roster_db: Database
) -> None:
    owner, other = await member_id(roster_db, "DV001"), await member_id(roster_db, "DV002")
    token = urlsplit(await links.link_for(REPORT, owner)).path.rsplit("/", 1)[1]
    # other's own file, with owner's token: refused
    other_query = urlsplit(await links.link_for(CHART, other)).query
    response = await client.get(f"/files/{token}?{other_query}")
    assert response.status == 403 and w.FILE_FORBIDDEN in await response.text()


async def test_a_link_signed_with_another_secret_is_refused(
    client: TestClient[Any, Any], roster_db: Database, clock: FakeClock
) -> None:
    stranger = FileLinks(roster_db.uow, BASE, "another_secret", timedelta(hours=24), clock)
    url = await stranger.link_for(REPORT, await member_id(roster_db, "DV001"))
    assert (await client.get(local(url))).status == 403


async def test_a_missing_token_is_not_found(client: TestClient[Any, Any], links: FileLinks, clock: FakeClock) -> None:
    token = "A" * 32
    expiry = int((clock.now() + timedelta(hours=1)).timestamp())
    response = await client.get(f"/files/{token}?e={expiry}&s={links.signature(token, expiry)}")
    assert response.status == 404 and w.FILE_NOT_FOUND in await response.text()
    assert (await client.get(f"/files/{'x' * 5}?e={expiry}&s=00")).status == 403  # not even a token's shape


async def test_the_zalo_adapter_links_for_the_member_behind_the_zalo_account(
    links: FileLinks, roster_db: Database, clock: FakeClock
) -> None:
    owner = await member_id(roster_db, "DV001")
    async with roster_db.uow() as uow:
        await uow.accounts.add("zalo", "zalo-user-1", owner, clock.now())
        await uow.commit()
    file_link = zalo_file_link(links)
    url = await file_link(REPORT, "zalo-user-1")
    assert url is not None and url.startswith(f"{BASE}/files/")
    async with roster_db.sessions() as session:
        stored = (await session.scalars(select(StoredFile))).one()
    assert (stored.member_id, stored.filename, stored.mime) == (owner, REPORT.filename, REPORT.mime)
    assert await file_link(REPORT, "not-linked") is None


# ---- Telegram: documents and photos --------------------------------------------------------------------------

CHAT_ID = 8001
PtbApp = Application[Any, Any, Any, Any, Any, Any]


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot_app(fake: FakeTelegram, router: Router) -> AsyncIterator[PtbApp]:
    app = build_application(fake.token, fake.base_url, router)
    await app.initialize()
    try:
        yield app
    finally:
        await app.shutdown()


async def send(app: PtbApp, router: Router, replies: list[Reply]) -> None:
    context = cast(ContextTypes.DEFAULT_TYPE, type("Context", (), {"bot": app.bot})())
    await TelegramChannel(router).send(context, CHAT_ID, replies)


async def test_a_reply_with_a_file_goes_as_a_document_with_the_text_as_caption(
    bot_app: PtbApp,
    router: Router,
    fake: FakeTelegram,
) -> None:
    reply = Reply("Báo cáo tháng 11", choices=(Choice("Xem lại", "1|again"),), attachment=REPORT)
    await send(bot_app, router, [reply])
    [call] = fake.calls("sendDocument")
    upload = call["files"]["document"]
    assert upload["content"] == REPORT.content and upload["filename"] == REPORT.filename
    assert call["params"]["caption"] == "Báo cáo tháng 11" and call["params"]["chat_id"] == CHAT_ID
    assert call["params"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "1|again"
    assert fake.calls("sendMessage") == [] and fake.calls("sendPhoto") == []


async def test_a_chart_goes_as_a_photo(bot_app: PtbApp, router: Router, fake: FakeTelegram) -> None:
    await send(bot_app, router, [Reply("Biểu đồ tiến độ", attachment=CHART)])
    [call] = fake.calls("sendPhoto")
    assert call["files"]["photo"]["content"] == CHART.content
    assert call["params"]["caption"] == "Biểu đồ tiến độ"
    assert fake.calls("sendDocument") == []


async def test_a_text_too_long_for_a_caption_goes_first_then_the_file(
    bot_app: PtbApp,
    router: Router,
    fake: FakeTelegram,
) -> None:
    long_text = "Chi bộ thôn Đồng Tâm:" + " đã cập nhật." * 100  # over 1,024 characters
    await send(bot_app, router, [Reply(long_text, attachment=REPORT), Reply("Xong.")])
    methods = [call["method"] for call in fake.calls() if call["method"].startswith("send")]
    assert methods == ["sendMessage", "sendDocument", "sendMessage"]
    assert [call["params"]["text"] for call in fake.calls("sendMessage")] == [long_text, "Xong."]
    document = fake.calls("sendDocument")[0]
    assert "caption" not in document["params"] and document["files"]["document"]["content"] == REPORT.content
