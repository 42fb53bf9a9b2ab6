"""Answering a reminder through the router (delivered by the real queue: enqueue + claim_due), and /nhacnho.

The reminder arrives as the sender would deliver it: fire_due queues it, claim_due puts the member's dialog
into the "reminder" flow and renders the buttons; the test then presses or types like the member.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from handlers.catalog import core as t
from handlers.catalog import reminders as rc
from handlers.router import Router
from handlers.services.authz import load_actor
from handlers.services.deliveries import claim_due
from handlers.services.errors import Forbidden
from handlers.services.preferences import pause_member
from handlers.services.reminders import fire_due
from handlers.services.schedules import MONTHDAY
from storage.models import MeetingSchedule, Member, ReminderResponse
from tests.chat import Chat, add_commitment, dialog, mid
from tests.review_support import linked
from tests.support import TZ, Database, FakeClock

DONG_TAM = "Chi bộ thôn Đồng Tâm"
DEC_REMIND = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08:00 local, 3 days before the meeting on 04/12


async def reminded(router: Router, db: Database, clock: FakeClock, code: str = "DV004", commitments: int = 1) -> Chat:
    """The member, linked, with commitments not updated, after the reminder on 01/12 08:00 reached them."""
    chat = await linked(router, db, clock, code, user_id=code)
    for number in range(commitments):
        await add_commitment(db, clock, code, f"Nội dung làm theo số {number + 1} của {code}")
    async with db.uow() as uow:
        [cell] = await uow.units.find_by_name(DONG_TAM)
        await uow.reminders.save_schedule(
            MeetingSchedule(unit_id=cell.id, rule=MONTHDAY, day=4, updated_at=clock.now())
        )
        await uow.commit()
    clock.current = DEC_REMIND
    await deliver(db, chat, clock)
    return chat


async def deliver(db: Database, chat: Chat, clock: FakeClock) -> None:
    async with db.uow() as uow:
        await fire_due(uow, clock.now(), TZ, timedelta(hours=12))
        await uow.commit()
    async with db.uow() as uow:
        claimed = await claim_due(uow, "telegram", clock.now(), 100)
        await uow.commit()
    mine = [item for item in claimed if item.external_id == chat.user_id]
    assert len(mine) == 1, [item.external_id for item in claimed]
    chat.last_replies = list(mine[0].replies)


async def responses(db: Database) -> list[ReminderResponse]:
    async with db.sessions() as session:
        return list((await session.scalars(select(ReminderResponse).order_by(ReminderResponse.id))).all())


# --- the reminder's choices --------------------------------------------------------------------------------
async def test_the_reminder_offers_its_choices(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await reminded(router, roster_db, clock)
    assert chat.choices == [rc.CHOICE_UPDATE_NOW, rc.CHOICE_SNOOZE_1, rc.CHOICE_SNOOZE_3, rc.CHOICE_NOT_APPLICABLE]
    assert "Nội dung làm theo số 1 của DV004" in chat.question.text
    state = await dialog(roster_db, user_id="DV004")
    assert (state.flow, state.step) == ("reminder", "respond")


async def test_update_now_opens_the_progress_flow(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await reminded(router, roster_db, clock)
    await chat.press(rc.CHOICE_UPDATE_NOW)
    assert chat.all_texts == [t.ASK_PERCENT.format(content="Nội dung làm theo số 1 của DV004", percent=0)]
    await chat.say("60")
    await chat.press(t.SKIP)
    chat.assert_said("Đã ghi nhận tiến độ 60%")
    assert (await dialog(roster_db, user_id="DV004")).flow == "menu"


async def test_snooze_one_day(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await reminded(router, roster_db, clock)
    old = chat.payload_of(rc.CHOICE_SNOOZE_1)
    await chat.press(rc.CHOICE_SNOOZE_1)
    assert chat.all_texts[0] == rc.SNOOZED.format(date="02/12/2026")
    chat.assert_menu()
    [row] = await responses(roster_db)
    assert (row.action, row.meeting_on, row.remind_at, row.done_at) == (
        "snooze",
        date(2026, 12, 4),
        DEC_REMIND + timedelta(days=1),
        None,
    )
    await chat.press_payload(old)  # the same button again: stale, nothing more stored
    assert chat.all_texts[0] == t.STALE_CHOICE
    assert len(await responses(roster_db)) == 1


async def test_snooze_three_days_by_typing_its_number(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await reminded(router, roster_db, clock)
    await chat.say("3")
    assert chat.all_texts[0] == rc.SNOOZED.format(date="04/12/2026")
    [row] = await responses(roster_db)
    assert row.remind_at == DEC_REMIND + timedelta(days=3)


async def test_not_applicable_with_a_reason(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await reminded(router, roster_db, clock)
    await chat.press(rc.CHOICE_NOT_APPLICABLE)
    assert chat.question.text == rc.ASK_NA_REASON
    for bad, message in (
        ("ab", t.TEXT_TOO_SHORT.format(minimum=3)),
        ("x" * 5000, t.TEXT_TOO_LONG.format(length=5000, maximum=500)),
    ):
        await chat.say(bad)
        assert chat.all_texts == [message, rc.ASK_NA_REASON]
        assert (await dialog(roster_db, user_id="DV004")).step == "reason"
    await chat.send(text=None)  # a sticker
    assert chat.all_texts[0] == t.NOT_TEXT
    assert await responses(roster_db) == []
    await chat.say("Đang điều trị tại bệnh viện <b>tỉnh</b> 🏥")
    reason = "Đang điều trị tại bệnh viện <b>tỉnh</b> 🏥"
    assert chat.all_texts[0] == rc.NA_SAVED.format(reason=reason, meeting="04/12/2026")
    [row] = await responses(roster_db)
    assert (row.action, row.reason, row.meeting_on) == ("not_applicable", reason, date(2026, 12, 4))


async def test_forged_and_expired_answers(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await reminded(router, roster_db, clock)
    question = chat.question
    for forged in ("snooze:30", "snooze:-1", "register", "progress|1", "na "):
        await chat.press_payload(f"{chat.nonce}|{forged}")
        assert chat.all_texts == [t.INVALID_CHOICE, question.text]
    await chat.say("snooze:30")  # typed words that are not a choice's label
    assert chat.all_texts[0] == t.INVALID_CHOICE
    assert await responses(roster_db) == []
    clock.current = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # the meeting is over
    await chat.press(rc.CHOICE_SNOOZE_1)
    assert chat.all_texts[0] == rc.REMINDER_EXPIRED.format(meeting="04/12/2026")
    chat.assert_menu()
    assert await responses(roster_db) == []


async def test_a_register_reminder_opens_registration(router: Router, roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        await uow.reminders.set_cycle(2026, date(2026, 3, 31), None, clock.now())
        await uow.commit()
    chat = await reminded(router, roster_db, clock, code="DV005", commitments=0)
    assert chat.choices == [rc.CHOICE_REGISTER_NOW, rc.CHOICE_SNOOZE_1, rc.CHOICE_SNOOZE_3]
    await chat.press(rc.CHOICE_REGISTER_NOW)
    assert chat.question.text == t.ASK_CONTENT
    assert (await dialog(roster_db, user_id="DV005")).flow == "register"


async def test_nhacviec_offers_the_current_reminder_again(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    chat = await reminded(router, roster_db, clock)
    await chat.say("/menu")
    await chat.say("/nhacviec")
    assert chat.choices[:4] == [rc.CHOICE_UPDATE_NOW, rc.CHOICE_SNOOZE_1, rc.CHOICE_SNOOZE_3, rc.CHOICE_NOT_APPLICABLE]
    await chat.press(rc.CHOICE_SNOOZE_3)
    assert chat.all_texts[0] == rc.SNOOZED.format(date="04/12/2026")
    await chat.say("/nhacviec")  # snoozed: nothing to answer now
    assert chat.all_texts[0] == rc.REMINDER_NONE


# --- /nhacnho ------------------------------------------------------------------------------------------------
async def member_row(db: Database, code: str) -> Member:
    async with db.uow() as uow:
        found = await uow.members.by_code(code)
        assert found is not None
        return found


async def test_preferred_hour(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await linked(router, roster_db, clock, "DV001", "1")
    await chat.say("/nhacnho")
    assert chat.all_texts[0] == rc.PREFS_SUMMARY.format(
        hour=rc.PREFS_HOUR_DEFAULT, quiet="21:00–07:00", pause=rc.PREFS_NOT_PAUSED
    )
    await chat.press(rc.PREFS_HOUR)
    for bad in ("25:00", "24", "7:30", "-1", "sáng sớm", "🙂"):
        await chat.say(bad)
        assert chat.all_texts == [rc.HOUR_INVALID.format(text=bad), rc.ASK_HOUR], bad
    assert (await member_row(roster_db, "DV001")).remind_hour is None
    await chat.press("07:00")
    assert chat.all_texts[0] == rc.HOUR_SAVED.format(hour="07:00")
    await chat.press(rc.PREFS_HOUR)
    await chat.say("19h")
    assert (await member_row(roster_db, "DV001")).remind_hour == 19
    await chat.press(rc.PREFS_HOUR)
    await chat.say("0")
    assert (await member_row(roster_db, "DV001")).remind_hour == 0


async def test_quiet_hours(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await linked(router, roster_db, clock, "DV001", "1")
    await chat.say("/reminders")
    await chat.press(rc.PREFS_QUIET)
    for bad in ("21-21", "25-7", "21", "tối"):
        await chat.say(bad)
        assert chat.all_texts == [rc.QUIET_INVALID.format(text=bad), rc.ASK_QUIET]
    await chat.say("22:00 - 06:00")
    assert chat.all_texts[0] == rc.QUIET_SAVED.format(quiet="22:00–06:00")
    member = await member_row(roster_db, "DV001")
    assert (member.quiet_from, member.quiet_to) == (22, 6)


async def test_pause_and_resume(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await linked(router, roster_db, clock, "DV001", "1")
    await chat.say("nhac nho")
    assert rc.PREFS_RESUME not in chat.choices
    await chat.press(rc.PREFS_PAUSE)
    for bad, message in (
        ("31/02/2027", rc.PAUSE_DATE_INVALID.format(text="31/02/2027")),
        ("01/11/2026", rc.PAUSE_DATE_PAST.format(today="23/11/2026")),
        ("01/01/2029", rc.PAUSE_DATE_TOO_FAR.format(limit="24/11/2027")),
        ("mai", rc.PAUSE_DATE_FORMAT),
    ):
        await chat.say(bad)
        assert chat.all_texts == [message, rc.ASK_PAUSE_UNTIL]
    await chat.say("10/12/2026")
    assert chat.all_texts[0] == rc.PAUSE_SAVED.format(date="10/12/2026")
    assert rc.PREFS_PAUSED.format(date="10/12/2026") in chat.all_texts[1]
    member = await member_row(roster_db, "DV001")
    assert (member.paused_until, member.paused_by_member_id) == (date(2026, 12, 10), member.id)
    await chat.press(rc.PREFS_RESUME)
    assert chat.all_texts[0] == rc.RESUMED
    assert (await member_row(roster_db, "DV001")).paused_until is None
    await chat.press(rc.PREFS_DONE)
    chat.assert_menu()


async def test_a_secretary_pauses_a_member_of_the_cell(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await linked(router, roster_db, clock, "DV002", "2")
    await chat.say("/nhacnho")
    await chat.press(rc.PREFS_PAUSE_MEMBER)
    assert set(chat.choices[:-1]) == {"Đỗ Thị Lan", "Hoàng Văn Dũng", "Lê Văn Cường", "Nguyễn Văn An", "Phạm Thị Hạnh"}
    async with roster_db.uow() as uow:
        outsider = await mid(uow, "DV009")
    await chat.press_payload(f"{chat.nonce}|{outsider}")  # a member of Tân Lập: not offered
    assert chat.all_texts[0] == t.INVALID_CHOICE
    await chat.press("Phạm Thị Hạnh")
    assert chat.question.text == rc.ASK_MEMBER_PAUSE_UNTIL.format(name="Phạm Thị Hạnh")
    await chat.say("31/02/2027")
    assert chat.all_texts[0] == rc.PAUSE_DATE_INVALID.format(text="31/02/2027")
    await chat.say("31/01/2027")
    assert chat.all_texts[0] == rc.PAUSE_MEMBER_SAVED.format(name="Phạm Thị Hạnh", date="31/01/2027")
    paused = await member_row(roster_db, "DV004")
    secretary = await member_row(roster_db, "DV002")
    assert (paused.paused_until, paused.paused_by_member_id) == (date(2027, 1, 31), secretary.id)
    member = await linked(router, roster_db, clock, "DV004", "4")
    await member.say("/nhacnho")
    assert rc.PREFS_PAUSED_BY.format(date="31/01/2027", name="Trần Thị Bích Ngọc") in member.all_texts[0]
    assert rc.PREFS_PAUSE_MEMBER not in member.choices


@pytest.mark.parametrize(
    ("actor_code", "target_code", "allowed"),
    [
        ("DV002", "DV004", True),  # secretary, own cell
        ("DV003", "DV004", True),  # deputy, own cell
        ("DV002", "DV009", False),  # secretary, another cell of the same committee
        ("DV002", "DV018", False),  # secretary, another subtree
        ("DV007", "DV004", False),  # Tân Lập's secretary, Đồng Tâm's member
        ("DV001", "DV004", False),  # a member
        ("DV025", "DV004", False),  # committee staff: they see, they do not pause
    ],
)
async def test_who_may_pause_whom(
    roster_db: Database, clock: FakeClock, actor_code: str, target_code: str, allowed: bool
) -> None:
    async with roster_db.uow() as uow:
        actor_member = await uow.members.by_code(actor_code)
        assert actor_member is not None
        actor = await load_actor(uow, actor_member)
        target = await mid(uow, target_code)
        if allowed:
            member, until = await pause_member(uow, actor, target, "10/12/2026", date(2026, 11, 23), clock.now())
            assert (member.id, until) == (target, date(2026, 12, 10))
        else:
            with pytest.raises(Forbidden) as refused:
                await pause_member(uow, actor, target, "10/12/2026", date(2026, 11, 23), clock.now())
            assert refused.value.message == rc.PAUSE_MEMBER_FORBIDDEN
        await uow.commit()
    assert ((await member_row(roster_db, target_code)).paused_until is not None) is allowed
