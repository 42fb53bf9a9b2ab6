"""One member on Telegram and Zalo: linking both with one-time codes, /kenh to choose where the bot's own messages
go, the account those messages use, and photos as evidence from Telegram too."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_client import ZaloClient
from handlers.catalog import channels as c
from handlers.catalog import core as t
from handlers.messages import Incoming
from handlers.router import Router
from handlers.services.channels import account_for_messages
from storage.models import ChatAccount, Evidence, Member
from tests.chat import Chat, add_commitment, new_key
from tests.fakes.fake_zalo import FakeZalo
from tests.support import Database, FakeClock
from tests.telegram_support import USER, link_and_consent, photo_update, start_app
from tests.zalo_support import ZaloUser


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


@pytest.fixture
async def zalo(router: Router, fake: FakeZalo) -> AsyncIterator[ZaloUser]:
    async with ZaloClient(fake.token, fake.base_url) as client:
        yield ZaloUser(ZaloChannel(router, client), fake, "z-an")


async def member(db: Database, code: str) -> Member:
    async with db.uow() as uow:
        found = await uow.members.by_code(code)
        assert found is not None
        return found


async def accounts(db: Database, code: str) -> list[ChatAccount]:
    async with db.sessions() as session:
        found = await member(db, code)
        return list((await session.scalars(select(ChatAccount).where(ChatAccount.member_id == found.id))).all())


async def test_one_platform_only(zalo: ZaloUser, roster_db: Database, clock: FakeClock) -> None:
    await zalo.link_as("DV001", roster_db, clock)
    only, menu = await zalo.say("/kenh")
    assert only == c.CHANNEL_ONLY_ONE.format(linked="Zalo")
    assert menu.startswith(t.MENU_PROMPT)


async def test_a_member_links_telegram_and_zalo_and_chooses(
    router: Router, zalo: ZaloUser, roster_db: Database, clock: FakeClock
) -> None:
    telegram = Chat(router, user_id="7001")
    await telegram.link_as("DV001", roster_db, clock)
    clock.advance(minutes=5)
    await zalo.link_as("DV001", roster_db, clock)  # a second code, typed on Zalo
    greeting = zalo.fake.sent(zalo.user_id)[0]["text"]
    assert greeting.endswith(c.HELP_CHANNEL.strip())  # the second platform: how to choose is said at once
    assert sorted(a.platform for a in await accounts(roster_db, "DV001")) == ["telegram", "zalo"]

    [ask] = await zalo.say("kênh nhận tin")
    assert ask.startswith(c.CHANNEL_ASK.format(current=c.CHANNEL_CURRENT_LAST, linked="Zalo, Telegram"))
    assert zalo.numbered() == [c.CHANNEL_LAST_USED, "Zalo", "Telegram", t.CANCEL]
    saved, _menu = await zalo.say("3")
    assert saved == c.CHANNEL_SAVED.format(where="Telegram")
    assert (await member(roster_db, "DV001")).preferred_platform == "telegram"

    await telegram.say("/kenh")
    assert telegram.question.text.startswith(c.CHANNEL_ASK.format(current="Telegram", linked="Zalo, Telegram"))
    await telegram.press("Zalo")
    assert telegram.all_texts[0] == c.CHANNEL_SAVED.format(where="Zalo")
    assert (await member(roster_db, "DV001")).preferred_platform == "zalo"

    await zalo.say("kenh")
    await zalo.say("noi toi dung gan nhat")  # the words of a choice, without diacritics
    assert zalo.texts[0] == c.CHANNEL_SAVED.format(where=c.CHANNEL_CURRENT_LAST)
    assert (await member(roster_db, "DV001")).preferred_platform is None


async def test_a_forged_platform_is_refused(router: Router, roster_db: Database, clock: FakeClock) -> None:
    telegram = Chat(router, user_id="7002")
    await telegram.link_as("DV002", roster_db, clock)
    async with roster_db.uow() as uow:  # a console account is no messaging platform
        found = await uow.members.by_code("DV002")
        assert found is not None
        await uow.accounts.add("zalo", "z-ngoc", found.id, clock.now())
        await uow.commit()
    await telegram.say("/kenh")
    await telegram.press_payload(f"{telegram.nonce}|console")
    assert telegram.all_texts[0] == t.INVALID_CHOICE
    assert (await member(roster_db, "DV002")).preferred_platform is None


def test_the_account_for_the_bots_own_messages(clock: FakeClock) -> None:
    now = clock.now()
    zalo = ChatAccount(id=1, platform="zalo", external_id="z", member_id=1, linked_at=now, last_seen_at=now)
    telegram = ChatAccount(
        id=2, platform="telegram", external_id="t", member_id=1, linked_at=now, last_seen_at=now + timedelta(hours=1)
    )
    console = ChatAccount(
        id=3, platform="console", external_id="c", member_id=1, linked_at=now, last_seen_at=now + timedelta(days=1)
    )
    every = [zalo, telegram, console]
    assert account_for_messages(every, None) is telegram  # the one used last (the terminal never)
    assert account_for_messages(every, "zalo") is zalo
    zalo.blocked_at = now
    assert account_for_messages(every, "zalo") is telegram  # the chosen one blocked the bot: the other
    assert account_for_messages([console], None) is None


async def test_a_telegram_photo_is_evidence_too(router: Router, roster_db: Database, clock: FakeClock) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", "Trồng 20 cây xanh ở nhà văn hóa")
    chat = Chat(router, user_id="7003")
    await chat.link_as("DV001", roster_db, clock)
    photo = Incoming("telegram", "7003", new_key(), image_ref="AgACAgUAAxkBAAIBQ2-largest")
    received, question = await router.handle(photo)
    assert received.text == c.PHOTO_RECEIVED_START and question.text.startswith(t.ASK_PERCENT.split("{")[0])
    await chat.say("40")
    await chat.press(t.SKIP)
    assert chat.all_texts[1] == c.PHOTOS_ATTACHED.format(count=1)
    async with roster_db.sessions() as session:
        [evidence] = (await session.scalars(select(Evidence))).all()
    assert (evidence.commitment_id, evidence.platform, evidence.file_ref) == (
        cid,
        "telegram",
        "AgACAgUAAxkBAAIBQ2-largest",
    )
    assert evidence.progress_entry_id is not None


async def test_a_telegram_photo_through_the_real_application(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    """PTB's Application with the channel's handlers: the largest size's file id becomes the evidence."""
    harness = await start_app(router)
    try:
        await add_commitment(roster_db, clock, "DV001", "Trồng 20 cây xanh ở nhà văn hóa")
        await link_and_consent(harness, roster_db, clock, "DV001")
        update = photo_update(harness._new_id(), USER, harness)
        assert update.message is not None and update.message.photo
        sent = await harness.process(update)
        assert sent[0] == c.PHOTO_RECEIVED_START and sent[1].startswith(t.ASK_PERCENT.split("{")[0])
        await harness.say("50")
        sent = await harness.say("Đã trồng 10 cây")
        assert sent[1] == c.PHOTOS_ATTACHED.format(count=1)
    finally:
        await harness.app.shutdown()
    async with roster_db.sessions() as session:
        [evidence] = (await session.scalars(select(Evidence))).all()
    assert (evidence.platform, evidence.file_ref) == ("telegram", update.message.photo[-1].file_id)


async def test_a_photo_in_the_middle_of_registering_is_no_answer(
    zalo: ZaloUser, roster_db: Database, clock: FakeClock
) -> None:
    await zalo.link_as("DV001", roster_db, clock)
    [ask] = await zalo.say("/dangky")
    assert await zalo.photo("https://photo-stal.zadn.vn/x.jpg") == [t.NOT_TEXT, ask]
    async with roster_db.sessions() as session:
        assert (await session.scalars(select(Evidence))).all() == []
