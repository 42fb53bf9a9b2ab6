"""A member who blocked the bot: the platform refuses the reply (403). The account is marked unreachable, as the
sender marks it for a refused delivery, with one INFO line naming the account, no text, no traceback, no ERROR."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import select

from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_client import ZaloClient
from handlers.router import Router
from storage.models import ChatAccount
from tests.fakes.fake_zalo import FakeZalo
from tests.support import TZ, Database, FakeClock
from tests.telegram_support import USER, link_and_consent, start_app
from tests.zalo_support import ZaloUser

SECRET = "Ghi chú riêng của đồng chí 0912345678"
FORBIDDEN = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}


async def account_of(db: Database, platform: str, external_id: str) -> ChatAccount:
    async with db.sessions() as session:
        stmt = select(ChatAccount).where(ChatAccount.platform == platform, ChatAccount.external_id == external_id)
        return (await session.scalars(stmt)).one()


def assert_one_quiet_line(caplog: pytest.LogCaptureFixture, account_id: int) -> None:
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert not any(r.exc_info for r in caplog.records)
    [line] = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert line.levelno == logging.INFO and f"account_id={account_id}" in line.getMessage()
    assert SECRET not in caplog.text and "0912345678" not in caplog.text


async def test_telegram_reply_refused_marks_the_account(
    router: Router, roster_db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await start_app(router)
    try:
        await link_and_consent(harness, roster_db, clock, "DV001")
        await harness.say("/dangky")
        harness.request.fail_methods["sendMessage"] = (403, FORBIDDEN)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            assert await harness.say(SECRET) == []
    finally:
        await harness.app.shutdown()
    account = await account_of(roster_db, "telegram", str(USER))
    assert account.blocked_at == clock.now()
    assert_one_quiet_line(caplog, account.id)
    assert [c.status for c in harness.request.calls_of("sendMessage")][-1] == 403  # one try, no error notice after


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


@pytest.fixture
async def channel(router: Router, fake: FakeZalo) -> AsyncIterator[ZaloChannel]:
    async with ZaloClient(fake.token, fake.base_url, max_backoff=0.2) as client:
        yield ZaloChannel(router, client)


async def test_zalo_reply_refused_marks_the_account(
    channel: ZaloChannel, fake: FakeZalo, roster_db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    user = ZaloUser(channel, fake, "z-an")
    await user.link_as("DV001", roster_db, clock)
    await user.say("/dangky")
    fake.blocked_users.add("z-an")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert await user.say(SECRET) == []
    account = await account_of(roster_db, "zalo", "z-an")
    assert account.blocked_at == clock.now()
    assert_one_quiet_line(caplog, account.id)
    fake.blocked_users.clear()  # unblocked: writing again makes the account reachable again
    await user.say("/menu")
    assert (await account_of(roster_db, "zalo", "z-an")).blocked_at is None
    assert user.texts


async def test_the_router_forgets_nobody_when_the_account_is_unknown(roster_db: Database, clock: FakeClock) -> None:
    await Router(roster_db.uow, clock, TZ).unreachable("zalo", "nobody")  # a stranger's refused reply: nothing to mark
    async with roster_db.sessions() as session:
        assert (await session.scalars(select(ChatAccount).where(ChatAccount.blocked_at.is_not(None)))).all() == []
