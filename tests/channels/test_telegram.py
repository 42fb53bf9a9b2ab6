"""The Telegram channel with the real python-telegram-bot Application, fed Updates in-process.

No network: every Bot API call goes to a RecordingRequest, which answers like Telegram and
records what the bot sent. Each test drives `app.process_update` and checks both the messages
sent and what ended up in the database.
"""

from __future__ import annotations

import csv
import logging
import re
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update
from telegram.constants import MessageLimit

from bot.channels.telegram import BOT_COMMANDS, TelegramChannel
from bot.channels.telegram_limiter import BudgetLimiter
from bot.housekeeping import HOUSEKEEPING_EVERY_S, housekeeping
from bot.rate_budget import BudgetLimits, MemoryStore, RateBudget
from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.catalog import reports as rp
from handlers.dialog import Ctx, Input
from handlers.flows import default_flows
from handlers.flows.register import RegisterFlow
from handlers.flows.summary import LINES_SHOWN
from handlers.messages import Choice, Incoming, Reply
from handlers.router import COMMANDS, Router
from handlers.services.roster import import_roster
from handlers.services.roster_file import read_roster
from storage.models import Commitment, DialogStateRow, Member, ProcessedUpdate
from tests.chat import EXEMPLAR_QUESTION
from tests.fakes.fake_telegram import chat_object, user_object
from tests.support import EXAMPLE_CSV, TZ, Database, FakeClock
from tests.telegram_support import USER, Chat, invite_code, link_and_consent, photo_update, start_app, sticker_update

SECRETARY = 4343
PAYLOAD = re.compile(r"^\d+\|[a-z0-9_]+$")


@pytest.fixture
async def chat(router: Router) -> AsyncIterator[Chat]:
    harness = await start_app(router)
    try:
        yield harness
    finally:
        await harness.app.shutdown()


async def member(database: Database, code: str) -> Member:
    async with database.sessions() as session:
        found = await session.scalar(select(Member).where(Member.code == code))
    assert found is not None
    return found


async def commitments_of(database: Database, code: str) -> list[Commitment]:
    owner = await member(database, code)
    async with database.sessions() as session:
        rows = await session.scalars(select(Commitment).where(Commitment.member_id == owner.id))
        return list(rows)


async def processed_keys(database: Database) -> set[str]:
    async with database.sessions() as session:
        return set(await session.scalars(select(ProcessedUpdate.update_key)))


async def dialog_rows(database: Database) -> list[tuple[Any, ...]]:
    async with database.sessions() as session:
        rows = await session.scalars(select(DialogStateRow).order_by(DialogStateRow.account_id))
        return [(r.account_id, r.flow, r.step, r.nonce, r.data) for r in rows]


async def register(chat: Chat, content: str, measures: str) -> list[str]:
    assert (await chat.say("/dangky"))[-1] == t.ASK_CONTENT
    assert await chat.say(content) == [t.ASK_MEASURES]
    assert await chat.say(measures) == [t.ASK_DEADLINE]
    [exemplar] = await chat.press(chat.buttons()[0][1])  # the first deadline button: end of the quarter
    assert exemplar.startswith(EXEMPLAR_QUESTION)  # the first registration of the year asks it
    [confirm] = await chat.press_label(cm.EXEMPLAR_NO)
    assert confirm.startswith("Xin đồng chí kiểm tra lại bản đăng ký")
    return await chat.press_label(t.CONFIRM)


# ---- linking and consent -----------------------------------------------------------------------


async def test_start_with_code_links_and_shows_the_consent_notice(
    chat: Chat, roster_db: Database, clock: FakeClock
) -> None:
    code = await invite_code(roster_db, clock, "DV001")
    update = chat.text_update(f"/start {code}")

    sent = await chat.process(update)

    assert sent == [
        t.LINKED.format(name="Nguyễn Văn An", cell="Chi bộ thôn Đồng Tâm"),
        t.CONSENT_NOTICE,
    ]
    buttons = chat.buttons()
    assert [label for label, _ in buttons] == [t.CONSENT_YES, t.CONSENT_NO]
    assert all(PAYLOAD.match(data) for _, data in buttons)
    yes, no = (data for _, data in buttons)
    assert yes.endswith("|yes") and no.endswith("|no")
    assert yes.split("|")[0] == no.split("|")[0]  # one nonce for the whole question
    # only the last message of the reply carries the keyboard
    first = chat.request.calls_of("sendMessage")[0]
    assert "reply_markup" not in first.params
    # the dedup key is "<bot id>:<update_id>", the bot id coming from getMe
    assert chat.app.bot.id == chat.request.bot_id == 123456
    assert f"123456:{update.update_id}" in await processed_keys(roster_db)
    # the account belongs to DV001 now and the code is spent
    owner = await member(roster_db, "DV001")
    async with roster_db.uow() as uow:
        account = await uow.accounts.find("telegram", str(USER))
        assert account is not None
        assert account.member_id == owner.id
        invite = await uow.invites.by_code(code)
        assert invite is not None and invite.used_at is not None


async def test_unknown_user_without_code_is_asked_for_one(chat: Chat, roster_db: Database) -> None:
    assert await chat.say("xin chào") == [t.STRANGER]
    assert chat.buttons() == []
    async with roster_db.uow() as uow:
        assert await uow.accounts.find("telegram", str(USER)) is None


async def test_pressing_consent_answers_the_query_and_sends_the_menu(
    chat: Chat, roster_db: Database, clock: FakeClock
) -> None:
    code = await invite_code(roster_db, clock, "DV001")
    await chat.say(f"/start {code}")
    yes = chat.data_of(t.CONSENT_YES)
    update = chat.button_update(yes)

    sent = await chat.process(update)

    [answer] = chat.request.calls_of("answerCallbackQuery")
    assert answer.params["callback_query_id"] == update.callback_query.id  # type: ignore[union-attr]
    assert sent == [t.CONSENT_GIVEN.format(time="10:00 23/11/2026"), t.MENU_PROMPT]
    assert [label for label, _ in chat.buttons()] == [t.MENU_REGISTER, t.MENU_PROGRESS, t.MENU_PLEDGES, t.MENU_HELP]
    assert all(PAYLOAD.match(data) for _, data in chat.buttons())
    assert (await member(roster_db, "DV001")).consent_at is not None


async def test_an_answered_question_loses_its_buttons(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    code = await invite_code(roster_db, clock, "DV001")
    await chat.say(f"/start {code}")
    update = chat.button_update(chat.data_of(t.CONSENT_YES))
    pressed_message = update.callback_query.message  # type: ignore[union-attr]

    await chat.process(update)

    [edit] = chat.request.calls_of("editMessageReplyMarkup")
    assert edit.params["message_id"] == pressed_message.message_id  # type: ignore[union-attr]
    assert edit.params.get("reply_markup") in (None, {"inline_keyboard": []})
    assert [label for label, _ in chat.buttons()] == [t.MENU_REGISTER, t.MENU_PROGRESS, t.MENU_PLEDGES, t.MENU_HELP]


async def test_a_press_whose_button_cannot_be_removed_is_still_handled(
    chat: Chat, roster_db: Database, clock: FakeClock
) -> None:
    code = await invite_code(roster_db, clock, "DV001")
    await chat.say(f"/start {code}")
    update = chat.button_update(chat.data_of(t.CONSENT_YES))
    too_old = {"ok": False, "error_code": 400, "description": "Bad Request: message can't be edited"}
    chat.request.fail_methods["editMessageReplyMarkup"] = (400, too_old)

    sent = await chat.process(update)

    assert sent == [t.CONSENT_GIVEN.format(time="10:00 23/11/2026"), t.MENU_PROMPT]
    assert [call.status for call in chat.request.calls_of("editMessageReplyMarkup")] == [400]
    assert (await member(roster_db, "DV001")).consent_at is not None


async def test_a_press_whose_answer_fails_is_still_handled(
    chat: Chat, roster_db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """answerCallbackQuery fails for presses queued while the bot was down (> ~15 min): the press counts."""
    code = await invite_code(roster_db, clock, "DV001")
    await chat.say(f"/start {code}")
    too_old = "Bad Request: query is too old and response timeout expired or query id is invalid"
    chat.request.fail_next.append((400, {"ok": False, "error_code": 400, "description": too_old}))

    with caplog.at_level(logging.WARNING):
        sent = await chat.press_label(t.CONSENT_YES)

    assert chat.request.calls_of("answerCallbackQuery")[0].status == 400
    assert sent == [t.CONSENT_GIVEN.format(time="10:00 23/11/2026"), t.MENU_PROMPT]
    assert t.INTERNAL_ERROR not in chat.request.sent_texts(USER)
    assert (await member(roster_db, "DV001")).consent_at is not None
    assert any("could not answer a button press" in r.getMessage() for r in caplog.records)


async def test_rate_limited_application_links_and_consents(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    harness = await start_app(router, budget=RateBudget("telegram:test", BudgetLimits(), MemoryStore()))
    try:
        assert isinstance(harness.app.bot.rate_limiter, BudgetLimiter)
        code = await invite_code(roster_db, clock, "DV001")
        sent = await harness.say(f"/start {code}")
        assert sent[-1] == t.CONSENT_NOTICE
        sent = await harness.press_label(t.CONSENT_YES)
        assert sent[-1] == t.MENU_PROMPT
        assert len(harness.request.calls_of("answerCallbackQuery")) == 1
    finally:
        await harness.app.shutdown()
    assert (await member(roster_db, "DV001")).consent_at is not None


# ---- registering and logging progress ------------------------------------------------------------


async def test_register_a_commitment_with_buttons(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    await link_and_consent(chat, roster_db, clock, "DV001")

    assert (await chat.say("/dangky"))[-1] == t.ASK_CONTENT
    assert await chat.say("Vận động 5 hộ trong thôn phân loại rác") == [t.ASK_MEASURES]
    assert await chat.say("Họp tổ dân cư, đến từng nhà hướng dẫn") == [t.ASK_DEADLINE]
    # 23/11/2026: the end of the quarter is the end of the year, so one date button (+ cancel)
    assert [label for label, _ in chat.buttons()] == [t.DEADLINE_QUARTER.format(date="31/12/2026"), t.CANCEL]
    [exemplar] = await chat.press_label(t.DEADLINE_QUARTER.format(date="31/12/2026"))
    assert exemplar == cm.ASK_EXEMPLAR_INDIVIDUAL.format(year=2026)
    assert [label for label, _ in chat.buttons()] == [cm.EXEMPLAR_YES, cm.EXEMPLAR_NO, t.CANCEL]
    [confirm] = await chat.press_label(cm.EXEMPLAR_NO)
    assert confirm == t.CONFIRM_REGISTRATION.format(
        content="Vận động 5 hộ trong thôn phân loại rác",
        measures="Họp tổ dân cư, đến từng nhà hướng dẫn",
        deadline="31/12/2026",
    )
    assert [label for label, _ in chat.buttons()] == [
        t.CONFIRM,
        t.EDIT_CONTENT,
        t.EDIT_MEASURES,
        t.EDIT_DEADLINE,
        t.CANCEL,
    ]
    sent = await chat.press_label(t.CONFIRM)

    assert sent == [t.REGISTERED.format(number=1, year=2026), t.MENU_PROMPT]
    [saved] = await commitments_of(roster_db, "DV001")
    assert saved.content == "Vận động 5 hộ trong thôn phân loại rác"
    assert saved.measures == "Họp tổ dân cư, đến từng nhà hướng dẫn"
    assert saved.deadline == date(2026, 12, 31)
    assert saved.year == 2026 and saved.percent == 0
    assert len(chat.request.calls_of("answerCallbackQuery")) == 4  # consent, deadline, exemplar, confirm


async def test_log_progress_with_percent_button_and_skipped_note(
    chat: Chat, roster_db: Database, clock: FakeClock
) -> None:
    await link_and_consent(chat, roster_db, clock, "DV001")
    await register(chat, "Vận động 5 hộ trong thôn phân loại rác", "Họp tổ dân cư, đến từng nhà")
    clock.advance(days=3)

    [ask] = await chat.say("/capnhat")
    assert ask == t.ASK_PERCENT.format(content="Vận động 5 hộ trong thôn phân loại rác", percent=0)
    assert [label for label, _ in chat.buttons()] == ["25%", "50%", "75%", "100%", t.CANCEL]
    assert await chat.press_label("50%") == [t.ASK_NOTE]
    sent = await chat.press_label(t.SKIP)

    assert sent[0] == t.PROGRESS_SAVED.format(
        percent=50, content="Vận động 5 hộ trong thôn phân loại rác", time="10:00 26/11/2026"
    )
    assert sent[-1] == t.MENU_PROMPT
    [saved] = await commitments_of(roster_db, "DV001")
    assert saved.percent == 50
    assert saved.last_progress_at == clock.now()
    async with roster_db.uow() as uow:
        entries = [(e.percent, e.note) for e in await uow.commitments.progress_of(saved.id)]
    assert entries == [(50, None)]


# ---- buttons that are not the current question's -----------------------------------------------


async def test_stale_button_re_asks_the_current_question(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    await link_and_consent(chat, roster_db, clock, "DV001")
    old_register = chat.data_of(t.MENU_REGISTER)  # the menu's buttons, about to go stale
    await chat.say("/dangky")
    await chat.say("Vận động 5 hộ trong thôn phân loại rác")
    current = chat.buttons()
    state_before = await dialog_rows(roster_db)

    sent = await chat.press(old_register)

    assert sent == [t.STALE_CHOICE, t.ASK_MEASURES]
    assert chat.buttons() == current  # the same question with the same (current) buttons
    assert await dialog_rows(roster_db) == state_before
    assert await chat.say("Họp tổ dân cư, đến từng nhà") == [t.ASK_DEADLINE]  # the dialog goes on


async def test_forged_button_data_is_refused(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    await link_and_consent(chat, roster_db, clock, "DV001")
    await chat.say("/dangky")
    await chat.say("Vận động 5 hộ trong thôn phân loại rác")
    await chat.say("Họp tổ dân cư, đến từng nhà")
    nonce = chat.buttons()[0][1].split("|")[0]
    current = chat.buttons()

    sent = await chat.press(f"{nonce}|2099-01-01")

    assert sent == [t.INVALID_CHOICE, t.ASK_DEADLINE]
    assert chat.buttons() == current
    assert await commitments_of(roster_db, "DV001") == []
    [exemplar] = await chat.press(current[0][1])  # the real button still works
    assert exemplar.startswith(EXEMPLAR_QUESTION)
    [confirm] = await chat.press_label(cm.EXEMPLAR_NO)
    assert "31/12/2026" in confirm


# ---- duplicates, non-text, groups ---------------------------------------------------------------------


async def test_the_same_update_twice_is_handled_once(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    await link_and_consent(chat, roster_db, clock, "DV001")
    await chat.say("/dangky")
    typed = chat.text_update("Vận động 5 hộ trong thôn phân loại rác")
    assert await chat.process(typed) == [t.ASK_MEASURES]
    state = await dialog_rows(roster_db)
    keys = await processed_keys(roster_db)
    sends = len(chat.request.calls_of("sendMessage"))

    assert await chat.process(typed) == []

    assert len(chat.request.calls_of("sendMessage")) == sends
    assert await dialog_rows(roster_db) == state
    assert await processed_keys(roster_db) == keys

    # a redelivered confirm button must not register the commitment twice
    await chat.say("Họp tổ dân cư, đến từng nhà")
    await chat.press(chat.buttons()[0][1])
    await chat.press_label(cm.EXEMPLAR_NO)
    confirm = chat.button_update(chat.data_of(t.CONFIRM))
    assert (await chat.process(confirm))[0] == t.REGISTERED.format(number=1, year=2026)
    sends = len(chat.request.calls_of("sendMessage"))
    assert await chat.process(confirm) == []
    assert len(chat.request.calls_of("sendMessage")) == sends
    assert len(await commitments_of(roster_db, "DV001")) == 1


async def test_non_text_messages_get_the_not_text_notice(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    # a stranger's photo: the bot only explains how to join
    assert await chat.process(photo_update(chat._new_id(), USER, chat)) == [t.STRANGER]

    await link_and_consent(chat, roster_db, clock, "DV001")
    menu = chat.buttons()
    sent = await chat.process(sticker_update(chat._new_id(), USER, chat))
    assert sent == [t.NOT_TEXT, t.MENU_PROMPT]
    assert chat.buttons() == menu

    await chat.say("/dangky")
    sent = await chat.process(photo_update(chat._new_id(), USER, chat))
    assert sent == [t.NOT_TEXT, t.ASK_CONTENT]
    assert await commitments_of(roster_db, "DV001") == []


async def test_group_messages_are_ignored(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    await link_and_consent(chat, roster_db, clock, "DV001")
    calls = len(chat.request.calls)
    keys = await processed_keys(roster_db)
    state = await dialog_rows(roster_db)
    group = -1001234567890
    for update_id, body in (
        (9001, {"text": "/dangky"}),
        (9002, {"text": "xin chào chi bộ"}),
        (9003, {"photo": [{"file_id": "P", "file_unique_id": "U", "width": 1, "height": 1}]}),
    ):
        message = {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": chat_object(group),
            "from": user_object(USER),
            **body,
        }
        await chat.app.process_update(Update.de_json({"update_id": update_id, "message": message}, chat.app.bot))

    assert chat.request.calls[calls:] == []
    assert await processed_keys(roster_db) == keys
    assert await dialog_rows(roster_db) == state


# ---- long replies ----------------------------------------------------------------------------------------


async def test_send_splits_a_long_reply_and_puts_the_keyboard_on_the_last_piece(chat: Chat, router: Router) -> None:
    lines = [f"Dòng {i:04d}: " + "nội dung làm theo " * 5 for i in range(200)]
    text = "\n".join(lines)
    assert len(text) > 2 * MessageLimit.MAX_TEXT_LENGTH
    reply = Reply(text, (Choice("Có", "7|yes"), Choice("Không", "7|no")))
    short = Reply("Tiếp theo", (Choice("Tiếp", "8|next"),))
    context = SimpleNamespace(bot=chat.app.bot)

    await TelegramChannel(router).send(context, USER, [reply, short])  # type: ignore[arg-type]

    calls = chat.request.calls_of("sendMessage")
    pieces, last = calls[:-1], calls[-1]
    assert len(pieces) >= 3
    assert all(len(c.params["text"]) <= MessageLimit.MAX_TEXT_LENGTH for c in pieces)
    assert "\n".join(c.params["text"] for c in pieces) == text  # split on line boundaries, nothing lost
    assert [("reply_markup" in c.params) for c in pieces] == [False] * (len(pieces) - 1) + [True]
    buttons = pieces[-1].params["reply_markup"]["inline_keyboard"]
    assert buttons == [[{"text": "Có", "callback_data": "7|yes"}], [{"text": "Không", "callback_data": "7|no"}]]
    assert last.params["text"] == "Tiếp theo"
    assert last.params["reply_markup"]["inline_keyboard"] == [[{"text": "Tiếp", "callback_data": "8|next"}]]


async def test_committee_summary_of_many_cells_is_sent_in_pieces(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    roster_file = tmp_path / "many_cells.csv"
    with EXAMPLE_CSV.open(encoding="utf-8-sig", newline="") as source:
        header, *rows = list(csv.reader(source))
    committee = next(row for row in rows if row[0] == "DV025")
    party = committee[3]
    extra = [
        [f"DV{100 + i}", f"Đảng viên Số {i}", f"Chi bộ thôn Số {i:03d} Thanh Sơn mở rộng", party, "", "đảng viên", ""]
        for i in range(90)
    ]
    with roster_file.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows([header, committee, *extra])
    roster = read_roster(roster_file)
    assert not roster.errors
    async with db.uow() as uow:
        await import_roster(uow, roster.rows, clock.now())
        await uow.commit()

    harness = await start_app(Router(db.uow, clock, TZ))
    try:
        await link_and_consent(harness, db, clock, "DV025")
        before = len(harness.request.calls_of("sendMessage"))
        sent = await harness.say("/tonghop")
        calls = harness.request.calls_of("sendMessage")[before:]
        photos = harness.request.calls_of("sendPhoto")
    finally:
        await harness.app.shutdown()

    *pieces, question = sent  # this month's roll-up (in pieces if long), the chart (a photo), then what next
    assert question == f"{rp.DRILL_ASK}\n{t.PAGE_INFO.format(page=1, pages=15)}"  # 6 cells a page beside the periods
    assert all(len(piece) <= MessageLimit.MAX_TEXT_LENGTH for piece in pieces)
    whole = "\n".join(pieces)
    assert whole.startswith(
        rp.ROLLUP_HEADER.format(unit="Đảng bộ xã Thanh Sơn", period="tháng 11/2026", end="23/11/2026")
    )
    listed = [i for i in range(90) if f"Chi bộ thôn Số {i:03d} Thanh Sơn mở rộng" in whole]
    assert len(listed) == LINES_SHOWN and rp.ROLLUP_MORE.format(count=90 - LINES_SHOWN) in whole
    assert "Tổng cộng 90 đơn vị, 90 đảng viên trong diện" in pieces[-1]
    assert len(calls) == len(sent)
    assert not any("reply_markup" in c.params for c in calls[:-1])  # only the question has buttons
    [photo] = photos
    assert photo.params["caption"] == rp.CHART_CAPTION.format(unit="Đảng bộ xã Thanh Sơn", period="tháng 11/2026")
    buttons = [b["text"] for row in calls[-1].params["reply_markup"]["inline_keyboard"] for b in row]
    assert all(label.startswith("Chi bộ thôn Số ") for label in buttons[:6])  # the first page of cells
    assert buttons[6:] == [t.PAGE_NEXT, rp.PERIOD_QUARTER, rp.PERIOD_YEAR, rp.PERIOD_RANGE, rp.DRILL_DONE]


# ---- errors --------------------------------------------------------------------------------------------


class ExplodingRegister(RegisterFlow):
    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        raise RuntimeError("the storage went away")


async def test_error_in_the_router_sends_a_notice_and_logs_no_message_text(
    roster_db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    flows = {**default_flows(), "register": ExplodingRegister()}
    harness = await start_app(Router(roster_db.uow, clock, TZ, flows))
    secret_text = "Bí mật của đồng chí An 0912345678"
    try:
        await link_and_consent(harness, roster_db, clock, "DV001")
        await harness.say("/dangky")
        state = await dialog_rows(roster_db)
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            sent = await harness.say(secret_text)
    finally:
        await harness.app.shutdown()

    assert sent == [t.INTERNAL_ERROR]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors, "the error must be logged"
    assert any(r.name == "bot.channels.telegram" and "RuntimeError" in r.getMessage() for r in errors)
    assert any(r.exc_info for r in errors)  # with the traceback, for the operator
    for record in caplog.records:
        assert secret_text not in record.getMessage()
        assert "0912345678" not in record.getMessage()
    assert "0912345678" not in caplog.text  # nor in a formatted traceback
    # the failed step rolled back: the dialog is where it was
    assert await dialog_rows(roster_db) == state


async def test_error_notice_failure_is_only_logged(
    roster_db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    class ExplodingRouter(Router):
        async def handle(self, msg: Incoming) -> list[Reply]:
            raise RuntimeError("boom")

    harness = await start_app(ExplodingRouter(roster_db.uow, clock, TZ))
    harness.request.fail_next.append(
        (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
    )
    try:
        with caplog.at_level(logging.INFO):
            assert await harness.say("tin nhắn riêng 777") == []
    finally:
        await harness.app.shutdown()
    [attempt] = harness.request.calls_of("sendMessage")
    assert attempt.status == 403 and attempt.params["text"] == t.INTERNAL_ERROR
    assert any("could not send the error notice" in r.getMessage() for r in caplog.records)
    assert "tin nhắn riêng 777" not in caplog.text
    assert await processed_keys(roster_db) == set()


async def test_secretary_summary_counts_registered_members(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    await link_and_consent(chat, roster_db, clock, "DV001")
    await register(chat, "Vận động 5 hộ trong thôn phân loại rác", "Họp tổ dân cư, đến từng nhà")
    await link_and_consent(chat, roster_db, clock, "DV002", SECRETARY)
    clock.advance(minutes=1)  # a roll-up counts what was saved before its moment

    [summary, question] = await chat.say("/tonghop", SECRETARY)  # this month; a cell: no chart
    assert question == rp.OTHER_PERIOD_ASK
    assert [label for label, _ in chat.buttons(SECRETARY)] == [
        rp.PERIOD_QUARTER,
        rp.PERIOD_YEAR,
        rp.PERIOD_RANGE,
        rp.DRILL_DONE,
    ]
    assert summary.startswith(
        rp.ROLLUP_HEADER.format(unit="Chi bộ thôn Đồng Tâm", period="tháng 11/2026", end="23/11/2026")
    )
    assert "Cá nhân đã đăng ký năm 2026: 1/6" in summary
    assert "Đã liên kết với bot: 2/6" in summary
    assert "Nguyễn Văn An" not in summary.split("Chưa đăng ký", 1)[1].split("\n")[0]
    sent = await chat.press_label(rp.DRILL_DONE, SECRETARY)
    assert sent == [t.MENU_PROMPT]
    assert [label for label, _ in chat.buttons(SECRETARY)] == [
        t.MENU_REGISTER,
        t.MENU_PROGRESS,
        t.MENU_PLEDGES,
        t.MENU_SUMMARY,
        t.MENU_REVIEW,
        t.MENU_ANNOUNCE,
        t.MENU_HELP,
    ]
    # the member cannot see it
    assert (await chat.say("/tonghop"))[0] == t.SUMMARY_FORBIDDEN


# ---- housekeeping ------------------------------------------------------------------------------------------


async def test_housekeeping_prunes_old_update_keys(chat: Chat, roster_db: Database, clock: FakeClock) -> None:
    assert HOUSEKEEPING_EVERY_S == 3600  # the runtime's one housekeeping loop (the Application has no job queue)
    await chat.say("xin chào")  # a stranger's message: its key is recorded all the same
    assert await processed_keys(roster_db) == {"123456:1"}

    clock.advance(days=1)
    await housekeeping(roster_db.uow, clock.now())
    assert await processed_keys(roster_db) == {"123456:1"}  # recent: kept against redelivery

    clock.advance(days=7)
    await housekeeping(roster_db.uow, clock.now())
    assert await processed_keys(roster_db) == set()


def test_the_command_menu_is_valid_for_telegram_and_known_to_the_router() -> None:
    names = [name for name, _ in BOT_COMMANDS]
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in names), names
    assert all(1 <= len(text) <= 256 for _, text in BOT_COMMANDS)
    assert len(set(names)) == len(names)
    assert all(name in COMMANDS for name in names)  # every entry opens a flow, not the fallback menu
    members = {"dangky", "capnhat", "camket", "nhacnho", "lichhop", "hoctap", "tudanhgia", "dulieu", "kenh"}
    members |= {"bieuduong", "hoatdong"}  # a member sees their commendations and the cell's activities
    leaders = {"tonghop", "baocao", "duyet", "thongbao", "web"}
    assert members | leaders | {"trogiup", "huy"} == set(names)


async def test_send_reports_each_reply_gone_but_the_last(chat: Chat, router: Router) -> None:
    """After each reply but the last, `went(n)`: the router strikes the first n off the kept replies, so an
    instance taking over after a crash between them does not send them again (tests/storage/test_reply_outbox.py)."""
    went: list[int] = []

    async def note(count: int) -> None:
        went.append(len(chat.request.calls_of("sendMessage")))
        went.append(count)

    context = SimpleNamespace(bot=chat.app.bot)
    await TelegramChannel(router).send(context, USER, [Reply("một"), Reply("hai"), Reply("ba")], note)  # type: ignore[arg-type]

    assert went == [1, 1, 2, 2]  # told once the message had gone
    assert [c.params["text"] for c in chat.request.calls_of("sendMessage")] == ["một", "hai", "ba"]
