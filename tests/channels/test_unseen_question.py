"""The dialog state commits before the reply is sent; when the platform then refuses the reply, the question is
marked unseen, and the member's next message gets the question again instead of being read as its answer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_client import ZaloClient
from handlers.catalog import core as t
from handlers.router import Router
from tests.chat import dialog, everything
from tests.fakes.fake_zalo import FakeZalo
from tests.support import Database, FakeClock
from tests.telegram_support import USER, link_and_consent, start_app
from tests.zalo_support import ZaloUser

CONTENT = "Vận động 5 hộ trong thôn phân loại rác tại nguồn"
BAD_REQUEST = {"ok": False, "error_code": 400, "description": "Bad Request: something went wrong"}


async def test_telegram_a_refused_question_is_asked_again(
    router: Router, roster_db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await start_app(router)
    try:
        await link_and_consent(harness, roster_db, clock, "DV001")
        harness.request.fail_methods["sendMessage"] = (400, BAD_REQUEST)
        with caplog.at_level(logging.INFO):
            assert await harness.say("/dangky") == []  # the question (and the error notice) never arrived
        del harness.request.fail_methods["sendMessage"]
        assert (await dialog(roster_db, "telegram", str(USER))).step == "content"
        before = await everything(roster_db)
        sent = await harness.say(CONTENT)  # an answer to a question they never saw
        assert sent[0] == t.QUESTION_NOT_DELIVERED and sent[1].startswith(t.ASK_CONTENT.split("\n")[0])
        assert (await dialog(roster_db, "telegram", str(USER))).step == "content"
        assert await everything(roster_db) == before
        sent = await harness.say(CONTENT)  # now it is the answer
        assert (await dialog(roster_db, "telegram", str(USER))).step == "measures"
    finally:
        await harness.app.shutdown()
    assert any("question kept for the next message" in r.getMessage() for r in caplog.records)
    assert CONTENT not in caplog.text


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


@pytest.fixture
async def channel(router: Router, fake: FakeZalo) -> AsyncIterator[ZaloChannel]:
    async with ZaloClient(fake.token, fake.base_url, max_backoff=0.2) as client:
        yield ZaloChannel(router, client)


async def test_zalo_a_refused_question_is_asked_again(
    channel: ZaloChannel, fake: FakeZalo, roster_db: Database, clock: FakeClock
) -> None:
    user = ZaloUser(channel, fake, "z-an")
    await user.link_as("DV001", roster_db, clock)
    fake.fail_next("sendMessage", 400, "invalid param")  # not retried: the reply is lost
    assert await user.say("dang ky") == []
    assert (await dialog(roster_db, "zalo", "z-an")).step == "content"
    await user.say(CONTENT)
    assert user.texts[0] == t.QUESTION_NOT_DELIVERED and t.ASK_CONTENT.split("\n")[0] in user.question
    assert (await dialog(roster_db, "zalo", "z-an")).step == "content"
    await user.say(CONTENT)
    assert (await dialog(roster_db, "zalo", "z-an")).step == "measures"


async def test_a_question_shown_normally_takes_its_answer(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    harness = await start_app(router)
    try:
        await link_and_consent(harness, roster_db, clock, "DV001")
        await harness.say("/dangky")
        await harness.say(CONTENT)
        assert (await dialog(roster_db, "telegram", str(USER))).step == "measures"
    finally:
        await harness.app.shutdown()
