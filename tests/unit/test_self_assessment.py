"""/tudanhgia: the year-end self-assessment, open from the cycle's date to the year's end; the distribution per
cell for leaders and committee staff; the member's year record for their kiểm điểm."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.router import Router
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.services.self_assessment import distribution, save_assessment, year_record
from handlers.services.themes import set_theme
from storage.models import SelfAssessment
from tests.chat import MEASURES, add_commitment
from tests.review_support import TODAY, actor_of, linked, review_tables, set_cycle
from tests.support import TZ, Database, FakeClock

RAC = "Vận động 5 hộ trong thôn phân loại rác tại nguồn"
NGHEO = "Giúp đỡ 2 hộ nghèo trong thôn"
CAUSE = "Thời tiết mưa bão kéo dài, nhiều hộ đi làm ăn xa"
REMEDY = "Tiếp tục vận động trong quý I năm 2027"


async def assessments(db: Database) -> dict[int, tuple[str, str | None, str | None]]:
    async with db.sessions() as session:
        rows = (await session.scalars(select(SelfAssessment))).all()
        return {row.commitment_id: (row.result, row.cause, row.remedy) for row in rows}


async def test_closed_before_the_committee_sets_a_date(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await add_commitment(roster_db, clock, "DV001", RAC)
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/tudanhgia")
    assert an.all_texts == [rv.ASSESS_NOT_SET.format(year=2026), t.MENU_PROMPT]
    assert rv.MENU_SELF_ASSESS not in an.choices


async def test_before_the_date_a_polite_message_names_it(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await set_cycle(roster_db, clock, 2026, date(2026, 12, 1))
    await add_commitment(roster_db, clock, "DV001", RAC)
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/selfassess")
    assert an.all_texts == [rv.ASSESS_NOT_YET.format(year=2026, date="01/12/2026"), t.MENU_PROMPT]
    clock.current = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 00:00 on 01/12 in Hà Nội
    await an.say("tu danh gia")
    assert an.all_texts[0] == rv.ASSESS_LIST_HEADER.format(year=2026) + "\n" + rv.ASSESS_LIST_LINE.format(
        number=1, content=RAC, percent=0, result=rv.ASSESS_NOT_DONE_YET
    )


async def test_assess_each_commitment_and_revise(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await set_cycle(roster_db, clock, 2026, date(2026, 11, 15))
    rac = await add_commitment(roster_db, clock, "DV001", RAC, percent=60)
    ngheo = await add_commitment(roster_db, clock, "DV001", NGHEO, percent=100)
    an = await linked(router, roster_db, clock, "DV001", "111")
    assert rv.MENU_SELF_ASSESS in an.choices
    await an.press(rv.MENU_SELF_ASSESS)
    assert an.choices == [RAC, NGHEO, rv.ASSESS_VIEW_RECORD, t.CANCEL]
    await an.say("2")
    assert an.all_texts == [rv.ASSESS_ASK_RESULT.format(content=NGHEO, deadline="31/12/2026", percent=100)]
    assert an.choices == [*rv.RESULT_LABELS.values(), t.CANCEL]
    await an.say("hoàn thành xuất sắc")  # not one of the three
    assert an.all_texts[0] == rv.ASSESS_RESULT_INVALID
    await an.press_payload(f"{an.nonce}|excellent")
    assert an.all_texts[0] == t.INVALID_CHOICE
    await an.press(rv.RESULT_LABELS["done"])
    assert an.all_texts[0] == rv.ASSESS_SAVED.format(result="Hoàn thành")
    assert rv.ASSESS_LIST_LINE.format(number=2, content=NGHEO, percent=100, result="Hoàn thành") in an.all_texts[1]

    await an.say("1")
    await an.say("Chưa hoàn thành")  # typed words of a choice
    assert an.all_texts == [rv.ASSESS_ASK_CAUSE]
    for bad, message in (("x" * 5000, t.TEXT_TOO_LONG.format(length=5000, maximum=1000)), ("🙂", None)):
        await an.say(bad)
        assert an.all_texts[-1] == rv.ASSESS_ASK_CAUSE
        if message:
            assert an.all_texts[0] == message
    await an.say(CAUSE)
    assert an.all_texts == [rv.ASSESS_ASK_REMEDY]
    await an.say(f"<i>{REMEDY}</i>")
    assert an.all_texts[0] == rv.ASSESS_SAVED.format(result="Chưa hoàn thành")
    assert await assessments(roster_db) == {
        ngheo: ("done", None, None),
        rac: ("not_done", CAUSE, f"<i>{REMEDY}</i>"),
    }
    clock.advance(days=20)  # 13/12: still this year, so it can be revised
    await an.say("/tudanhgia")
    await an.say("1")
    await an.press(rv.RESULT_LABELS["done"])
    assert (await assessments(roster_db))[rac] == ("done", None, None)


async def test_the_year_record_for_the_kiem_diem(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await set_cycle(roster_db, clock, 2026, date(2026, 11, 1))
    async with roster_db.uow() as uow:
        await set_theme(
            uow, 2026, "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về tự lực", clock.now()
        )
        await uow.commit()
    rac = await add_commitment(roster_db, clock, "DV001", RAC, percent=30)
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/capnhat")
    await an.say("60")
    await an.say("Đã có 3 hộ phân loại rác")
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, "DV001")
        await save_assessment(uow, actor, rac, "partial", CAUSE, REMEDY, TODAY, clock.now())
        await uow.commit()
    await an.say("/tudanhgia")
    await an.press(rv.ASSESS_VIEW_RECORD)
    intro, record, *_ = an.all_texts
    assert intro == rv.RECORD_INTRO
    assert record.splitlines() == [
        "KẾT QUẢ HỌC TẬP VÀ LÀM THEO NĂM 2026",
        "Đồng chí: Nguyễn Văn An, Cán bộ hưu trí",
        "Chi bộ thôn Đồng Tâm",
        "Chuyên đề năm: Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về tự lực",
        "",
        f"1. Nội dung làm theo: {RAC}",
        f"   Giải pháp thực hiện: {MEASURES}",
        "   Thời hạn: 31/12/2026. Kết quả đạt: 60%.",
        "   Quá trình thực hiện: 2 lần cập nhật.",
        "   - 23/11/2026: 60% — Đã có 3 hộ phân loại rác",
        "   Tự đánh giá: Hoàn thành một phần.",
        f"   Nguyên nhân: {CAUSE}",
        f"   Hướng khắc phục: {REMEDY}",
    ]
    assert an.question.text == rv.ASSESS_CHOOSE  # back at the list


async def test_the_distribution_per_cell(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await set_cycle(roster_db, clock, 2026, date(2026, 11, 1))
    ids = {
        code: await add_commitment(roster_db, clock, code, f"Nội dung của {code}")
        for code in ("DV001", "DV004", "DV005", "DV009", "DV010", "DV018")
    }
    await add_commitment(roster_db, clock, "DV006", "Nội dung chưa tự đánh giá")
    verdicts = {"DV001": "done", "DV004": "partial", "DV005": "not_done", "DV009": "done", "DV018": "done"}
    async with roster_db.uow() as uow:
        for code, verdict in verdicts.items():
            actor = await actor_of(uow, code)
            await save_assessment(uow, actor, ids[code], verdict, CAUSE, REMEDY, TODAY, clock.now())
        await uow.commit()
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await ngoc.say("/tudanhgia")
    assert ngoc.all_texts[0] == "\n".join(
        [
            rv.DISTRIBUTION_HEADER.format(year=2026, unit="Chi bộ thôn Đồng Tâm"),
            rv.DISTRIBUTION_LINE.format(cell="Chi bộ thôn Đồng Tâm", done=1, partial=1, not_done=1, missing=1),
        ]
    )
    assert ngoc.all_texts[1:] == [rv.ASSESS_NOTHING.format(year=2026), t.MENU_PROMPT]  # she registered nothing
    staff = await linked(router, roster_db, clock, "DV025", "2525")
    await staff.say("/tudanhgia")
    lines = staff.all_texts[0].splitlines()
    assert rv.DISTRIBUTION_LINE.format(cell="Chi bộ thôn Tân Lập", done=1, partial=0, not_done=0, missing=1) in lines
    assert lines[-1] == rv.DISTRIBUTION_TOTAL.format(done=2, partial=1, not_done=1, missing=2)
    assert "Hồng Hà" not in staff.all_texts[0]
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/tudanhgia")
    assert an.all_texts[0].startswith(rv.ASSESS_LIST_HEADER.format(year=2026))  # a member sees no distribution
    async with roster_db.uow() as uow:
        with pytest.raises(Forbidden):
            await distribution(uow, await actor_of(uow, "DV001"), 2026)


async def test_no_one_assesses_anothers_commitment(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await set_cycle(roster_db, clock, 2026, date(2026, 11, 1))
    others = [await add_commitment(roster_db, clock, code, f"Nội dung của {code}") for code in ("DV004", "DV009")]
    await add_commitment(roster_db, clock, "DV001", RAC)
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/tudanhgia")
    before = await review_tables(roster_db)
    for other in others:
        await an.press_payload(f"{an.nonce}|{other}")
        assert an.all_texts[0] == t.INVALID_CHOICE
    async with roster_db.uow() as uow:
        for code in ("DV001", "DV002", "DV025"):
            for other in others:
                with pytest.raises(NotFound):
                    await save_assessment(uow, await actor_of(uow, code), other, "done", None, None, TODAY, clock.now())
        with pytest.raises(InvalidInput):  # cause and remedy are required unless done
            await save_assessment(uow, await actor_of(uow, "DV004"), others[0], "partial", "", None, TODAY, clock.now())
        await uow.commit()
    assert await review_tables(roster_db) == before


async def test_after_the_year_ends_it_is_closed(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await set_cycle(roster_db, clock, 2026, date(2026, 11, 1))
    rac = await add_commitment(roster_db, clock, "DV001", RAC)
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/tudanhgia")
    await an.say("1")
    clock.current = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)
    await an.press(rv.RESULT_LABELS["done"])
    assert an.all_texts[0] == rv.ASSESS_NOT_SET.format(year=2027)
    assert await assessments(roster_db) == {}
    async with roster_db.uow() as uow:
        record = await year_record(uow, await actor_of(uow, "DV001"), 2026, TZ)
    assert f"1. Nội dung làm theo: {RAC}" in record and rv.RECORD_NO_ASSESSMENT in record
    await set_cycle(roster_db, clock, 2027, date(2027, 1, 1))
    async with roster_db.uow() as uow:
        with pytest.raises(NotFound):  # last year's commitment cannot be assessed in the new year
            await save_assessment(
                uow, await actor_of(uow, "DV001"), rac, "done", None, None, date(2027, 1, 2), clock.now()
            )
