"""Invite codes expire, are issued only to members not yet linked (unless relinking), may be bound to a platform;
a new account of a member warns every account they already have; the operator lists and unlinks accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.settings import Settings
from handlers.catalog import channels as c
from handlers.catalog import core as t
from handlers.router import Router
from handlers.services.accounts import member_accounts, unlink_account
from handlers.services.deliveries import OutgoingMessage, claim_due, enqueue
from handlers.services.errors import NotFound
from handlers.services.invites import DEFAULT_INVITE_TTL, issue_invites
from storage.enums import BroadcastKind, DeliveryStatus
from storage.models import Broadcast
from tests.accounts_support import account_id, accounts_of, code_for, deliveries, link_chat
from tests.chat import Chat
from tests.support import TZ, Database, FakeClock

CELL = "Chi bộ thôn Đồng Tâm"


async def test_a_code_works_until_it_expires(router: Router, roster_db: Database, clock: FakeClock) -> None:
    assert timedelta(days=14) == DEFAULT_INVITE_TTL
    assert Settings(_env_file=None).invite_ttl_days == 14  # type: ignore[call-arg]
    first, second = await code_for(roster_db, clock, "DV001"), await code_for(roster_db, clock, "DV004")
    clock.advance(days=14, seconds=-60)
    in_time = Chat(router, user_id="501")
    await in_time.say(f"/start {first}")
    assert in_time.question.text == t.CONSENT_NOTICE
    clock.advance(seconds=61)
    late = Chat(router, user_id="502")
    await late.say(f"/start {second}")
    assert late.all_texts == [t.CODE_EXPIRED.format(code=second)]
    assert await accounts_of(roster_db, "DV004") == []
    async with roster_db.uow() as uow:  # an expired code counts as a wrong one (someone may be trying old codes)
        assert await uow.accounts.link_failures_since("telegram", "502", clock.now() - timedelta(minutes=1)) == 1


async def test_the_time_to_live_is_the_operators_and_printed(roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        batch = await issue_invites(uow, clock.now(), member_code="DV001", ttl=timedelta(days=3))
        await uow.commit()
    [line] = batch.issued
    assert line.expires_at == clock.now() + timedelta(days=3)
    clock.advance(days=1)
    async with roster_db.uow() as uow:  # the same unused code again, with its own expiry
        [again] = (await issue_invites(uow, clock.now(), member_code="DV001", ttl=timedelta(days=3))).issued
        await uow.commit()
    assert (again.code, again.expires_at) == (line.code, line.expires_at)
    clock.advance(days=2, seconds=1)
    async with roster_db.uow() as uow:  # expired: a fresh code replaces it
        [fresh] = (await issue_invites(uow, clock.now(), member_code="DV001", ttl=timedelta(days=3))).issued
        await uow.commit()
    assert fresh.code != line.code and fresh.expires_at == clock.now() + timedelta(days=3)


async def test_linked_members_are_skipped_unless_relinking(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await link_chat(Chat(router, user_id="601"), await code_for(roster_db, clock, "DV001"))
    async with roster_db.uow() as uow:
        batch = await issue_invites(uow, clock.now(), unit_name=CELL)
        await uow.commit()
    assert [s.member_code for s in batch.skipped] == ["DV001"]
    assert batch.skipped[0].linked_platforms == ("telegram",)
    assert sorted(line.member_code for line in batch.issued) == ["DV002", "DV003", "DV004", "DV005", "DV006"]
    async with roster_db.uow() as uow:  # a second platform: only members linked on that platform are skipped
        zalo = await issue_invites(uow, clock.now(), unit_name=CELL, platform="zalo")
        telegram = await issue_invites(uow, clock.now(), member_code="DV001", platform="telegram")
        relinked = await issue_invites(uow, clock.now(), member_code="DV001", relink=True)
        await uow.commit()
    assert "DV001" in [line.member_code for line in zalo.issued] and zalo.skipped == []
    assert telegram.issued == [] and [s.member_code for s in telegram.skipped] == ["DV001"]
    assert [line.member_code for line in relinked.issued] == ["DV001"]


async def test_a_code_for_zalo_does_not_link_telegram(router: Router, roster_db: Database, clock: FakeClock) -> None:
    code = await code_for(roster_db, clock, "DV001", platform="zalo")
    chat = Chat(router, user_id="701")
    await chat.say(code)
    assert chat.all_texts == [t.CODE_OTHER_PLATFORM.format(code=code, platform="Zalo")]
    assert await accounts_of(roster_db, "DV001") == []
    zalo = Chat(router, platform="zalo", user_id="z701")
    await zalo.say(code)
    assert zalo.question.text == t.CONSENT_NOTICE


async def test_a_new_account_warns_every_existing_account_at_once(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await link_chat(Chat(router, user_id="801"), await code_for(roster_db, clock, "DV001"))
    telegram = await account_id(roster_db, "telegram", "801")
    await link_chat(Chat(router, platform="zalo", user_id="z801"), await code_for(roster_db, clock, "DV001"))
    zalo = await account_id(roster_db, "zalo", "z801")
    [first] = await deliveries(roster_db)  # the member's own second platform: the first account hears of it too
    assert (first.account_id, first.text) == (
        telegram,
        c.NEW_DEVICE_NOTICE.format(platform="Zalo", time="23/11/2026 10:00"),
    )
    clock.current = datetime(2026, 11, 23, 22, 30, tzinfo=TZ).astimezone(UTC)  # quiet hours: warned anyway
    newcomer = Chat(router, user_id="802")
    await newcomer.say(f"/start {await code_for(roster_db, clock, 'DV001')}")
    newcomer.assert_menu()  # consent is the member's, given once
    rows = (await deliveries(roster_db))[1:]
    assert sorted(row.account_id for row in rows) == sorted([telegram, zalo])
    text = c.NEW_DEVICE_NOTICE.format(platform="Telegram", time="23/11/2026 22:30")
    assert all(row.text == text and row.not_before is None for row in rows)
    assert all(row.status == DeliveryStatus.PENDING.value for row in rows)


async def test_the_first_account_and_the_terminal_warn_nobody(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    async with roster_db.uow() as uow:
        member = await uow.members.by_code("DV001")
        assert member is not None
        await uow.accounts.add("console", "DV001", member.id, clock.now())
        await uow.commit()
    await link_chat(Chat(router, user_id="811"), await code_for(roster_db, clock, "DV001"))
    assert await deliveries(roster_db) == []


async def test_a_relinked_newcomer_does_not_silently_take_the_reminders(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    owner = Chat(router, user_id="901")
    await link_chat(owner, await code_for(roster_db, clock, "DV001"))
    clock.advance(hours=1)
    newcomer = Chat(router, user_id="902")
    await link_chat(newcomer, await code_for(roster_db, clock, "DV001"))
    owner_id, newcomer_id = (
        await account_id(roster_db, "telegram", "901"),
        await account_id(roster_db, "telegram", "902"),
    )
    clock.advance(minutes=1)
    async with roster_db.uow() as uow:  # the warning is claimed before anything else goes anywhere
        [warning] = await claim_due(uow, "telegram", clock.now(), 10)
        await uow.commit()
    assert warning.account_id == owner_id and warning.replies[0].text == c.NEW_DEVICE_NOTICE.format(
        platform="Telegram", time="23/11/2026 11:00"
    )

    async def reminder_account() -> int | None:
        async with roster_db.uow() as uow:
            member = await uow.members.by_code("DV001")
            assert member is not None
            broadcast = Broadcast(
                kind=BroadcastKind.PROGRESS_REMINDER.value, priority=1, state="pending", total=0, created_at=clock.now()
            )
            await enqueue(uow, broadcast, [OutgoingMessage(member.id, "Nhắc việc")], clock.now(), TZ)
            await uow.commit()
        return (await deliveries(roster_db))[-1].account_id

    assert await reminder_account() == newcomer_id  # the device used last, as the warning told the owner
    clock.advance(minutes=20)
    await owner.say("/menu")  # the owner writes again: the bot's messages come back to them
    assert await reminder_account() == owner_id


async def test_the_operator_lists_accounts_with_masked_ids(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await link_chat(Chat(router, user_id="123456789"), await code_for(roster_db, clock, "DV002"))
    clock.advance(hours=2)
    await link_chat(Chat(router, platform="zalo", user_id="a1b2c3d4e5f6"), await code_for(roster_db, clock, "DV002"))
    async with roster_db.uow() as uow:
        member, lines = await member_accounts(uow, "DV002")
    assert member.code == "DV002"
    assert [(line.platform, line.masked_id) for line in lines] == [("telegram", "…6789"), ("zalo", "…e5f6")]
    assert lines[0].linked_at == clock.now() - timedelta(hours=2) and lines[1].last_seen_at == clock.now()
    assert all(line.blocked_at is None for line in lines)
    assert all("123456789" not in repr(line) for line in lines)


async def test_unlinking_one_account(router: Router, roster_db: Database, clock: FakeClock) -> None:
    owner, stranger = Chat(router, user_id="1001"), Chat(router, user_id="1002")
    await link_chat(owner, await code_for(roster_db, clock, "DV002"))
    await link_chat(stranger, await code_for(roster_db, clock, "DV002"))
    await stranger.say("/thongbao")  # in a flow: its dialog state is stored
    unwanted = await account_id(roster_db, "telegram", "1002")
    async with roster_db.uow() as uow:  # a pending message to the unwanted account
        member = await uow.members.by_code("DV002")
        assert member is not None
        broadcast = Broadcast(kind="notice", priority=1, state="pending", total=0, created_at=clock.now())
        await enqueue(
            uow, broadcast, [OutgoingMessage(member.id, "Tin riêng", account_id=unwanted)], clock.now(), TZ
        )
        await uow.commit()
    before = len(await deliveries(roster_db))
    async with roster_db.uow() as uow:
        removed, told = await unlink_account(uow, "DV002", unwanted, clock.now(), TZ)
        await uow.commit()
    assert (removed.platform, removed.masked_id, told) == ("telegram", "…02", 1)
    assert [a.external_id for a in await accounts_of(roster_db, "DV002")] == ["1001"]
    async with roster_db.uow() as uow:
        assert await uow.dialogs.load(unwanted) is None
    rows = await deliveries(roster_db)
    assert [r.status for r in rows if r.text == "Tin riêng"] == [DeliveryStatus.SKIPPED.value]
    told = rows[before:]
    owner_id = await account_id(roster_db, "telegram", "1001")
    assert [(r.account_id, r.text) for r in told] == [
        (owner_id, c.DEVICE_UNLINKED_NOTICE.format(platform="Telegram", time="23/11/2026 10:00"))
    ]
    await stranger.say("/thongbao")
    assert stranger.all_texts == [t.STRANGER]


@pytest.mark.parametrize("which", ["unknown", "another member's"])
async def test_unlinking_refuses_an_account_not_of_that_member(
    router: Router, roster_db: Database, clock: FakeClock, which: str
) -> None:
    await link_chat(Chat(router, user_id="1101"), await code_for(roster_db, clock, "DV001"))
    other = await account_id(roster_db, "telegram", "1101")
    async with roster_db.uow() as uow:
        with pytest.raises(NotFound):
            await unlink_account(uow, "DV002", 9999 if which == "unknown" else other, clock.now(), TZ)
    assert len(await accounts_of(roster_db, "DV001")) == 1
