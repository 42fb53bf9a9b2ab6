"""/bieuduong: a cell's leader proposes, committee staff commend, propose upward or return; every step recorded, the
people concerned told through the delivery queue; bad input, stale and forged buttons change nothing.

Roster: DV001 member, DV002 secretary, DV003 deputy of Chi bộ thôn Đồng Tâm (Đảng bộ xã Thanh Sơn); DV025 staff of
Đảng bộ xã Thanh Sơn; TV001 (added) staff of Đảng bộ tỉnh Hòa Bình Xanh, above it. Today is 23/11/2026.
"""

from __future__ import annotations

from datetime import date

import pytest

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.router import Router
from handlers.services import commendations as co
from handlers.services.errors import InvalidInput
from storage.enums import CommitmentKind
from tests.chat import Chat, add_commitment, dialog, member_id
from tests.honours_support import (
    ACCOUNT,
    DONG_TAM,
    PROVINCE,
    THANH_SON,
    add_province_staff,
    commendation_row,
    decide,
    honour_tables,
    only_proposal,
    propose,
    queued_texts,
    steps_of,
    unit_id,
)
from tests.review_support import TODAY, actor_of, add_cell_item, linked
from tests.support import TZ, Database, FakeClock

AN = "Nguyễn Văn An"
AN_DEED = "Vận động 12 hộ hiến đất mở rộng đường thôn"
MODEL = "Thu gom phế liệu gây quỹ giúp hộ khó khăn"


async def ngoc_at_account(router: Router, db: Database, clock: FakeClock) -> Chat:
    """The secretary, at the account question of a proposal for DV001 tied to their commitment."""
    ngoc = await linked(router, db, clock, "DV002", "222")
    await ngoc.say("/bieuduong")
    assert ngoc.all_texts == [cm.CELL_LIST_NONE.format(cell=DONG_TAM, year=2026), cm.CHOOSE]
    await ngoc.press(cm.NEW_PROPOSAL)
    await ngoc.press(AN)
    assert ngoc.all_texts == [cm.ASK_ITEM] and ngoc.choices == [cm.ITEM_NONE, AN_DEED, t.CANCEL]
    await ngoc.press(AN_DEED)
    assert ngoc.all_texts == [cm.ASK_ACCOUNT]
    return ngoc


async def test_a_secretary_proposes_a_member_for_a_commitment(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    deed = await add_commitment(roster_db, clock, "DV001", AN_DEED)
    await linked(router, roster_db, clock, "DV025", "2525")  # the staff can be told
    ngoc = await ngoc_at_account(router, roster_db, clock)
    for bad, message in (
        ("   ", t.NOT_TEXT),
        ("Tốt 🙏", t.TEXT_TOO_SHORT.format(minimum=co.ACCOUNT_MIN)),
        ("x" * 5000, t.TEXT_TOO_LONG.format(length=5000, maximum=co.ACCOUNT_MAX)),
    ):
        await ngoc.say(bad)
        assert ngoc.all_texts == [message, cm.ASK_ACCOUNT]
    account = f"<b>{ACCOUNT}</b> 👍"  # kept as typed: HTML is shown, never interpreted
    await ngoc.say(account)
    confirm = cm.CONFIRM_PROPOSAL.format(
        nominee=cm.NOMINEE_MEMBER.format(name=AN),
        item=cm.CONFIRM_ITEM.format(item=AN_DEED),
        account=account,
        level=THANH_SON,
    )
    assert ngoc.all_texts == [confirm] and ngoc.choices == [cm.SEND, cm.EDIT_ACCOUNT, t.CANCEL]
    assert await honour_tables(roster_db) == [0]  # nothing saved before «Gửi đề nghị» (no delivery either)
    await ngoc.press(cm.SEND)
    nominee = cm.NOMINEE_MEMBER.format(name=AN)
    line = cm.CELL_LIST_LINE.format(number=1, nominee=nominee, state=cm.STATE_PENDING.format(level=THANH_SON))
    assert ngoc.all_texts == [
        cm.PROPOSED.format(nominee=nominee, level=THANH_SON),
        "\n".join([cm.CELL_LIST_HEADER.format(cell=DONG_TAM, year=2026), line]),
        cm.CHOOSE,
    ]
    proposal = await only_proposal(roster_db)
    row = await commendation_row(roster_db, proposal)
    assert (row["kind"], row["member_id"], row["commitment_id"]) == (
        "individual",
        await member_id(roster_db, "DV001"),
        deed,
    )
    assert (row["state"], row["level_unit_id"], row["account"]) == (
        "pending",
        await unit_id(roster_db, THANH_SON),
        account,
    )
    assert row["unit_id"] == await unit_id(roster_db, DONG_TAM)
    assert await steps_of(roster_db, proposal) == [("proposed", "DV002", DONG_TAM, THANH_SON, None)]
    waiting = cm.NOTICE_WAITING.format(nominee=nominee, cell=DONG_TAM, level=THANH_SON)
    assert await queued_texts(roster_db, "DV025") == [waiting]
    await ngoc.press(cm.DONE)
    assert ngoc.all_texts == [t.MENU_PROMPT]


async def test_the_nominee_list_pages_narrows_and_refuses_forged_names(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await ngoc.say("bieu duong")  # typed without the slash, as on Zalo
    await ngoc.press(cm.NEW_PROPOSAL)
    everyone = ["Đỗ Thị Lan", "Hoàng Văn Dũng", "Lê Văn Cường", AN, "Phạm Thị Hạnh"]  # not herself
    assert ngoc.choices == [cm.NOMINEE_CELL.format(cell=DONG_TAM), *everyone, t.CANCEL]
    question = ngoc.question
    before = await honour_tables(roster_db)
    others = [await member_id(roster_db, code) for code in ("DV002", "DV009", "DV018")]  # self, Tân Lập, Hồng Hà
    for forged in others:
        await ngoc.press_payload(f"{ngoc.nonce}|m{forged}")
        assert ngoc.all_texts == [t.INVALID_CHOICE, question.text]
    await ngoc.say("văn")  # narrows, diacritics optional in both directions
    assert ngoc.choices == [
        cm.NOMINEE_CELL.format(cell=DONG_TAM),
        "Hoàng Văn Dũng",
        "Lê Văn Cường",
        AN,
        t.FILTER_CLEAR,
        t.CANCEL,
    ]
    assert t.FILTER_INFO.format(query="văn", count=3, page=1, pages=1) in ngoc.last_text
    await ngoc.say("<script>🙂</script>")
    assert t.FILTER_NONE.format(query="<script>🙂</script>") in ngoc.last_text
    await ngoc.press(t.FILTER_CLEAR)
    assert ngoc.choices == [cm.NOMINEE_CELL.format(cell=DONG_TAM), *everyone, t.CANCEL]
    old = ngoc.payload_of(AN)
    await ngoc.say("dung")
    await ngoc.press_payload(old)  # a button of the page before
    assert ngoc.all_texts[0] == t.STALE_CHOICE
    await ngoc.say("①")
    assert ngoc.all_texts[0].startswith(cm.ASK_NOMINEE)  # not a number: a filter that finds nobody
    assert await honour_tables(roster_db) == before
    state = await dialog(roster_db, user_id="222")
    assert (state.flow, state.step) == ("commend", "nominee")
    with pytest.raises(InvalidInput) as refused:
        async with roster_db.uow() as uow:
            actor = await actor_of(uow, "DV002")
            await co.propose(uow, actor, actor.member_id, None, ACCOUNT, TODAY, clock.now(), TZ)
    assert refused.value.message == cm.SELF_NOMINATION


async def test_staff_commend_with_the_decisions_number_and_date(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await add_commitment(roster_db, clock, "DV001", AN_DEED)
    proposal = await propose(roster_db, clock, "DV002", "DV001")
    an = await linked(router, roster_db, clock, "DV001", "111")
    await linked(router, roster_db, clock, "DV002", "222")
    staff = await linked(router, roster_db, clock, "DV025", "2525")
    clock.advance(hours=1)
    await staff.say("/commend")
    nominee = cm.NOMINEE_MEMBER.format(name=AN)
    year = cm.YEAR_DONE.format(year=2026, collective=0, individual=0, up_collective=0, up_individual=0)
    waiting = cm.WAITING_LINE.format(number=1, nominee=nominee, cell=DONG_TAM, date="23/11/2026")
    assert staff.all_texts == [
        year,
        f"{cm.WAITING_HEADER.format(unit=THANH_SON, count=1)}\n{waiting}",
        cm.CHOOSE_PROPOSAL,
    ]
    await staff.press(f"{nominee} ({DONG_TAM})")
    detail = staff.all_texts[0]
    assert detail.startswith(cm.DETAIL.split("{")[0] + nominee)
    assert "• 10:00 23/11/2026 — Trần Thị Bích Ngọc (Chi bộ thôn Đồng Tâm): đề nghị" in detail
    assert staff.choices == [
        cm.DECIDE_PRAISE,
        cm.DECIDE_REWARD,
        cm.DECIDE_FORWARD.format(parent=PROVINCE),
        cm.DECIDE_RETURN,
        t.BACK,
    ]
    await staff.press(cm.DECIDE_REWARD)
    ask_number = cm.ASK_DECISION_NUMBER.format(form="khen thưởng")
    assert staff.all_texts == [ask_number]
    for bad in ("abc", "x1" * 30, "²³", "12\n34"):
        await staff.say(bad)
        assert staff.all_texts == [cm.DECISION_NUMBER_INVALID.format(maximum=50), ask_number]
    await staff.say("125-QĐ/ĐU")
    for bad, message in (
        ("31/02/2026", t.DATE_INVALID.format(text="31/02/2026")),
        ("24/11/2026", cm.DECISION_DATE_FUTURE.format(today="23/11/2026")),
        ("31/12/2024", cm.DECISION_DATE_TOO_OLD.format(limit="01/01/2025")),
        ("hôm kia", t.DATE_FORMAT),
    ):
        await staff.say(bad)
        assert staff.all_texts == [message, cm.ASK_DECISION_DATE]
    await staff.say("20/11/2026")
    confirm = cm.CONFIRM_DECISION.format(
        form="khen thưởng", nominee=nominee, number="125-QĐ/ĐU", date="20/11/2026", level=THANH_SON
    )
    assert staff.all_texts == [confirm]
    assert (await commendation_row(roster_db, proposal))["state"] == "pending"  # nothing decided yet
    confirm_button = staff.payload_of(cm.CONFIRM)
    await staff.press(cm.CONFIRM)
    done = cm.COMMENDED.format(form="khen thưởng", nominee=nominee, number="125-QĐ/ĐU", date="20/11/2026")
    assert staff.all_texts[0] == done
    assert staff.all_texts[1] == cm.YEAR_DONE.format(
        year=2026, collective=0, individual=1, up_collective=0, up_individual=0
    )
    row = await commendation_row(roster_db, proposal)
    assert (row["state"], row["form"], row["decision_number"], row["decision_date"]) == (
        "commended",
        "reward",
        "125-QĐ/ĐU",
        date(2026, 11, 20),
    )
    assert row["decided_by_member_id"] == await member_id(roster_db, "DV025")
    assert [s[:3] for s in await steps_of(roster_db, proposal)] == [
        ("proposed", "DV002", DONG_TAM),
        ("commended", "DV025", THANH_SON),
    ]
    decision = {"level": THANH_SON, "form": "khen thưởng", "number": "125-QĐ/ĐU", "date": "20/11/2026"}
    assert await queued_texts(roster_db, "DV001") == [cm.NOTICE_COMMENDED_MEMBER.format(**decision)]
    assert await queued_texts(roster_db, "DV002") == [cm.NOTICE_COMMENDED_PROPOSER.format(nominee=nominee, **decision)]
    before = await honour_tables(roster_db)
    await staff.press_payload(confirm_button)  # the confirmation pressed again
    assert staff.all_texts[0] == t.STALE_CHOICE
    assert await honour_tables(roster_db) == before
    await an.say("/bieuduong")
    line = cm.MY_COMMENDATION_LINE.format(
        form="Khen thưởng", number="125-QĐ/ĐU", date="20/11/2026", level=THANH_SON, item=""
    )
    assert an.all_texts == [f"{cm.MY_COMMENDATIONS_HEADER}\n{line}", cm.COMMEND_FORBIDDEN, t.MENU_PROMPT]


async def test_upward_then_returned_down_the_tree_revised_and_resubmitted(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await add_province_staff(roster_db, clock)
    proposal = await propose(roster_db, clock, "DV002", "DV001")
    for code, user in (("DV002", "222"), ("DV025", "2525"), ("TV001", "9001")):
        await linked(router, roster_db, clock, code, user)
    nominee = cm.NOMINEE_MEMBER.format(name=AN)
    staff = Chat(router, user_id="2525")
    await staff.say("/bieuduong")
    await staff.say("1")
    await staff.press(cm.DECIDE_FORWARD.format(parent=PROVINCE))
    assert staff.all_texts[0] == cm.FORWARDED.format(parent=PROVINCE, nominee=nominee)
    assert staff.all_texts[1] == cm.YEAR_DONE.format(
        year=2026, collective=0, individual=0, up_collective=0, up_individual=1
    )
    assert (await commendation_row(roster_db, proposal))["level_unit_id"] == await unit_id(roster_db, PROVINCE)
    forwarded = cm.NOTICE_FORWARDED.format(nominee=nominee, level=THANH_SON, parent=PROVINCE)
    assert forwarded in await queued_texts(roster_db, "DV002")
    assert cm.NOTICE_WAITING.format(nominee=nominee, cell=DONG_TAM, level=PROVINCE) in await queued_texts(
        roster_db, "TV001"
    )

    province = Chat(router, user_id="9001")
    await province.say("/bieuduong")
    assert cm.WAITING_HEADER.format(unit=PROVINCE, count=1) in province.all_texts[1]
    await province.say("1")
    assert province.choices == [cm.DECIDE_PRAISE, cm.DECIDE_REWARD, cm.DECIDE_RETURN, t.BACK]  # no level above
    await province.press(cm.DECIDE_RETURN)
    for bad, message in (
        ("ok", t.TEXT_TOO_SHORT.format(minimum=3)),
        ("x" * 5000, t.TEXT_TOO_LONG.format(length=5000, maximum=1000)),
    ):
        await province.say(bad)
        assert province.all_texts == [message, cm.ASK_RETURN_COMMENT]
    await province.say("Cấp xã xem xét biểu dương")
    assert province.all_texts[0] == cm.RETURNED_DONE.format(nominee=nominee, to=THANH_SON)
    row = await commendation_row(roster_db, proposal)
    assert (row["state"], row["level_unit_id"], row["comment"]) == (
        "pending",
        await unit_id(roster_db, THANH_SON),
        "Cấp xã xem xét biểu dương",
    )
    lower = cm.NOTICE_RETURNED_LOWER.format(
        nominee=nominee, cell=DONG_TAM, level=PROVINCE, comment="Cấp xã xem xét biểu dương"
    )
    assert lower in await queued_texts(roster_db, "DV025")

    await staff.say("/bieuduong")
    await staff.say("1")
    assert "Cấp xã xem xét biểu dương" in staff.all_texts[0]  # the history shows the comment
    await staff.press(cm.DECIDE_RETURN)
    await staff.say("Bổ sung kết quả cụ thể")
    assert staff.all_texts[0] == cm.RETURNED_DONE.format(nominee=nominee, to=DONG_TAM)
    assert (await commendation_row(roster_db, proposal))["state"] == "returned"
    assert cm.NOTICE_RETURNED_PROPOSER.format(nominee=nominee, level=THANH_SON, comment="Bổ sung kết quả cụ thể") in (
        await queued_texts(roster_db, "DV002")
    )

    ngoc = Chat(router, user_id="222")
    await ngoc.say("/bieuduong")
    returned = cm.STATE_RETURNED.format(comment="Bổ sung kết quả cụ thể")
    assert cm.CELL_LIST_LINE.format(number=1, nominee=nominee, state=returned) in ngoc.all_texts[0]
    await ngoc.press(cm.OPEN_RETURNED.format(nominee=nominee))
    assert ngoc.all_texts == [
        cm.RETURNED_DETAIL.format(nominee=nominee, level=THANH_SON, comment="Bổ sung kết quả cụ thể", account=ACCOUNT)
    ]
    await ngoc.press(cm.RESUBMIT)
    await ngoc.say("ngắn")
    assert ngoc.all_texts == [t.TEXT_TOO_SHORT.format(minimum=co.ACCOUNT_MIN), cm.ASK_NEW_ACCOUNT]
    await ngoc.say(ACCOUNT + ", được nhân dân đồng tình")
    assert ngoc.all_texts[0] == cm.RESUBMITTED.format(nominee=nominee, level=THANH_SON)
    row = await commendation_row(roster_db, proposal)
    assert (row["state"], row["level_unit_id"]) == ("pending", await unit_id(roster_db, THANH_SON))
    assert row["account"].endswith("được nhân dân đồng tình")
    assert await steps_of(roster_db, proposal) == [
        ("proposed", "DV002", DONG_TAM, THANH_SON, None),
        ("forwarded", "DV025", THANH_SON, PROVINCE, None),
        ("returned", "TV001", PROVINCE, THANH_SON, "Cấp xã xem xét biểu dương"),
        ("returned", "DV025", THANH_SON, DONG_TAM, "Bổ sung kết quả cụ thể"),
        ("resubmitted", "DV002", DONG_TAM, THANH_SON, None),
    ]


async def test_a_returned_proposal_can_be_withdrawn(router: Router, roster_db: Database, clock: FakeClock) -> None:
    proposal = await propose(roster_db, clock, "DV002", None)  # the cell itself
    await decide(roster_db, clock, "DV025", proposal, "return")
    cuong = await linked(router, roster_db, clock, "DV003", "333")  # the deputy revises the cell's proposals too
    await cuong.say("/bieuduong")
    nominee = cm.NOMINEE_CELL.format(cell=DONG_TAM)
    await cuong.press(cm.OPEN_RETURNED.format(nominee=nominee))
    await cuong.press(cm.WITHDRAW)
    assert cuong.all_texts[0] == cm.WITHDRAWN.format(nominee=nominee)
    line = cm.CELL_LIST_LINE.format(number=1, nominee=nominee, state=cm.STATE_WITHDRAWN)
    assert line in cuong.all_texts[1] and cuong.choices == [cm.NEW_PROPOSAL, cm.DONE]
    assert [s[0] for s in await steps_of(roster_db, proposal)] == ["proposed", "returned", "withdrawn"]


async def test_a_collective_proposal_tied_to_a_model_tells_the_cells_leaders(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    model = await add_cell_item(roster_db, clock, "DV002", MODEL, CommitmentKind.MODEL)
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await linked(router, roster_db, clock, "DV003", "333")
    await ngoc.say("/bieuduong")
    await ngoc.press(cm.NEW_PROPOSAL)
    await ngoc.say("1")  # the cell, by number
    assert ngoc.choices == [cm.ITEM_NONE, MODEL, t.CANCEL]
    await ngoc.press(MODEL)
    await ngoc.say(ACCOUNT)
    await ngoc.press(cm.SEND)
    proposal = await only_proposal(roster_db)
    assert (await commendation_row(roster_db, proposal))["commitment_id"] == model
    await decide(roster_db, clock, "DV025", proposal, "praise")
    decision = {"level": THANH_SON, "form": "biểu dương", "number": "12-QĐ/ĐU", "date": "20/11/2026"}
    told = cm.NOTICE_COMMENDED_CELL.format(cell=DONG_TAM, **decision)
    assert await queued_texts(roster_db, "DV002") == [told]  # the proposer is told once, as a leader of the cell
    assert await queued_texts(roster_db, "DV003") == [told]


async def test_a_member_has_nothing_to_propose(router: Router, roster_db: Database, clock: FakeClock) -> None:
    an = await linked(router, roster_db, clock, "DV001", "111")
    for typed in ("/bieuduong", "/commend", "biểu dương", "bieuduong"):
        await an.say(typed)
        assert an.all_texts == [cm.COMMEND_FORBIDDEN, t.MENU_PROMPT]
    before = await honour_tables(roster_db)
    await an.press_payload(f"{an.nonce}|commend")  # the menu does not offer it
    assert an.all_texts == [t.INVALID_CHOICE, t.MENU_PROMPT]
    assert await honour_tables(roster_db) == before


async def test_a_committee_with_nothing_waiting(router: Router, roster_db: Database, clock: FakeClock) -> None:
    staff = await linked(router, roster_db, clock, "DV025", "2525")
    await staff.say("/bieuduong")
    year = cm.YEAR_DONE.format(year=2026, collective=0, individual=0, up_collective=0, up_individual=0)
    assert staff.all_texts == [year, cm.WAITING_NONE.format(unit=THANH_SON), t.MENU_PROMPT]


async def test_the_member_sees_it_in_dulieu_and_withdrawing_consent_erases_the_account(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    from handlers.catalog import org as o
    from handlers.services.personal_data import member_by_code, withdraw_consent
    from tests.honours_support import add_exemplar

    proposal = await propose(roster_db, clock, "DV002", "DV001")
    await decide(roster_db, clock, "DV025", proposal, "praise")
    await add_exemplar(roster_db, clock, "DV001")
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/dulieu")
    page = "\n".join(an.all_texts)
    assert cm.MYDATA_EXEMPLAR.format(year=2026) in page
    decided = cm.MYDATA_DECIDED.format(form="biểu dương", number="12-QĐ/ĐU", date="20/11/2026")
    assert cm.MYDATA_COMMENDATION.format(year=2026, state=decided, account=ACCOUNT) in page
    async with roster_db.uow() as uow:
        await withdraw_consent(uow, await member_by_code(uow, "DV001"), clock.now())
        await uow.commit()
    row = await commendation_row(roster_db, proposal)
    assert (row["account"], row["state"], row["decision_number"]) == (o.ANONYMOUS_TEXT, "commended", "12-QĐ/ĐU")


@pytest.mark.parametrize(
    ("code", "bieuduong", "hoatdong"),
    [
        ("DV001", "xem các quyết định biểu dương, khen thưởng", "xem hội thi, tọa đàm"),
        ("DV002", "đề nghị biểu dương, khen thưởng đảng viên hoặc tập thể chi bộ", "ghi hội thi, tọa đàm"),
        (
            "DV025",
            "xem xét đề nghị biểu dương, khen thưởng: biểu dương, khen thưởng, đề nghị cấp trên",
            "xem các chi bộ",
        ),
    ],
)
async def test_help_lists_the_new_commands_for_each_role(
    router: Router, roster_db: Database, clock: FakeClock, code: str, bieuduong: str, hoatdong: str
) -> None:
    chat = await linked(router, roster_db, clock, code, f"9{code}")
    await chat.say("/trogiup")
    help_text = chat.all_texts[0]
    assert f"\n/bieuduong — {bieuduong}" in help_text
    assert f"\n/hoatdong — {hoatdong}" in help_text
    assert ("Báo cáo Word" in help_text or "báo cáo Word" in help_text) is (code != "DV001")
