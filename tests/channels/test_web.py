"""The webhook server over real HTTP (aiohttp on 127.0.0.1, an ephemeral port) with the real PTB Application
pointed at the fake Bot API server: secrets, store-before-acknowledge, redeliveries, poison updates and the
drain of what an earlier run left behind."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.channels.telegram import TelegramBot, build_application
from bot.channels.telegram_webhook import TelegramEndpoint
from bot.files import FileLinks
from bot.housekeeping import housekeeping
from bot.inbox import Inbox
from bot.web import build_web_app, secret_matches
from handlers.catalog import core as t
from handlers.messages import Incoming
from handlers.router import Router
from storage.models import InboxUpdate
from tests.fakes.fake_telegram import FakeTelegram
from tests.support import Database, FakeClock
from tests.web_support import SECRET, TELEGRAM_HEADER, ZALO_HEADER, RecordingEndpoint, telegram_text

USER = 7001
HEADERS = {"telegram": TELEGRAM_HEADER, "zalo": ZALO_HEADER}


@dataclass
class Web:
    client: TestClient[Any, Any]
    inbox: Inbox
    fake: FakeTelegram
    db: Database
    telegram: TelegramEndpoint
    zalo: RecordingEndpoint

    async def post(self, platform: str, payload: dict[str, Any], secret: str | None = SECRET) -> ClientResponse:
        headers = {HEADERS[platform]: secret} if secret is not None else {}
        return await self.client.post(f"/webhook/{platform}", json=payload, headers=headers)

    async def rows(self) -> list[InboxUpdate]:
        async with self.db.sessions() as session:
            return list((await session.scalars(select(InboxUpdate).order_by(InboxUpdate.id))).all())


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


async def start_web(db: Database, router: Router, clock: FakeClock, fake: FakeTelegram, zalo: RecordingEndpoint) -> Web:
    bot = TelegramBot(build_application(fake.token, fake.base_url, router))
    await bot.start()
    telegram = TelegramEndpoint(bot.app)
    inbox = Inbox(db.uow, clock, [telegram, zalo], retry_delays=(0.0,))
    await inbox.start()
    links = FileLinks(db.uow, "https://bot.example.vn", SECRET, timedelta(hours=24), clock)
    client: TestClient[Any, Any] = TestClient(TestServer(build_web_app(inbox, SECRET, links), host="127.0.0.1"))
    await client.start_server()
    return Web(client, inbox, fake, db, telegram, zalo)


async def stop_web(web: Web) -> None:
    await web.client.close()
    await web.inbox.stop()
    await TelegramBot(web.telegram.app).stop()


@pytest.fixture
async def web(roster_db: Database, router: Router, clock: FakeClock, fake: FakeTelegram) -> AsyncIterator[Web]:
    harness = await start_web(roster_db, router, clock, fake, RecordingEndpoint())
    try:
        yield harness
    finally:
        await stop_web(harness)


# ---- secrets ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
@pytest.mark.parametrize("secret", [None, "", SECRET[:-1], SECRET + "x", "ü" * 5])
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(
    web: Web, platform: str, secret: str | None
) -> None:
    payload = telegram_text(1, USER, "/trogiup") if platform == "telegram" else {"id": "z1", "text": "x"}
    response = await web.post(platform, payload, secret)
    assert response.status == 403
    await web.inbox.join()
    assert await web.rows() == []
    assert web.fake.sent_messages() == [] and web.zalo.processed == []


async def test_the_secret_of_one_platform_is_looked_for_in_its_own_header(web: Web) -> None:
    response = await web.client.post(
        "/webhook/telegram", json=telegram_text(1, USER, "/trogiup"), headers={ZALO_HEADER: SECRET}
    )
    assert response.status == 403


def test_secrets_are_compared_exactly() -> None:
    assert secret_matches(SECRET, SECRET)
    assert not secret_matches(None, SECRET)
    assert not secret_matches("", SECRET)
    assert not secret_matches("Đ" + SECRET[1:], SECRET)


async def test_an_unknown_platform_is_not_found_and_health_is_ok(web: Web) -> None:
    assert (await web.client.post("/webhook/viber", json={}, headers={ZALO_HEADER: SECRET})).status == 404
    health = await web.client.get("/healthz")
    assert health.status == 200 and await health.json() == {"ok": True}


async def test_a_body_that_is_not_an_update_is_refused(web: Web) -> None:
    headers = {TELEGRAM_HEADER: SECRET}
    assert (await web.client.post("/webhook/telegram", data=b"{not json", headers=headers)).status == 400
    assert (await web.client.post("/webhook/telegram", json=[1, 2], headers=headers)).status == 400
    # well-formed JSON without an update id: acknowledged (so it is not redelivered forever), not stored
    assert (await web.post("telegram", {"message": {}})).status == 200
    assert await web.rows() == []


# ---- store, acknowledge, process ----------------------------------------------------------------------------


async def test_a_telegram_update_is_stored_acknowledged_then_answered_once(web: Web, clock: FakeClock) -> None:
    response = await web.post("telegram", telegram_text(501, USER, "xin chào"))
    assert response.status == 200 and await response.json() == {"ok": True}
    [row] = await web.rows()  # committed before the 200
    assert (row.platform, row.update_key) == ("telegram", f"{web.fake.bot_id}:501")
    assert row.received_at == clock.now()
    await web.inbox.join()
    assert web.fake.sent_texts(USER) == [t.STRANGER]
    [row] = await web.rows()
    assert row.processed_at == clock.now() and row.attempts == 1
    assert row.payload == {}  # processed: the message text is not kept


async def test_the_row_exists_before_the_acknowledgement_even_while_processing_waits(web: Web) -> None:
    web.zalo.gate = asyncio.Event()
    response = await web.post("zalo", {"id": "z-42", "text": "50"})
    assert response.status == 200
    [row] = await web.rows()
    assert (row.platform, row.update_key, row.processed_at) == ("zalo", "z-42", None)
    assert row.payload == {"id": "z-42", "text": "50"}
    web.zalo.gate.set()
    await web.inbox.join()
    assert web.zalo.keys() == ["z-42"]
    [row] = await web.rows()
    assert row.processed_at is not None


async def test_the_same_telegram_update_delivered_twice_is_handled_once(web: Web) -> None:
    update = telegram_text(600, USER, "/trogiup")
    first, second = await asyncio.gather(web.post("telegram", update), web.post("telegram", update))
    assert (first.status, second.status) == (200, 200)
    await web.inbox.join()
    third = await web.post("telegram", update)  # and once more after it was processed
    assert third.status == 200
    await web.inbox.join()
    assert web.fake.sent_texts(USER) == [t.STRANGER]
    assert len(await web.rows()) == 1


async def test_the_same_zalo_update_delivered_twice_is_processed_once(web: Web) -> None:
    for _ in range(3):
        assert (await web.post("zalo", {"id": "z-7", "text": "1"})).status == 200
    await web.inbox.join()
    assert web.zalo.keys() == ["z-7"] and web.zalo.attempts == {"z-7": 1}


async def test_the_key_is_the_polling_key_so_switching_modes_cannot_double_process(web: Web, router: Router) -> None:
    assert web.telegram.update_key({"update_id": 77}) == f"{web.fake.bot_id}:77"
    assert web.telegram.update_key({"update_id": "77"}) is None and web.telegram.update_key({}) is None
    # update 77 was handled (and answered) by the polling path before the switch (TelegramChannel keys it the same way)
    polled = Incoming("telegram", str(USER), f"{web.fake.bot_id}:77", text="/trogiup")
    assert await router.handle(polled) != []
    await router.replied(polled)
    assert (await web.post("telegram", telegram_text(77, USER, "/trogiup"))).status == 200
    await web.inbox.join()
    assert web.fake.sent_texts(USER) == []
    [row] = await web.rows()
    assert row.processed_at is not None


async def test_updates_of_a_platform_are_processed_in_arrival_order(web: Web) -> None:
    web.zalo.gate = asyncio.Event()
    for key in ("c", "a", "b"):
        assert (await web.post("zalo", {"id": key})).status == 200
    web.zalo.gate.set()
    await web.inbox.join()
    assert web.zalo.keys() == ["c", "a", "b"]


# ---- failures -------------------------------------------------------------------------------------------------


async def test_a_failing_update_is_retried_then_succeeds(web: Web) -> None:
    web.zalo.failures["flaky"] = 2
    assert (await web.post("zalo", {"id": "flaky"})).status == 200
    await web.inbox.join()
    assert web.zalo.keys() == ["flaky"] and web.zalo.attempts == {"flaky": 3}
    [row] = await web.rows()
    assert row.attempts == 3 and row.processed_at is not None


async def test_a_poison_update_is_given_up_and_does_not_block_the_queue(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    web.zalo.failures["poison"] = 10**6
    with caplog.at_level(logging.INFO):
        assert (await web.post("zalo", {"id": "poison", "text": "nội dung riêng tư"})).status == 200
        assert (await web.post("zalo", {"id": "fine", "text": "1"})).status == 200
        await web.inbox.join()
    assert web.zalo.attempts == {"poison": 3, "fine": 1}
    assert web.zalo.keys() == ["fine"]
    poison, fine = await web.rows()
    assert (poison.attempts, fine.attempts) == (3, 1)
    assert poison.processed_at is not None and fine.processed_at is not None
    gave_up = [r for r in caplog.records if r.levelno == logging.ERROR and "gave up" in r.getMessage()]
    assert len(gave_up) == 1 and "key=poison" in gave_up[0].getMessage()
    assert "nội dung riêng tư" not in caplog.text


# ---- restart: what the last run left is processed first ------------------------------------------------------


async def test_unprocessed_rows_are_drained_on_start_oldest_first(
    roster_db: Database, router: Router, clock: FakeClock, fake: FakeTelegram
) -> None:
    async with roster_db.uow() as uow:
        await uow.inbox.add_if_absent(
            "telegram", f"{fake.bot_id}:900", telegram_text(900, USER, "/trogiup"), clock.now()
        )
        for key in ("old", "new"):
            await uow.inbox.add_if_absent("zalo", key, {"id": key}, clock.now())
            clock.advance(seconds=1)
        await uow.inbox.add_if_absent("zalo", "done", {"id": "done"}, clock.now())
        done = await uow.inbox.find("zalo", "done")
        assert done is not None
        await uow.inbox.mark_processed(done.id, clock.now())
        # a row that took the process down three times: given up without a fourth try
        await uow.inbox.add_if_absent("zalo", "crasher", {"id": "crasher"}, clock.now())
        crasher = await uow.inbox.find("zalo", "crasher")
        assert crasher is not None
        for _ in range(3):
            await uow.inbox.count_attempt(crasher.id)
        await uow.commit()
    zalo = RecordingEndpoint()
    web = await start_web(roster_db, router, clock, fake, zalo)
    try:
        await web.inbox.join()
        assert zalo.keys() == ["old", "new"]
        assert "crasher" not in zalo.attempts
        assert await fake.wait_for_sent_async(USER, 1) and fake.sent_texts(USER) == [t.STRANGER]
        assert all(row.processed_at is not None for row in await web.rows())
    finally:
        await stop_web(web)


async def test_stopping_finishes_the_update_being_processed_and_leaves_the_rest_stored(web: Web) -> None:
    web.zalo.gate = asyncio.Event()
    for key in ("first", "second"):
        assert (await web.post("zalo", {"id": key})).status == 200
    await asyncio.sleep(0.05)  # the worker has taken "first" and waits at the gate
    stopping = asyncio.create_task(web.inbox.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()
    web.zalo.gate.set()
    await stopping
    assert web.zalo.keys() == ["first"]
    first, second = await web.rows()
    assert first.processed_at is not None and second.processed_at is None


async def test_housekeeping_forgets_old_processed_updates_only(web: Web, clock: FakeClock) -> None:
    for key in ("old", "kept"):
        assert (await web.post("zalo", {"id": key})).status == 200
    await web.inbox.join()
    web.zalo.gate = asyncio.Event()  # a third one stays unprocessed, however old
    assert (await web.post("zalo", {"id": "waiting"})).status == 200
    async with web.db.uow() as uow:
        kept = await uow.inbox.find("zalo", "kept")
        assert kept is not None
        await uow.inbox.mark_processed(kept.id, clock.now() + timedelta(days=3))
        await uow.commit()
    clock.advance(days=7, seconds=1)
    await housekeeping(web.db.uow, clock.now())
    assert [row.update_key for row in await web.rows()] == ["kept", "waiting"]
    web.zalo.gate.set()


async def test_a_telegram_update_ptb_cannot_read_is_given_up_and_the_next_one_answered(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        assert (await web.post("telegram", {"update_id": 700, "message": "not a message"})).status == 200
        assert (await web.post("telegram", telegram_text(701, USER, "/trogiup"))).status == 200
        await web.inbox.join()
    broken, fine = await web.rows()
    assert (broken.attempts, fine.attempts) == (3, 1)
    assert broken.processed_at is not None and fine.processed_at is not None
    assert web.fake.sent_texts(USER) == [t.STRANGER]
    assert any("gave up" in r.getMessage() and f"{web.fake.bot_id}:700" in r.getMessage() for r in caplog.records)
