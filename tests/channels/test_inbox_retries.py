"""Webhook updates whose processing fails are retried, then given up; stored updates too old are given up, never
replayed. Through the real stack: the inbox, the PTB Application (fake Bot API) and the router on SQLite."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from bot.channels.zalo import build_zalo
from bot.channels.zalo_webhook import ZaloEndpoint
from bot.inbox import Inbox
from handlers.catalog import core as t
from handlers.router import Router
from storage.models import ProcessedUpdate, ProgressEntry
from tests.chat import Chat, add_commitment
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZalo
from tests.support import Database, FakeClock
from tests.web_support import RecordingEndpoint, telegram_text
from tests.webhook_stack import WebhookStack, start_stack

USER = 7401
DEED = "Vận động 5 hộ phân loại rác"
NOTE = "Ghi chú riêng tư của đảng viên"


@dataclass
class Faults:
    """The database refuses statements starting with `prefix`, `remaining` more times, as a locked file would."""

    remaining: int = 0
    prefix: str = "INSERT INTO progress_entries"

    def before_execute(self, *args: Any) -> None:
        statement = args[2]
        if self.remaining > 0 and statement.lstrip().upper().startswith(self.prefix.upper()):
            self.remaining -= 1
            raise sqlite3.OperationalError("database is locked")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def faults(roster_db: Database) -> Iterator[Faults]:
    found = Faults()
    event.listen(roster_db.engine.sync_engine, "before_cursor_execute", found.before_execute)
    yield found
    event.remove(roster_db.engine.sync_engine, "before_cursor_execute", found.before_execute)


@pytest.fixture
async def member(roster_db: Database, router: Router, clock: FakeClock) -> None:
    await Chat(router, "telegram", str(USER)).link_as("DV001", roster_db, clock)
    await add_commitment(roster_db, clock, "DV001", DEED)


@pytest.fixture
async def stack(
    roster_db: Database, router: Router, clock: FakeClock, fake: FakeTelegram, member: None
) -> AsyncIterator[WebhookStack]:
    running = await start_stack(roster_db, router, clock, fake, retry_delays=(0.01, 0.02))
    try:
        yield running
    finally:
        await running.stop()


async def say(stack: WebhookStack, update_id: int, said: str) -> None:
    assert await stack.post_telegram(telegram_text(update_id, USER, said)) == 200
    await stack.inbox.join()


async def progress_entries(db: Database) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ProgressEntry)) or 0)


async def test_a_transient_database_error_is_retried_and_the_update_succeeds(
    stack: WebhookStack, roster_db: Database, fake: FakeTelegram, faults: Faults, caplog: pytest.LogCaptureFixture
) -> None:
    await say(stack, 1, "/capnhat")
    await say(stack, 2, "60")
    assert fake.sent_texts(USER)[-1].startswith(t.ASK_NOTE)
    faults.remaining = 1
    with caplog.at_level(logging.INFO):
        await say(stack, 3, NOTE)
    assert faults.remaining == 0  # the first attempt met the fault
    assert await progress_entries(roster_db) == 1
    replies = fake.sent_texts(USER)
    assert t.INTERNAL_ERROR not in replies
    assert sum(reply.startswith("Đã ghi nhận tiến độ 60%") for reply in replies) == 1
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert NOTE not in caplog.text
    [row] = [row for row in await stack.rows() if row.update_key.endswith(":3")]
    assert (row.attempts, row.processed_at is not None) == (2, True)


async def test_a_permanent_error_is_given_up_after_three_attempts_with_one_error_and_no_text(
    stack: WebhookStack, roster_db: Database, fake: FakeTelegram, faults: Faults, caplog: pytest.LogCaptureFixture
) -> None:
    await say(stack, 1, "/capnhat")
    await say(stack, 2, "60")
    faults.remaining = 10**6
    with caplog.at_level(logging.INFO):
        await say(stack, 3, NOTE)
    assert faults.remaining == 10**6 - 3
    assert await progress_entries(roster_db) == 0
    assert fake.sent_texts(USER)[-1] == t.INTERNAL_ERROR  # told once, when given up
    assert fake.sent_texts(USER).count(t.INTERNAL_ERROR) == 1
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1 and "gave up" in errors[0].getMessage() and "attempt" in errors[0].getMessage()
    assert NOTE not in caplog.text
    [row] = [row for row in await stack.rows() if row.update_key.endswith(":3")]
    assert (row.attempts, row.processed_at is not None, row.payload) == (3, True, {})
    await say(stack, 4, "/huy")  # the queue goes on
    assert fake.sent_texts(USER)[-1] != t.INTERNAL_ERROR


async def test_a_stored_update_older_than_the_cutoff_is_given_up_at_start_not_processed(
    roster_db: Database,
    router: Router,
    clock: FakeClock,
    fake: FakeTelegram,
    member: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = f"{fake.bot_id}"
    async with roster_db.uow() as uow:  # acknowledged before a crash: one long ago, one a few minutes ago
        await uow.inbox.add_if_absent("telegram", f"{key}:10", telegram_text(10, USER, "/thongbao"), clock.now())
        clock.advance(minutes=61)
        await uow.inbox.add_if_absent("telegram", f"{key}:11", telegram_text(11, USER, "/trogiup"), clock.now())
        await uow.commit()
    clock.advance(minutes=5)
    with caplog.at_level(logging.INFO):
        stack = await start_stack(roster_db, router, clock, fake, max_age=timedelta(hours=1))
        try:
            await stack.inbox.join()
            rows = await stack.rows()
        finally:
            await stack.stop()
    assert all(row.processed_at is not None and row.payload == {} for row in rows)
    assert [row.attempts for row in rows] == [0, 1]  # the old one was never tried
    async with roster_db.sessions() as session:  # the router saw only the recent one
        handled = (
            await session.scalars(select(ProcessedUpdate.update_key).where(ProcessedUpdate.platform == "telegram"))
        ).all()
    assert f"{key}:11" in handled and f"{key}:10" not in handled
    assert fake.sent_texts(USER)  # /trogiup was answered
    stale = [record for record in caplog.records if "too old" in record.getMessage()]
    assert len(stale) == 1 and stale[0].levelno == logging.WARNING and f"key={key}:10" in stale[0].getMessage()


@pytest.mark.parametrize(("failures", "told"), [(1, t.STRANGER), (10**6, t.INTERNAL_ERROR)], ids=["once", "always"])
async def test_zalo_updates_are_retried_then_given_up_the_same_way(
    roster_db: Database, router: Router, clock: FakeClock, faults: Faults, failures: int, told: str
) -> None:
    faults.prefix, faults.remaining = "INSERT INTO processed_updates", failures  # the router's first write
    with FakeZalo() as fake:
        channel = build_zalo(fake.token, fake.base_url, router)
        inbox = Inbox(roster_db.uow, clock, [ZaloEndpoint(channel)], retry_delays=(0.0,))
        await inbox.start()
        try:
            payload = fake.text_update("zalo-user-7", "xin chào")
            key = channel.update_key(payload)
            assert key is not None and await inbox.accept("zalo", key, payload)
            await inbox.join()
        finally:
            await inbox.stop()
            await channel.close()
        assert fake.sent_texts("zalo-user-7") == [told]
    assert faults.remaining == max(0, failures - 3)


async def test_when_the_inbox_bookkeeping_fails_for_a_moment_the_worker_tries_again_keeping_the_order(
    roster_db: Database, clock: FakeClock, faults: Faults
) -> None:
    endpoint = RecordingEndpoint()
    inbox = Inbox(roster_db.uow, clock, [endpoint], bookkeeping_retries=(0.01, 0.01))
    await inbox.start()
    try:
        faults.prefix, faults.remaining = "UPDATE inbox_updates SET attempts", 2  # counting the first attempt
        for key in ("first", "second"):
            assert await inbox.accept("zalo", key, {"id": key})
        await inbox.join()
    finally:
        await inbox.stop()
    assert faults.remaining == 0 and endpoint.keys() == ["first", "second"]
