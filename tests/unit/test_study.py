"""/hoctap: a cell's leaders record a study session and who attended; members confirm with one tap; committee staff
see how many cells held one; `study_stats` gives reports the figures.

Chi bộ thôn Đồng Tâm has six members, listed by name: 1 Đỗ Thị Lan (DV006), 2 Hoàng Văn Dũng (DV005),
3 Lê Văn Cường (DV003), 4 Nguyễn Văn An (DV001), 5 Phạm Thị Hạnh (DV004), 6 Trần Thị Bích Ngọc (DV002).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.router import Router
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.services.study import confirm_attendance, record_session, study_stats
from handlers.services.themes import set_theme
from storage.models import Member, StudyAttendance
from tests.chat import Chat
from tests.review_support import TODAY, actor_of, add_session, linked, review_tables
from tests.support import Database, FakeClock

THEME = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về tự lực, tự cường"
ROSTER = ["Đỗ Thị Lan", "Hoàng Văn Dũng", "Lê Văn Cường", "Nguyễn Văn An", "Phạm Thị Hạnh", "Trần Thị Bích Ngọc"]


async def attendance(db: Database) -> list[tuple[str, bool]]:
    """(member code, confirmed by the member) of every attendance row."""
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(Member.code, StudyAttendance.confirmed_at).join(Member, Member.id == StudyAttendance.member_id)
            )
        ).all()
        return sorted((code, confirmed is not None) for code, confirmed in rows)


def roster_prompt(marked: set[int]) -> str:
    lines = [
        rv.STUDY_ROSTER_LINE.format(number=i, mark=rv.STUDY_MARK_ON if i in marked else rv.STUDY_MARK_OFF, name=name)
        for i, name in enumerate(ROSTER, start=1)
    ]
    return rv.STUDY_ASK_ATTENDANCE.format(roster="\n".join(lines), count=len(marked), total=len(ROSTER))


async def start_recording(ngoc: Chat) -> None:
    await ngoc.say("/hoctap")
    assert ngoc.all_texts == [rv.STUDY_NO_SESSIONS, rv.STUDY_CHOOSE]
    await ngoc.press(rv.STUDY_NEW)
    assert ngoc.all_texts == [rv.STUDY_ASK_DATE]


async def test_record_a_session_with_its_attendees(router: Router, roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        await set_theme(uow, 2026, THEME, clock.now())
        await uow.commit()
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await start_recording(ngoc)
    for typed, message in (
        ("31/02/2026", t.DATE_INVALID.format(text="31/02/2026")),
        ("24/11/2026", rv.STUDY_DATE_FUTURE.format(today="23/11/2026")),
        ("01/01/2020", rv.STUDY_DATE_TOO_OLD.format(limit="01/01/2025")),
        ("hôm qua 🙂", t.DATE_FORMAT),
    ):
        await ngoc.say(typed)
        assert ngoc.all_texts == [message, rv.STUDY_ASK_DATE]
    await ngoc.say("20/11/2026")
    assert ngoc.all_texts == [rv.STUDY_ASK_TITLE]
    assert ngoc.choices[0].startswith("Chuyên đề năm: Học tập và làm theo")
    await ngoc.press(ngoc.choices[0])  # the year's theme as the title
    assert ngoc.all_texts == [roster_prompt(set())]
    await ngoc.say("1 3, 4")
    assert ngoc.all_texts == [roster_prompt({1, 3, 4})]
    await ngoc.say("3")  # toggled off again
    assert ngoc.all_texts == [roster_prompt({1, 4})]
    await ngoc.say("7")
    assert ngoc.all_texts == [rv.STUDY_NUMBER_INVALID.format(total=6), roster_prompt({1, 4})]
    await ngoc.say("ai cũng dự")
    assert ngoc.all_texts == [t.INVALID_CHOICE, roster_prompt({1, 4})]
    await ngoc.press(f"{rv.STUDY_MARK_OFF} Trần Thị Bích Ngọc")  # a button per member in a small cell
    assert ngoc.all_texts == [roster_prompt({1, 4, 6})]
    await ngoc.say("Xong")
    assert ngoc.all_texts == [rv.STUDY_SAVED.format(date="20/11/2026", title=THEME, count=3), t.MENU_PROMPT]
    assert await attendance(roster_db) == [("DV001", False), ("DV002", False), ("DV006", False)]
    await ngoc.say("/hoctap")
    assert ngoc.all_texts[0] == "\n".join(
        [rv.STUDY_SESSIONS_HEADER, rv.STUDY_SESSION_LINE_LEADER.format(date="20/11/2026", title=THEME, count=3)]
    )
    assert ngoc.choices == [rv.STUDY_NEW, t.CANCEL]  # she is recorded as present: nothing to confirm


async def test_all_then_a_typed_title(router: Router, roster_db: Database, clock: FakeClock) -> None:
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await start_recording(ngoc)
    await ngoc.press(rv.STUDY_TODAY)
    assert ngoc.choices[0] == rv.STUDY_USE_THEME.format(title=rv.STUDY_DEFAULT_TITLE.format(year=2026))
    await ngoc.say("x" * 5000)
    assert ngoc.all_texts == [t.TEXT_TOO_LONG.format(length=5000, maximum=500), rv.STUDY_ASK_TITLE]
    await ngoc.say("Nghị quyết Đại hội XIV")
    await ngoc.say("tat ca")
    assert ngoc.all_texts == [roster_prompt({1, 2, 3, 4, 5, 6})]
    await ngoc.press(rv.STUDY_NONE)
    assert ngoc.all_texts == [roster_prompt(set())]
    await ngoc.press(rv.STUDY_ALL)
    await ngoc.press(rv.STUDY_DONE)
    assert ngoc.all_texts[0] == rv.STUDY_SAVED.format(date="23/11/2026", title="Nghị quyết Đại hội XIV", count=6)
    assert len(await attendance(roster_db)) == 6


async def test_left_to_the_members_who_confirm_with_one_tap(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await start_recording(ngoc)
    await ngoc.say("22/11/2026")
    await ngoc.say("Học tập chuyên đề năm 2026")
    await ngoc.say("1 2")  # marks made, then left to the members anyway
    await ngoc.press(rv.STUDY_LEAVE_TO_MEMBERS)
    expected = rv.STUDY_SAVED_OPEN.format(date="22/11/2026", title="Học tập chuyên đề năm 2026")
    assert ngoc.all_texts == [expected, t.MENU_PROMPT]
    assert await attendance(roster_db) == []

    an = await linked(router, roster_db, clock, "DV001", "111")
    assert rv.MENU_STUDY in an.choices  # a session waits for their tap
    await an.press(rv.MENU_STUDY)
    line = rv.STUDY_SESSION_LINE.format(
        date="22/11/2026", title="Học tập chuyên đề năm 2026", status=rv.STUDY_NOT_CONFIRMED
    )
    assert an.all_texts == ["\n".join([rv.STUDY_SESSIONS_HEADER, line]), rv.STUDY_CHOOSE]
    label = rv.STUDY_CONFIRM_LABEL.format(title="Học tập chuyên đề năm 2026", date="22/11/2026")
    assert an.choices == [label, t.CANCEL]
    stale = an.payload_of(label)
    await an.press(label)
    assert an.all_texts[0] == rv.STUDY_CONFIRMED.format(date="22/11/2026")
    assert an.all_texts[1].endswith(rv.STUDY_ATTENDED)
    assert an.all_texts[-1] == t.MENU_PROMPT and rv.MENU_STUDY not in an.choices
    await an.press_payload(stale)  # pressed twice: stale, nothing more written
    assert an.all_texts[0] == t.STALE_CHOICE
    assert await attendance(roster_db) == [("DV001", True)]
    await an.say("/study")
    assert an.all_texts[-1] == t.MENU_PROMPT  # nothing left to confirm


async def test_no_one_confirms_or_records_for_another_cell(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    dong_tam = await add_session(roster_db, clock, "DV002", date(2026, 11, 20), [])
    await add_session(roster_db, clock, "DV007", date(2026, 11, 21), [])  # Tân Lập
    khanh = await linked(router, roster_db, clock, "DV009", "999")  # a member of Tân Lập
    await khanh.say("/hoctap")
    assert "20/11/2026" not in "\n".join(khanh.all_texts)
    before = await review_tables(roster_db)
    await khanh.press_payload(f"{khanh.nonce}|c{dong_tam}")
    assert khanh.all_texts[0] == t.INVALID_CHOICE
    await khanh.press_payload(f"{khanh.nonce}|new")  # a member is not offered recording
    assert khanh.all_texts[0] == t.INVALID_CHOICE
    async with roster_db.uow() as uow:
        for code in ("DV009", "DV007", "DV025"):
            with pytest.raises(NotFound):
                await confirm_attendance(uow, await actor_of(uow, code), dong_tam, clock.now())
        for code in ("DV001", "DV025"):
            with pytest.raises(Forbidden):
                await record_session(uow, await actor_of(uow, code), TODAY, "Học tập chuyên đề", [], TODAY, clock.now())
        outsider = (await actor_of(uow, "DV009")).member_id
        with pytest.raises(InvalidInput):  # an attendee from another cell
            await record_session(
                uow, await actor_of(uow, "DV002"), TODAY, "Học tập chuyên đề", [outsider], TODAY, clock.now()
            )
        await uow.commit()
    assert await review_tables(roster_db) == before


async def test_study_stats_and_the_committee_view(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await add_session(roster_db, clock, "DV002", date(2026, 3, 10), ["DV001", "DV002", "DV003"])
    await add_session(roster_db, clock, "DV002", date(2026, 11, 20), ["DV001", "DV004"])  # DV001 counted once
    await add_session(roster_db, clock, "DV007", date(2026, 6, 1), ["DV009"])
    await add_session(roster_db, clock, "DV016", date(2026, 6, 1), ["DV018", "DV019"])  # Hồng Phong
    await add_session(roster_db, clock, "DV007", date(2025, 12, 30), ["DV010"])  # last year
    async with roster_db.uow() as uow:
        cells = {unit.name: unit.id for unit in await uow.units.all() if unit.kind == "cell"}
        dong_tam, tan_lap = cells["Chi bộ thôn Đồng Tâm"], cells["Chi bộ thôn Tân Lập"]
        assert await study_stats(uow, [dong_tam], 2026) == (4, 1)
        assert await study_stats(uow, [dong_tam, tan_lap], 2026) == (5, 2)
        assert await study_stats(uow, [tan_lap], 2025) == (1, 1)
        assert await study_stats(uow, list(cells.values()), 2026) == (7, 3)
        assert await study_stats(uow, [], 2026) == (0, 0)
    staff = await linked(router, roster_db, clock, "DV025", "2525")
    await staff.say("/hoctap")
    expected = rv.STUDY_COMMITTEE.format(year=2026, unit="Đảng bộ xã Thanh Sơn", cells=2, total_cells=3, members=5)
    assert staff.all_texts == [expected, t.MENU_PROMPT]
