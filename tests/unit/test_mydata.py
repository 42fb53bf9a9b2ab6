"""/dulieu: a member sees everything stored about them, and withdraws consent (their data erased, numbers kept).

Driven through Router.handle on a real SQLite file with the example roster; texts come from the catalogs.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.catalog import core as t
from handlers.catalog import org as o
from handlers.router import Router
from handlers.services.authz import load_actor
from handlers.services.commitments import log_progress
from handlers.services.errors import InvalidInput
from handlers.services.personal_data import anonymous_token, withdraw_consent
from storage.models import (
    ChatAccount,
    ConsentEvent,
    DialogStateRow,
    Evidence,
    InviteCode,
    Member,
    ProgressEntry,
    SelfAssessment,
    StudyAttendance,
    StudySession,
)
from tests.chat import Chat, add_commitment, invite_code
from tests.support import TZ, Database, FakeClock

USER = "987654321"  # the Telegram id: never shown to the member
OWN = "Vận động 5 hộ trong thôn phân loại rác tại nguồn"
NOTE = "Đã đến 3 hộ, bà Tư nhà số 12 đồng ý"
CAUSE = "Ốm hai tháng giữa năm"
STUDY = "Học tập chuyên đề năm 2026 tại nhà văn hóa thôn"


async def linked(router: Router, db: Database, clock: FakeClock, code: str = "DV001", user: str = USER) -> Chat:
    chat = Chat(router, user_id=user)
    await chat.link_as(code, db, clock)
    chat.assert_menu()
    return chat


async def a_full_record(db: Database, clock: FakeClock) -> int:
    """DV001 with a commitment, progress with a note, a photo, a self-assessment and a study session."""
    own = await add_commitment(db, clock, "DV001", OWN)
    clock.advance(hours=1)
    async with db.uow() as uow:
        member = await uow.members.by_code("DV001")
        assert member is not None
        entry_commitment = await log_progress(uow, await load_actor(uow, member), own, 60, NOTE, clock.now())
        [entry] = await uow.commitments.progress_of(entry_commitment.id)
        session = uow.org.session
        session.add(
            Evidence(
                commitment_id=own,
                progress_entry_id=entry.id,
                platform="telegram",
                file_ref="AgAC-photo",
                created_at=clock.now(),
            )
        )
        session.add(
            SelfAssessment(
                commitment_id=own, result="partial", cause=CAUSE, remedy="Làm bù quý I", assessed_at=clock.now()
            )
        )
        study = StudySession(unit_id=member.cell_id, held_on=date(2026, 3, 12), title=STUDY, created_at=clock.now())
        session.add(study)
        await session.flush()
        session.add(
            StudyAttendance(session_id=study.id, member_id=member.id, confirmed_at=clock.now(), recorded_at=clock.now())
        )
        await uow.commit()
    return own


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# --- seeing -----------------------------------------------------------------------------------------------------
async def test_dulieu_shows_everything_stored_about_the_member(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await a_full_record(roster_db, clock)
    chat = await linked(router, roster_db, clock)
    await chat.say("/dulieu")
    page, question = chat.all_texts
    assert page.startswith(o.MYDATA_PAGE.format(page=1, pages=1))
    for expected in (
        o.MYDATA_CODE.format(value="DV001"),
        o.MYDATA_NAME.format(value="Nguyễn Văn An"),
        o.MYDATA_POSITION.format(value="Cán bộ hưu trí"),
        o.MYDATA_ROLE.format(value="đảng viên"),
        o.MYDATA_CELL.format(value="Đảng bộ tỉnh Hòa Bình Xanh / Đảng bộ xã Thanh Sơn / Chi bộ thôn Đồng Tâm"),
        o.MYDATA_PHONE.format(value="0900000001"),
        o.CONSENT_ACTIONS["given"],
        o.MYDATA_ACCOUNT_LINE.format(platform="Telegram", linked="23/11/2026", seen="23/11/2026"),
        OWN,
        NOTE,
        "60%",
        o.MYDATA_EVIDENCE.format(count=1),
        o.RESULT_LABELS["partial"],
        CAUSE,
        o.MYDATA_STUDY_LINE.format(date="12/03/2026", title=STUDY, confirmed=o.MYDATA_STUDY_CONFIRMED),
        o.MYDATA_QUIET.format(start=21, end=7),
    ):
        assert expected in page, expected
    assert USER not in page and "AgAC-photo" not in page  # no platform ids, no file references
    assert question == o.MYDATA_PROMPT
    assert chat.choices == [o.MYDATA_CHOICE_WITHDRAW, o.MYDATA_CHOICE_CLOSE]
    await chat.press(o.MYDATA_CHOICE_CLOSE)
    chat.assert_menu()


@pytest.mark.parametrize("typed", ["/dulieu", "/mydata", "du lieu", "Dữ liệu", "/DuLieu@lamtheo_bot"])
async def test_every_way_of_asking(router: Router, roster_db: Database, clock: FakeClock, typed: str) -> None:
    chat = await linked(router, roster_db, clock)
    await chat.say(typed)
    assert chat.all_texts[0].startswith(o.MYDATA_PAGE.format(page=1, pages=1))
    assert o.MYDATA_CODE.format(value="DV001") in chat.all_texts[0]


async def test_a_long_record_comes_in_pages(router: Router, roster_db: Database, clock: FakeClock) -> None:
    contents = [f"Nội dung số {n}: " + "giúp đỡ hộ nghèo trong thôn " * 30 for n in range(1, 9)]
    for content in contents:
        await add_commitment(roster_db, clock, "DV001", content)
    chat = await linked(router, roster_db, clock)
    await chat.say("/dulieu")
    first = chat.all_texts[0]
    pages = int(first.split("/", 1)[1].split("\n", 1)[0])
    assert pages >= 3
    seen = [first]
    assert chat.choices == [o.MYDATA_CHOICE_NEXT, o.MYDATA_CHOICE_WITHDRAW, o.MYDATA_CHOICE_CLOSE]
    for number in range(2, pages + 1):
        await chat.press(o.MYDATA_CHOICE_NEXT)
        assert chat.all_texts[0].startswith(o.MYDATA_PAGE.format(page=number, pages=pages))
        seen.append(chat.all_texts[0])
    assert o.MYDATA_CHOICE_NEXT not in chat.choices and o.MYDATA_CHOICE_PREVIOUS in chat.choices
    assert all(len(text) <= 2000 for text in seen)  # each page fits one Zalo message
    everything = "\n".join(seen)
    for n in range(1, 9):
        assert f"Nội dung số {n}:" in everything
    assert chat.choices[0] == o.MYDATA_CHOICE_PREVIOUS
    await chat.say("1")  # typed: the first choice on the last page, "Trang trước"
    assert chat.all_texts[0].startswith(o.MYDATA_PAGE.format(page=pages - 1, pages=pages))


# --- withdrawing consent ----------------------------------------------------------------------------------------------
async def test_withdrawal_erases_personal_data_and_keeps_the_numbers(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    own = await a_full_record(roster_db, clock)
    other = await add_commitment(roster_db, clock, "DV004", "Nội dung của đồng chí Hạnh", percent=30)
    chat = await linked(router, roster_db, clock)
    async with roster_db.uow() as uow:
        member = await uow.members.by_code("DV001")
        assert member is not None
        member_id, cell_id = member.id, member.cell_id
        assert cell_id is not None
        counts_before = (await uow.stats.cell_counts([cell_id], 2026, clock.now() - timedelta(days=30)))[cell_id]
    await chat.say("/dulieu")
    await chat.press(o.MYDATA_CHOICE_WITHDRAW)
    token = anonymous_token(member_id)
    assert chat.all_texts == [o.WITHDRAW_WARNING.format(token=token)]
    assert chat.choices == [o.WITHDRAW_CONFIRM, o.WITHDRAW_KEEP]
    clock.advance(minutes=5)
    await chat.press(o.WITHDRAW_CONFIRM)
    assert chat.all_texts == [o.WITHDRAW_DONE.format(time=clock.now().astimezone(TZ).strftime("%H:%M %d/%m/%Y"))]

    async with roster_db.uow() as uow:
        member = await uow.members.get(member_id)
        assert member is not None
        assert (member.code, member.full_name, member.position, member.phone) == (token, token, "", None)
        assert member.anonymised_at == clock.now() and member.consent_at is None
        assert member.cell_id == cell_id and member.active
        assert [e.action for e in await uow.members.consent_events(member_id)] == ["given", "withdrawn"]
        assert await uow.members.by_code("DV001") is None
        row = await uow.commitments.get(own)
        assert row is not None
        assert (row.content, row.measures, row.percent, row.status) == (
            o.ANONYMOUS_TEXT,
            o.ANONYMOUS_TEXT,
            60,
            "active",
        )
        assert [(p.percent, p.note) for p in await uow.commitments.progress_of(own)] == [(60, None)]
        kept = await uow.commitments.get(other)
        assert kept is not None and kept.content == "Nội dung của đồng chí Hạnh"
        counts_after = (await uow.stats.cell_counts([cell_id], 2026, clock.now() - timedelta(days=30)))[cell_id]
    assert (counts_after.members, counts_after.registered, counts_after.updated) == (
        counts_before.members,
        counts_before.registered,
        counts_before.updated,
    )
    assert (counts_after.commitments, counts_after.completed) == (counts_before.commitments, counts_before.completed)
    assert counts_after.linked == counts_before.linked - 1
    assert await count(roster_db, ChatAccount, ChatAccount.member_id == member_id) == 0
    assert await count(roster_db, DialogStateRow) == 0  # the only linked chat was this one
    assert await count(roster_db, InviteCode, InviteCode.member_id == member_id) == 0
    assert await count(roster_db, Evidence) == 0
    assert await count(roster_db, SelfAssessment, SelfAssessment.cause.is_not(None)) == 0
    assert await count(roster_db, SelfAssessment, SelfAssessment.result == "partial") == 1
    assert await count(roster_db, StudyAttendance, StudyAttendance.member_id == member_id) == 1
    assert await count(roster_db, ProgressEntry, ProgressEntry.note == NOTE) == 0

    # The chat account is unlinked: the bot treats it as a stranger.
    for text in ("/dulieu", "/camket", "xin chào"):
        await chat.say(text)
        assert chat.all_texts == [t.STRANGER]


async def test_keeping_the_data_changes_nothing(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await a_full_record(roster_db, clock)
    chat = await linked(router, roster_db, clock)
    await chat.say("/dulieu")
    await chat.press(o.MYDATA_CHOICE_WITHDRAW)
    confirm = chat.payload_of(o.WITHDRAW_CONFIRM)
    await chat.press(o.WITHDRAW_KEEP)
    assert chat.all_texts[0] == o.WITHDRAW_KEPT
    assert chat.all_texts[1].startswith(o.MYDATA_PAGE.format(page=1, pages=1))
    await chat.press_payload(confirm)  # the confirm button of the earlier warning is stale now
    assert chat.all_texts[0] == t.STALE_CHOICE
    assert await count(roster_db, Member, Member.anonymised_at.is_not(None)) == 0
    assert await count(roster_db, ChatAccount) == 1


async def test_forged_and_stale_buttons_cannot_withdraw(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = await linked(router, roster_db, clock)
    await chat.say("/dulieu")
    await chat.press_payload(f"{chat.nonce}|confirm")  # not offered at this step
    assert chat.all_texts == [t.INVALID_CHOICE, o.MYDATA_PROMPT]
    withdraw = chat.payload_of(o.MYDATA_CHOICE_WITHDRAW)
    await chat.say("/dulieu")
    await chat.press_payload(withdraw)  # from the previous page view
    assert chat.all_texts == [t.STALE_CHOICE, o.MYDATA_PROMPT]
    await chat.press(o.MYDATA_CHOICE_WITHDRAW)
    await chat.say("đồng ý")  # typed words that are not a choice
    assert chat.all_texts[0] == t.INVALID_CHOICE
    await chat.press_payload(f"{chat.nonce}|page:0")  # a choice of the other step
    assert chat.all_texts[0] == t.INVALID_CHOICE
    assert await count(roster_db, Member, Member.anonymised_at.is_not(None)) == 0
    await chat.say("1")  # typed number: "Xác nhận rút lại"
    assert chat.all_texts[0].startswith(o.WITHDRAW_DONE.split("{")[0])
    assert await count(roster_db, Member, Member.anonymised_at.is_not(None)) == 1


async def test_a_redelivered_confirmation_is_processed_once(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    chat = await linked(router, roster_db, clock)
    await chat.say("/dulieu")
    await chat.press(o.MYDATA_CHOICE_WITHDRAW)
    payload = chat.payload_of(o.WITHDRAW_CONFIRM)
    await chat.press_payload(payload)
    key = chat.last_key
    assert await chat.send(payload=payload, key=key) == []
    async with roster_db.sessions() as session:
        events = (await session.scalars(select(ConsentEvent.action).order_by(ConsentEvent.id))).all()
    assert list(events) == ["given", "withdrawn"]


async def test_a_withdrawn_member_can_come_back_with_a_new_invite(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    chat = await linked(router, roster_db, clock)
    await chat.say("/dulieu")
    await chat.press(o.MYDATA_CHOICE_WITHDRAW)
    await chat.press(o.WITHDRAW_CONFIRM)
    async with roster_db.uow() as uow:
        [member] = (await uow.org.session.scalars(select(Member).where(Member.anonymised_at.is_not(None)))).all()
        token = member.code
    code = await invite_code(roster_db, clock, token)
    await chat.say(f"/start {code}")
    assert chat.question.text == t.CONSENT_NOTICE  # asked again: nothing is processed without consent


async def test_withdrawing_twice_is_refused(roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        member = await uow.members.by_code("DV004")
        assert member is not None
        await withdraw_consent(uow, member, clock.now())
        await uow.commit()
    async with roster_db.uow() as uow:
        member = await uow.members.by_code(anonymous_token(member.id))
        assert member is not None
        with pytest.raises(InvalidInput) as refused:
            await withdraw_consent(uow, member, clock.now())
        assert refused.value.message == o.ALREADY_ANONYMISED.format(token=member.code)


# --- only one's own ---------------------------------------------------------------------------------------------------
async def test_a_member_sees_only_their_own_data(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await a_full_record(roster_db, clock)
    secretary = await linked(router, roster_db, clock, "DV002", user="2002")
    for typed in ("/dulieu", "/dulieu DV001", "/mydata 1"):
        await secretary.say(typed)
        page = secretary.all_texts[0]
        assert o.MYDATA_CODE.format(value="DV002") in page
        assert "DV001" not in page and "Nguyễn Văn An" not in page and OWN not in page and "0900000001" not in page


async def test_a_batch_of_invites_leaves_out_who_withdrew(roster_db: Database, clock: FakeClock) -> None:
    from handlers.services.invites import members_for_invites

    async with roster_db.uow() as uow:
        member = await uow.members.by_code("DV004")
        assert member is not None
        await withdraw_consent(uow, member, clock.now())
        await uow.commit()
    async with roster_db.uow() as uow:
        batch = await members_for_invites(uow, "Chi bộ thôn Đồng Tâm", None)
        by_code = await members_for_invites(uow, None, anonymous_token(member.id))
    assert batch and all(m.anonymised_at is None for m in batch)
    assert [m.id for m in by_code] == [member.id]
