"""The Zalo channel: updates to the router, replies as Zalo messages (numbered choices, 2,000-char pieces,
files as links), photos as evidence, stickers, unknown shapes, redeliveries, polling, and the Messenger."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.zalo import ZaloChannel, build_zalo
from bot.channels.zalo_client import ZaloClient
from bot.channels.zalo_messenger import TEXT_LIMIT, ZaloMessenger
from bot.rate_budget import BudgetLimits, MemoryStore, RateBudget, token_key
from handlers.catalog import channels as c
from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.messages import Attachment, Choice, Reply
from handlers.outbound import MessagePriority, SendStatus
from handlers.router import Router
from handlers.services.quota import QuotaGuard
from storage.models import Evidence, ProgressEntry
from tests.chat import EXEMPLAR_QUESTION, add_commitment
from tests.fakes.fake_zalo import FakeZalo
from tests.support import TZ, Database, FakeClock
from tests.zalo_support import ZaloUser

CONTENT = "Vận động 5 hộ trong thôn phân loại rác tại nguồn"
MEASURES = "Họp tổ dân cư, đến từng nhà hướng dẫn"
PHOTO = "https://photo-stal.zadn.vn/evidence/abc123.jpg"
CHART = Attachment("bieu-do.png", b"\x89PNG...", "image/png", photo=True)
REPORT = Attachment("tong-hop.xlsx", b"PK...", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


@pytest.fixture
async def client(fake: FakeZalo) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(fake.token, fake.base_url, max_backoff=0.2) as zalo:
        yield zalo


@pytest.fixture
def channel(router: Router, client: ZaloClient) -> ZaloChannel:
    return ZaloChannel(router, client)


@pytest.fixture
async def an(channel: ZaloChannel, fake: FakeZalo, roster_db: Database, clock: FakeClock) -> ZaloUser:
    user = ZaloUser(channel, fake, "z-an")
    await user.link_as("DV001", roster_db, clock)
    return user


async def rows(db: Database, model: Any) -> list[Any]:
    async with db.sessions() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())


# --- linking and rendering -----------------------------------------------------------------------------------------
async def test_a_stranger_is_told_how_to_start(channel: ZaloChannel, fake: FakeZalo) -> None:
    stranger = ZaloUser(channel, fake, "z-stranger")
    assert await stranger.say("xin chào") == [t.STRANGER]


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{spaced}", "/start {code}", "{dashed}"])
async def test_linking_with_a_typed_code(
    channel: ZaloChannel, fake: FakeZalo, roster_db: Database, clock: FakeClock, typed: str
) -> None:
    from tests.chat import invite_code

    code = await invite_code(roster_db, clock, "DV001")
    text = typed.format(
        code=code, lower=code.lower(), spaced=f" {code[:4].lower()} {code[4:]} ", dashed=f"{code[:4]}-{code[4:]}"
    )
    user = ZaloUser(channel, fake, "z-link")
    linked, notice = await user.say(text)
    assert linked == t.LINKED.format(name="Nguyễn Văn An", cell="Chi bộ thôn Đồng Tâm")
    assert notice == "\n".join(
        [t.CONSENT_NOTICE, "", f"1. {t.CONSENT_YES}", f"2. {t.CONSENT_NO}", "", t.CHOOSE_BY_NUMBER]
    )
    given, menu = await user.say("1")
    assert given.startswith("Cảm ơn đồng chí. Sự đồng ý đã được ghi nhận lúc ")
    assert user.numbered() == [t.MENU_REGISTER, t.MENU_PROGRESS, t.MENU_PLEDGES, t.MENU_HELP]
    assert menu.startswith(t.MENU_PROMPT + "\n\n1. ")


@pytest.mark.parametrize(
    "typed",
    [
        "1",
        "1.",
        "Đăng ký nội dung làm theo",
        "dang ky noi dung lam theo",
        "ĐĂNG KÝ NỘI DUNG LÀM THEO",
        "/dangky",
        "dangky",
        "đăng ký",
        "dang ky",
        "/DANGKY",
    ],
)
async def test_choices_and_commands_typed_every_way(an: ZaloUser, typed: str) -> None:
    [ask] = await an.say(typed)
    assert ask.startswith(t.ASK_CONTENT)
    assert ask.endswith("\n\n" + t.OR_TYPE + t.CANCEL)  # the only choice of a text question: a word to type


async def test_a_member_registers_and_logs_progress_typing_numbers(an: ZaloUser, roster_db: Database) -> None:
    await an.say("1")
    await an.say(CONTENT)
    await an.say(MEASURES)
    assert an.numbered()[0].startswith("Cuối quý này (")
    [exemplar] = await an.say("1")
    assert exemplar.startswith(EXEMPLAR_QUESTION) and an.numbered()[1] == cm.EXEMPLAR_NO
    [confirm] = await an.say("2")
    assert confirm.startswith("Xin đồng chí kiểm tra lại bản đăng ký") and an.numbered()[0] == t.CONFIRM
    registered, _menu = await an.say("1")
    assert registered.startswith("Đã lưu bản đăng ký số 1")
    [ask] = await an.say(an.number_of(t.MENU_PROGRESS))
    assert ask.startswith(t.ASK_PERCENT.format(content=CONTENT, percent=0))
    assert ask.endswith(t.OR_TYPE + " · ".join(["25%", "50%", "75%", "100%", t.CANCEL]))
    await an.say("60")
    saved, _menu = await an.say("bo qua")
    assert saved.startswith(f"Đã ghi nhận tiến độ 60% cho nội dung «{CONTENT}»")
    assert [e.percent for e in await rows(roster_db, ProgressEntry)] == [60]


async def test_a_sticker_or_unsupported_message_asks_for_text(
    an: ZaloUser, fake: FakeZalo, channel: ZaloChannel
) -> None:
    await an.say("/dangky")
    question = an.question
    not_text, again = await an.sticker()
    assert not_text == t.NOT_TEXT and again == question
    not_text, again = await an.send(fake.unsupported_update(an.user_id))
    assert not_text == t.NOT_TEXT and again == question


async def test_an_unknown_shape_is_ignored_politely(
    an: ZaloUser, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    secret_text = "nội dung riêng tư không được ghi log"
    assert await an.send({"event_name": "user.reacted", "message": {"text": secret_text}}) == []
    assert await an.send({"event_name": "message.text.received", "message": {"text": secret_text}}) == []
    assert await an.send({"no": "event"}) == []
    group = fake.text_update(an.user_id, secret_text)
    group["message"]["chat"] = {"id": "group-9", "chat_type": "GROUP"}
    assert await an.send(group) == []
    assert fake.sent("group-9") == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "event=user.reacted" in logged and "event=?" in logged
    assert secret_text not in logged


async def test_a_redelivered_update_is_handled_once(an: ZaloUser, fake: FakeZalo) -> None:
    update = fake.text_update(an.user_id, "/dangky")
    assert ZaloChannel.update_key(update) == update["message"]["message_id"]
    [ask] = await an.send(update)
    assert ask.startswith(t.ASK_CONTENT)
    assert await an.send(update) == []  # the same message id again: nothing done, nothing sent
    assert await an.send({"ok": True, "result": update}) == []  # also when wrapped as getUpdates answers
    assert ZaloChannel.update_key({"event_name": "x"}) is None


# --- long texts, attachments ---------------------------------------------------------------------------------------
async def test_long_replies_are_split_at_2000_on_line_boundaries(client: ZaloClient, fake: FakeZalo) -> None:
    lines = [f"Dòng {i:03d}: " + "nội dung tổng hợp " * 4 for i in range(60)]
    long = Reply("\n".join(lines), (Choice("Xem tiếp", "1|more"), Choice(t.CANCEL, "1|cancel")))
    sent = await ZaloMessenger(client).send("z-long", "z-long", [long], MessagePriority.REPLY)
    texts = fake.sent_texts("z-long")
    assert sent == len(texts) >= 3
    assert all(1 <= len(text) <= TEXT_LIMIT for text in texts)
    assert "\n".join(texts) == long.as_plain_text(t.CHOOSE_BY_NUMBER, t.OR_TYPE)  # cut only between lines
    assert texts[-1].endswith(f"1. Xem tiếp\n2. {t.CANCEL}\n\n{t.CHOOSE_BY_NUMBER}")
    one_line = Reply("x" * 4500)
    await ZaloMessenger(client).send("z-line", "z-line", [one_line], MessagePriority.REPLY)
    assert [len(text) for text in fake.sent_texts("z-line")] == [2000, 2000, 500]


async def test_files_without_a_link_maker_are_explained(client: ZaloClient, fake: FakeZalo) -> None:
    await ZaloMessenger(client).send("z1", "z1", [Reply("Báo cáo tháng 11", attachment=REPORT)], MessagePriority.REPLY)
    assert fake.sent_texts("z1") == [c.FILE_UNAVAILABLE.format(filename="tong-hop.xlsx"), "Báo cáo tháng 11"]


async def test_files_become_signed_links_for_the_requester(client: ZaloClient, fake: FakeZalo) -> None:
    asked: list[tuple[str, str]] = []

    async def file_link(attachment: Attachment, user_id: str) -> str | None:
        asked.append((attachment.filename, user_id))
        return f"https://bot.example.vn/f/{attachment.filename}?sig=abc"

    messenger = ZaloMessenger(client, file_link=file_link)
    replies = [Reply("Biểu đồ tiến độ", attachment=CHART), Reply("Bảng tổng hợp", attachment=REPORT)]
    assert await messenger.send("z2", "z2", replies, MessagePriority.REPLY) == 4
    assert asked == [("bieu-do.png", "z2"), ("tong-hop.xlsx", "z2")]
    sent = fake.sent("z2")
    assert [m["method"] for m in sent] == ["sendPhoto", "sendMessage", "sendMessage", "sendMessage"]
    assert sent[0]["photo"] == "https://bot.example.vn/f/bieu-do.png?sig=abc"
    assert sent[2]["text"] == c.FILE_LINK.format(
        filename="tong-hop.xlsx", url="https://bot.example.vn/f/tong-hop.xlsx?sig=abc"
    )


async def test_a_photo_zalo_cannot_fetch_goes_as_a_link(client: ZaloClient, fake: FakeZalo) -> None:
    async def file_link(attachment: Attachment, user_id: str) -> str | None:
        return "https://bot.example.vn/f/chart"

    fake.fail_next("sendPhoto", 400, "Cannot download photo")
    await ZaloMessenger(client, file_link=file_link).send("z3", "z3", [Reply("Biểu đồ", attachment=CHART)], 0)
    link = c.FILE_LINK.format(filename="bieu-do.png", url="https://bot.example.vn/f/chart")
    assert fake.sent_texts("z3") == [link, "Biểu đồ"]


# --- photos as evidence --------------------------------------------------------------------------------------------
async def test_a_photo_while_logging_progress_is_attached_to_the_entry(
    an: ZaloUser, roster_db: Database, clock: FakeClock
) -> None:
    cid = await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.say("/capnhat")
    received, question = await an.photo(PHOTO)
    assert received == c.PHOTO_RECEIVED and question.startswith(t.ASK_PERCENT.split("{")[0])
    await an.say("75")
    await an.photo(PHOTO + "?2")
    saved, attached, _menu = await an.say("Đã có 4 hộ")
    assert saved.startswith("Đã ghi nhận tiến độ 75%")
    assert attached == c.PHOTOS_ATTACHED.format(count=2)
    [entry] = await rows(roster_db, ProgressEntry)
    evidence = await rows(roster_db, Evidence)
    assert [(e.commitment_id, e.progress_entry_id, e.platform, e.file_ref) for e in evidence] == [
        (cid, entry.id, "zalo", PHOTO),
        (cid, entry.id, "zalo", PHOTO + "?2"),
    ]


async def test_a_photo_outside_a_flow_starts_logging_progress(
    an: ZaloUser, roster_db: Database, clock: FakeClock
) -> None:
    await add_commitment(roster_db, clock, "DV001", CONTENT)
    second = await add_commitment(roster_db, clock, "DV001", "Trồng 20 cây xanh ở nhà văn hóa")
    received, choose = await an.photo(PHOTO)
    assert received == c.PHOTO_RECEIVED_START
    assert choose.startswith(t.CHOOSE_COMMITMENT)
    await an.say("2")
    await an.say("100")
    _saved, attached, done, _menu = await an.say("bỏ qua")
    assert attached == c.PHOTOS_ATTACHED.format(count=1) and done == t.PROGRESS_DONE
    [evidence] = await rows(roster_db, Evidence)
    assert (evidence.commitment_id, evidence.file_ref) == (second, PHOTO)


async def test_a_photo_with_nothing_to_attach_it_to(an: ZaloUser, roster_db: Database) -> None:
    not_saved, no_commitments, menu = await an.photo(PHOTO)
    assert (not_saved, no_commitments) == (c.PHOTO_NOT_SAVED, t.NO_COMMITMENTS)
    assert menu.startswith(t.MENU_PROMPT)
    assert await rows(roster_db, Evidence) == []


async def test_a_cancelled_progress_entry_keeps_no_photo(an: ZaloUser, roster_db: Database, clock: FakeClock) -> None:
    await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.photo(PHOTO)
    await an.say("huy")
    assert await rows(roster_db, Evidence) == []
    await an.say("/capnhat")
    await an.say("50")
    saved, _menu = await an.say("bỏ qua")  # the earlier photo did not stay behind in the dialog
    assert saved.startswith("Đã ghi nhận tiến độ 50%")
    assert await rows(roster_db, Evidence) == []


# --- polling ---------------------------------------------------------------------------------------------------------
async def test_polling_handles_updates_one_at_a_time_and_stops(
    router: Router, fake: FakeZalo, roster_db: Database, clock: FakeClock
) -> None:
    from tests.chat import invite_code

    channel = build_zalo(fake.token, fake.base_url, router)
    code = await invite_code(roster_db, clock, "DV002")
    fake.fail_next("getUpdates", 500, "Internal error")  # a failing poll is retried, not fatal
    fake.push_text("z-ngoc", code.lower())
    fake.push_text("z-ngoc", "1")
    stop = asyncio.Event()
    task = asyncio.create_task(channel.poll(stop, wait_s=1))
    sent = await fake.wait_for_sent_async("z-ngoc", 4, timeout=10)
    assert sent[0]["text"].startswith("Xin chào đồng chí Trần Thị Bích Ngọc")
    assert sent[3]["text"].startswith(t.MENU_PROMPT)
    stop.set()
    await asyncio.wait_for(task, 3)
    await channel.client.close()
    assert fake.pending() == 0


# --- the Messenger (messages the bot starts) ---------------------------------------------------------------------
async def test_messenger_outcomes(client: ZaloClient, fake: FakeZalo) -> None:
    messenger = ZaloMessenger(client)
    reminder = [Reply("Nhắc đồng chí cập nhật tiến độ trước buổi sinh hoạt chi bộ.")]
    assert messenger.platform == "zalo"
    ok = await messenger.deliver("z1", reminder, MessagePriority.REMINDER)
    assert ok.status is SendStatus.SENT and fake.sent_texts("z1") == [reminder[0].text]

    fake.blocked_users.add("z-blocked")
    blocked = await messenger.deliver("z-blocked", reminder, MessagePriority.REMINDER)
    assert blocked.status is SendStatus.BLOCKED

    fake.rate_limit_next(2, retry_after=0.05)
    async with ZaloClient(fake.token, fake.base_url, max_retries=1) as impatient:
        limited = await ZaloMessenger(impatient).deliver("z1", reminder, MessagePriority.REMINDER)
    assert (limited.status, limited.retry_after) == (SendStatus.FAILED, pytest.approx(0.05))

    fake.fail_next("sendMessage", 500, "Internal server error")
    failed = await messenger.deliver("z1", reminder, MessagePriority.REMINDER)
    assert failed.status is SendStatus.FAILED and failed.error == "zalo 500: Internal server error"


async def test_messages_take_slots_of_the_budget_and_a_429_pauses_it(fake: FakeZalo) -> None:
    limits = BudgetLimits(rate=5, per_chat_interval=1.0, reply_burst=3)
    budget = RateBudget(token_key("zalo", fake.token), limits, MemoryStore())
    async with ZaloClient(fake.token, fake.base_url, max_retries=0) as client:
        messenger = ZaloMessenger(client, budget=budget)
        await asyncio.gather(*(messenger.deliver(f"z{n}", [Reply("Nhắc")], MessagePriority.REMINDER) for n in range(6)))
        fake.rate_limit_next(1, retry_after=0.5)
        sent = await messenger.send("z-reply", "z-reply", [Reply("Trả lời")], MessagePriority.REPLY)

    times = [call["time"] for call in fake.calls("sendMessage")]
    assert len(times) == 8 and sent == 1  # six reminders, a refused reply, the same reply again
    assert times[5] - times[0] >= 4 * limits.spacing  # 5 a second, spaced (unpaced, they would take ms)
    assert times[7] - times[6] >= 0.5  # the reply waited out the pause, then went
    assert fake.calls("sendMessage")[6]["status"] == 429 and budget.paused_until > 0


async def test_messenger_timeout_after_sending_is_unknown(fake: FakeZalo) -> None:
    fake.delay["sendMessage"] = 0.5
    async with ZaloClient(fake.token, fake.base_url, timeout=0.2) as slow:
        outcome = await ZaloMessenger(slow).deliver("z1", [Reply("Thông báo")], MessagePriority.ANNOUNCEMENT)
    assert outcome.status is SendStatus.UNKNOWN
    assert outcome.error is not None and fake.token not in outcome.error


async def test_messenger_partly_sent_is_unknown(client: ZaloClient, fake: FakeZalo) -> None:
    messenger = ZaloMessenger(client)
    fake.fail_next("sendMessage", 500, "boom")
    first = await messenger.deliver("z1", [Reply("một"), Reply("hai")], MessagePriority.REMINDER)
    assert first.status is SendStatus.FAILED  # nothing had gone out: safe to retry
    fake.fail_next("sendMessage", 500, "boom", after=1)
    partly = await messenger.deliver("z2", [Reply("một"), Reply("hai")], MessagePriority.REMINDER)
    assert partly.status is SendStatus.UNKNOWN  # a retry would repeat what arrived
    assert fake.sent_texts("z2") == ["một"]


async def test_messenger_respects_the_quota(
    client: ZaloClient, fake: FakeZalo, roster_db: Database, clock: FakeClock
) -> None:
    quota = QuotaGuard(roster_db.uow, clock, TZ, "zalo", limit=10)
    messenger = ZaloMessenger(client, quota)
    for _ in range(9):
        assert (await messenger.deliver("z1", [Reply("tin")], MessagePriority.REPLY)).status is SendStatus.SENT
    refused = await messenger.deliver("z1", [Reply("thông báo")], MessagePriority.ANNOUNCEMENT)
    assert (refused.status, refused.error) == (SendStatus.FAILED, "quota")
    assert (await messenger.deliver("z1", [Reply("nhắc")], MessagePriority.REMINDER)).status is SendStatus.FAILED
    assert (await messenger.deliver("z1", [Reply("trả lời")], MessagePriority.REPLY)).status is SendStatus.SENT
    assert (await messenger.deliver("z1", [Reply("quá")], MessagePriority.REPLY)).error == "quota"
    assert len(fake.sent_texts("z1")) == 10 and await quota.sent() == 10


class BrokenHelp:
    """A flow that fails the way a bug would (not a UserError)."""

    name = "help"

    async def begin(self, ctx: Any, arg: str) -> list[Reply]:
        raise RuntimeError("a bug in a flow")

    async def on_input(self, ctx: Any, inp: Any) -> list[Reply]:
        raise RuntimeError("a bug in a flow")


async def test_an_error_while_handling_gets_a_polite_notice_and_changes_nothing(
    roster_db: Database, clock: FakeClock, client: ZaloClient, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    from handlers.flows import default_flows

    flows = {**default_flows(), "help": BrokenHelp()}
    user = ZaloUser(ZaloChannel(Router(roster_db.uow, clock, TZ, flows), client), fake, "z-err")
    await user.link_as("DV001", roster_db, clock)
    secret = "/trogiup"
    assert await user.say(secret) == [t.INTERNAL_ERROR]
    assert "RuntimeError" in caplog.text and "z-err" not in caplog.text
    [ask] = await user.say("/dangky")  # the rolled-back update left the conversation where it was
    assert ask.startswith(t.ASK_CONTENT)


async def test_at_most_ten_photos_an_entry(an: ZaloUser, roster_db: Database, clock: FakeClock) -> None:
    await add_commitment(roster_db, clock, "DV001", CONTENT)
    await an.say("/capnhat")
    for number in range(10):
        assert (await an.photo(f"{PHOTO}?n={number}"))[0] == c.PHOTO_RECEIVED
    too_many, question = await an.photo(f"{PHOTO}?n=10")
    assert too_many == c.PHOTO_TOO_MANY.format(limit=10) and question.startswith(t.ASK_PERCENT.split("{")[0])
    await an.say("30")
    await an.say("bỏ qua")
    assert [e.file_ref for e in await rows(roster_db, Evidence)] == [f"{PHOTO}?n={n}" for n in range(10)]
