"""Self-tests of the test fakes against the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, RetryAfter
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakes.fake_telegram import FakeTelegram, decode_form_value
from tests.fakes.recording_request import (
    RecordingRequest,
    make_callback_update,
    make_text_update,
)

USER = 4242


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    before = set(threading.enumerate())
    server = FakeTelegram()
    server.start()
    port = server.port
    try:
        yield server
    finally:
        server.stop()
        leftover = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.name.startswith("asyncio_")  # loop executor
        ]
        assert not leftover, f"threads left behind: {leftover}"
        with socket.socket() as sock:  # the port must be closed again
            assert sock.connect_ex(("127.0.0.1", port)) != 0


def _keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="ans:yes"),
                InlineKeyboardButton("No", callback_data="ans:no"),
            ]
        ]
    )


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Welcome! 50", reply_markup=_keyboard())


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"You chose {query.data}")
    assert query.message is not None
    await context.bot.send_message(query.message.chat.id, f"done:{query.data}")


# ---- (a) real PTB polling against FakeTelegram ---------------------------------------------


@pytest.mark.asyncio
async def test_ptb_polling_end_to_end(fake: FakeTelegram) -> None:
    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_button))

    await app.initialize()
    assert app.bot.username == "lamtheo_test_bot"
    assert app.bot.id == 123456
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        fake.push_text(USER, "/start", first_name="Lan")
        [welcome] = await fake.wait_for_sent_async(USER, 1, timeout=10)
        # str params stay str ("50" is not turned into a number), objects are decoded
        assert welcome["text"] == "Welcome! 50"
        assert welcome["chat_id"] == USER
        buttons = welcome["reply_markup"]["inline_keyboard"][0]
        assert [b["callback_data"] for b in buttons] == ["ans:yes", "ans:no"]

        fake.push_callback(USER, "ans:yes")
        sent = await fake.wait_for_sent_async(USER, 2, timeout=10)
        assert sent[1]["text"] == "done:ans:yes"
        assert len(fake.calls("answerCallbackQuery")) == 1
        [edit] = fake.calls("editMessageText")
        assert edit["status"] == 200
        assert edit["params"]["message_id"] == fake.calls("sendMessage")[0]["result"]["message_id"]
        stored = fake.message(USER, edit["params"]["message_id"])
        assert stored is not None
        assert stored["text"] == "You chose ans:yes"
        assert "reply_markup" not in stored  # edit without markup removes the keyboard

        await fake.wait_until_consumed_async(timeout=10)
        assert fake.pending_updates() == []
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert [c["params"].get("offset", 0) for c in fake.calls("getUpdates")][-1] > 0
    assert fake.token not in fake.summary()


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter.retry_after
async def test_ptb_multipart_upload_and_errors(fake: FakeTelegram) -> None:
    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    async with app:
        payload = b"a,b\r\n1,2\r\n--not-a-boundary\r\n\x00\xff"
        message = await app.bot.send_document(USER, document=payload, filename="report.csv", caption="[1]")
        assert message.document is not None
        assert message.document.file_name == "report.csv"
        assert message.document.file_size == len(payload)
        assert message.caption == "[1]"
        [call] = fake.calls("sendDocument")
        assert call["files"]["document"]["content"] == payload
        assert call["params"]["caption"] == "[1]"  # not JSON-decoded into a list
        assert call["params"]["chat_id"] == USER

        photo = await app.bot.send_photo(USER, photo=b"\x89PNG fake", filename="p.png")
        assert photo.photo and photo.photo[-1].file_size == len(b"\x89PNG fake")
        assert len(fake.sent_messages(USER)) == 2

        fake.blocked_chats.add(USER)
        with pytest.raises(Forbidden, match="blocked"):
            await app.bot.send_message(USER, "hi")
        fake.blocked_chats.clear()

        fake.rate_limit_per_second = 1
        fake.retry_after = 3
        await app.bot.send_message(USER, "first")
        with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
            await app.bot.send_message(USER, "second")
    assert [p.get("text") for p in fake.sent_messages(USER)][-1] == "first"


# ---- (b) offset semantics ------------------------------------------------------------------


def test_update_delivered_once_after_offset_moved(fake: FakeTelegram) -> None:
    update = {
        "update_id": 77,
        "message": {"message_id": 1, "date": 0, "text": "x", "chat": {"id": USER, "type": "private"}},
    }
    url = f"{fake.base_url}{fake.token}/getUpdates"
    with httpx.Client(timeout=5) as client:
        assert fake.push_update(update) == 77
        assert fake.push_update(update) == 77  # same id queued twice -> once
        first = client.post(url, data={"offset": "0", "timeout": "0"}).json()
        assert [u["update_id"] for u in first["result"]] == [77]
        # not acknowledged yet: asking again without offset returns it again
        again = client.post(url, data={"timeout": "0"}).json()
        assert [u["update_id"] for u in again["result"]] == [77]

        fake.push_update(update)  # delivered to the fake a second time
        ack = client.post(url, data={"offset": "78", "timeout": "0"}).json()
        assert ack == {"ok": True, "result": []}
        fake.wait_until_consumed(timeout=1)

        fake.push_update(update)  # below the acknowledged offset: gone for good
        later = client.post(url, data={"timeout": "0"}).json()
        assert later["result"] == []

        auto = fake.push_text(USER, "/help@lamtheo_test_bot arg")
        assert auto >= 78
        limited = client.post(url, data={"offset": "78", "limit": "1", "timeout": "0"}).json()
        [delivered] = limited["result"]
        assert delivered["update_id"] == auto
        assert delivered["message"]["entities"] == [
            {"type": "bot_command", "offset": 0, "length": len("/help@lamtheo_test_bot")}
        ]


def test_long_poll_wakes_up_on_push(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{fake.token}/getUpdates"
    timer = threading.Timer(0.2, fake.push_text, args=(USER, "hello"))
    timer.start()
    try:
        with httpx.Client(timeout=5) as client:
            result = client.post(url, data={"timeout": "30"}).json()["result"]
    finally:
        timer.join()
    assert [u["message"]["text"] for u in result] == ["hello"]


# ---- (c) rate limit, blocked chats, auth, unknown methods ----------------------------------


def test_rate_limit_blocked_unauthorized_and_unknown(fake: FakeTelegram) -> None:
    send = f"{fake.base_url}{fake.token}/sendMessage"
    fake.rate_limit_per_second = 2
    fake.retry_after = 5
    with httpx.Client(timeout=5) as client:
        statuses = [client.post(send, data={"chat_id": "1", "text": f"m{i}"}) for i in range(3)]
        assert [r.status_code for r in statuses] == [200, 200, 429]
        assert statuses[2].json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 5",
            "parameters": {"retry_after": 5},
        }
        assert [p["text"] for p in fake.sent_messages(1)] == ["m0", "m1"]
        fake.rate_limit_per_second = None

        fake.blocked_chats.add(99)
        blocked = client.post(send, data={"chat_id": "99", "text": "hi"})
        assert blocked.status_code == 403
        assert blocked.json() == {
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot was blocked by the user",
        }
        assert fake.sent_messages(99) == []

        wrong = client.post(f"{fake.base_url}999:WRONG/getMe")
        assert wrong.status_code == 401
        assert wrong.json()["description"] == "Unauthorized"

        unknown = client.post(f"{fake.base_url}{fake.token}/sendDice", data={"chat_id": "1"})
        assert unknown.status_code == 404
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}

        as_json = client.post(send, json={"chat_id": 7, "text": "json body"})
        assert as_json.json()["result"]["chat"] == {"id": 7, "type": "private", "first_name": "Test"}
    assert fake.wait_for_sent(7, 1, timeout=1)[0]["text"] == "json body"
    with pytest.raises(AssertionError, match="expected >= 1 message"):
        fake.wait_for_sent(12345, 1, timeout=0.1)


def test_sends_are_counted_per_second_and_in_any_window(fake: FakeTelegram) -> None:
    send = f"{fake.base_url}{fake.token}/sendMessage"
    with httpx.Client(timeout=5) as client:
        for chat in (1, 2, 1):
            assert client.post(send, data={"chat_id": str(chat), "text": "x"}).status_code == 200
        time.sleep(1.05)
        client.post(send, data={"chat_id": "1", "text": "y"})
        fake.blocked_chats.add(3)
        assert client.post(send, data={"chat_id": "3", "text": "refused"}).status_code == 403  # not counted

    assert fake.most_sent_in_any_window(1.0) == 3
    assert fake.most_sent_in_any_window(1.0, chat_id=1) == 2
    assert fake.most_sent_in_any_window(10.0) == 4
    assert fake.sent_per_second() == [3, 1]
    assert len(fake.send_times(1)) == 3


def test_decode_form_value_keeps_strings() -> None:
    assert decode_form_value("text", "50") == "50"
    assert decode_form_value("chat_id", "50") == 50
    assert decode_form_value("chat_id", "@channel") == "@channel"
    assert decode_form_value("reply_markup", '{"inline_keyboard": []}') == {"inline_keyboard": []}
    assert decode_form_value("disable_notification", "true") is True
    assert decode_form_value("action", "typing") == "typing"


# ---- (d) RecordingRequest + Application.process_update -------------------------------------


@pytest.mark.asyncio
async def test_recording_request_process_update() -> None:
    request = RecordingRequest()
    app = (
        ApplicationBuilder().token("123456:TEST-TOKEN").request(request).get_updates_request(RecordingRequest()).build()
    )
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_button))
    async with app:
        assert app.bot.username == "lamtheo_test_bot"
        assert [c.method for c in request.calls] == ["getMe"]

        await app.process_update(make_text_update(1, USER, "/start", app.bot))
        assert request.sent_texts(USER) == ["Welcome! 50"]
        assert request.button_data(USER) == ["ans:yes", "ans:no"]
        markup = request.last_markup(USER)
        assert markup is not None
        assert markup["inline_keyboard"][0][0]["text"] == "Yes"
        request.assert_sent(USER, "Welcome")
        with pytest.raises(AssertionError, match="Welcome! 50"):
            request.assert_sent(USER, "nope")

        await app.process_update(make_callback_update(2, USER, "ans:no", app.bot))
        assert [c.method for c in request.calls][-3:] == [
            "answerCallbackQuery",
            "editMessageText",
            "sendMessage",
        ]
        edit = request.calls_of("editMessageText")[0]
        assert edit.params == {"chat_id": USER, "message_id": 2, "text": "You chose ans:no"}
        assert request.sent_texts(USER) == ["Welcome! 50", "done:ans:no"]
        request.assert_sent(USER, "You chose ans:no")

        request.clear()
        request.fail_next.append(
            (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
        )
        with pytest.raises(Forbidden):
            await app.bot.send_message(USER, "lost")
        assert request.sent_texts(USER) == []
        assert request.calls[0].status == 403
        await asyncio.sleep(0)
