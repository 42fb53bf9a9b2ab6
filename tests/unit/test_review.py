"""/duyet: pending registrations listed (leaders first), approved or returned with a comment, revised and resubmitted.

Roster: DV001 member, DV002 secretary, DV003 deputy of Chi bộ thôn Đồng Tâm; DV007 secretary of Chi bộ thôn Tân Lập;
DV025 committee staff of Đảng bộ xã Thanh Sơn; DV016 secretary of Chi bộ tổ dân phố Hồng Hà (another committee).
"""

from __future__ import annotations

import pytest

from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.router import Router
from handlers.services.commitments import edit_commitment, log_progress
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.services.review import (
    approve_registration,
    pending_registrations,
    resubmit_registration,
    return_registration,
    review_notice,
)
from tests.chat import Chat, add_commitment, dialog, skip_exemplar
from tests.review_support import actor_of, add_cell_item, commitment_row, linked, review_tables
from tests.support import Database, FakeClock

AN_DEED = "Vận động 5 hộ trong thôn phân loại rác tại nguồn"
CUONG_DEED = "Sửa đường bê tông vào xóm Đồng"
COMMENT = "Nội dung cần cụ thể hơn: bao nhiêu hộ, thời gian nào?"


async def secretary(router: Router, db: Database, clock: FakeClock) -> Chat:
    return await linked(router, db, clock, "DV002", "222")


async def test_a_new_registration_is_pending_and_says_the_cell_will_review(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/dangky")
    await an.say(AN_DEED)
    await an.say("Họp tổ, đến từng nhà")
    await an.say("31/12/2026")
    await skip_exemplar(an)
    await an.press(t.CONFIRM)
    assert an.all_texts == [t.REGISTERED.format(number=1, year=2026), t.MENU_PROMPT]
    assert "Chi ủy sẽ xem xét và duyệt" in an.all_texts[0]
    async with roster_db.uow() as uow:
        [saved] = await uow.commitments.active_for((await actor_of(uow, "DV001")).member_id)
        assert (saved.kind, saved.review_state, saved.reviewed_at) == ("individual", "pending", None)
    await an.say("/camket")
    assert an.all_texts[0].endswith(rv.PLEDGE_REVIEW_SUFFIX.format(state=rv.REVIEW_STATE_LABELS["pending"]))


async def test_leaders_registrations_are_listed_first(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await add_commitment(roster_db, clock, "DV001", AN_DEED)
    clock.advance(minutes=5)
    await add_commitment(roster_db, clock, "DV004", "Hướng dẫn chị em làm vườn sạch")
    clock.advance(minutes=5)
    await add_commitment(roster_db, clock, "DV003", CUONG_DEED)  # the deputy registered last
    ngoc = await secretary(router, roster_db, clock)
    await ngoc.say("/duyet")
    listing, question = ngoc.all_texts
    assert listing.splitlines() == [
        rv.REVIEW_LIST_HEADER.format(count=3),
        rv.REVIEW_LIST_LINE.format(number=1, name="Lê Văn Cường", position="Trưởng thôn", content=CUONG_DEED),
        rv.REVIEW_LIST_LINE.format(number=2, name="Nguyễn Văn An", position="Cán bộ hưu trí", content=AN_DEED),
        rv.REVIEW_LIST_LINE.format(
            number=3,
            name="Phạm Thị Hạnh",
            position="Chi hội trưởng Chi hội Phụ nữ thôn",
            content="Hướng dẫn chị em làm vườn sạch",
        ),
    ]
    assert question == rv.REVIEW_CHOOSE
    assert ngoc.choices[0].startswith("Lê Văn Cường: ") and ngoc.choices[-1] == t.CANCEL


async def test_approve_then_the_list_moves_on(router: Router, roster_db: Database, clock: FakeClock) -> None:
    first = await add_commitment(roster_db, clock, "DV001", AN_DEED)
    ngoc = await secretary(router, roster_db, clock)
    await ngoc.say("duyet")  # bare word, as typed on Zalo
    await ngoc.say("1")
    assert ngoc.all_texts[0].startswith(rv.REVIEW_DETAIL.split("{")[0] + "Nguyễn Văn An")
    assert AN_DEED in ngoc.all_texts[0] and "31/12/2026" in ngoc.all_texts[0]
    assert ngoc.choices == [rv.REVIEW_APPROVE, rv.REVIEW_RETURN, t.BACK]
    clock.advance(minutes=1)
    await ngoc.press(rv.REVIEW_APPROVE)
    assert ngoc.all_texts == [rv.REVIEW_APPROVED.format(name="Nguyễn Văn An"), rv.REVIEW_NONE_PENDING, t.MENU_PROMPT]
    row = await commitment_row(roster_db, first)
    async with roster_db.uow() as uow:
        ngoc_id = (await actor_of(uow, "DV002")).member_id
    assert (row["review_state"], row["reviewed_by_member_id"], row["reviewed_at"]) == ("approved", ngoc_id, clock.now())
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/camket")
    assert an.all_texts[0].endswith(rv.PLEDGE_REVIEW_SUFFIX.format(state=rv.REVIEW_STATE_LABELS["approved"]))


async def test_return_with_a_comment_revise_and_resubmit(router: Router, roster_db: Database, clock: FakeClock) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", AN_DEED)
    an = await linked(router, roster_db, clock, "DV001", "111")
    ngoc = await secretary(router, roster_db, clock)
    await ngoc.say("/approve")
    await ngoc.say("1")
    await ngoc.press(rv.REVIEW_RETURN)
    assert ngoc.all_texts == [rv.REVIEW_ASK_COMMENT]
    for bad, message in (
        ("   ", t.NOT_TEXT),
        ("x" * 5000, t.TEXT_TOO_LONG.format(length=5000, maximum=1000)),
        ("🙏", t.TEXT_TOO_SHORT.format(minimum=3)),
    ):
        await ngoc.say(bad)
        assert ngoc.all_texts == [message, rv.REVIEW_ASK_COMMENT]
        assert (await commitment_row(roster_db, cid))["review_state"] == "pending"
    await ngoc.say(f"<b>{COMMENT}</b> 🙏")
    assert ngoc.all_texts == [rv.REVIEW_RETURNED.format(name="Nguyễn Văn An"), rv.REVIEW_NONE_PENDING, t.MENU_PROMPT]
    row = await commitment_row(roster_db, cid)
    assert (row["review_state"], row["review_comment"]) == ("returned", f"<b>{COMMENT}</b> 🙏")

    # the member sees it the next time they write, above the menu and in /camket
    await an.say("xin chào")
    notice = rv.RETURNED_HEADER + "\n" + rv.RETURNED_LINE.format(content=AN_DEED, comment=f"<b>{COMMENT}</b> 🙏")
    assert an.all_texts == [notice, t.MENU_PROMPT]
    await an.say("/camket")
    assert an.all_texts[0] == notice
    assert an.all_texts[1].endswith(rv.PLEDGE_REVIEW_SUFFIX.format(state=rv.REVIEW_STATE_LABELS["returned"]))
    await an.say("1")
    assert rv.PLEDGE_DETAIL_COMMENT.format(comment=f"<b>{COMMENT}</b> 🙏") in an.all_texts[0]
    assert an.choices[0] == rv.RESUBMIT
    await an.press(t.EDIT_CONTENT)
    await an.say("Vận động 5 hộ xóm Đồng phân loại rác trước 31/12")
    assert an.all_texts[0] == t.SAVED_CHANGE and an.choices[0] == rv.RESUBMIT  # still returned until resubmitted
    await an.press(rv.RESUBMIT)
    assert an.all_texts[0] == rv.RESUBMITTED
    assert rv.RESUBMIT not in an.choices
    row = await commitment_row(roster_db, cid)
    assert (row["review_state"], row["content"]) == ("pending", "Vận động 5 hộ xóm Đồng phân loại rác trước 31/12")
    await an.say("/menu")
    assert an.all_texts == [t.MENU_PROMPT]  # no notice any more

    # the secretary sees the previous comment when reviewing again
    await ngoc.say("/duyet")
    await ngoc.say("1")
    assert ngoc.all_texts[0].endswith(rv.REVIEW_PREVIOUS_COMMENT.format(comment=f"<b>{COMMENT}</b> 🙏"))


async def test_review_notice_for_the_delivery_sender(roster_db: Database, clock: FakeClock) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", AN_DEED)
    async with roster_db.uow() as uow:
        ngoc = await actor_of(uow, "DV002")
        returned = await return_registration(uow, ngoc, cid, COMMENT, clock.now())
        member_id, text = review_notice(returned)
        assert member_id == (await actor_of(uow, "DV001")).member_id
        assert text == rv.NOTICE_RETURNED.format(content=AN_DEED, comment=COMMENT)
        an = await actor_of(uow, "DV001")
        await resubmit_registration(uow, an, cid, clock.now())
        approved = await approve_registration(uow, ngoc, cid, clock.now())
        assert review_notice(approved) == (member_id, rv.NOTICE_APPROVED.format(content=AN_DEED))
        with pytest.raises(InvalidInput) as not_returned:
            await resubmit_registration(uow, an, cid, clock.now())
        assert not_returned.value.message == rv.NOT_RETURNED


async def test_a_member_cannot_review(router: Router, roster_db: Database, clock: FakeClock) -> None:
    cid = await add_commitment(roster_db, clock, "DV004", AN_DEED)
    an = await linked(router, roster_db, clock, "DV001", "111")
    for command in ("/duyet", "/approve", "duyệt"):
        await an.say(command)
        assert an.all_texts == [rv.REVIEW_FORBIDDEN, t.MENU_PROMPT]
    before = await review_tables(roster_db)
    await an.press_payload(f"{an.nonce}|review")  # the menu does not offer it
    assert an.all_texts == [t.INVALID_CHOICE, t.MENU_PROMPT]
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, "DV001")
        with pytest.raises(Forbidden):
            await pending_registrations(uow, actor)
        with pytest.raises(Forbidden):
            await approve_registration(uow, actor, cid, clock.now())
        await uow.commit()
    assert await review_tables(roster_db) == before


async def test_a_secretary_of_another_cell_is_refused(router: Router, roster_db: Database, clock: FakeClock) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", AN_DEED)  # Đồng Tâm
    await add_commitment(roster_db, clock, "DV009", "Tu sửa nhà văn hóa thôn Tân Lập")  # Tân Lập
    hung = await linked(router, roster_db, clock, "DV007", "777")
    await hung.say("/duyet")
    assert AN_DEED not in "\n".join(hung.all_texts) and len(hung.choices) == 2  # DV009's, and Hủy
    before = await review_tables(roster_db)
    await hung.press_payload(f"{hung.nonce}|{cid}")  # a forged button naming Đồng Tâm's registration
    assert hung.all_texts[0] == t.INVALID_CHOICE
    await hung.say("1")
    await hung.press_payload(f"{hung.nonce}|approve|{cid}")
    assert hung.all_texts[0] == t.INVALID_CHOICE
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, "DV007")
        for attempt in (
            approve_registration(uow, actor, cid, clock.now()),
            return_registration(uow, actor, cid, COMMENT, clock.now()),
        ):
            with pytest.raises(NotFound) as refused:
                await attempt
            assert refused.value.message == rv.REVIEW_GONE
        await uow.commit()
    assert await review_tables(roster_db) == before


async def test_committee_staff_review_their_subtree_only(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await add_commitment(roster_db, clock, "DV001", AN_DEED)
    await add_commitment(roster_db, clock, "DV009", "Tu sửa nhà văn hóa thôn Tân Lập")
    other = await add_commitment(roster_db, clock, "DV018", "Thăm hỏi cựu chiến binh ốm đau")  # Hồng Phong
    staff = await linked(router, roster_db, clock, "DV025", "2525")
    await staff.say("/duyet")
    listing = staff.all_texts[0]
    assert "Chi bộ thôn Đồng Tâm" in listing and "Chi bộ thôn Tân Lập" in listing
    assert "Thăm hỏi cựu chiến binh" not in listing
    async with roster_db.uow() as uow:
        with pytest.raises(NotFound):
            await approve_registration(uow, await actor_of(uow, "DV025"), other, clock.now())


async def test_stale_button_and_a_registration_handled_meanwhile(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", AN_DEED)
    ngoc = await secretary(router, roster_db, clock)
    cuong = await linked(router, roster_db, clock, "DV003", "333")
    await ngoc.say("/duyet")
    old_payload = ngoc.payload_of(ngoc.choices[0])
    await ngoc.say("1")
    await ngoc.press_payload(old_payload)  # a button of the list, pressed after the detail came
    assert ngoc.all_texts[0] == t.STALE_CHOICE
    await cuong.say("/duyet")  # the deputy approves it first
    await cuong.say("1")
    await cuong.press(rv.REVIEW_APPROVE)
    await ngoc.press(rv.REVIEW_RETURN)
    assert ngoc.all_texts == [rv.REVIEW_GONE, t.MENU_PROMPT]
    assert (await dialog(roster_db, user_id="222")).flow == "menu"
    assert (await commitment_row(roster_db, cid))["review_state"] == "approved"


async def test_withdrawn_and_collective_items_are_not_pending(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await add_cell_item(roster_db, clock, "DV002", "Chi bộ nhận đỡ đầu 2 hộ nghèo")
    ngoc = await secretary(router, roster_db, clock)
    await ngoc.say("/duyet")
    assert ngoc.all_texts == [rv.REVIEW_NONE_PENDING, t.MENU_PROMPT]


async def test_editing_an_approved_registration_sends_it_back_for_review(roster_db: Database, clock: FakeClock) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", AN_DEED)
    async with roster_db.uow() as uow:
        await approve_registration(uow, await actor_of(uow, "DV002"), cid, clock.now())
        an = await actor_of(uow, "DV001")
        await log_progress(uow, an, cid, 40, None, clock.now())  # progress is no change of the registration
        await uow.commit()
    assert (await commitment_row(roster_db, cid))["review_state"] == "approved"
    async with roster_db.uow() as uow:
        await edit_commitment(uow, await actor_of(uow, "DV001"), cid, clock.now(), measures="Họp tổ, loa truyền thanh")
        await uow.commit()
    assert (await commitment_row(roster_db, cid))["review_state"] == "pending"


async def test_a_leader_by_position_is_listed_first(roster_db: Database, clock: FakeClock) -> None:
    await add_commitment(roster_db, clock, "DV001", AN_DEED)
    clock.advance(minutes=5)
    await add_commitment(roster_db, clock, "DV005", "Trồng 100 cây xanh ven đường")
    async with roster_db.uow() as uow:
        dung = await uow.members.by_code("DV005")
        assert dung is not None
        dung.position = "Đảng ủy viên, Chủ tịch Hội Nông dân xã"  # a plain member by role
        await uow.commit()
    async with roster_db.uow() as uow:
        items = await pending_registrations(uow, await actor_of(uow, "DV002"))
    assert [item.member_name for item in items] == ["Hoàng Văn Dũng", "Nguyễn Văn An"]


async def _queued_texts(db: Database, code: str) -> list[str]:
    from sqlalchemy import select

    from storage.models import Broadcast, Delivery, Member

    async with db.uow() as uow:
        session = uow.members.session
        member_id = (await session.scalars(select(Member.id).where(Member.code == code))).one()
        stmt = (
            select(Delivery.text)
            .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
            .where(Delivery.member_id == member_id, Broadcast.kind == "notice", Delivery.status == "pending")
        )
        return list((await session.scalars(stmt)).all())


async def test_the_member_is_told_at_once_through_the_delivery_queue(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    first = await add_commitment(roster_db, clock, "DV001", AN_DEED)
    second = await add_commitment(roster_db, clock, "DV001", CUONG_DEED)
    await linked(router, roster_db, clock, "DV001", "111")  # a reachable chat account
    ngoc = await secretary(router, roster_db, clock)
    await ngoc.say("/duyet")
    await ngoc.say("1")
    await ngoc.press(rv.REVIEW_APPROVE)
    await ngoc.say("1")
    await ngoc.press(rv.REVIEW_RETURN)
    await ngoc.say(COMMENT)
    async with roster_db.uow() as uow:
        approved = await uow.commitments.get(first)
        returned = await uow.commitments.get(second)
        assert approved is not None and returned is not None
        expected = [review_notice(approved)[1], review_notice(returned)[1]]
    assert await _queued_texts(roster_db, "DV001") == expected
    assert COMMENT in expected[1]
