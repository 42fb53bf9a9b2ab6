"""Even at LOG_LEVEL=DEBUG the log holds no member's name, phone or note, no link signature and no secret:
a failing update (the database refuses a write mid-update) and a file download, through the real webhook stack."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from handlers.catalog import core as t
from handlers.messages import Attachment
from handlers.router import Router
from tests.chat import Chat, add_commitment, member_id
from tests.fakes.fake_telegram import FakeTelegram
from tests.log_capture import bot_log
from tests.support import Database, FakeClock
from tests.web_support import SECRET, telegram_text
from tests.webhook_stack import LINK_KEY, WebhookStack, start_stack

USER = 7301
NAME, PHONE = "Nguyễn Văn An", "0900000001"  # DV001 in examples/roster.csv
DEED = "Giúp bà Lò Thị Mây ở bản Suối Cỏ sửa mái nhà"
NOTE = "Đã đưa ông Hà Văn Tám đi khám ở trạm y tế"
REPORT = Attachment("Báo cáo riêng.xlsx", b"PK\x03\x04 report", "application/vnd.ms-excel")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def debug_log(fake: FakeTelegram) -> Iterator[io.StringIO]:
    with bot_log("DEBUG", [fake.token, SECRET, LINK_KEY]) as buffer:
        yield buffer


@pytest.fixture
async def stack(
    roster_db: Database, router: Router, clock: FakeClock, fake: FakeTelegram
) -> AsyncIterator[WebhookStack]:
    chat = Chat(router, "telegram", str(USER))
    await chat.link_as("DV001", roster_db, clock)
    await add_commitment(roster_db, clock, "DV001", DEED)
    running = await start_stack(roster_db, router, clock, fake)
    try:
        yield running
    finally:
        await running.stop()


async def refuse_progress_notes(db: Database) -> None:
    """From now on the database refuses to store a progress entry (a fault in the middle of an update)."""
    async with db.engine.begin() as connection:
        refuse = "CREATE TRIGGER refuse_progress BEFORE INSERT ON progress_entries BEGIN SELECT RAISE(ABORT, 'io'); END"
        await connection.execute(text(refuse))


async def test_a_debug_log_of_a_failing_update_and_a_download_holds_nothing_private(
    debug_log: io.StringIO, stack: WebhookStack, roster_db: Database, fake: FakeTelegram
) -> None:
    for update_id, said in enumerate(["/dulieu", "/capnhat", "60"], start=1):
        assert await stack.post_telegram(telegram_text(update_id, USER, said)) == 200
        await stack.inbox.join()
    assert any(PHONE in sent for sent in fake.sent_texts(USER))  # /dulieu showed the record: it went through PTB
    await refuse_progress_notes(roster_db)
    assert await stack.post_telegram(telegram_text(4, USER, NOTE)) == 200
    await stack.inbox.join()
    assert fake.sent_texts(USER)[-1] == t.INTERNAL_ERROR

    link = await stack.links.link_for(REPORT, await member_id(roster_db, "DV001"))
    status, body = await stack.get(stack.local(link))
    assert (status, body) == (200, REPORT.content)
    signature = parse_qs(urlsplit(link).query)["s"][0]
    token = urlsplit(link).path.rsplit("/", 1)[1]

    logged = debug_log.getvalue()
    assert "IntegrityError" in logged and "Traceback" in logged  # the failure is there, for the operator
    assert "GET /files/" in logged and " 200 " in logged  # and the download
    for private in (NAME, PHONE, DEED, NOTE, signature, token, fake.token, SECRET, LINK_KEY):
        assert private not in logged, private
