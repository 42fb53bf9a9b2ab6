"""/tonghop with a period (choices, typed range, drill-down) and /baocao, through the router."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from handlers.catalog import core as t
from handlers.catalog import document as dc
from handlers.catalog import reports as rp
from handlers.reports.excel import MIME
from handlers.router import Router
from tests.chat import Chat, dialog, invite_code
from tests.report_world import DT, LEADING_SHEETS, MN, TH, THANH_SON, TL, World
from tests.support import TZ, Database, FakeClock

PERIOD_CHOICES = [rp.PERIOD_MONTH, rp.PERIOD_QUARTER, rp.PERIOD_YEAR, rp.PERIOD_RANGE, t.CANCEL]


@pytest.fixture
def world_router(world_db: Database, clock: FakeClock) -> Router:
    return Router(world_db.uow, clock, TZ)


async def linked(router: Router, db: Database, clock: FakeClock, code: str, user_id: str) -> Chat:
    """Link a chat account; members the world already gave consent to are not asked again."""
    chat = Chat(router, user_id=user_id)
    await chat.say(f"/start {await invite_code(db, clock, code)}")
    if chat.question.text == t.CONSENT_NOTICE:
        await chat.press(t.CONSENT_YES)
    chat.assert_menu()
    return chat


async def test_committee_picks_a_range_and_drills_down(
    world_router: Router, world_db: Database, clock: FakeClock
) -> None:
    db = world_db
    staff = await linked(world_router, db, clock, "DV025", "1025")
    await staff.say("/tonghop ky")
    assert staff.question.text == rp.PERIOD_ASK and staff.choices == PERIOD_CHOICES
    await staff.press(rp.PERIOD_RANGE)
    assert staff.all_texts == [rp.PERIOD_ASK_RANGE]
    await staff.say("31/02/2026-15/03/2026")
    assert staff.all_texts == [rp.PERIOD_BAD_DATE.format(text="31/02/2026"), rp.PERIOD_ASK_RANGE]  # asked again
    await staff.say("31/10/2026-01/10/2026")
    assert staff.all_texts[0] == rp.PERIOD_REVERSED.format(start="31/10/2026", end="01/10/2026")
    await staff.say("01/10/2026-31/10/2026")
    text, picture, question = staff.last_replies
    october = "từ 01/10/2026 đến 31/10/2026"
    assert text.text.startswith(rp.ROLLUP_HEADER.format(unit=THANH_SON, period=october, end="31/10/2026"))
    assert f"• {MN}: đăng ký 1/1 (100%)" in text.text
    assert "Tổng cộng 4 đơn vị, 13 đảng viên trong diện" in text.text
    assert picture.attachment is not None and picture.attachment.photo
    assert picture.attachment.content.startswith(b"\x89PNG")
    assert question.text == rp.DRILL_ASK
    other_periods = [rp.PERIOD_MONTH, rp.PERIOD_QUARTER, rp.PERIOD_YEAR, rp.PERIOD_RANGE, rp.DRILL_DONE]
    assert sorted(staff.choices[:4]) == sorted([DT, TL, TH, MN]) and staff.choices[4:] == other_periods
    await staff.press(TL)
    [detail, question] = staff.all_texts
    assert detail.startswith(rp.ROLLUP_HEADER.format(unit=TL, period="từ 01/10/2026 đến 31/10/2026", end="31/10/2026"))
    assert "Đảng viên trong diện theo dõi: 5" in detail  # DV011 was still in Tân Lập in October
    assert "Chưa đăng ký (2): Bùi Văn Hùng" not in detail
    assert question == rp.OTHER_PERIOD_ASK and staff.choices == other_periods
    await staff.press(rp.DRILL_DONE)
    staff.assert_menu()


async def test_forged_and_stale_unit_ids_are_refused(
    world_router: Router, world_db: Database, world: World, clock: FakeClock
) -> None:
    db = world_db
    staff = await linked(world_router, db, clock, "DV025", "1025")
    await staff.say("/tonghop thang")
    assert staff.question.text == rp.DRILL_ASK
    nonce = staff.nonce
    other = (await _unit_id(db, "Chi bộ tổ dân phố Hồng Hà"))
    for forged in (f"{nonce}|u{other}", f"{nonce}|u999999", f"{nonce}|u{world.units[THANH_SON]}"):
        await staff.press_payload(forged)
        assert staff.all_texts == [t.INVALID_CHOICE, rp.DRILL_ASK]
    assert (await dialog(db, user_id="1025")).step == "drill"
    await staff.press_payload(f"{int(nonce) - 1}|u{world.units[TL]}")  # a button of an older question
    assert staff.all_texts[0] == t.STALE_CHOICE
    await staff.say("Chi bộ không có thật")  # typing narrows the units: none match, the question stays
    assert staff.all_texts == [f"{rp.DRILL_ASK}\n{t.FILTER_NONE.format(query='Chi bộ không có thật')}"]
    assert (await dialog(db, user_id="1025")).step == "drill"
    await staff.press(rp.DRILL_DONE)
    staff.assert_menu()


async def test_quarter_as_argument_with_chart(
    world_router: Router, world_db: Database, clock: FakeClock
) -> None:
    db = world_db
    staff = await linked(world_router, db, clock, "DV025", "1025")
    await staff.say("/tonghop quy")
    text = staff.all_texts[0]
    assert text.startswith(rp.ROLLUP_HEADER.format(unit=THANH_SON, period="quý 4/2026", end="23/11/2026"))
    assert f"• {DT}: đăng ký 4/6 (66,7%) · cập nhật 4 (100%)" in text
    assert staff.last_replies[1].attachment is not None


async def test_secretary_cell_period_and_member_refused(
    world_router: Router, world_db: Database, clock: FakeClock
) -> None:
    db = world_db
    secretary = await linked(world_router, db, clock, "DV007", "1007")
    await secretary.say("/tonghop thang")
    [summary, question] = secretary.all_texts
    assert summary.startswith(rp.ROLLUP_HEADER.format(unit=TL, period="tháng 11/2026", end="23/11/2026"))
    assert "Cá nhân đã đăng ký năm 2026: 2/4 (50%)" in summary
    assert rp.ROLLUP_NOT_REGISTERED.format(count=2, names="Ngô Thị Thu Hà, Vũ Thị Mai") in summary
    assert question == rp.OTHER_PERIOD_ASK
    await secretary.say("/tonghop")  # this month by default: the same answer
    assert secretary.all_texts == [summary, rp.OTHER_PERIOD_ASK]
    await secretary.say("/tonghop hôm qua")
    assert secretary.all_texts == [rp.PERIOD_BAD_FORMAT, rp.OTHER_PERIOD_ASK]  # the question on screen stays
    member = await linked(world_router, db, clock, "DV010", "1010")
    await member.say("/tonghop quy")
    assert member.all_texts == [t.SUMMARY_FORBIDDEN, t.MENU_PROMPT]
    await member.say("/baocao")
    assert member.all_texts == [rp.REPORT_FORBIDDEN, t.MENU_PROMPT]
    await member.say("bao cao")
    assert member.all_texts == [rp.REPORT_FORBIDDEN, t.MENU_PROMPT]


async def test_baocao_asks_the_period_and_sends_the_workbook(
    world_router: Router, world_db: Database, clock: FakeClock
) -> None:
    db = world_db
    secretary = await linked(world_router, db, clock, "DV007", "1007")
    await secretary.say("/baocao")
    assert secretary.all_texts == [dc.ASK_FORMAT]
    await secretary.press(dc.FORMAT_XLSX)
    assert secretary.question.text == rp.PERIOD_ASK and secretary.choices == PERIOD_CHOICES
    await secretary.press(rp.PERIOD_YEAR)
    report, menu = secretary.last_replies
    assert report.text == rp.REPORT_READY.format(unit=TL, period="năm 2026")
    assert report.attachment is not None and report.attachment.mime == MIME
    book = load_workbook(io.BytesIO(report.attachment.content))
    assert book.sheetnames == [*LEADING_SHEETS, TL]
    assert menu.text == t.MENU_PROMPT
    staff = await linked(world_router, db, clock, "DV025", "1025")
    await staff.say("/baocao 01/11/2026-23/11/2026")
    assert staff.last_replies[0].attachment is not None
    sheets = load_workbook(io.BytesIO(staff.last_replies[0].attachment.content)).sheetnames
    assert sheets == [*LEADING_SHEETS, DT, TL, TH[:31]]


async def _unit_id(db: Database, name: str) -> int:
    async with db.uow() as uow:
        [unit] = await uow.units.find_by_name(name)
        return unit.id
