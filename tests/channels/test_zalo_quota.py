"""Zalo's monthly message quota: counted per local month, the operator warned once at 80%, and near the limit
announcements stop first (90%), then reminders (97%), replies last (100%)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_client import ZaloClient
from handlers.catalog import core as t
from handlers.outbound import MessagePriority
from handlers.router import Router
from handlers.services.quota import QuotaGuard, allowed
from storage.models import MessageQuota
from tests.fakes.fake_zalo import FakeZalo
from tests.support import TZ, Database, FakeClock
from tests.zalo_support import ZaloUser

A, R, P = MessagePriority.ANNOUNCEMENT, MessagePriority.REMINDER, MessagePriority.REPLY


@pytest.mark.parametrize(
    ("sent", "priority", "ok"),
    [
        (89, A, True),  # the 90th message of 100 may still be an announcement
        (90, A, False),
        (96, R, True),
        (97, R, False),
        (97, P, True),
        (99, P, True),
        (100, P, False),
    ],
)
def test_thresholds(sent: int, priority: MessagePriority, ok: bool) -> None:
    assert allowed(sent, 1, 100, priority) is ok


def test_no_limit_allows_everything() -> None:
    assert allowed(10**9, 5, 0, A)


async def test_counting_per_local_month_and_one_warning(
    db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    clock.current = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 23:30 on 30/11 in Hà Nội
    guard = QuotaGuard(db.uow, clock, TZ, "zalo", limit=10)
    await guard.count(7)
    assert not [r for r in caplog.records if "80%" in r.getMessage()]
    await guard.count(1)  # 8 of 10: the warning
    await guard.count(1)  # 9 of 10: no second warning
    warnings = [r.getMessage() for r in caplog.records if "80%" in r.getMessage()]
    assert warnings == [
        "zalo monthly quota: 8 of 10 messages sent in 2026-11 (80% reached); "
        "announcements stop at 90%, reminders at 97%"
    ]
    clock.current = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 00:30 on 1/12 in Hà Nội: a new month
    assert await guard.sent() == 0
    await guard.count(8)
    async with db.sessions() as session:
        quotas = (await session.scalars(select(MessageQuota))).all()
        rows = sorted((q.month, q.sent, q.warned_at is not None) for q in quotas)
    assert rows == [("2026-11", 9, True), ("2026-12", 8, True)]
    assert len([r for r in caplog.records if "80%" in r.getMessage()]) == 2  # once per month


async def test_a_batch_is_refused_whole(db: Database, clock: FakeClock) -> None:
    guard = QuotaGuard(db.uow, clock, TZ, "zalo", limit=100)
    await guard.count(95)
    assert await guard.allow(2, R)  # 97 after: still allowed
    assert not await guard.allow(3, R)  # 98 after: over the reminders' 97
    assert await guard.allow(5, P)
    assert not await guard.allow(6, P)


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


async def test_replies_on_zalo_are_counted_and_stop_at_the_limit(
    router: Router, roster_db: Database, clock: FakeClock, fake: FakeZalo
) -> None:
    guard = QuotaGuard(roster_db.uow, clock, TZ, "zalo", limit=8)
    async with ZaloClient(fake.token, fake.base_url) as client:
        user = ZaloUser(ZaloChannel(router, client, quota=guard), fake, "z-q")
        await user.link_as("DV001", roster_db, clock)  # 2 + 2 messages
        assert await guard.sent() == 4
        assert len(await user.say("/trogiup")) == 2
        assert await guard.sent() == 6
        assert await user.say("/dangky") == [fake.sent("z-q")[-1]["text"]]
        assert fake.sent("z-q")[-1]["text"].startswith(t.ASK_CONTENT)
        assert await guard.sent() == 7
        assert await user.say("/trogiup") == []  # two more would pass the limit of 8: held back
        assert await guard.sent() == 7
