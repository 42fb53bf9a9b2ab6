"""At-least-once replies (issue 11): an update's replies commit with its effects and stay kept until the channel
sent them, so an instance dying between the commit and the send (the inbox's take-over, or the replay after a
restart) costs the member nothing: the update processed again sends the kept replies, once, and does nothing
twice. SQLite always; PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_client import ZaloClient, ZaloNetworkError
from bot.channels.zalo_webhook import ZaloEndpoint
from bot.inbox import LEASE_S, Inbox
from handlers.catalog import core as t
from handlers.router import Router
from storage.models import ProcessedUpdate
from tests.chat import invite_code
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZalo
from tests.support import TZ, Database, FakeClock, load_example_roster
from tests.web_support import telegram_text
from tests.webhook_stack import start_stack

USER = "z-outbox"
TELEGRAM_USER = 7501


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


async def kept_replies(db: Database) -> list[object]:
    """The replies still kept (SQL NULL once blanked: no JSON 'null' left behind either)."""
    async with db.sessions() as session:
        return list(await session.scalars(select(ProcessedUpdate.replies).where(ProcessedUpdate.replies.is_not(None))))


async def test_replies_lost_to_a_crash_are_sent_once_when_the_update_is_processed_again(
    any_db: Database, clock: FakeClock, fake: FakeZalo
) -> None:
    await load_example_roster(any_db, clock)
    code = await invite_code(any_db, clock, "DV001")
    router = Router(any_db.uow, clock, TZ)
    update = fake.text_update(USER, code)
    async with ZaloClient(fake.token, fake.base_url) as dying:
        pass  # the instance dies right after its commit: its sending no longer works (not a platform refusal)
    with pytest.raises(RuntimeError):
        await ZaloChannel(router, dying).handle(update)
    assert fake.sent(USER) == []
    assert len(await kept_replies(any_db)) == 1

    async with ZaloClient(fake.token, fake.base_url) as client:
        channel = ZaloChannel(router, client)
        await channel.handle(update)  # another instance takes the update over (or this one replays it)
        await channel.handle(update)  # and once more: the replies were sent, nothing is kept any more

    texts = fake.sent_texts(USER)
    assert len(texts) == 2, texts  # the greeting and the consent notice, once each
    assert texts[0].startswith(t.LINKED.split("{", 1)[0])
    assert texts[1].startswith(t.CONSENT_NOTICE)
    assert await kept_replies(any_db) == []  # the texts do not linger


async def test_replies_sent_at_once_are_not_kept(any_db: Database, clock: FakeClock, fake: FakeZalo) -> None:
    router = Router(any_db.uow, clock, TZ)
    update = fake.text_update(USER, "xin chào")
    async with ZaloClient(fake.token, fake.base_url) as client:
        channel = ZaloChannel(router, client)
        await channel.handle(update)
        await channel.handle(update)  # a redelivery: skipped, nothing sent again
    assert fake.sent_texts(USER) == [t.STRANGER]
    assert await kept_replies(any_db) == []


async def test_telegram_webhook_replies_are_sent_and_not_kept(any_db: Database, clock: FakeClock) -> None:
    with FakeTelegram() as telegram:
        stack = await start_stack(any_db, Router(any_db.uow, clock, TZ), clock, telegram)
        try:
            assert await stack.post_telegram(telegram_text(501, TELEGRAM_USER, "xin chào")) == 200
            await stack.inbox.join()
        finally:
            await stack.stop()
        assert telegram.sent_texts(TELEGRAM_USER) == [t.STRANGER]
    assert await kept_replies(any_db) == []


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A server that takes connections and never answers: a send to it hangs until the sender is killed."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


async def test_an_instance_killed_before_the_send_leaves_the_replies_to_the_one_taking_over(
    any_db: Database, clock: FakeClock, fake: FakeZalo
) -> None:
    router = Router(any_db.uow, clock, TZ)
    update = fake.text_update(USER, "xin chào")
    async with ZaloClient(fake.token, fake.base_url) as client:
        with silent_server() as nowhere:
            async with ZaloClient(fake.token, nowhere) as hanging:
                dying = Inbox(any_db.uow, clock, [ZaloEndpoint(ZaloChannel(router, hanging))], owner="a", poll_s=0.02)
                await dying.start()
                assert await dying.accept("zalo", str(ZaloChannel.update_key(update)), update)
                while not await kept_replies(any_db):  # committed, now sending into the void
                    await asyncio.sleep(0.02)
                await dying.stop(grace_s=0)  # killed: the job is cancelled mid-send, the row stays leased to "a"
        assert fake.sent(USER) == []
        clock.advance(seconds=LEASE_S + 1)  # the lease lapses
        taker = Inbox(any_db.uow, clock, [ZaloEndpoint(ZaloChannel(router, client))], owner="b", poll_s=0.02)
        await taker.start()
        try:
            await taker.join()
        finally:
            await taker.stop()
    assert fake.sent_texts(USER) == [t.STRANGER]
    assert await kept_replies(any_db) == []


class DiesAfter(ZaloClient):
    """A client whose instance is killed after `messages` sends went (not a platform refusal: a crash)."""

    def __init__(self, token: str, base_url: str, messages: int) -> None:
        super().__init__(token, base_url)
        self.left = messages

    async def send_message(self, chat_id: str, text: str) -> Any:
        if self.left == 0:
            raise RuntimeError("killed")
        self.left -= 1
        return await super().send_message(chat_id, text)


async def test_a_crash_between_two_replies_leaves_only_the_second_to_the_one_taking_over(
    any_db: Database, clock: FakeClock, fake: FakeZalo
) -> None:
    """Each reply that went is struck off the kept ones at once: a take-over after a crash between the replies of
    one update sends only those that had not gone (before: all of them again, the first one twice; a scripted
    person in the scale-out test then read the repeat as the answer to its next message)."""
    await load_example_roster(any_db, clock)
    code = await invite_code(any_db, clock, "DV001")
    router = Router(any_db.uow, clock, TZ)
    update = fake.text_update(USER, code)  # two replies: the greeting, the consent notice
    async with DiesAfter(fake.token, fake.base_url, messages=1) as dying:
        with pytest.raises(RuntimeError):
            await ZaloChannel(router, dying).handle(update)
    assert len(fake.sent(USER)) == 1
    async with ZaloClient(fake.token, fake.base_url) as client:
        await ZaloChannel(router, client).handle(update)  # taken over
    texts = fake.sent_texts(USER)
    assert len(texts) == 2, texts  # each once
    assert texts[0].startswith(t.LINKED.split("{", 1)[0])
    assert texts[1].startswith(t.CONSENT_NOTICE)
    assert await kept_replies(any_db) == []


class NoAnswerOnce(ZaloClient):
    """Zalo does not answer the first send (a timeout, a reset): whether it went is not known."""

    def __init__(self, token: str, base_url: str) -> None:
        super().__init__(token, base_url)
        self.failed = False

    async def send_message(self, chat_id: str, text: str) -> Any:
        if not self.failed:
            self.failed = True
            raise ZaloNetworkError("sendMessage", "ReadTimeout", maybe_sent=True)
        return await super().send_message(chat_id, text)


async def test_a_reply_zalo_did_not_answer_is_kept_and_sent_when_the_inbox_tries_again(
    any_db: Database, clock: FakeClock, fake: FakeZalo
) -> None:
    """No answer to a reply's send: the update fails (the inbox tries it again) and the reply stays kept, so the
    next try sends it (before: the reply was dropped as if sent, the question marked unseen, nothing retried: a
    member waiting for the answer got nothing)."""
    router = Router(any_db.uow, clock, TZ)
    update = fake.text_update(USER, "xin chào")
    async with NoAnswerOnce(fake.token, fake.base_url) as client:
        endpoint = ZaloEndpoint(ZaloChannel(router, client))
        with pytest.raises(ZaloNetworkError):
            await endpoint.process(update)
        assert fake.sent(USER) == []
        assert len(await kept_replies(any_db)) == 1
        await endpoint.process(update)  # the inbox's next attempt
    assert fake.sent_texts(USER) == [t.STRANGER]
    assert await kept_replies(any_db) == []
