"""Meeting days: the date rules (month ends, nth and last weekdays), due times in local time, and /lichhop."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from handlers.catalog import core as t
from handlers.catalog import reminders as rc
from handlers.router import Router
from handlers.services.schedules import (
    DIGEST,
    LAST_WEEK,
    MEMBER_REMINDER,
    MONTHDAY,
    WEEKDAY,
    Rule,
    due_times,
    meeting_on,
    next_meetings,
    parse_rule,
    previous_meeting,
)
from storage.models import MeetingSchedule
from tests.chat import dialog
from tests.review_support import linked
from tests.support import TZ, Database, FakeClock

DONG_TAM = "Chi bộ thôn Đồng Tâm"


def schedule(**fields: object) -> MeetingSchedule:
    values: dict[str, object] = {
        "unit_id": 1,
        "rule": MONTHDAY,
        "remind_days_before": 3,
        "digest_days_before": 1,
        "send_hour": 8,
        "active": True,
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(fields)
    return MeetingSchedule(**values)


# --- pure date rules ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "year", "month", "expected"),
    [
        (4, 2026, 12, date(2026, 12, 4)),
        (31, 2026, 4, date(2026, 4, 30)),  # the 31st in a 30-day month: its last day
        (31, 2026, 5, date(2026, 5, 31)),
        (29, 2026, 2, date(2026, 2, 28)),
        (30, 2028, 2, date(2028, 2, 29)),  # leap year
        (29, 2028, 2, date(2028, 2, 29)),
        (31, 2027, 2, date(2027, 2, 28)),
        (1, 2027, 1, date(2027, 1, 1)),
    ],
)
def test_a_day_of_the_month_is_capped_at_the_months_end(day: int, year: int, month: int, expected: date) -> None:
    assert meeting_on(Rule(MONTHDAY, day=day), year, month) == expected


@pytest.mark.parametrize(
    ("weekday", "week", "year", "month", "expected"),
    [
        (4, LAST_WEEK, 2026, 11, date(2026, 11, 27)),  # last Friday; 30/11 is a Monday
        (4, LAST_WEEK, 2026, 2, date(2026, 2, 27)),  # 28/02/2026 is a Saturday
        (0, LAST_WEEK, 2026, 11, date(2026, 11, 30)),  # the last day itself
        (0, 1, 2026, 12, date(2026, 12, 7)),  # first Monday; 01/12 is a Tuesday
        (1, 1, 2026, 12, date(2026, 12, 1)),  # first Tuesday is the 1st
        (0, 4, 2026, 11, date(2026, 11, 23)),
        (6, 2, 2028, 2, date(2028, 2, 13)),
    ],
)
def test_nth_and_last_weekdays(weekday: int, week: int, year: int, month: int, expected: date) -> None:
    found = meeting_on(Rule(WEEKDAY, weekday=weekday, week=week), year, month)
    assert found == expected and found.weekday() == weekday and found.month == month


def test_next_meetings_cross_month_ends_and_years() -> None:
    rule = Rule(MONTHDAY, day=31)
    assert next_meetings(rule, date(2026, 3, 31), 3) == [date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30)]
    assert next_meetings(rule, date(2026, 11, 30), 3) == [date(2026, 12, 31), date(2027, 1, 31), date(2027, 2, 28)]
    last_friday = Rule(WEEKDAY, weekday=4, week=LAST_WEEK)
    assert next_meetings(last_friday, date(2026, 11, 27), 2) == [date(2026, 12, 25), date(2027, 1, 29)]
    assert previous_meeting(rule, date(2026, 3, 31)) == date(2026, 2, 28)
    assert previous_meeting(last_friday, date(2027, 1, 5)) == date(2026, 12, 25)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ngày 4 hằng tháng", Rule(MONTHDAY, day=4)),
        ("Ngay 31", Rule(MONTHDAY, day=31)),
        ("thứ Sáu cuối tháng", Rule(WEEKDAY, weekday=4, week=LAST_WEEK)),
        ("thu 6 cuoi thang", Rule(WEEKDAY, weekday=4, week=LAST_WEEK)),
        ("thứ Hai tuần đầu", Rule(WEEKDAY, weekday=0, week=1)),
        ("Thứ Năm tuần thứ ba", Rule(WEEKDAY, weekday=3, week=3)),
        ("chủ nhật tuần thứ hai", Rule(WEEKDAY, weekday=6, week=2)),
        ("thứ Bảy tuần cuối", Rule(WEEKDAY, weekday=5, week=LAST_WEEK)),
        ("ngày 32", None),
        ("ngày 0", None),
        ("thứ Tám cuối tháng", None),
        ("thứ Hai tuần thứ năm", None),
        ("họp khi nào cũng được", None),
        ("", None),
        ("🙂" * 50, None),
    ],
)
def test_typed_rules(typed: str, expected: Rule | None) -> None:
    assert parse_rule(typed) == expected


# --- due times ------------------------------------------------------------------------------------------
def test_due_times_are_local_hours_before_the_meeting() -> None:
    rule = schedule(day=4)
    found = due_times(rule, datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC), TZ)
    assert [(d.kind, d.meeting_on, d.due_at) for d in found] == [
        (MEMBER_REMINDER, date(2026, 12, 4), datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),  # 08:00 in Hà Nội
        (DIGEST, date(2026, 12, 4), datetime(2026, 12, 3, 1, 0, tzinfo=UTC)),
    ]


def test_due_times_window_is_open_at_the_start_and_closed_at_the_end() -> None:
    rule = schedule(day=4, send_hour=19, remind_days_before=5, digest_days_before=2)
    due = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # 19:00 local on 29/11
    assert [d.due_at for d in due_times(rule, due - timedelta(minutes=1), due, TZ)] == [due]
    assert due_times(rule, due, due + timedelta(minutes=1), TZ) == []


def test_due_times_at_month_ends_and_over_a_year() -> None:
    rule = schedule(day=31, remind_days_before=3)
    found = due_times(rule, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), TZ)
    meetings = sorted({d.meeting_on for d in found})
    assert len(meetings) == 12 and date(2026, 4, 30) in meetings and date(2026, 2, 28) in meetings
    reminder_days = [d.due_at.astimezone(TZ).date() for d in found if d.kind == MEMBER_REMINDER]
    assert date(2026, 4, 27) in reminder_days and date(2026, 2, 25) in reminder_days


# --- /lichhop -------------------------------------------------------------------------------------------
async def test_a_secretary_sets_the_day_by_choices(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await linked(router, roster_db, clock, "DV002", "2")
    await chat.say("/lichhop")
    assert chat.question.text == rc.MEETING_ASK_RULE
    await chat.press(rc.MEETING_BY_WEEKDAY)
    await chat.say("8")  # no such day
    assert chat.all_texts == [t.INVALID_CHOICE, rc.MEETING_ASK_WEEKDAY]
    await chat.say("6")  # thứ 6 is Friday, not the sixth button (thứ Bảy)
    assert chat.question.text == rc.MEETING_ASK_WEEK.format(weekday="thứ Sáu")
    await chat.say("/lichhop")
    await chat.press(rc.MEETING_BY_WEEKDAY)
    await chat.press("Thứ Sáu")
    await chat.press("Cuối tháng")
    assert chat.question.text == rc.MEETING_CONFIRM.format(
        rule="thứ Sáu cuối tháng", dates="27/11/2026, 25/12/2026, 29/01/2027"
    )
    await chat.press(t.CONFIRM)
    chat.assert_said(rc.MEETING_SAVED.format(cell=DONG_TAM, rule="thứ Sáu cuối tháng", remind=3, digest=1))
    async with roster_db.uow() as uow:
        [cell] = await uow.units.find_by_name(DONG_TAM)
        saved = await uow.reminders.schedule_of(cell.id)
        assert saved is not None
        assert (saved.rule, saved.weekday, saved.week, saved.day) == (WEEKDAY, 4, LAST_WEEK, None)
        assert saved.updated_at == clock.now()


async def test_a_deputy_sets_a_day_of_the_month_typed(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await linked(router, roster_db, clock, "DV003", "3")
    await chat.say("lich hop")
    await chat.say("ngày 31 hằng tháng")
    assert chat.question.text == rc.MEETING_CONFIRM.format(
        rule="ngày 31 hằng tháng", dates="30/11/2026, 31/12/2026, 31/01/2027"
    )
    await chat.press(rc.MEETING_RECHOOSE)
    await chat.press(rc.MEETING_BY_MONTHDAY)
    for bad in ("32", "0", "ngày mai", "", "4" * 5000):
        await chat.say(bad) if bad else await chat.send(text=None)
        assert (await dialog(roster_db, user_id="3")).step == "day"
    chat.assert_said(rc.MEETING_ASK_DAY)
    await chat.say("4")
    assert chat.question.text.startswith(rc.MEETING_CONFIRM.split("{")[0])
    assert "04/12/2026, 04/01/2027, 04/02/2027" in chat.question.text
    await chat.say("1")  # the first choice: confirm
    chat.assert_said(rc.MEETING_SAVED.format(cell=DONG_TAM, rule="ngày 4 hằng tháng", remind=3, digest=1))


async def test_a_rule_not_understood_is_asked_again(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await linked(router, roster_db, clock, "DV002", "2")
    await chat.say("/lichhop")
    await chat.say("<b>thứ Tám</b>")
    assert chat.all_texts == [rc.MEETING_RULE_UNKNOWN.format(text="<b>thứ Tám</b>"), rc.MEETING_ASK_RULE]
    await chat.press_payload(f"{chat.nonce}|confirm")  # forged: not offered at this step
    assert chat.all_texts[0] == t.INVALID_CHOICE
    async with roster_db.uow() as uow:
        assert await uow.reminders.active_schedules() == []


async def test_members_and_committee_see_but_do_not_set(router: Router, roster_db: Database, clock: FakeClock) -> None:
    secretary = await linked(router, roster_db, clock, "DV002", "2")
    await secretary.say("/lichhop thứ Hai tuần đầu")
    await secretary.press(t.CONFIRM)
    member = await linked(router, roster_db, clock, "DV001", "1")
    await member.say("/lichhop")
    assert member.all_texts[0] == rc.MEETING_OF_CELL.format(cell=DONG_TAM, rule="thứ Hai tuần đầu", next="07/12/2026")
    member.assert_menu()
    other = await linked(router, roster_db, clock, "DV009", "9")  # Tân Lập has no meeting day
    await other.say("/meeting")
    assert other.all_texts[0] == rc.MEETING_NONE.format(cell="Chi bộ thôn Tân Lập")
    committee = await linked(router, roster_db, clock, "DV025", "25")
    await committee.say("/lichhop ngày 4")
    text = committee.all_texts[0]
    assert text.startswith(rc.MEETING_COMMITTEE_HEADER.format(unit="Đảng bộ xã Thanh Sơn"))
    assert rc.MEETING_COMMITTEE_LINE.format(cell=DONG_TAM, rule="thứ Hai tuần đầu", next="07/12/2026") in text
    assert rc.MEETING_COMMITTEE_UNSET.format(cell="Chi bộ thôn Tân Lập") in text
    assert "Hồng Hà" not in text  # another subtree
    committee.assert_menu()
    async with roster_db.uow() as uow:
        assert len(await uow.reminders.active_schedules()) == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("thứ Hai", 0), ("thu 2", 0), ("2", 0), ("Thứ Sáu", 4), ("6", 4), ("7", 5), ("chủ nhật", 6), ("CN", 6)],
)
def test_typed_weekdays_use_vietnamese_numbering(typed: str, expected: int) -> None:
    from handlers.services.schedules import parse_weekday

    assert parse_weekday(typed) == expected
    assert parse_weekday("thứ Tám") is None and parse_weekday("1") is None
