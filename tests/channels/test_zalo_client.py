"""The Zalo Bot API client against the fake server: the nine methods, errors, 429 backoff, a token never shown."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.channels.zalo import event_name, key_of, parse_update
from bot.channels.zalo_client import ZaloApiError, ZaloClient, ZaloNetworkError, ZaloRateLimited
from tests.fakes.fake_zalo import FakeZalo


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


@pytest.fixture
async def client(fake: FakeZalo) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(fake.token, fake.base_url, max_backoff=0.5) as zalo:
        yield zalo


def secret_part(fake: FakeZalo) -> str:
    return fake.token.split(":", 1)[1]


async def test_get_me(client: ZaloClient, fake: FakeZalo) -> None:
    me = await client.get_me()
    assert me["display_name"] == "Lamtheo Zalo"
    assert [c["method"] for c in fake.calls()] == ["getMe"]


async def test_get_updates_returns_one_update_then_nothing_on_408(client: ZaloClient, fake: FakeZalo) -> None:
    fake.push_text("u1", "xin chào")
    fake.push_text("u1", "lần hai")
    [first] = await client.get_updates(wait_s=1)
    assert first["event_name"] == "message.text.received"
    assert first["message"]["text"] == "xin chào"
    [second] = await client.get_updates(wait_s=1)
    assert second["message"]["text"] == "lần hai"
    started = time.monotonic()
    assert await client.get_updates(wait_s=1) == []  # HTTP 408 after the fake's short long-poll
    assert time.monotonic() - started >= 0.2
    assert [c["params"]["timeout"] for c in fake.calls("getUpdates")] == ["1", "1", "1"]
    assert fake.calls("getUpdates")[-1]["status"] == 408


async def test_webhook_methods(client: ZaloClient, fake: FakeZalo) -> None:
    await client.set_webhook("https://bot.example.vn/webhook/zalo", "s3cret-Value")
    assert fake.webhook() == {"url": "https://bot.example.vn/webhook/zalo", "secret_token": "s3cret-Value"}
    info = await client.get_webhook_info()
    assert info["url"] == "https://bot.example.vn/webhook/zalo"
    await client.delete_webhook()
    assert (await client.get_webhook_info())["url"] == ""
    assert [c["method"] for c in fake.calls()] == ["setWebhook", "getWebhookInfo", "deleteWebhook", "getWebhookInfo"]


async def test_send_methods(client: ZaloClient, fake: FakeZalo) -> None:
    sent = await client.send_message("u7", "Xin chào đồng chí")
    assert sent["message_id"].startswith("bot")
    await client.send_photo("u7", "https://files.example.vn/a.png", caption="Biểu đồ")
    await client.send_photo("u7", "https://files.example.vn/b.png")
    await client.send_sticker("u7", "st-42")
    assert await client.send_chat_action("u7") is True
    assert fake.sent("u7") == [
        {"method": "sendMessage", "chat_id": "u7", "text": "Xin chào đồng chí"},
        {"method": "sendPhoto", "chat_id": "u7", "photo": "https://files.example.vn/a.png", "caption": "Biểu đồ"},
        {"method": "sendPhoto", "chat_id": "u7", "photo": "https://files.example.vn/b.png"},
        {"method": "sendSticker", "chat_id": "u7", "sticker": "st-42"},
    ]
    assert fake.calls("sendChatAction")[0]["params"] == {"chat_id": "u7", "action": "typing"}


async def test_an_ok_false_answer_raises_with_code_and_description(client: ZaloClient, fake: FakeZalo) -> None:
    fake.fail_next("sendMessage", 400, "Nội dung không hợp lệ")
    with pytest.raises(ZaloApiError) as raised:
        await client.send_message("u1", "x")
    assert (raised.value.code, raised.value.description) == (400, "Nội dung không hợp lệ")
    fake.fail_next("getMe", 401, "Unauthorized", http_status=401)
    with pytest.raises(ZaloApiError) as raised:
        await client.get_me()
    assert raised.value.code == 401
    with pytest.raises(ZaloApiError) as raised:  # the fake itself refuses an over-long text
        await client.send_message("u1", "a" * 2001)
    assert raised.value.code == 400


async def test_a_wrong_token_is_refused(fake: FakeZalo) -> None:
    async with ZaloClient("999:wrong", fake.base_url) as wrong:
        with pytest.raises(ZaloApiError) as raised:
            await wrong.get_me()
    assert raised.value.code == 401


async def test_429_backs_off_by_the_hint_and_retries(client: ZaloClient, fake: FakeZalo) -> None:
    fake.rate_limit_next(2, retry_after=0.2)
    started = time.monotonic()
    await client.send_message("u1", "sau hai lần 429")
    assert time.monotonic() - started >= 0.4  # two waits of the hinted 0.2 s
    statuses = [c["status"] for c in fake.calls("sendMessage")]
    assert statuses == [429, 429, 200]
    assert fake.sent_texts("u1") == ["sau hai lần 429"]


async def test_429_without_a_hint_backs_off_exponentially(client: ZaloClient, fake: FakeZalo) -> None:
    fake.rate_limit_next(2)
    await client.send_message("u1", "ok")
    times = [c["time"] for c in fake.calls("sendMessage")]
    assert times[1] - times[0] >= 0.45 and times[2] - times[1] >= 0.45  # 0.5 s, then min(1.0, max 0.5)


async def test_429_that_does_not_stop_raises_rate_limited(fake: FakeZalo) -> None:
    fake.rate_limit_next(5, retry_after=0.05)
    async with ZaloClient(fake.token, fake.base_url, max_retries=2) as client:
        with pytest.raises(ZaloRateLimited) as raised:
            await client.send_message("u1", "x")
    assert raised.value.retry_after == pytest.approx(0.05)
    assert len(fake.calls("sendMessage")) == 3
    assert fake.sent_texts("u1") == []


async def test_a_slow_answer_is_a_network_error_that_may_have_been_sent(fake: FakeZalo) -> None:
    fake.delay["sendMessage"] = 0.6
    async with ZaloClient(fake.token, fake.base_url, timeout=0.2) as client:
        with pytest.raises(ZaloNetworkError) as raised:
            await client.send_message("u1", "chậm")
    assert raised.value.maybe_sent is True


async def test_no_server_is_a_network_error_that_was_not_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with ZaloClient("1:abcdefSECRET", f"http://127.0.0.1:{port}") as client:
        with pytest.raises(ZaloNetworkError) as raised:
            await client.get_me()
    assert raised.value.maybe_sent is False
    assert "abcdefSECRET" not in str(raised.value)


async def test_the_token_never_reaches_a_log_or_an_error(fake: FakeZalo, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for chatty in ("httpx", "httpcore"):  # `lamtheo` quietens them; an earlier test may have run it
        caplog.set_level(logging.DEBUG, logger=chatty)
    fake.rate_limit_next(1, retry_after=0.01)
    fake.fail_next("sendPhoto", 400, "bad photo")
    errors: list[str] = []
    async with ZaloClient(fake.token, fake.base_url, timeout=0.3) as client:
        await client.get_me()
        await client.send_message("u1", "x")
        fake.push_text("u1", "hi")
        await client.get_updates(wait_s=1)
        try:
            await client.send_photo("u1", "https://x.example/p.png")
        except ZaloApiError as error:
            errors += [str(error), repr(error)]
        fake.delay["getMe"] = 0.6
        try:
            await client.get_me()
        except ZaloNetworkError as error:
            errors += [str(error), repr(error)]
        errors.append(repr(client))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "HTTP Request" in logged  # httpx did log its requests ...
    assert "/bot***/getMe" in logged  # ... with the token blanked
    for text in [logged, *errors]:
        assert fake.token not in text
        assert secret_part(fake) not in text
    assert len(errors) == 5


def test_updates_are_read_loosely() -> None:
    fake = FakeZalo()
    text = fake.text_update("u1", "chào")
    update = parse_update(text)
    assert update is not None
    assert (update.event, update.user_id, update.chat_id, update.text) == ("message.text.received", "u1", "u1", "chào")
    assert key_of(update) == text["message"]["message_id"]
    wrapped = parse_update({"ok": True, "result": text})  # a whole getUpdates answer
    assert wrapped == update
    other_names = {
        "event_name": "message.image.received",
        "message": {
            "from": {"id": 42, "first_name": "An"},
            "chat": {"id": 42},
            "photo": [{"url": "https://s/small.jpg"}, {"url": "https://s/large.jpg"}],
            "date": 1700000000000,
        },
    }
    image = parse_update(other_names)
    assert image is not None
    assert (image.user_id, image.chat_type, image.photo_url) == ("42", "PRIVATE", "https://s/large.jpg")
    assert key_of(image) == "42:1700000000000:message.image.received"  # no message id: sender, time, event
    assert parse_update({"event_name": "user.joined"}) is None
    assert parse_update({"message": "not an object"}) is None
    assert parse_update(["a list"]) is None
    assert parse_update({"message": {"from": {"id": "b", "is_bot": True}}}) is None
    assert event_name({"event_name": "user.joined", "message": {"text": "bí mật"}}) == "user.joined"
    long_id = dict(text, message=dict(text["message"], message_id="x" * 100))
    long_update = parse_update(long_id)
    assert long_update is not None
    key = key_of(long_update)
    assert key is not None and len(key) == 64 and key == key_of(long_update)


def test_zalo_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import Settings, SettingsError, load_settings

    for name in ("ZALO_BOT_TOKEN", "ZALO_API_BASE_URL", "ZALO_MONTHLY_QUOTA"):
        monkeypatch.delenv(name, raising=False)
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (defaults.zalo_bot_token, defaults.zalo_api_base_url, defaults.zalo_monthly_quota) == (
        None,
        "https://bot-api.zaloplatforms.com",
        0,
    )
    monkeypatch.setenv("ZALO_BOT_TOKEN", " 1234:zalo-SECRET ")
    monkeypatch.setenv("ZALO_MONTHLY_QUOTA", "2000")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.zalo_bot_token is not None
    assert settings.zalo_bot_token.get_secret_value() == "1234:zalo-SECRET"
    assert "zalo-SECRET" not in repr(settings) and settings.zalo_monthly_quota == 2000
    monkeypatch.setenv("ZALO_BOT_TOKEN", "")
    assert Settings(_env_file=None).zalo_bot_token is None  # type: ignore[call-arg]
    for name, bad in (
        ("ZALO_BOT_TOKEN", "12/34"),
        ("ZALO_API_BASE_URL", "bot-api.zaloplatforms.com"),
        ("ZALO_MONTHLY_QUOTA", "-1"),
    ):
        monkeypatch.setenv(name, bad)
        with pytest.raises(SettingsError) as error:
            load_settings()
        assert name in str(error.value) and "12/34" not in str(error.value)
        monkeypatch.delenv(name)


def test_the_cli_feeds_the_zalo_token_to_the_log_filter(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot import cli

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    monkeypatch.setenv("ZALO_BOT_TOKEN", "5555:ZALO-TOPSECRET")
    monkeypatch.setattr(cli, "cmd_db", lambda args, settings: logging.getLogger("x").warning("t=5555:ZALO-TOPSECRET"))
    try:
        cli.main(["db", "upgrade"])
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "t=***" in err and "TOPSECRET" not in err
