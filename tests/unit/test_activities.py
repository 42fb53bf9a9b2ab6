"""/hoatdong: a cell's leader records a contest, seminar or writing contest with its participants (bad input asked
again, nothing saved before «Lưu»); committee staff see how many cells held one, by kind and per unit."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.router import Router
from handlers.services.activities import PARTICIPANTS_MAX, checked_participants
from handlers.services.errors import InvalidInput
from tests.chat import dialog
from tests.honours_support import add_activity
from tests.review_support import TODAY, linked
from tests.support import Database, FakeClock

TITLE = "Hội thi kể chuyện về tấm gương đạo đức Hồ Chí Minh"
TOO_MANY = cm.PARTICIPANTS_INVALID.format(maximum="100.000")


async def saved(db: Database) -> list[tuple[str, date, str, int]]:
    async with db.uow() as uow:
        return [(a.kind, a.held_on, a.title, a.participants) for a in await uow.honours.activities(2026, TODAY)]


async def test_record_a_contest_with_bad_input_on_every_step(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await ngoc.say("/hoatdong")
    assert ngoc.all_texts == [cm.ACTIVITIES_NONE.format(cell="Chi bộ thôn Đồng Tâm"), cm.CHOOSE]
    await ngoc.press(cm.ACTIVITY_NEW)
    assert ngoc.all_texts == [cm.ASK_ACTIVITY_KIND]
    assert ngoc.choices == ["Hội thi", "Tọa đàm", "Cuộc thi viết", "Hoạt động khác", t.CANCEL]
    await ngoc.press_payload(f"{ngoc.nonce}|party")  # a forged kind
    assert ngoc.all_texts == [t.INVALID_CHOICE, cm.ASK_ACTIVITY_KIND]
    await ngoc.say("hoi thi")
    for typed, message in (
        ("31/02/2026", t.DATE_INVALID.format(text="31/02/2026")),
        ("24/11/2026", cm.ACTIVITY_DATE_FUTURE.format(today="23/11/2026")),
        ("31/12/2024", cm.ACTIVITY_DATE_TOO_OLD.format(limit="01/01/2025")),
        ("tuần trước 🙂", t.DATE_FORMAT),
    ):
        await ngoc.say(typed)
        assert ngoc.all_texts == [message, cm.ASK_ACTIVITY_DATE]
    await ngoc.say("12/10/2026")
    assert ngoc.all_texts == [cm.ASK_ACTIVITY_TITLE]
    for typed, message in (
        ("   ", t.NOT_TEXT),
        ("Thi", t.TEXT_TOO_SHORT.format(minimum=5)),
        ("x" * 5000, t.TEXT_TOO_LONG.format(length=5000, maximum=500)),
    ):
        await ngoc.say(typed)
        assert ngoc.all_texts == [message, cm.ASK_ACTIVITY_TITLE]
    await ngoc.say(TITLE)
    for typed in ("²", "①", "٣", "0", "-5", "100001", "ba mươi", "<b>30</b>", "3,5"):
        await ngoc.say(typed)
        assert ngoc.all_texts == [TOO_MANY, cm.ASK_PARTICIPANTS], typed
    await ngoc.say("139 người")
    confirm = cm.CONFIRM_ACTIVITY.format(kind="Hội thi", title=TITLE, date="12/10/2026", participants="139")
    assert ngoc.all_texts == [confirm] and ngoc.choices == [cm.SAVE, t.CANCEL]
    assert await saved(roster_db) == []
    save = ngoc.payload_of(cm.SAVE)
    await ngoc.press(cm.SAVE)
    done = cm.ACTIVITY_SAVED.format(kind="Hội thi", title=TITLE, date="12/10/2026", participants="139")
    assert ngoc.all_texts == [done, t.MENU_PROMPT]
    await ngoc.press_payload(save)  # pressed twice
    assert ngoc.all_texts == [t.STALE_CHOICE, t.MENU_PROMPT]
    assert await saved(roster_db) == [("contest", date(2026, 10, 12), TITLE, 139)]
    await ngoc.say("hoạt động")
    line = cm.ACTIVITY_LINE.format(date="12/10/2026", kind="Hội thi", title=TITLE, participants="139")
    assert ngoc.all_texts[0] == "\n".join([cm.ACTIVITIES_HEADER.format(cell="Chi bộ thôn Đồng Tâm"), line])


async def test_cancel_in_the_middle_keeps_nothing(router: Router, roster_db: Database, clock: FakeClock) -> None:
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await ngoc.say("/activity")
    await ngoc.press(cm.ACTIVITY_NEW)
    await ngoc.press("Tọa đàm")
    await ngoc.press(cm.TODAY)
    await ngoc.say("Tọa đàm về phong cách nêu gương")
    await ngoc.say("/huy")
    assert ngoc.all_texts == [t.CANCELLED, t.MENU_PROMPT]
    assert await saved(roster_db) == []
    assert (await dialog(roster_db, user_id="222")).flow == "menu"


@pytest.mark.parametrize(
    ("typed", "count"),
    [("35", 35), ("2.510", 2510), ("2,510", 2510), ("2 510", 2510), (" 100.000 ", PARTICIPANTS_MAX), ("1", 1)],
)
def test_participants_typed_as_people_write_them(typed: str, count: int) -> None:
    assert checked_participants(typed) == count


@pytest.mark.parametrize("typed", ["", "2.51", "25.10", "1.000.001", "1e3", "0x10", "３５"])
def test_participants_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        checked_participants(typed)


async def test_the_committee_sees_cells_that_held_one(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await add_activity(roster_db, clock, "DV002", date(2026, 10, 12), 139)
    await add_activity(roster_db, clock, "DV002", date(2026, 11, 2), 30, "seminar")
    await add_activity(roster_db, clock, "DV012", date(2026, 9, 1), 2400, "writing")
    await add_activity(roster_db, clock, "DV016", date(2026, 9, 1), 50)  # another committee's cell
    await add_activity(roster_db, clock, "DV007", date(2025, 12, 20), 20)  # last year
    staff = await linked(router, roster_db, clock, "DV025", "2525")
    await staff.say("hoat dong")
    head = cm.COMMITTEE_ACTIVITIES.format(
        year=2026, unit="Đảng bộ xã Thanh Sơn", held=2, total=3, count=3, participants="2.569"
    )
    kinds = cm.COMMITTEE_ACTIVITY_KINDS.format(kinds="Hội thi 1, Tọa đàm 1, Cuộc thi viết 1")
    lines = [
        cm.COMMITTEE_ACTIVITY_CELL.format(unit="Chi bộ thôn Đồng Tâm", count=2, participants="169"),
        cm.COMMITTEE_ACTIVITY_CELL.format(unit="Chi bộ thôn Tân Lập", count=0, participants="0"),
        cm.COMMITTEE_ACTIVITY_CELL.format(unit="Chi bộ Trường Tiểu học Thanh Sơn", count=1, participants="2.400"),
    ]
    assert staff.all_texts == ["\n".join([head, kinds, *lines]), t.MENU_PROMPT]
