"""Every step of every conversation, driven through Router.handle, checking the reply and the database.

Replies are compared with the catalog constants (handlers/catalog/core.py), never with copied strings.
Unless a test moves it, the clock stands at 10:00 on 23/11/2026 in Hà Nội: the quarter and the year
both end on 31/12/2026 and the latest allowed deadline is 31/12/2027.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.channels.console import ConsoleChannel
from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.catalog import deliveries as d
from handlers.catalog import document as dc
from handlers.catalog import reports as rp
from handlers.catalog import review as rv
from handlers.flows.pledges import DETAIL_CHOICES
from handlers.router import Router
from handlers.services.authz import load_actor
from handlers.services.commitments import withdraw_commitment
from handlers.services.linking import CONSENT_NOTICE_VERSION, give_consent, link_console
from storage.models import ChatAccount, Commitment, ConsentEvent, DialogStateRow, ProgressEntry
from tests.chat import (
    MEASURES,
    SNAP_FIELDS,
    Chat,
    add_commitment,
    asks_exemplar,
    dialog,
    everything,
    invite_code,
    mid,
    skip_exemplar,
)
from tests.support import TZ, Database, FakeClock

AN = "Nguyễn Văn An"  # DV001, plain member of Chi bộ thôn Đồng Tâm
DONG_TAM = "Chi bộ thôn Đồng Tâm"
NOW_TEXT = "10:00 23/11/2026"
QUARTER = t.DEADLINE_QUARTER.format(date="31/12/2026")
MEMBER_MENU = [t.MENU_REGISTER, t.MENU_PROGRESS, t.MENU_PLEDGES, t.MENU_HELP]
SECRETARY_MENU = [
    t.MENU_REGISTER,
    t.MENU_PROGRESS,
    t.MENU_PLEDGES,
    t.MENU_SUMMARY,
    t.MENU_REVIEW,
    t.MENU_ANNOUNCE,
    t.MENU_HELP,
]
COMMITTEE_MENU = [
    t.MENU_REGISTER,
    t.MENU_PROGRESS,
    t.MENU_PLEDGES,
    t.MENU_SUMMARY,
    t.MENU_REPORT,
    t.MENU_ANNOUNCE,
    t.MENU_HELP,
]
CONTENT = "Vận động 5 hộ trong thôn phân loại rác tại nguồn"


# --- helpers ---------------------------------------------------------------------------------------------
@pytest.fixture
def chat(router: Router) -> Chat:
    return Chat(router)


@pytest.fixture
async def an(chat: Chat, roster_db: Database, clock: FakeClock) -> Chat:
    """DV001 linked on Telegram user 111, consent given, at the main menu."""
    await chat.link_as("DV001", roster_db, clock)
    chat.assert_menu()
    return chat


async def active(db: Database, code: str) -> list[dict[str, Any]]:
    """The member's active commitments, as plain values."""
    async with db.uow() as uow:
        rows = await uow.commitments.active_for(await mid(uow, code))
        return [{name: getattr(c, name) for name in SNAP_FIELDS} for c in rows]


async def commitment(db: Database, commitment_id: int) -> dict[str, Any]:
    async with db.uow() as uow:
        row = await uow.commitments.get(commitment_id)
        assert row is not None
        return {name: getattr(row, name) for name in SNAP_FIELDS}


async def progress(db: Database, commitment_id: int) -> list[tuple[int, str | None, datetime]]:
    async with db.uow() as uow:
        return [(p.percent, p.note, p.created_at) for p in await uow.commitments.progress_of(commitment_id)]


async def table_counts(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        return {
            model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Commitment, ProgressEntry, ChatAccount, ConsentEvent)
        }


async def register_by_chat(chat: Chat, content: str = CONTENT, deadline: str = "31/12/2026") -> None:
    await chat.say("/dangky")
    if rv.KIND_SELF in chat.all_choices:  # a secretary or deputy is first asked for whom
        await chat.press(rv.KIND_SELF)
    await chat.say(content)
    await chat.say(MEASURES)
    await chat.say(deadline)
    if asks_exemplar(chat):
        await skip_exemplar(chat)
    await chat.press(t.CONFIRM)
    assert chat.all_texts[0].startswith(t.REGISTERED.split("{")[0]), chat.all_texts


def confirmation(content: str = CONTENT, measures: str = MEASURES, deadline: str = "31/12/2026") -> str:
    return t.CONFIRM_REGISTRATION.format(content=content, measures=measures, deadline=deadline)


def detail(
    content: str = CONTENT,
    measures: str = MEASURES,
    deadline: str = "31/12/2026",
    percent: int = 0,
    updated: str = t.PLEDGE_NEVER_UPDATED,
) -> str:
    return t.PLEDGE_DETAIL.format(
        content=content, measures=measures, deadline=deadline, percent=percent, updated=updated
    )


# --- linking ------------------------------------------------------------------------------------------------
async def test_link_with_start_code(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    code = await invite_code(roster_db, clock, "DV001")
    await chat.say(f"/start {code}")
    assert chat.all_texts == [t.LINKED.format(name=AN, cell=DONG_TAM), t.CONSENT_NOTICE]
    assert chat.choices == [t.CONSENT_YES, t.CONSENT_NO]
    async with roster_db.uow() as uow:
        account = await uow.accounts.find("telegram", "111")
        invite = await uow.invites.by_code(code)
        member = await uow.members.get(await mid(uow, "DV001"))
        assert account is not None and invite is not None and member is not None
        assert account.member_id == member.id and account.linked_at == clock.now()
        assert invite.used_at == clock.now() and invite.used_by_account_id == account.id
        assert member.consent_at is None
    assert (await dialog(roster_db)).flow == "consent"


@pytest.mark.parametrize("shape", ["lower_spaced", "dashed", "padded"])
async def test_link_by_typing_the_code(chat: Chat, roster_db: Database, clock: FakeClock, shape: str) -> None:
    code = await invite_code(roster_db, clock, "DV001")
    typed = {
        "lower_spaced": f"{code[:4].lower()} {code[4:].lower()}",
        "dashed": f"{code[:4]}-{code[4:]}",
        "padded": f"   {code.lower()}   ",
    }[shape]
    await chat.say(typed)
    assert chat.all_texts == [t.LINKED.format(name=AN, cell=DONG_TAM), t.CONSENT_NOTICE]
    async with roster_db.uow() as uow:
        account = await uow.accounts.find("telegram", "111")
        assert account is not None and account.member_id == await mid(uow, "DV001")


async def test_a_used_code_is_refused(router: Router, roster_db: Database, clock: FakeClock) -> None:
    first, second = Chat(router, user_id="111"), Chat(router, user_id="222")
    code = await first.link_as("DV001", roster_db, clock)
    await second.say(f"/start {code}")
    assert second.all_texts == [t.CODE_UNKNOWN.format(code=code)]
    await second.say(code.lower())
    assert second.all_texts == [t.CODE_UNKNOWN.format(code=code)]
    async with roster_db.uow() as uow:
        assert await uow.accounts.find("telegram", "222") is None
        linked = await uow.accounts.for_member(await mid(uow, "DV001"))
        assert [(a.platform, a.external_id) for a in linked] == [("telegram", "111")]


@pytest.mark.parametrize("text", ["/start ZZZZ2222", "zzzz 2222", "ZZZZ-2222"])
async def test_an_unknown_code_is_refused(chat: Chat, roster_db: Database, text: str) -> None:
    await chat.say(text)
    assert chat.all_texts == [t.CODE_UNKNOWN.format(code="ZZZZ2222")]
    assert (await table_counts(roster_db))["chat_accounts"] == 0


@pytest.mark.parametrize(
    "text", ["xin chào", "/start", "/dangky", "/tonghop", "1", "Đăng ký", "huy", "abc", "/start xin-chao-cac-dong-chi"]
)
async def test_a_stranger_only_gets_the_stranger_text(chat: Chat, roster_db: Database, text: str) -> None:
    await chat.say(text)
    assert chat.all_texts == [t.STRANGER]
    assert chat.all_choices == []
    assert (await table_counts(roster_db))["chat_accounts"] == 0


async def test_a_stranger_pressing_a_button_gets_the_stranger_text(chat: Chat, roster_db: Database) -> None:
    await chat.press_payload("1|register")
    assert chat.all_texts == [t.STRANGER]
    assert (await table_counts(roster_db))["chat_accounts"] == 0


async def test_a_linked_member_sending_a_code_again(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    other = await invite_code(roster_db, clock, "DV003")
    await an.say(f"/start {other}")
    assert an.all_texts == [t.ALREADY_LINKED.format(name=AN), t.MENU_PROMPT]
    async with roster_db.uow() as uow:
        invite = await uow.invites.by_code(other)
        assert invite is not None and invite.used_at is None  # DV003's code is still unspent
        account = await uow.accounts.find("telegram", "111")
        assert account is not None and account.member_id == await mid(uow, "DV001")


async def make_inactive(db: Database, code: str) -> None:
    """The member leaves the roster (moved away, or re-imported under a new code)."""
    async with db.uow() as uow:
        found = await uow.members.by_code(code)
        assert found is not None
        found.active = False
        await uow.commit()


@pytest.mark.parametrize("how", ["start", "typed"])
async def test_the_chat_account_of_an_inactive_member_can_be_linked_again(
    an: Chat, roster_db: Database, clock: FakeClock, how: str
) -> None:
    await add_commitment(roster_db, clock, "DV001", "Nội dung của đồng chí An")
    await an.say("/dangky")
    await an.say(CONTENT)  # DV001 leaves in the middle of a registration
    async with roster_db.uow() as uow:
        old = await uow.accounts.find("telegram", "111")
        assert old is not None
        old_id = old.id
    old_nonce = (await dialog(roster_db)).nonce
    await make_inactive(roster_db, "DV001")
    await an.say("xin chào")
    assert an.all_texts == [t.STRANGER]
    clock.advance(days=3)
    code = await invite_code(roster_db, clock, "DV003")
    await an.say(f"/start {code}" if how == "start" else code.lower())
    assert an.all_texts == [t.LINKED.format(name="Lê Văn Cường", cell=DONG_TAM), t.CONSENT_NOTICE]
    assert an.choices == [t.CONSENT_YES, t.CONSENT_NO]
    async with roster_db.uow() as uow:
        account = await uow.accounts.find("telegram", "111")
        invite = await uow.invites.by_code(code)
        assert account is not None and invite is not None
        assert account.id == old_id  # the same row, given to DV003
        assert account.member_id == await mid(uow, "DV003")
        assert (account.linked_at, account.last_seen_at) == (clock.now(), clock.now())
        assert (invite.used_at, invite.used_by_account_id) == (clock.now(), old_id)
        assert await uow.accounts.for_member(await mid(uow, "DV001")) == []
    state = await dialog(roster_db)  # the old registration is forgotten; the nonce keeps counting up
    assert (state.flow, state.values) == ("consent", {})
    assert state.nonce > old_nonce
    assert (await table_counts(roster_db))["chat_accounts"] == 1
    async with roster_db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DialogStateRow)) == 1
    await an.press(t.CONSENT_YES)
    assert an.all_texts == [t.CONSENT_GIVEN.format(time="10:00 26/11/2026"), t.MENU_PROMPT]
    await an.say("/camket")  # DV003's commitments, not DV001's
    assert an.all_texts == [t.NO_COMMITMENTS, t.MENU_PROMPT]
    await an.say(f"/start {code}")  # the code is spent
    assert an.all_texts == [t.ALREADY_LINKED.format(name="Lê Văn Cường"), t.MENU_PROMPT]


async def test_buttons_from_before_a_relink_are_stale(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    """The first member's old buttons must not answer the new member's questions."""
    old_buttons = [c.payload for _, replies in an.transcript for r in replies for c in r.choices]
    await make_inactive(roster_db, "DV001")
    code = await invite_code(roster_db, clock, "DV003")
    await an.say(f"/start {code}")
    assert an.question.text == t.CONSENT_NOTICE
    for payload in old_buttons:  # among them DV001's own "Tôi đồng ý"
        await an.press_payload(payload)
        assert an.all_texts == [t.STALE_CHOICE, t.CONSENT_NOTICE], payload
    async with roster_db.uow() as uow:
        member = await uow.members.get(await mid(uow, "DV003"))
        assert member is not None and member.consent_at is None
        assert await uow.members.consent_events(member.id) == []


# --- consent -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["button", "number", "words"])
async def test_consent_yes_is_recorded_with_its_time(
    chat: Chat, roster_db: Database, clock: FakeClock, how: str
) -> None:
    code = await invite_code(roster_db, clock, "DV001")
    await chat.say(f"/start {code}")
    clock.advance(minutes=5)
    if how == "button":
        await chat.press(t.CONSENT_YES)
    else:
        await chat.say("1" if how == "number" else "toi dong y")
    assert chat.all_texts == [t.CONSENT_GIVEN.format(time="10:05 23/11/2026"), t.MENU_PROMPT]
    assert chat.choices == MEMBER_MENU
    async with roster_db.uow() as uow:
        member = await uow.members.get(await mid(uow, "DV001"))
        assert member is not None and member.consent_at == clock.now()
        events = await uow.members.consent_events(member.id)
        assert [(e.action, e.notice_version, e.at) for e in events] == [("given", CONSENT_NOTICE_VERSION, clock.now())]
    assert (await dialog(roster_db)).flow == "menu"


async def test_consent_no_offers_nothing_else(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    await chat.link_as("DV001", roster_db, clock, consent=False)
    assert chat.all_texts == [t.CONSENT_DECLINED]
    assert chat.all_choices == []
    declined = ("consent", "declined")
    assert ((state := await dialog(roster_db)).flow, state.step) == declined
    attempts = ["/dangky", "dang ky", CONTENT, "/capnhat", "/camket", "/trogiup", "/tonghop", "/huy", "1", "toi dong y"]
    for attempt in attempts:
        await chat.say(attempt)
        # after a "no", every message gets the short reminder: not the notice, and never a consent
        assert chat.all_texts == [t.CONSENT_STILL_DECLINED], attempt
        assert chat.all_choices == []
    await chat.send(text=None)  # not even a sticker gets more
    assert chat.all_texts == [t.CONSENT_STILL_DECLINED]
    await chat.say("/start")  # the way back: the whole notice again
    assert chat.all_texts == [t.CONSENT_NOTICE]
    assert chat.choices == [t.CONSENT_YES, t.CONSENT_NO]
    await chat.say("không rõ")  # an answer that is neither yes nor no
    assert chat.all_texts == [t.CONSENT_REQUIRED, t.CONSENT_NOTICE]
    await chat.say("/dangky")  # a command while the notice is shown: the notice again
    assert chat.all_texts == [t.CONSENT_NOTICE]
    old_yes = chat.payload_of(t.CONSENT_YES)
    await chat.say("2")  # no, once more
    assert chat.all_texts == [t.CONSENT_DECLINED]
    await chat.press_payload(old_yes)  # the notice's button, pressed after the "no"
    assert chat.all_texts == [t.CONSENT_STILL_DECLINED]
    assert ((state := await dialog(roster_db)).flow, state.step) == declined
    async with roster_db.uow() as uow:
        member = await uow.members.get(await mid(uow, "DV001"))
        assert member is not None and member.consent_at is None
        events = await uow.members.consent_events(member.id)
        assert [e.action for e in events] == ["declined", "declined"]
        assert await uow.commitments.active_for(member.id) == []
    assert (await table_counts(roster_db))["commitments"] == 0


@pytest.mark.parametrize("how", ["button", "number", "words"])
async def test_changing_ones_mind_after_declining(chat: Chat, roster_db: Database, clock: FakeClock, how: str) -> None:
    await chat.link_as("DV001", roster_db, clock, consent=False)
    await chat.say("tôi muốn đăng ký")
    assert chat.all_texts == [t.CONSENT_STILL_DECLINED]
    await chat.say("/start")
    assert chat.all_texts == [t.CONSENT_NOTICE]
    assert chat.choices == [t.CONSENT_YES, t.CONSENT_NO]
    if how == "button":
        await chat.press(t.CONSENT_YES)
    else:
        await chat.say("1" if how == "number" else t.CONSENT_YES)
    assert chat.all_texts == [t.CONSENT_GIVEN.format(time=NOW_TEXT), t.MENU_PROMPT]
    assert chat.choices == MEMBER_MENU
    assert (await dialog(roster_db)).flow == "menu"
    async with roster_db.uow() as uow:
        member = await uow.members.get(await mid(uow, "DV001"))
        assert member is not None and member.consent_at == clock.now()
        events = await uow.members.consent_events(member.id)
        assert [e.action for e in events] == ["declined", "given"]
    await chat.say("/dangky")  # and the bot now works
    assert chat.all_texts == [t.ASK_CONTENT]


# --- menu, help, commands ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["xin chào", "abc", "12345", "?", "cảm ơn"])
async def test_any_text_outside_a_flow_shows_the_main_menu(an: Chat, roster_db: Database, text: str) -> None:
    await an.say(text)
    assert an.all_texts == [t.MENU_PROMPT]
    assert an.choices == MEMBER_MENU
    await an.say("/camket")  # no commitments: the main menu follows
    assert an.all_texts == [t.NO_COMMITMENTS, t.MENU_PROMPT]
    assert an.choices == MEMBER_MENU
    assert ((state := await dialog(roster_db)).flow, state.step) == ("menu", "main")
    await an.say(text)
    assert an.all_texts == [t.MENU_PROMPT]
    assert (await dialog(roster_db)).flow == "menu"


@pytest.mark.parametrize("how", ["button", "number", "words"])
async def test_the_menu_starts_each_flow(an: Chat, how: str) -> None:
    if how == "button":
        await an.press(t.MENU_REGISTER)
    else:
        await an.say("1" if how == "number" else "dang ky noi dung lam theo")
    assert an.all_texts == [t.ASK_CONTENT]


@pytest.mark.parametrize(
    ("code", "extra", "role", "menu"),
    [
        ("DV001", "", "member", MEMBER_MENU),
        ("DV002", t.HELP_SECRETARY, "secretary", SECRETARY_MENU),
        ("DV025", t.HELP_COMMITTEE, "committee", COMMITTEE_MENU),
    ],
)
async def test_help_per_role(
    chat: Chat, roster_db: Database, clock: FakeClock, code: str, extra: str, role: str, menu: list[str]
) -> None:
    await chat.link_as(code, roster_db, clock)
    assert chat.choices == menu
    await chat.say("/trogiup")
    expected = t.HELP_MEMBER + extra + t.HELP_ROLE.format(role=t.ROLE_NAMES[role])
    assert chat.all_texts == [expected, t.MENU_PROMPT]
    assert ("/tonghop" in chat.all_texts[0]) is (role != "member")
    for command in ("/dangky", "/capnhat", "/camket", "/kenh", "/nhacnho", "/lichhop", "/dulieu", "/hoctap"):
        assert f"\n{command} — " in chat.all_texts[0], command
    for command in ("/tudanhgia", "/trogiup", "/huy"):
        assert f"\n{command} — " in chat.all_texts[0], command
    for command in ("/tonghop", "/duyet", "/baocao", "/thongbao"):
        assert (f"\n{command} — " in chat.all_texts[0]) is (role != "member"), command
    await chat.press(t.MENU_HELP)
    assert chat.all_texts == [expected, t.MENU_PROMPT]


async def test_leader_menu_entries_open_their_actions(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    await chat.link_as("DV002", roster_db, clock)
    await chat.press(t.MENU_REVIEW)
    assert chat.all_texts == [rv.REVIEW_NONE_PENDING, t.MENU_PROMPT]
    await chat.press(t.MENU_ANNOUNCE)
    assert chat.all_texts[-1] == d.ANNOUNCE_ASK_TEXT.format(unit=DONG_TAM, count=6, maximum=2000)  # DV001..DV006
    staff = Chat(chat.router, user_id="2525")
    await staff.link_as("DV025", roster_db, clock)
    await staff.press(t.MENU_REPORT)
    assert staff.all_texts == [dc.ASK_FORMAT] and staff.choices == [dc.FORMAT_XLSX, dc.FORMAT_DOCX, t.CANCEL]
    await staff.press(t.CANCEL)
    await staff.press(t.MENU_ANNOUNCE)
    assert staff.question.text == d.ANNOUNCE_CHOOSE_UNIT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dang ky", [t.ASK_CONTENT]),
        ("Đăng ký", [t.ASK_CONTENT]),
        ("ĐĂNG KÝ.", [t.ASK_CONTENT]),
        ("/DangKy", [t.ASK_CONTENT]),
        ("/dangky@lamtheo_bot", [t.ASK_CONTENT]),
        ("tro giup", [t.HELP_MEMBER + t.HELP_ROLE.format(role=t.ROLE_NAMES["member"]), t.MENU_PROMPT]),
        ("Hướng dẫn", [t.HELP_MEMBER + t.HELP_ROLE.format(role=t.ROLE_NAMES["member"]), t.MENU_PROMPT]),
        ("cam ket", [t.NO_COMMITMENTS, t.MENU_PROMPT]),
        ("cập nhật", [t.NO_COMMITMENTS, t.MENU_PROMPT]),
        ("menu", [t.MENU_PROMPT]),
        ("/lenhla", [t.MENU_PROMPT]),
        ("huy", [t.NOTHING_TO_CANCEL, t.MENU_PROMPT]),
        ("Hủy", [t.NOTHING_TO_CANCEL, t.MENU_PROMPT]),
    ],
)
async def test_commands_with_and_without_slash(an: Chat, text: str, expected: list[str]) -> None:
    await an.say(text)
    assert an.all_texts == expected


async def test_bare_cancel_inside_a_flow(an: Chat, roster_db: Database) -> None:
    await an.say("dang ky")
    await an.say(CONTENT)
    await an.say("huy")
    assert an.all_texts == [t.CANCELLED, t.MENU_PROMPT]
    assert (await active(roster_db, "DV001")) == []


async def test_a_message_without_text_repeats_the_question(an: Chat) -> None:
    await an.say("/dangky")
    await an.send(text=None)  # e.g. a photo or a sticker
    assert an.all_texts == [t.NOT_TEXT, t.ASK_CONTENT]
    await an.say("   ")
    assert an.all_texts == [t.NOT_TEXT, t.ASK_CONTENT]


async def test_a_member_asking_for_the_summary_is_refused(an: Chat) -> None:
    await an.say("/tonghop")
    assert an.all_texts == [t.SUMMARY_FORBIDDEN, t.MENU_PROMPT]
    await an.say("tong hop")
    assert an.all_texts == [t.SUMMARY_FORBIDDEN, t.MENU_PROMPT]


# --- registering ----------------------------------------------------------------------------------------------
async def test_register_with_buttons(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        await uow.themes.set(2026, "Học tập và làm theo về ý chí tự lực, tự cường", clock.now())
        await uow.commit()
    await an.press(t.MENU_REGISTER)
    title = "Học tập và làm theo về ý chí tự lực, tự cường"
    assert an.all_texts == [t.THEME_OF_YEAR.format(year=2026, title=title), t.ASK_CONTENT]
    assert an.choices == [t.CANCEL]
    await an.say(CONTENT)
    assert an.all_texts == [t.ASK_MEASURES]
    await an.say(MEASURES)
    assert an.all_texts == [t.ASK_DEADLINE]
    assert an.choices == [QUARTER, t.CANCEL]  # in Q4 the quarter and the year end on the same day
    await an.press(QUARTER)
    await skip_exemplar(an)
    assert an.all_texts == [confirmation()]
    assert an.choices == [t.CONFIRM, t.EDIT_CONTENT, t.EDIT_MEASURES, t.EDIT_DEADLINE, t.CANCEL]
    assert await active(roster_db, "DV001") == []  # nothing saved before the confirmation
    await an.press(t.CONFIRM)
    assert an.all_texts == [t.REGISTERED.format(number=1, year=2026), t.MENU_PROMPT]
    [saved] = await active(roster_db, "DV001")
    assert (saved["content"], saved["measures"], saved["deadline"]) == (CONTENT, MEASURES, date(2026, 12, 31))
    assert (saved["year"], saved["status"], saved["percent"], saved["last_progress_at"]) == (2026, "active", 0, None)
    async with roster_db.uow() as uow:
        row = await uow.commitments.get(saved["id"])
        assert row is not None and row.created_at == clock.now()
    state = await dialog(roster_db)
    assert (state.flow, state.values) == ("menu", {})


async def test_register_with_typed_numbers_only(an: Chat, roster_db: Database) -> None:
    await an.say("1")
    assert an.all_texts == [t.ASK_CONTENT]
    await an.say(CONTENT)
    await an.say(MEASURES)
    await an.say("1")
    assert asks_exemplar(an)
    await an.say("2")  # «Không»
    assert an.all_texts == [confirmation()]
    await an.say("1")
    assert an.all_texts == [t.REGISTERED.format(number=1, year=2026), t.MENU_PROMPT]
    await an.say("1")  # and a second one, numbered 2
    await an.say("Giúp đỡ 2 hộ nghèo trong thôn")
    await an.say(MEASURES)
    await an.say("15/12/2026")
    await an.say("1")
    assert an.all_texts == [t.REGISTERED.format(number=2, year=2026), t.MENU_PROMPT]
    saved = await active(roster_db, "DV001")
    assert [(c["content"], c["deadline"]) for c in saved] == [
        (CONTENT, date(2026, 12, 31)),
        ("Giúp đỡ 2 hộ nghèo trong thôn", date(2026, 12, 15)),
    ]


async def test_the_registration_number_counts_this_years_active_ones(
    an: Chat, roster_db: Database, clock: FakeClock
) -> None:
    withdrawn = await add_commitment(roster_db, clock, "DV001", "Nội dung đã rút lại")
    await withdraw_elsewhere(roster_db, clock, "DV001", withdrawn)
    async with roster_db.uow() as uow:  # still active, from last year
        await uow.commitments.add(
            Commitment(
                member_id=await mid(uow, "DV001"),
                year=2025,
                content="Nội dung năm trước",
                measures=MEASURES,
                deadline=date(2025, 12, 31),
                status="active",
                percent=60,
                created_at=clock.now() - timedelta(days=365),
                updated_at=clock.now() - timedelta(days=365),
            )
        )
        await uow.commit()
    await register_by_chat(an)
    assert an.all_texts == [t.REGISTERED.format(number=1, year=2026), t.MENU_PROMPT]
    await register_by_chat(an, "Giúp đỡ 2 hộ nghèo trong thôn", deadline="31/12/27")
    assert an.all_texts == [t.REGISTERED.format(number=2, year=2026), t.MENU_PROMPT]
    clock.current = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)  # a new year: numbering starts again
    await register_by_chat(an, "Tham gia đầy đủ sinh hoạt chi bộ", deadline="cuối năm")
    assert an.all_texts == [t.REGISTERED.format(number=1, year=2027), t.MENU_PROMPT]
    saved = await active(roster_db, "DV001")
    assert [(c["year"], c["deadline"]) for c in saved] == [
        (2025, date(2025, 12, 31)),
        (2026, date(2026, 12, 31)),
        (2026, date(2027, 12, 31)),
        (2027, date(2027, 12, 31)),
    ]


@pytest.mark.parametrize(
    ("button", "question", "typed", "fixed"),
    [
        (t.EDIT_CONTENT, t.ASK_NEW_CONTENT, "Trồng 20 cây xanh ở nhà", {"content": "Trồng 20 cây xanh ở nhà"}),
        (t.EDIT_MEASURES, t.ASK_NEW_MEASURES, "Góp công, góp cây giống", {"measures": "Góp công, góp cây giống"}),
        (t.EDIT_DEADLINE, t.ASK_NEW_DEADLINE, "15/12/2026", {"deadline": "15/12/2026"}),
    ],
)
async def test_confirmation_edits_return_to_the_confirmation(
    an: Chat, roster_db: Database, button: str, question: str, typed: str, fixed: dict[str, str]
) -> None:
    await an.say("/dangky")
    await an.say(CONTENT)
    await an.say(MEASURES)
    await an.say("31/12/2026")
    await skip_exemplar(an)
    await an.press(button)
    assert an.all_texts == [question]
    await an.say("ab")  # too short for any field, not a date: the same question comes back
    assert an.all_texts[-1] == question
    await an.say(typed)
    assert an.all_texts == [confirmation(**fixed)]
    assert an.choices == [t.CONFIRM, t.EDIT_CONTENT, t.EDIT_MEASURES, t.EDIT_DEADLINE, t.CANCEL]
    await an.press(t.CONFIRM)
    [saved] = await active(roster_db, "DV001")
    expected = {"content": CONTENT, "measures": MEASURES, "deadline": date(2026, 12, 31)}
    expected.update({k: (date(2026, 12, 15) if k == "deadline" else v) for k, v in fixed.items()})
    assert {k: saved[k] for k in expected} == expected


async def test_an_unrecognised_answer_on_the_confirmation_screen(an: Chat, roster_db: Database) -> None:
    await an.say("/dangky")
    await an.say(CONTENT)
    await an.say(MEASURES)
    await an.say("31/12/2026")
    await skip_exemplar(an)
    await an.say("có lẽ")
    assert an.all_texts == [t.INVALID_CHOICE, confirmation()]
    assert await active(roster_db, "DV001") == []
    assert (await dialog(roster_db)).step == "confirm"


# --- the deadline ----------------------------------------------------------------------------------------
async def _at_deadline(chat: Chat) -> None:
    await chat.say("/dangky")
    await chat.say(CONTENT)
    await chat.say(MEASURES)
    assert chat.all_texts == [t.ASK_DEADLINE]


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("31/02/2026", t.DATE_INVALID.format(text="31/02/2026")),
        ("31/11/2026", t.DATE_INVALID.format(text="31/11/2026")),
        ("22/11/2026", t.DATE_PAST.format(today="23/11/2026")),
        ("01/01/2025", t.DATE_PAST.format(today="23/11/2026")),
        ("01/01/2028", t.DATE_TOO_FAR.format(limit="31/12/2027")),
        ("31/12/2099", t.DATE_TOO_FAR.format(limit="31/12/2027")),
        ("29/02", t.DATE_INVALID.format(text="29/02")),  # neither 2026 nor 2027 has a 29 February
        ("31/11", t.DATE_INVALID.format(text="31/11")),
        ("30/11/25", t.DATE_PAST.format(today="23/11/2026")),  # two digits: 2025
        ("1/3/28", t.DATE_TOO_FAR.format(limit="31/12/2027")),
        ("ngày mai", t.DATE_FORMAT),
        ("cuối tháng", t.DATE_FORMAT),
        ("31/12/2", t.DATE_FORMAT),
        ("31/12/202", t.DATE_FORMAT),
        ("2026-12-31", t.DATE_FORMAT),
        ("31", t.DATE_FORMAT),
    ],
)
async def test_a_bad_deadline_is_refused_and_asked_again(an: Chat, roster_db: Database, typed: str, error: str) -> None:
    await _at_deadline(an)
    await an.say(typed)
    assert an.all_texts == [error, t.ASK_DEADLINE]
    assert an.choices == [QUARTER, t.CANCEL]
    state = await dialog(roster_db)
    assert (state.flow, state.step) == ("register", "deadline")
    assert "deadline" not in state.values
    await an.say("20/12/2026")  # the question still works
    await skip_exemplar(an)
    assert an.all_texts == [confirmation(deadline="20/12/2026")]


@pytest.mark.parametrize(
    ("typed", "deadline"),
    [
        ("23/11/2026", date(2026, 11, 23)),  # today is allowed
        ("31/12/2027", date(2027, 12, 31)),  # the latest allowed
        ("5-1-2027", date(2027, 1, 5)),
        ("05.01.2027", date(2027, 1, 5)),
        (" 5 / 1 / 2027 ", date(2027, 1, 5)),
        ("31/12", date(2026, 12, 31)),  # day and month: this year...
        ("23/11", date(2026, 11, 23)),  # ...today included...
        ("22/11", date(2027, 11, 22)),  # ...or next year once the day has passed
        ("1/3", date(2027, 3, 1)),
        ("15.1", date(2027, 1, 15)),
        ("31/12/26", date(2026, 12, 31)),  # a two-digit year is 20yy
        ("1-6-27", date(2027, 6, 1)),
        ("cuối năm", date(2026, 12, 31)),
        ("Cuối năm nay", date(2026, 12, 31)),
        ("cuoi quy", date(2026, 12, 31)),
        ("29/02/2028", None),  # a real day, but past the limit
    ],
)
async def test_typed_deadlines_accepted(an: Chat, roster_db: Database, typed: str, deadline: date | None) -> None:
    await _at_deadline(an)
    await an.say(typed)
    if deadline is None:
        assert an.all_texts == [t.DATE_TOO_FAR.format(limit="31/12/2027"), t.ASK_DEADLINE]
        return
    await skip_exemplar(an)
    assert an.all_texts == [confirmation(deadline=deadline.strftime("%d/%m/%Y"))]
    await an.press(t.CONFIRM)
    assert [c["deadline"] for c in await active(roster_db, "DV001")] == [deadline]


@pytest.mark.parametrize(
    ("typed", "deadline"),
    [
        ("cuối quý", "31/03/2026"),
        ("Cuối quý này", "31/03/2026"),
        ("cuoi nam", "31/12/2026"),
        ("CUỐI NĂM NAY.", "31/12/2026"),
        ("1/2", "01/02/2027"),  # passed this year: next year
        ("28/2", "28/02/2026"),
    ],
)
async def test_typed_end_of_quarter_or_year_in_the_first_quarter(
    chat: Chat, roster_db: Database, clock: FakeClock, typed: str, deadline: str
) -> None:
    clock.current = datetime(2026, 2, 10, 3, 0, tzinfo=UTC)
    await chat.link_as("DV001", roster_db, clock)
    await _at_deadline(chat)
    await chat.say(typed)
    await skip_exemplar(chat)
    assert chat.all_texts == [confirmation(deadline=deadline)]
    await chat.press(t.CONFIRM)
    expected = datetime.strptime(deadline, "%d/%m/%Y").date()
    assert [c["deadline"] for c in await active(roster_db, "DV001")] == [expected]


async def test_end_of_quarter_and_end_of_year_in_the_first_quarter(
    chat: Chat, roster_db: Database, clock: FakeClock
) -> None:
    clock.current = datetime(2026, 2, 10, 3, 0, tzinfo=UTC)
    await chat.link_as("DV001", roster_db, clock)
    await _at_deadline(chat)
    quarter, year = t.DEADLINE_QUARTER.format(date="31/03/2026"), t.DEADLINE_YEAR.format(date="31/12/2026")
    assert chat.choices == [quarter, year, t.CANCEL]
    await chat.press(quarter)
    await skip_exemplar(chat)
    assert chat.all_texts == [confirmation(deadline="31/03/2026")]
    await chat.press(t.EDIT_DEADLINE)
    await chat.say("2")  # typed number of the end-of-year choice
    assert chat.all_texts == [confirmation(deadline="31/12/2026")]
    await chat.say("1")
    assert [c["deadline"] for c in await active(roster_db, "DV001")] == [date(2026, 12, 31)]


# --- content --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("abc", t.TEXT_TOO_SHORT.format(minimum=5)),
        ("1", t.TEXT_TOO_SHORT.format(minimum=5)),  # a number is not the cancel choice here
        ("x" * 5000, t.TEXT_TOO_LONG.format(length=5000, maximum=1000)),
        ("x" * 1001, t.TEXT_TOO_LONG.format(length=1001, maximum=1000)),
        ("   ", t.NOT_TEXT),  # blank: nothing to read, the question again
    ],
)
async def test_bad_content_is_refused(an: Chat, roster_db: Database, typed: str, error: str) -> None:
    await an.say("/dangky")
    await an.say(typed)
    assert an.all_texts == [error, t.ASK_CONTENT]
    state = await dialog(roster_db)
    assert (state.flow, state.step, state.values) == ("register", "content", {})


@pytest.mark.parametrize(
    "content",
    [
        "Trồng 20 cây xanh 🌳🌱 quanh nhà văn hóa 🇻🇳 ❤️",
        "Nông dân 🧑\u200d🌾 giúp nhau, gia đình 👨\u200d👩\u200d👧 cùng làm 👍🏽",  # joined emoji stay joined
        "<b>x</b>",
        "<script>alert(1)</script> & 'quote' \"double\"",
        "x" * 1000,
        "Dòng một\nDòng hai\n\nDòng bốn",
        "*in đậm* _nghiêng_ `code` [link](http://x)",
    ],
)
async def test_content_is_kept_verbatim(an: Chat, roster_db: Database, content: str) -> None:
    await an.say("/dangky")
    await an.say(content)
    assert an.all_texts == [t.ASK_MEASURES]
    await an.say(MEASURES)
    await an.say("31/12/2026")
    await skip_exemplar(an)
    assert an.all_texts == [confirmation(content=content)]
    await an.press(t.CONFIRM)
    assert [c["content"] for c in await active(roster_db, "DV001")] == [content]
    await an.say("/camket")
    await an.say("1")
    assert an.all_texts == [detail(content=content)]


async def test_measures_too_short(an: Chat, roster_db: Database) -> None:
    await an.say("/dangky")
    await an.say(CONTENT)
    await an.say("ab")
    assert an.all_texts == [t.TEXT_TOO_SHORT.format(minimum=3), t.ASK_MEASURES]
    assert (await dialog(roster_db)).values == {"content": CONTENT}


# --- progress --------------------------------------------------------------------------------------------
def ask_percent(content: str = CONTENT, percent: int = 0) -> str:
    return t.ASK_PERCENT.format(content=content, percent=percent)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("150", t.PERCENT_RANGE.format(value=150)),
        ("101", t.PERCENT_RANGE.format(value=101)),
        ("-5", t.PERCENT_RANGE.format(value=-5)),
        ("-50", t.PERCENT_RANGE.format(value=-50)),
        ("abc", t.PERCENT_FORMAT),
        ("50.5", t.PERCENT_FORMAT),
        ("năm mươi", t.PERCENT_FORMAT),
    ],
)
async def test_a_bad_percent_is_refused(
    an: Chat, roster_db: Database, clock: FakeClock, typed: str, error: str
) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.say("/capnhat")
    assert an.all_texts == [ask_percent()]
    assert an.choices == ["25%", "50%", "75%", "100%", t.CANCEL]
    await an.say(typed)
    assert an.all_texts == [error, ask_percent()]
    assert (await commitment(roster_db, cid))["percent"] == 0
    assert await progress(roster_db, cid) == []
    assert (await dialog(roster_db)).step == "percent"


@pytest.mark.parametrize(
    ("how", "percent"),
    [("50%", 50), ("50", 50), (" 60 % ", 60), ("1", 1), ("0", 0), ("button:75%", 75)],
)
async def test_percent_typed_or_pressed(
    an: Chat, roster_db: Database, clock: FakeClock, how: str, percent: int
) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.say("/capnhat")
    if how.startswith("button:"):
        await an.press(how.split(":", 1)[1])
    else:
        await an.say(how)
    assert an.all_texts == [t.ASK_NOTE]
    assert an.choices == [t.SKIP, t.CANCEL]
    assert (await dialog(roster_db)).values == {"commitment_id": cid, "percent": percent}
    await an.press(t.SKIP)
    saved = t.PROGRESS_SAVED.format(percent=percent, content=CONTENT, time=NOW_TEXT)
    assert an.all_texts == [saved, t.MENU_PROMPT]
    assert (await commitment(roster_db, cid))["percent"] == percent


async def test_one_hundred_percent_completes(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.say("/capnhat")
    await an.say("100")
    await an.say("Đã vận động đủ 5 hộ")
    saved = t.PROGRESS_SAVED.format(percent=100, content=CONTENT, time=NOW_TEXT)
    assert an.all_texts == [saved, t.PROGRESS_DONE, t.MENU_PROMPT]
    row = await commitment(roster_db, cid)
    assert (row["percent"], row["last_progress_at"], row["status"]) == (100, clock.now(), "active")
    assert await progress(roster_db, cid) == [(100, "Đã vận động đủ 5 hộ", clock.now())]


@pytest.mark.parametrize(
    ("how", "note"),
    [
        ("Đã vận động được 3 hộ; còn 2 hộ 🙂", "Đã vận động được 3 hộ; còn 2 hộ 🙂"),
        ("1", "1"),  # the note question is not numbered: a number is the note itself...
        ("2", "2"),  # ...never "Hủy", the second choice
        (" 3 hộ ", "3 hộ"),
        ("button", None),
        ("Bỏ qua", None),
        ("bo qua", None),
        ("BỎ QUA.", None),
    ],
)
async def test_note_typed_or_skipped(
    an: Chat, roster_db: Database, clock: FakeClock, how: str, note: str | None
) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.say("/capnhat")
    await an.press("50%")
    assert an.all_texts == [t.ASK_NOTE]
    assert an.choices == [t.SKIP, t.CANCEL]
    assert an.question.numbered is False
    if how == "button":
        await an.press(t.SKIP)
    else:
        await an.say(how)
    assert an.all_texts == [t.PROGRESS_SAVED.format(percent=50, content=CONTENT, time=NOW_TEXT), t.MENU_PROMPT]
    assert await progress(roster_db, cid) == [(50, note, clock.now())]
    row = await commitment(roster_db, cid)
    assert (row["percent"], row["last_progress_at"]) == (50, clock.now())
    state = await dialog(roster_db)
    assert (state.flow, state.values) == ("menu", {})


async def test_the_note_question_on_the_console(router: Router, roster_db: Database, clock: FakeClock) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT)
    async with roster_db.uow() as uow:
        found = await uow.members.by_code("DV001")
        assert found is not None
        await link_console(uow, found, clock.now())
        await give_consent(uow, found, clock.now())
        await uow.commit()
    out = io.StringIO()
    console = ConsoleChannel(router, "DV001", io.StringIO(), out)
    await console.say("/capnhat")
    await console.say("50")
    assert out.getvalue().endswith(f"{t.ASK_NOTE}\n\n{t.OR_TYPE}Bỏ qua · Hủy\n")  # typed words, no numbers
    assert "1. " not in out.getvalue().split(t.ASK_NOTE)[1]
    await console.say("2")
    assert await progress(roster_db, cid) == [(50, "2", clock.now())]
    assert (await dialog(roster_db, "console", "DV001")).flow == "menu"


async def test_a_note_too_long_is_refused(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.say("/capnhat")
    await an.say("40")
    await an.say("g" * 5000)
    assert an.all_texts == [t.TEXT_TOO_LONG.format(length=5000, maximum=1000), t.ASK_NOTE]
    assert await progress(roster_db, cid) == []
    await an.say("Ghi chú ngắn")
    assert await progress(roster_db, cid) == [(40, "Ghi chú ngắn", clock.now())]


async def test_progress_with_several_commitments(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    first = await add_commitment(roster_db, clock, "DV001", CONTENT)
    second = await add_commitment(roster_db, clock, "DV001", "Giúp đỡ 2 hộ nghèo trong thôn")
    third = await add_commitment(roster_db, clock, "DV001", "Tham gia đầy đủ sinh hoạt chi bộ")
    await an.say("/capnhat")
    assert an.all_texts == [t.CHOOSE_COMMITMENT]
    assert an.choices == [CONTENT, "Giúp đỡ 2 hộ nghèo trong thôn", "Tham gia đầy đủ sinh hoạt chi bộ", t.CANCEL]
    await an.say("7")  # no such number
    assert an.all_texts == [t.INVALID_CHOICE, t.CHOOSE_COMMITMENT]
    await an.say("2")  # by number
    assert an.all_texts == [ask_percent("Giúp đỡ 2 hộ nghèo trong thôn")]
    await an.say("30")
    await an.press(t.SKIP)
    await an.say("/capnhat")
    await an.say("tham gia day du sinh hoat chi bo")  # by words, without diacritics
    assert an.all_texts == [ask_percent("Tham gia đầy đủ sinh hoạt chi bộ")]
    await an.say("100")
    await an.say("bỏ qua")
    assert an.all_texts[1] == t.PROGRESS_DONE
    await an.say("/capnhat")
    await an.press(CONTENT)  # by button
    assert an.all_texts == [ask_percent(CONTENT)]
    assert [(await commitment(roster_db, c))["percent"] for c in (first, second, third)] == [0, 30, 100]
    assert await progress(roster_db, first) == []
    assert [p[0] for p in await progress(roster_db, second)] == [30]
    assert [p[0] for p in await progress(roster_db, third)] == [100]


async def test_progress_and_pledges_with_no_commitment(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    await an.say("/capnhat")
    assert an.all_texts == [t.NO_COMMITMENTS, t.MENU_PROMPT]
    assert an.choices == MEMBER_MENU
    assert ((state := await dialog(roster_db)).flow, state.step, state.values) == ("menu", "main", {})
    await an.press(t.MENU_PLEDGES)  # the menu shown after it works
    assert an.all_texts == [t.NO_COMMITMENTS, t.MENU_PROMPT]
    await an.say("/camket")
    assert an.all_texts == [t.NO_COMMITMENTS, t.MENU_PROMPT]
    assert an.choices == MEMBER_MENU
    assert (await dialog(roster_db)).flow == "menu"
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT)
    async with roster_db.uow() as uow:
        found = await uow.members.by_code("DV001")
        assert found is not None
        await withdraw_commitment(uow, await load_actor(uow, found), cid, clock.now())
        await uow.commit()
    await an.say("/capnhat")  # a withdrawn commitment does not count
    assert an.all_texts == [t.NO_COMMITMENTS, t.MENU_PROMPT]
    assert (await table_counts(roster_db))["progress_entries"] == 0


# --- /camket -----------------------------------------------------------------------------------------------
async def test_pledges_listing_with_statuses(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    await add_commitment(roster_db, clock, "DV001", CONTENT)
    await add_commitment(roster_db, clock, "DV001", "Giúp đỡ 2 hộ nghèo trong thôn", percent=100)
    await add_commitment(roster_db, clock, "DV001", "Dọn vệ sinh đường làng", deadline=date(2026, 11, 30), percent=20)
    clock.advance(days=10)  # 03/12/2026: the third is now late
    await an.say("/camket")
    lines = [
        t.PLEDGE_LINE.format(
            number=1,
            content=CONTENT,
            deadline="31/12/2026",
            percent=0,
            status=f"{t.PLEDGE_STATUS_ONGOING}, {t.PLEDGE_NEVER_UPDATED}",
        ),
        t.PLEDGE_LINE.format(
            number=2,
            content="Giúp đỡ 2 hộ nghèo trong thôn",
            deadline="31/12/2026",
            percent=100,
            status=f"{t.PLEDGE_STATUS_DONE}, {t.PLEDGE_LAST_UPDATE.format(date='23/11/2026')}",
        ),
        t.PLEDGE_LINE.format(
            number=3,
            content="Dọn vệ sinh đường làng",
            deadline="30/11/2026",
            percent=20,
            status=f"{t.PLEDGE_STATUS_LATE}, {t.PLEDGE_LAST_UPDATE.format(date='23/11/2026')}",
        ),
    ]
    pending = rv.PLEDGE_REVIEW_SUFFIX.format(state=rv.REVIEW_STATE_LABELS["pending"])  # not yet approved
    lines = [line + pending for line in lines]
    assert an.all_texts == ["\n".join([t.PLEDGES_HEADER, *lines]), t.PLEDGES_CHOOSE]
    assert an.choices == [CONTENT, "Giúp đỡ 2 hộ nghèo trong thôn", "Dọn vệ sinh đường làng", t.REGISTER_MORE, t.CANCEL]
    await an.say("3")
    assert an.all_texts == [
        detail(
            "Dọn vệ sinh đường làng",
            deadline="30/11/2026",
            percent=20,
            updated=t.PLEDGE_LAST_UPDATE.format(date="23/11/2026"),
        )
    ]
    assert an.choices == [label for label, _ in DETAIL_CHOICES]


async def test_pledges_list_long_content_is_shortened_on_the_button(
    an: Chat, roster_db: Database, clock: FakeClock
) -> None:
    long = "Vận động " + "bà con " * 30 + "giữ gìn vệ sinh"
    await add_commitment(roster_db, clock, "DV001", long)
    await an.say("/camket")
    [label] = an.choices[:1]
    assert label.startswith("Vận động bà con") and label.endswith("…") and len(label) <= 60
    assert long in an.all_texts[0]  # the listing itself shows it whole
    await an.press(label)
    assert an.all_texts == [detail(long)]


async def test_pledges_register_more_and_back(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.say("/camket")
    await an.press(CONTENT)
    await an.press(t.BACK)
    assert an.all_texts[-1] == t.PLEDGES_CHOOSE
    await an.press(t.REGISTER_MORE)
    assert an.all_texts == [t.ASK_CONTENT]
    assert (await dialog(roster_db)).flow == "register"


async def test_pledges_detail_to_progress(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    await add_commitment(roster_db, clock, "DV001", "Giúp đỡ 2 hộ nghèo trong thôn")
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.say("/camket")
    await an.say("2")
    await an.press(t.MENU_PROGRESS)
    assert an.all_texts == [ask_percent(CONTENT)]
    await an.say("75")
    await an.press(t.SKIP)
    assert (await commitment(roster_db, cid))["percent"] == 75


@pytest.mark.parametrize(
    ("button", "question", "bad", "error", "good", "field", "stored"),
    [
        (
            t.EDIT_CONTENT,
            t.ASK_NEW_CONTENT,
            "abc",
            t.TEXT_TOO_SHORT.format(minimum=5),
            "Trồng 20 cây xanh ở nhà văn hóa",
            "content",
            "Trồng 20 cây xanh ở nhà văn hóa",
        ),
        (
            t.EDIT_MEASURES,
            t.ASK_NEW_MEASURES,
            "ab",
            t.TEXT_TOO_SHORT.format(minimum=3),
            "Góp công, góp cây giống",
            "measures",
            "Góp công, góp cây giống",
        ),
        (
            t.EDIT_DEADLINE,
            t.ASK_NEW_DEADLINE,
            "31/02/2026",
            t.DATE_INVALID.format(text="31/02/2026"),
            "15/12/2026",
            "deadline",
            date(2026, 12, 15),
        ),
        (
            t.EDIT_DEADLINE,
            t.ASK_NEW_DEADLINE,
            "01/01/2020",
            t.DATE_PAST.format(today="23/11/2026"),
            "1",
            "deadline",
            date(2026, 12, 31),
        ),
        (
            t.EDIT_DEADLINE,
            t.ASK_NEW_DEADLINE,
            "29/02",
            t.DATE_INVALID.format(text="29/02"),
            "cuối năm",
            "deadline",
            date(2026, 12, 31),
        ),
        (
            t.EDIT_DEADLINE,
            t.ASK_NEW_DEADLINE,
            "31/12/20",
            t.DATE_PAST.format(today="23/11/2026"),
            "10/1",
            "deadline",
            date(2027, 1, 10),
        ),
    ],
)
async def test_pledges_edit(
    an: Chat,
    roster_db: Database,
    clock: FakeClock,
    button: str,
    question: str,
    bad: str,
    error: str,
    good: str,
    field: str,
    stored: Any,
) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT, deadline=date(2026, 12, 20))
    before = await commitment(roster_db, cid)
    await an.say("/camket")
    await an.say("1")
    await an.press(button)
    assert an.all_texts == [question]
    await an.say(bad)
    assert an.all_texts == [error, question]
    assert await commitment(roster_db, cid) == before
    clock.advance(minutes=1)
    await an.say(good)
    after = await commitment(roster_db, cid)
    assert after[field] == stored
    assert after["updated_at"] == clock.now()
    assert {k: v for k, v in after.items() if k not in (field, "updated_at")} == {
        k: v for k, v in before.items() if k not in (field, "updated_at")
    }
    shown: dict[str, str] = {"content": CONTENT, "measures": MEASURES, "deadline": "20/12/2026"}
    shown[field] = stored.strftime("%d/%m/%Y") if isinstance(stored, date) else stored
    assert an.all_texts == [t.SAVED_CHANGE, detail(shown["content"], shown["measures"], shown["deadline"])]
    assert an.choices == [label for label, _ in DETAIL_CHOICES]


async def test_pledges_withdraw_with_back_and_confirm(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT, percent=40)
    await an.say("/camket")
    await an.say("1")
    await an.press(t.WITHDRAW)
    assert an.all_texts == [t.CONFIRM_WITHDRAW.format(content=CONTENT)]
    assert an.choices == [t.WITHDRAW_YES, t.BACK]
    await an.press(t.BACK)
    updated = t.PLEDGE_LAST_UPDATE.format(date="23/11/2026")
    assert an.all_texts == [detail(percent=40, updated=updated)]
    assert (await commitment(roster_db, cid))["status"] == "active"
    await an.say("5")  # the withdraw choice by its number
    assert an.all_texts == [t.CONFIRM_WITHDRAW.format(content=CONTENT)]
    clock.advance(minutes=2)
    await an.say("1")
    assert an.all_texts == [t.WITHDRAWN.format(content=CONTENT), t.MENU_PROMPT]
    row = await commitment(roster_db, cid)
    assert (row["status"], row["withdrawn_at"], row["percent"]) == ("withdrawn", clock.now(), 40)
    assert await active(roster_db, "DV001") == []
    assert [p[0] for p in await progress(roster_db, cid)] == [40]  # history kept
    await an.say("/camket")
    assert an.all_texts == [t.NO_COMMITMENTS, t.MENU_PROMPT]


# --- /huy everywhere ----------------------------------------------------------------------------------------
Step = Callable[[Chat], Awaitable[Any]]


def _say(text: str) -> Step:
    return lambda chat: chat.say(text)


def _says(*texts: str) -> list[Step]:
    return [_say(text) for text in texts]


def _press(label: str) -> Step:
    return lambda chat: chat.press(label)


POSITIONS: dict[str, tuple[list[Step], tuple[str, str]]] = {
    "register/content": (_says("/dangky"), ("register", "content")),
    "register/measures": (_says("/dangky", CONTENT), ("register", "measures")),
    "register/deadline": (_says("/dangky", CONTENT, MEASURES), ("register", "deadline")),
    "register/confirm": (_says("/dangky", CONTENT, MEASURES, "31/12/2026"), ("register", "confirm")),
    "register/edit_content": (
        [*_says("/dangky", CONTENT, MEASURES, "31/12/2026"), _press(t.EDIT_CONTENT)],
        ("register", "content"),
    ),
    "progress/choose": (_says("/capnhat"), ("progress", "choose")),
    "progress/percent": (_says("/capnhat", "1"), ("progress", "percent")),
    "progress/note": (_says("/capnhat", "1", "50"), ("progress", "note")),
    "pledges/list": (_says("/camket"), ("pledges", "list")),
    "pledges/detail": (_says("/camket", "1"), ("pledges", "detail")),
    "pledges/edit_content": ([*_says("/camket", "1"), _press(t.EDIT_CONTENT)], ("pledges", "edit_content")),
    "pledges/edit_measures": ([*_says("/camket", "1"), _press(t.EDIT_MEASURES)], ("pledges", "edit_measures")),
    "pledges/edit_deadline": ([*_says("/camket", "1"), _press(t.EDIT_DEADLINE)], ("pledges", "edit_deadline")),
    "pledges/withdraw": ([*_says("/camket", "1"), _press(t.WITHDRAW)], ("pledges", "withdraw")),
}
NO_CANCEL_BUTTON = {"pledges/detail", "pledges/withdraw"}
CANCEL_CASES = [
    (position, way)
    for position in POSITIONS
    for way in ("/huy", "huy", "Hủy", "button")
    if not (way == "button" and position in NO_CANCEL_BUTTON)
]


@pytest.mark.parametrize(("position", "way"), CANCEL_CASES)
async def test_cancel_in_the_middle_of_every_flow(
    an: Chat, roster_db: Database, clock: FakeClock, position: str, way: str
) -> None:
    await add_commitment(roster_db, clock, "DV001", "Giúp đỡ 2 hộ nghèo trong thôn")
    await add_commitment(roster_db, clock, "DV001", "Tham gia đầy đủ sinh hoạt chi bộ", percent=10)
    steps, where = POSITIONS[position]
    for step in steps:
        await step(an)
    state = await dialog(roster_db)
    assert (state.flow, state.step) == where
    before = await everything(roster_db)
    if way == "button":
        await an.press(t.CANCEL)
    else:
        await an.say(way)
    assert an.all_texts == [t.CANCELLED, t.MENU_PROMPT]
    assert an.choices == MEMBER_MENU
    assert await everything(roster_db) == before
    state = await dialog(roster_db)
    assert (state.flow, state.step, state.values) == ("menu", "main", {})


@pytest.mark.parametrize("position", sorted(NO_CANCEL_BUTTON))
async def test_steps_without_a_cancel_button(an: Chat, roster_db: Database, clock: FakeClock, position: str) -> None:
    await add_commitment(roster_db, clock, "DV001", CONTENT)
    for step in POSITIONS[position][0]:
        await step(an)
    assert t.CANCEL not in an.choices
    assert t.BACK in an.choices  # there is always a way back


async def test_cancel_before_consent_shows_the_notice(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    code = await invite_code(roster_db, clock, "DV001")
    await chat.say(f"/start {code}")
    await chat.say("/huy")
    assert chat.all_texts == [t.CONSENT_NOTICE]
    async with roster_db.uow() as uow:
        assert await uow.members.consent_events(await mid(uow, "DV001")) == []


# --- the commitment is gone while a question about it is open ----------------------------------------------
SECOND = "Giúp đỡ 2 hộ nghèo trong thôn"
GONE_CASES: dict[str, tuple[list[Step], Step]] = {
    # where the member stands when the commitment is withdrawn elsewhere, then what they send
    "progress/choose": (_says("/capnhat"), _say("1")),
    "progress/note typed": (_says("/capnhat", "1", "50"), _say("Đã vận động được 3 hộ")),
    "progress/note skipped": (_says("/capnhat", "1", "50"), _press(t.SKIP)),
    "pledges/list": (_says("/camket"), _say("1")),
    "pledges/detail to progress": (_says("/camket", "1"), _press(t.MENU_PROGRESS)),
    "pledges/detail to withdraw": (_says("/camket", "1"), _press(t.WITHDRAW)),
    "pledges/edit_content": ([*_says("/camket", "1"), _press(t.EDIT_CONTENT)], _say("Trồng 20 cây xanh ở nhà")),
    "pledges/edit_measures": ([*_says("/camket", "1"), _press(t.EDIT_MEASURES)], _say("Góp công, góp cây giống")),
    "pledges/edit_deadline": ([*_says("/camket", "1"), _press(t.EDIT_DEADLINE)], _say("cuối năm")),
    "pledges/withdraw": ([*_says("/camket", "1"), _press(t.WITHDRAW)], _press(t.WITHDRAW_YES)),
    "pledges/withdraw back": ([*_says("/camket", "1"), _press(t.WITHDRAW)], _press(t.BACK)),
}


async def withdraw_elsewhere(db: Database, clock: FakeClock, code: str, commitment_id: int) -> None:
    """The commitment is withdrawn in another session (another chat account, the console...)."""
    async with db.uow() as uow:
        found = await uow.members.by_code(code)
        assert found is not None
        await withdraw_commitment(uow, await load_actor(uow, found), commitment_id, clock.now())
        await uow.commit()


@pytest.mark.parametrize("case", list(GONE_CASES))
async def test_a_gone_commitment_ends_the_flow(an: Chat, roster_db: Database, clock: FakeClock, case: str) -> None:
    gone = await add_commitment(roster_db, clock, "DV001", CONTENT)
    kept = await add_commitment(roster_db, clock, "DV001", SECOND)
    steps, action = GONE_CASES[case]
    for step in steps:
        await step(an)
    await withdraw_elsewhere(roster_db, clock, "DV001", gone)
    before = await everything(roster_db)
    await action(an)
    assert an.all_texts == [t.COMMITMENT_GONE, t.MENU_PROMPT]  # not the same question again
    assert an.choices == MEMBER_MENU
    state = await dialog(roster_db)
    assert (state.flow, state.step, state.values) == ("menu", "main", {})
    assert await everything(roster_db) == before
    await an.say("2")  # the menu shown works: progress, now for the only commitment left
    assert an.all_texts == [ask_percent(SECOND)]
    assert (await dialog(roster_db)).values == {"commitment_id": kept}


async def test_other_errors_keep_the_question_even_when_the_commitment_is_gone(
    an: Chat, roster_db: Database, clock: FakeClock
) -> None:
    """Input is checked before the commitment: a bad answer is asked again; a good one finds it gone."""
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.say("/camket")
    await an.say("1")
    await an.press(t.EDIT_DEADLINE)
    await withdraw_elsewhere(roster_db, clock, "DV001", cid)
    await an.say("29/02")
    assert an.all_texts == [t.DATE_INVALID.format(text="29/02"), t.ASK_NEW_DEADLINE]
    assert ((state := await dialog(roster_db)).flow, state.step) == ("pledges", "edit_deadline")
    await an.say("abc")
    assert an.all_texts == [t.DATE_FORMAT, t.ASK_NEW_DEADLINE]
    await an.say("31/12")
    assert an.all_texts == [t.COMMITMENT_GONE, t.MENU_PROMPT]
    assert (await dialog(roster_db)).flow == "menu"
    assert (await commitment(roster_db, cid))["deadline"] == date(2026, 12, 31)


# --- redelivery, stale and forged buttons, restart -----------------------------------------------------------
async def test_the_same_update_delivered_twice_is_handled_once(
    chat: Chat, roster_db: Database, clock: FakeClock
) -> None:
    code = await invite_code(roster_db, clock, "DV001")
    first = await chat.send(text=f"/start {code}", key="dup-1")
    assert first[0].text == t.LINKED.format(name=AN, cell=DONG_TAM)
    assert await chat.send(text=f"/start {code}", key="dup-1") == []
    payload = first[-1].choices[0].payload
    assert first[-1].choices[0].label == t.CONSENT_YES
    assert (await chat.send(payload=payload, key="dup-2"))[0].text == t.CONSENT_GIVEN.format(time=NOW_TEXT)
    assert await chat.send(payload=payload, key="dup-2") == []
    await chat.say("/dangky")
    await chat.say(CONTENT)
    await chat.say(MEASURES)
    await chat.say("31/12/2026")
    await skip_exemplar(chat)
    confirm = chat.payload_of(t.CONFIRM)
    replies = await chat.send(payload=confirm, key="dup-3")
    assert replies[0].text == t.REGISTERED.format(number=1, year=2026)
    assert await chat.send(payload=confirm, key="dup-3") == []
    [saved] = await active(roster_db, "DV001")
    await chat.say("/capnhat")
    await chat.say("50")
    assert (await chat.send(text="Ghi chú", key="dup-4"))[0].text.startswith(t.PROGRESS_SAVED.split("{")[0])
    assert await chat.send(text="Ghi chú", key="dup-4") == []
    assert await chat.send(text="Ghi chú", key="dup-4") == []
    assert await progress(roster_db, saved["id"]) == [(50, "Ghi chú", clock.now())]
    assert await table_counts(roster_db) == {
        "commitments": 1,
        "progress_entries": 1,
        "chat_accounts": 1,
        "consent_events": 1,
    }
    # Update keys are per platform: the same key on Zalo is another update.
    zalo = Chat(chat.router, platform="zalo", user_id="z-1")
    assert await zalo.send(text="xin chào", key="dup-4") != []


async def test_a_stale_button_repeats_the_current_question(an: Chat, roster_db: Database) -> None:
    await an.say("/dangky")
    old_cancel = an.payload_of(t.CANCEL)
    await an.say(CONTENT)
    await an.say(MEASURES)
    assert an.all_texts == [t.ASK_DEADLINE]
    await an.press_payload(old_cancel)  # a button from the first question: must not cancel
    assert an.all_texts == [t.STALE_CHOICE, t.ASK_DEADLINE]
    assert an.choices == [QUARTER, t.CANCEL]
    state = await dialog(roster_db)
    assert (state.flow, state.step) == ("register", "deadline")
    assert state.values == {"content": CONTENT, "measures": MEASURES}
    await an.press(QUARTER)  # the buttons shown again work
    await skip_exemplar(an)
    confirm = an.payload_of(t.CONFIRM)
    await an.press_payload(confirm)
    assert an.all_texts == [t.REGISTERED.format(number=1, year=2026), t.MENU_PROMPT]
    await an.press_payload(confirm)  # pressed again after the flow moved on
    assert an.all_texts == [t.STALE_CHOICE, t.MENU_PROMPT]
    assert len(await active(roster_db, "DV001")) == 1


async def test_a_stale_button_with_no_flow_shows_the_menu(an: Chat, roster_db: Database) -> None:
    old_menu = an.payload_of(t.MENU_REGISTER)
    await an.say("/camket")  # nothing registered: a fresh menu follows, the old one is stale
    assert an.all_texts == [t.NO_COMMITMENTS, t.MENU_PROMPT]
    await an.press_payload(old_menu)
    assert an.all_texts == [t.STALE_CHOICE, t.MENU_PROMPT]
    assert (await dialog(roster_db)).flow == "menu"
    async with roster_db.uow() as uow:  # no dialog at all (e.g. the row was cleared): the menu too
        account = await uow.accounts.find("telegram", "111")
        assert account is not None
        row = await uow.dialogs.load(account.id)
        assert row is not None
        row.flow, row.step = None, None
        await uow.dialogs.save(row)
        await uow.commit()
    await an.press_payload(old_menu)
    assert an.all_texts == [t.STALE_CHOICE, t.MENU_PROMPT]
    assert (await dialog(roster_db)).flow == "menu"


@pytest.mark.parametrize("value", ["year", "summary", "999", "", "confirm|x", "new"])
async def test_a_forged_value_with_the_current_nonce_is_refused(an: Chat, roster_db: Database, value: str) -> None:
    await _at_deadline(an)  # in Q4 "year" is a value the flow knows but does not offer
    await an.press_payload(f"{an.nonce}|{value}")
    assert an.all_texts == [t.INVALID_CHOICE, t.ASK_DEADLINE]
    assert an.choices == [QUARTER, t.CANCEL]
    state = await dialog(roster_db)
    assert (state.flow, state.step) == ("register", "deadline")
    assert "deadline" not in state.values


async def test_a_payload_without_separator_is_stale(an: Chat, roster_db: Database) -> None:
    await an.say("/dangky")
    await an.press_payload("garbage")
    assert an.all_texts == [t.STALE_CHOICE, t.ASK_CONTENT]
    assert (await dialog(roster_db)).step == "content"


async def test_a_restart_continues_the_dialog(an: Chat, roster_db: Database, clock: FakeClock) -> None:
    await an.say("/dangky")
    await an.say(CONTENT)
    await an.say(MEASURES)
    quarter = an.payload_of(QUARTER)
    restarted = Chat(Router(roster_db.uow, clock, TZ))  # a new process on the same database
    await restarted.press_payload(quarter)  # a button shown before the restart still works
    assert asks_exemplar(restarted)
    third = Chat(Router(roster_db.uow, clock, TZ))
    await third.say("2")  # «Không»: typed, on the question stored before
    assert third.all_texts == [confirmation()]
    await third.say("1")
    assert third.all_texts == [t.REGISTERED.format(number=1, year=2026), t.MENU_PROMPT]
    assert [c["content"] for c in await active(roster_db, "DV001")] == [CONTENT]


# --- /tonghop -----------------------------------------------------------------------------------------------
async def _summary_world(router: Router, db: Database, clock: FakeClock) -> None:
    """The cells of Đảng bộ xã Thanh Sơn (and one of Hồng Phong) in a known state. Hand count below.

    "Linked" counts a member with a chat account (not the console) who has consented.
    Chi bộ thôn Đồng Tâm, in scope DV001..DV005 (DV006 exempt):
      DV001 Nguyễn Văn An      linked (chat), 2 commitments, one at 100% today       registered, updated
      DV002 Trần Thị Bích Ngọc linked (chat), 1 commitment, no progress               registered, not updated
      DV003 Lê Văn Cường       chat, declined: not linked; 1 commitment at 40% today  registered, updated
      DV004 Phạm Thị Hạnh      linked (Zalo, consented), only a 2025 commitment       not registered
      DV005 Hoàng Văn Dũng     one withdrawn commitment                               not registered
      DV006 Đỗ Thị Lan         exempt, has a commitment                               out of every count
      => members 5, linked 3, registered 3 (60%), updated 2 (40%), completed 1/4 (25%)
    Chi bộ thôn Tân Lập: DV007 has a chat account but never consented (not linked); DV009 one commitment at 100%
      => members 5, linked 0, registered 1 (20%), updated 1 (20%), completed 1/1
    Chi bộ Trường Tiểu học Thanh Sơn: members 4, nothing else.
    Chi bộ tổ dân phố Hồng Hà (another committee): DV016 linked, DV018 registered: never in Thanh Sơn's totals.
    """
    an, ngoc = Chat(router, user_id="111"), Chat(router, user_id="222")
    await an.link_as("DV001", db, clock)
    await register_by_chat(an)
    await register_by_chat(an, "Giúp đỡ 2 hộ nghèo trong thôn")
    await an.say("/capnhat")
    await an.say("2")
    await an.say("100")
    await an.press(t.SKIP)
    await ngoc.link_as("DV002", db, clock)
    await register_by_chat(ngoc, "Gương mẫu đi đầu trong sinh hoạt chi bộ")
    await Chat(router, user_id="333").link_as("DV003", db, clock, consent=False)
    await add_commitment(db, clock, "DV003", "Sửa đường vào xóm", percent=40)
    gone = await add_commitment(db, clock, "DV005", "Nuôi ong lấy mật")
    await add_commitment(db, clock, "DV006", "Dạy chữ cho trẻ")
    await add_commitment(db, clock, "DV009", "Vệ sinh kênh mương", percent=100)
    await add_commitment(db, clock, "DV018", "Xây dựng tổ dân phố văn minh", percent=100)
    async with db.uow() as uow:
        for code, platform, external in (
            ("DV004", "zalo", "z4"),
            ("DV007", "telegram", "777"),
            ("DV016", "zalo", "z16"),
        ):
            found = await uow.members.by_code(code)
            assert found is not None
            await uow.accounts.add(platform, external, found.id, clock.now())
        dv004, dv005, dv006 = [await uow.members.by_code(c) for c in ("DV004", "DV005", "DV006")]
        assert dv004 is not None and dv005 is not None and dv006 is not None
        dv006.exempt = True
        dv004.consent_at = clock.now()
        await uow.commitments.add(
            Commitment(
                member_id=dv004.id,
                year=2025,
                content="Nội dung năm trước",
                measures=MEASURES,
                deadline=date(2025, 12, 31),
                status="active",
                percent=100,
                created_at=clock.now() - timedelta(days=365),
                updated_at=clock.now(),
                last_progress_at=clock.now(),
            )
        )
        await withdraw_commitment(uow, await load_actor(uow, dv005), gone, clock.now())
        await uow.commit()
    clock.advance(minutes=5)  # a roll-up counts what existed before its moment


def cell_rollup(period: str, end: str, updated: int, not_updated: list[str]) -> str:
    """Chi bộ thôn Đồng Tâm's roll-up, counted by hand (see `_summary_world`): in scope DV001..DV005; linked
    DV001, DV002, DV004; registered DV001, DV002, DV003; no one finished every commitment (DV001 one of two)."""
    head = rp.ROLLUP_CELL.format(
        unit=DONG_TAM,
        period=period,
        end=end,
        year=2026,
        members=5,
        linked=3,
        unreachable=0,
        registered=3,
        registered_pct="60%",
        collective=0,
        models=0,
        updated=updated,
        updated_pct={0: "0%", 1: "33,3%", 2: "66,7%", 3: "100%"}[updated],
        completed=0,
        completed_pct="0%",
        behind=0,
        studied=0,
        studied_pct="0%",
    )
    missing = rp.ROLLUP_NOT_REGISTERED.format(count=2, names="Hoàng Văn Dũng, Phạm Thị Hạnh")
    stale = rp.ROLLUP_NOT_UPDATED.format(count=len(not_updated), names=", ".join(not_updated))
    left_out = rp.ROLLUP_OUT_OF_SCOPE.format(count=1, names="Đỗ Thị Lan")  # exempt
    return "\n".join([head, *no_honours(), "", missing, stale, left_out])


def no_honours(cells: int | None = None) -> list[str]:
    """The roll-up's lines of exemplars, replicated models and activities when there is none of them (issue 13);
    `cells`: a committee's cells (its lines are cells), None for a cell."""
    nothing = {"activities": 0, "participants": "0"}
    zeros = {f"{what}_{kind}": 0 for what in ("exemplar", "proposed", "commended", "upward")
             for kind in ("individual", "collective")}
    activities = (
        cm.ROLLUP_ACTIVITIES_CELL.format(**nothing)
        if cells is None
        else cm.ROLLUP_ACTIVITIES_CELLS.format(cells_active=0, cells=cells, **nothing)
    )
    return [cm.ROLLUP_EXEMPLARS.format(**zeros), cm.ROLLUP_REPLICATIONS.format(replications=0, models=0), activities]


CELL_NEXT = [rp.PERIOD_QUARTER, rp.PERIOD_YEAR, rp.PERIOD_RANGE, rp.DRILL_DONE]  # after this month's answer


async def test_secretary_summary_of_their_cell(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await _summary_world(router, roster_db, clock)
    ngoc = Chat(router, user_id="222")
    summary = cell_rollup("tháng 11/2026", "23/11/2026", 2, ["Trần Thị Bích Ngọc"])
    await ngoc.say("/tonghop")  # this month by default
    assert ngoc.all_texts == [summary, rp.OTHER_PERIOD_ASK]  # a cell: no chart, the other periods offered
    assert ngoc.choices == CELL_NEXT
    await ngoc.press(rp.DRILL_DONE)
    ngoc.assert_menu()
    assert ngoc.choices == SECRETARY_MENU
    await ngoc.say("tong hop")
    assert ngoc.all_texts == [summary, rp.OTHER_PERIOD_ASK]
    await ngoc.say("/trogiup")
    await ngoc.press(t.MENU_SUMMARY)  # from the menu that followed
    assert ngoc.all_texts == [summary, rp.OTHER_PERIOD_ASK]
    await ngoc.press(rp.PERIOD_YEAR)
    year = cell_rollup("năm 2026", "23/11/2026", 2, ["Trần Thị Bích Ngọc"])
    assert ngoc.all_texts == [year, rp.OTHER_PERIOD_ASK]
    assert ngoc.choices == [rp.PERIOD_MONTH, rp.PERIOD_QUARTER, rp.PERIOD_RANGE, rp.DRILL_DONE]
    await ngoc.press(rp.PERIOD_RANGE)
    assert ngoc.all_texts == [rp.PERIOD_ASK_RANGE]
    await ngoc.say("01/11/2026-15/11/2026")  # before anyone registered (everything happened on 23/11)
    before = ngoc.all_texts[0]
    period = "từ 01/11/2026 đến 15/11/2026"
    assert before.startswith(rp.ROLLUP_HEADER.format(unit=DONG_TAM, period=period, end="15/11/2026"))
    assert "Cá nhân đã đăng ký năm 2026: 0/5 (0%)" in before
    everyone = "Hoàng Văn Dũng, Lê Văn Cường, Nguyễn Văn An, Phạm Thị Hạnh, Trần Thị Bích Ngọc"
    assert rp.ROLLUP_NOT_REGISTERED.format(count=5, names=everyone) in before
    assert "Chưa cập nhật" not in before  # only registered members can be behind with updates
    assert ngoc.question.text == rp.OTHER_PERIOD_ASK
    await ngoc.say("01/11/2026-30/11/2026")  # a range typed at the question after a roll-up
    assert rp.ROLLUP_NOT_UPDATED.format(count=1, names="Trần Thị Bích Ngọc") in ngoc.all_texts[0]
    await ngoc.say("Chi bộ không có thật")
    assert ngoc.all_texts == [t.INVALID_CHOICE, rp.OTHER_PERIOD_ASK]


async def test_updated_counts_the_period(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await _summary_world(router, roster_db, clock)
    ngoc = Chat(router, user_id="222")
    clock.advance(days=29)  # 22/12/2026: nobody has updated in December yet
    await ngoc.say("/tonghop")
    everyone = ["Lê Văn Cường", "Nguyễn Văn An", "Trần Thị Bích Ngọc"]
    assert ngoc.all_texts[0] == cell_rollup("tháng 12/2026", "22/12/2026", 0, everyone)
    an = Chat(router, user_id="111")
    await an.say("/capnhat")
    await an.say("1")
    await an.say("10")
    await an.press(t.SKIP)
    clock.advance(minutes=1)
    await ngoc.say("/tonghop")
    assert ngoc.all_texts[0] == cell_rollup("tháng 12/2026", "22/12/2026", 1, ["Lê Văn Cường", "Trần Thị Bích Ngọc"])
    await ngoc.press(rp.PERIOD_QUARTER)  # October to December: An and Cường updated in November or December
    assert ngoc.all_texts[0] == cell_rollup("quý 4/2026", "22/12/2026", 2, ["Trần Thị Bích Ngọc"])


async def test_secretary_sees_who_blocked_the_bot_and_who_is_paused(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await _summary_world(router, roster_db, clock)
    async with roster_db.uow() as uow:
        an = await uow.members.by_code("DV001")
        hoang = await uow.members.by_code("DV005")
        assert an is not None and hoang is not None
        for account in await uow.accounts.for_member(an.id):
            account.blocked_at = clock.now()
        hoang.paused_until = date(2026, 12, 31)
        await uow.commit()
    ngoc = Chat(router, user_id="222")
    await ngoc.say("/tonghop")
    text = ngoc.all_texts[0]
    assert "Đảng viên trong diện theo dõi: 4" in text  # Dũng paused: out of the rates like the exempt Lan
    assert "Không liên lạc được: 1" in text
    assert "Cá nhân đã đăng ký năm 2026: 3/4 (75%)" in text
    assert rp.ROLLUP_UNREACHABLE.format(count=1, names=AN) in text
    assert rp.ROLLUP_OUT_OF_SCOPE.format(count=2, names="Hoàng Văn Dũng, Đỗ Thị Lan") in text
    assert rp.ROLLUP_NOT_REGISTERED.format(count=1, names="Phạm Thị Hạnh") in text


def committee_rollup(end: str, dong_tam_updated: int, tan_lap_updated: int) -> str:
    """Đảng bộ xã Thanh Sơn this month, by hand: one line per cell and the totals (Hồng Hà is elsewhere)."""
    updated = dong_tam_updated + tan_lap_updated

    def pct(part: int, whole: int) -> str:
        return f"{round(100 * part / whole, 1):g}%".replace(".", ",") if whole else "0%"

    def line(unit: str, members: int, registered: int, updated: int, completed: int) -> str:
        return rp.ROLLUP_LINE.format(
            unit=unit,
            registered=registered,
            members=members,
            registered_pct=pct(registered, members),
            updated=updated,
            updated_pct=pct(updated, registered),
            completed=completed,
            completed_pct=pct(completed, registered),
        )

    month = "tháng 11/2026" if end.endswith("11/2026") else "tháng 12/2026"
    return "\n".join(
        [
            rp.ROLLUP_HEADER.format(unit="Đảng bộ xã Thanh Sơn", period=month, end=end),
            line(DONG_TAM, 5, 3, dong_tam_updated, 0),
            line("Chi bộ thôn Tân Lập", 5, 1, tan_lap_updated, 1),
            line("Chi bộ Trường Tiểu học Thanh Sơn", 4, 0, 0, 0),
            rp.ROLLUP_TOTAL.format(
                children=3,
                members=14,
                linked=3,
                unreachable=0,
                registered=4,
                registered_pct="28,6%",
                collective=0,
                models=0,
                updated=updated,
                updated_pct=pct(updated, 4),
                completed=1,
                completed_pct="25%",
                behind=0,
                studied=0,
                studied_pct="0%",
                cells_studied=0,
                cells=3,
            ),
            *no_honours(cells=3),
        ]
    )


async def test_committee_summary_lines_per_cell_and_totals(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await _summary_world(router, roster_db, clock)
    staff = Chat(router, user_id="2525")
    await staff.link_as("DV025", roster_db, clock)
    assert staff.choices == COMMITTEE_MENU
    await staff.say("/tonghop")
    text, chart, question = staff.last_replies
    assert text.text == committee_rollup("23/11/2026", 2, 1)
    assert "75%" in text.text  # 3 of the 4 registered updated this month, by hand
    assert "Hồng Hà" not in text.text and "Hồng Phong" not in text.text
    assert chart.attachment is not None and chart.attachment.content.startswith(b"\x89PNG")
    assert question.text == rp.DRILL_ASK
    cells = [DONG_TAM, "Chi bộ thôn Tân Lập", "Chi bộ Trường Tiểu học Thanh Sơn"]
    assert staff.choices == [*cells, *CELL_NEXT]
    await staff.press(DONG_TAM)  # drill down: the cell's view with its names
    assert staff.all_texts == [
        cell_rollup("tháng 11/2026", "23/11/2026", 2, ["Trần Thị Bích Ngọc"]),
        rp.OTHER_PERIOD_ASK,
    ]
    await staff.press(rp.PERIOD_QUARTER)  # the other period applies to the unit on screen
    assert staff.all_texts[0] == cell_rollup("quý 4/2026", "23/11/2026", 2, ["Trần Thị Bích Ngọc"])
    await staff.press(rp.DRILL_DONE)
    staff.assert_menu()
    clock.advance(days=31)
    await staff.say("/tonghop")
    assert staff.all_texts[0] == committee_rollup("24/12/2026", 0, 0)


async def test_a_summary_leaves_no_registration_pending(router: Router, roster_db: Database, clock: FakeClock) -> None:
    ngoc = Chat(router, user_id="222")
    await ngoc.link_as("DV002", roster_db, clock)
    await ngoc.say("/dangky")
    await ngoc.say("/tonghop")  # a command in the middle of a flow replaces it
    head = rp.ROLLUP_HEADER.format(unit=DONG_TAM, period="tháng 11/2026", end="23/11/2026")
    assert len(ngoc.all_texts) == 2 and ngoc.all_texts[0].startswith(head)
    assert ngoc.all_texts[1] == rp.OTHER_PERIOD_ASK and ngoc.choices == CELL_NEXT
    state = await dialog(roster_db, user_id="222")
    assert (state.flow, state.step) == ("summary", "drill")
    await ngoc.say(CONTENT)  # no longer read as the content of a registration
    assert ngoc.all_texts == [t.INVALID_CHOICE, rp.OTHER_PERIOD_ASK]
    assert await active(roster_db, "DV002") == []
    await ngoc.say("4")  # "Xong"
    ngoc.assert_menu()
    await ngoc.say("4")  # the menu's number for the summary
    assert ngoc.all_texts[0].startswith(head) and ngoc.all_texts[1:] == [rp.OTHER_PERIOD_ASK]
