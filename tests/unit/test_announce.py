"""/thongbao: a secretary to their cell, committee staff to a unit of their subtree; members are refused.
Write, preview with the number of recipients, confirm; afterwards the counts sent / blocked / failed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.catalog import core as t
from handlers.catalog import deliveries as d
from handlers.outbound import MessagePriority, SendOutcome, SendStatus
from handlers.router import Router
from handlers.services.deliveries import claim_due, record, recover_in_flight
from handlers.services.member_refs import member_ref
from storage.enums import BroadcastKind, DeliveryStatus
from storage.models import Broadcast, Delivery
from tests.review_support import linked
from tests.support import Database, FakeClock

TEXT = "Tối thứ Sáu 27/11 họp chi bộ lúc 19h30 tại nhà văn hóa thôn. <b>Đề nghị</b> các đồng chí dự đầy đủ & đúng giờ."
DONG_TAM = "Chi bộ thôn Đồng Tâm"


async def broadcasts(db: Database) -> list[Broadcast]:
    async with db.sessions() as session:
        return list((await session.scalars(select(Broadcast).order_by(Broadcast.id))).all())


async def deliveries(db: Database) -> list[Delivery]:
    async with db.sessions() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.member_id))).all())


def ask_text(unit: str, count: int) -> str:
    return d.ANNOUNCE_ASK_TEXT.format(unit=unit, count=count, maximum=2000)


async def test_a_secretary_announces_to_the_cell(router: Router, roster_db: Database, clock: FakeClock) -> None:
    member = await linked(router, roster_db, clock, "DV001", "1001")
    secretary = await linked(router, roster_db, clock, "DV002", "1002")

    await secretary.say("/thongbao")
    assert secretary.last_text == ask_text(DONG_TAM, 6)
    await secretary.say(TEXT)
    assert secretary.question.text == d.ANNOUNCE_PREVIEW.format(unit=DONG_TAM, text=TEXT, count=6, reachable=2)
    assert secretary.choices == [d.ANNOUNCE_SEND, d.ANNOUNCE_EDIT, t.CANCEL]
    confirm = secretary.payload_of(d.ANNOUNCE_SEND)
    await secretary.press(d.ANNOUNCE_SEND)

    [broadcast] = await broadcasts(roster_db)
    secretary.assert_said(d.ANNOUNCE_QUEUED.format(queued=2, number=broadcast.id))
    secretary.assert_menu()
    assert (broadcast.kind, broadcast.priority, broadcast.text) == (
        BroadcastKind.ANNOUNCEMENT.value,
        int(MessagePriority.ANNOUNCEMENT),
        TEXT,
    )
    rows = await deliveries(roster_db)
    assert len(rows) == 6  # every member of the cell: four without a linked account are skipped
    pending = [row for row in rows if row.status == DeliveryStatus.PENDING.value]
    assert len(pending) == 2
    sender = member_ref(broadcast.created_by_member_id or 0)  # DV002, named when the row is sent
    body = d.ANNOUNCE_HEADER.format(unit=DONG_TAM, sender=sender, text=TEXT)
    assert {row.text for row in pending} == {body}  # HTML stays text: it is sent without a parse mode

    await secretary.press_payload(confirm)  # pressed again: stale, nothing sent twice
    secretary.assert_said(t.STALE_CHOICE)
    assert len(await broadcasts(roster_db)) == 1
    assert member.user_id == "1001"


async def test_counts_afterwards(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await linked(router, roster_db, clock, "DV001", "1001")
    await linked(router, roster_db, clock, "DV004", "1004")
    secretary = await linked(router, roster_db, clock, "DV002", "1002")
    await secretary.say("/thongbao")
    await secretary.say(TEXT)
    await secretary.press(d.ANNOUNCE_SEND)
    async with roster_db.uow() as uow:
        first, second, third = await claim_due(uow, "telegram", clock.now(), 10)
        await uow.commit()
    async with roster_db.uow() as uow:
        await record(uow, first.delivery_id, SendOutcome(SendStatus.SENT), clock.now())
        await record(uow, second.delivery_id, SendOutcome(SendStatus.BLOCKED), clock.now())
        await recover_in_flight(uow, clock.now(), resend=True)  # the third's sender died: it goes again
        await uow.commit()

    await secretary.say("/thongbao")

    [broadcast] = await broadcasts(roster_db)
    line = d.ANNOUNCE_RECENT_LINE.format(
        number=broadcast.id,
        date="23/11/2026",
        unit=DONG_TAM,
        excerpt=TEXT[:39].rstrip() + "…",
        sent=1,
        blocked=1,
        failed=0,
        unknown=0,
        pending=1,
        skipped=3,
        resent=1,
    )
    assert secretary.all_texts[0] == f"{d.ANNOUNCE_RECENT_HEADER}\n{line}"
    assert secretary.last_text == ask_text(DONG_TAM, 6)
    assert third.delivery_id not in (first.delivery_id, second.delivery_id)


async def test_committee_staff_choose_a_unit_of_their_subtree(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    staff = await linked(router, roster_db, clock, "DV025", "1025")

    await staff.say("thong bao")  # bare words work too (Zalo has no command menu)
    assert staff.question.text == d.ANNOUNCE_CHOOSE_UNIT
    assert staff.choices == [
        "Đảng bộ xã Thanh Sơn",
        "Chi bộ thôn Đồng Tâm",
        "Chi bộ thôn Tân Lập",
        "Chi bộ Trường Tiểu học Thanh Sơn",
        t.CANCEL,
    ]
    await staff.say("3")
    assert staff.last_text == ask_text("Chi bộ thôn Tân Lập", 5)
    await staff.say("Thông báo lịch học chuyên đề.")
    await staff.press(d.ANNOUNCE_SEND)

    [broadcast] = await broadcasts(roster_db)
    async with roster_db.uow() as uow:
        unit = await uow.units.get(broadcast.unit_id or 0)
        assert unit is not None and unit.name == "Chi bộ thôn Tân Lập"
    assert len(await deliveries(roster_db)) == 5


async def test_the_whole_subtree(router: Router, roster_db: Database, clock: FakeClock) -> None:
    staff = await linked(router, roster_db, clock, "DV025", "1025")
    await staff.say("/announce")
    await staff.press("Đảng bộ xã Thanh Sơn")
    assert staff.last_text == ask_text("Đảng bộ xã Thanh Sơn", 16)  # 15 in three cells and the staff member


async def test_members_cannot_announce(router: Router, roster_db: Database, clock: FakeClock) -> None:
    member = await linked(router, roster_db, clock, "DV001", "1001")

    await member.say("/thongbao")

    assert member.all_texts == [d.ANNOUNCE_FORBIDDEN, t.MENU_PROMPT]
    assert await broadcasts(roster_db) == []


async def test_bad_texts_are_refused_and_the_question_stays(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    secretary = await linked(router, roster_db, clock, "DV002", "1002")
    await secretary.say("/thongbao")

    await secretary.say("x" * 5000)
    assert secretary.all_texts == [t.TEXT_TOO_LONG.format(length=5000, maximum=2000), ask_text(DONG_TAM, 6)]
    await secretary.say("   \u200b ")
    assert secretary.all_texts == [t.NOT_TEXT, ask_text(DONG_TAM, 6)]  # nothing left once cleaned
    await secretary.say("📢 Họp chi bộ 🎉")
    assert secretary.question.text.startswith(d.ANNOUNCE_PREVIEW.split("{text}")[0].format(unit=DONG_TAM))
    await secretary.press(d.ANNOUNCE_EDIT)
    assert secretary.last_text == ask_text(DONG_TAM, 6)
    await secretary.say("/huy")
    assert await broadcasts(roster_db) == []


async def test_forged_and_stale_buttons(router: Router, roster_db: Database, clock: FakeClock) -> None:
    staff = await linked(router, roster_db, clock, "DV025", "1025")
    await staff.say("/thongbao")
    nonce = staff.nonce
    async with roster_db.uow() as uow:
        [other] = await uow.units.find_by_name("Chi bộ tổ dân phố Hồng Hà")

    await staff.press_payload(f"{nonce}|{other.id}")  # a unit of another subtree
    assert staff.all_texts[0] == t.INVALID_CHOICE
    await staff.press_payload(f"{int(nonce) - 1}|{other.id}")
    assert staff.all_texts[0] == t.STALE_CHOICE
    await staff.say("2")
    assert staff.last_text == ask_text(DONG_TAM, 6)
    assert await broadcasts(roster_db) == []


async def test_a_secretary_moved_out_before_confirming_sends_nothing(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    secretary = await linked(router, roster_db, clock, "DV002", "1002")
    await secretary.say("/thongbao")
    await secretary.say(TEXT)
    async with roster_db.uow() as uow:
        moved = await uow.members.by_code("DV002")
        [elsewhere] = await uow.units.find_by_name("Chi bộ thôn Tân Lập")
        assert moved is not None
        moved.scope_unit_id = elsewhere.id
        moved.cell_id = elsewhere.id
        await uow.commit()
    clock.advance(minutes=5)

    await secretary.press(d.ANNOUNCE_SEND)

    assert secretary.all_texts[0] == d.ANNOUNCE_UNIT_GONE
    assert await broadcasts(roster_db) == []


async def test_quiet_hours_hold_for_announcements(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await linked(router, roster_db, clock, "DV001", "1001")
    secretary = await linked(router, roster_db, clock, "DV002", "1002")
    clock.advance(hours=12)  # 22:00 in Hà Nội
    await secretary.say("/thongbao")
    await secretary.say(TEXT)
    await secretary.press(d.ANNOUNCE_SEND)

    pending = [row for row in await deliveries(roster_db) if row.status == DeliveryStatus.PENDING.value]
    morning = clock.now() + timedelta(hours=9)  # 07:00
    assert {row.not_before for row in pending} == {morning}
