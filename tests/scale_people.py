"""Simulated people for tests/scale_stack.py: each posts its updates through Caddy as the platform would (the
same update again after a 502 or a refused connection, like the platforms' redelivery) and waits for the bot's
replies at the fake server. `Gateway` records every acknowledged update's key and every POST-to-reply latency."""

from __future__ import annotations

import asyncio
import itertools
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from bot.channels.zalo import ZaloChannel
from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.catalog import deliveries as d
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZalo
from tests.web_support import SECRET, TELEGRAM_HEADER, ZALO_HEADER, telegram_text

REPLY_WAIT = 120.0  # a reply waits behind every other chat's on a busy machine
POST_TRIES = 100
CONTENT = "Vận động các hộ trong tổ phân loại rác tại nguồn"
MEASURES = "Họp tổ, đến từng nhà hướng dẫn"
NOTE = "Đã có thêm 3 hộ làm đều đặn"
ANNOUNCEMENT = "Thông báo: họp chi bộ mở rộng lúc 14 giờ thứ Bảy, đề nghị các đồng chí dự đầy đủ."


@dataclass
class Gateway:
    """Posts to Caddy; `acked` holds (platform, key) of every update answered 200, `latencies` seconds from the
    POST to the last reply it brought, `resent` the replies that came twice in a row (an instance taking over an
    update whose last reply had gone but was not yet confirmed sent when its first instance was killed)."""

    http: httpx.AsyncClient
    public: str
    acked: list[tuple[str, str]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    retries: int = 0
    resent: list[tuple[str, float]] = field(default_factory=list)  # (chat, when: monotonic)
    update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000))

    async def post(self, platform: str, payload: dict[str, Any], key: str) -> None:
        header = TELEGRAM_HEADER if platform == "telegram" else ZALO_HEADER
        for _ in range(POST_TRIES):
            try:
                answer = await self.http.post(
                    f"{self.public}/webhook/{platform}", json=payload, headers={header: SECRET}
                )
                if answer.status_code == 200:
                    self.acked.append((platform, key))
                    return
            except httpx.HTTPError:
                pass
            self.retries += 1
            await asyncio.sleep(0.2)
        raise AssertionError(f"an update was refused {POST_TRIES} times")


class NoReply(Exception):
    """The replies to an acknowledged update did not all come within REPLY_WAIT."""


class Person(Protocol):
    chat: str
    posted: list[tuple[str, float, float]]
    stuck: str | None

    async def say(self, text: str, replies: int) -> list[str]: ...

    async def press(self, label: str, replies: int) -> list[str]: ...

    def first_choice(self) -> str: ...


class Chatter(ABC):
    """What both platforms share: post, then wait until `replies` more messages reached this chat. Replies are
    at-least-once: a message identical to the one just before it (text and buttons) is a resend after a
    take-over, counted in `gateway.resent` and not read as a reply (no step of the script gets the same message
    twice in a row)."""

    chat: str

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.seen = 0  # messages of this chat looked at (resends included)
        self.last: object = None  # the last one's signature
        self.posted: list[tuple[str, float, float]] = []  # (update key, POST started, acknowledged), monotonic
        self.stuck: str | None = None  # why the conversation stopped short (the update whose replies never came)

    @abstractmethod
    def sent_count(self) -> int: ...

    @abstractmethod
    def texts(self) -> list[str]: ...

    @abstractmethod
    def signatures(self) -> list[object]:
        """What tells two messages of this chat apart (text and buttons), in order."""

    async def _exchange(self, platform: str, payload: dict[str, Any], key: str, replies: int) -> list[str]:
        started = time.monotonic()
        await self.gateway.post(platform, payload, key)
        self.posted.append((key, started, time.monotonic()))
        deadline = started + REPLY_WAIT
        new: list[str] = []
        came: list[float] = []  # seconds from the POST to each reply seen: slow (late) tells apart from lost
        while len(new) < replies:
            count = self.sent_count()
            if count > self.seen:
                texts, signatures = self.texts(), self.signatures()
                for text, signature in zip(texts[self.seen : count], signatures[self.seen : count], strict=True):
                    if signature == self.last:
                        self.gateway.resent.append((self.chat, time.monotonic()))
                    elif len(new) < replies:
                        new.append(text)
                        came.append(time.monotonic() - started)
                    else:  # more than the update brings: left for the next exchange, which reports it
                        break
                    self.last, self.seen = signature, self.seen + 1
                continue
            if time.monotonic() > deadline:
                seen = f" (seen at {', '.join(f'{moment:.1f}' for moment in came)} s)" if came else ""
                self.stuck = (
                    f"update {key}: {len(new)} of {replies} replies came within {REPLY_WAIT:g} s of the POST{seen}, "
                    f"acknowledged after {self.posted[-1][2] - started:.1f} s"
                )
                raise NoReply(self.stuck)
            await asyncio.sleep(0.05)
        self.gateway.latencies.append(time.monotonic() - started)
        return new


class TelegramPerson(Chatter):
    def __init__(self, gateway: Gateway, fake: FakeTelegram, user: int) -> None:
        super().__init__(gateway)
        self.fake, self.user, self.chat = fake, user, str(user)

    def sent_count(self) -> int:
        return self.fake.sent_count(self.user)

    def texts(self) -> list[str]:
        return self.fake.sent_texts(self.user)

    def signatures(self) -> list[object]:
        sent = self.fake.sent_messages(self.user)
        return [(m.get("text", m.get("caption")), str(m.get("reply_markup"))) for m in sent]

    def buttons(self) -> list[tuple[str, str]]:
        markup = (self.fake.last_message(self.user) or {}).get("reply_markup") or {}
        return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]

    def first_choice(self) -> str:
        return self.buttons()[0][0]

    async def say(self, text: str, replies: int) -> list[str]:
        update = telegram_text(next(self.gateway.update_ids), self.user, text)
        return await self._send(update, replies)

    async def press(self, label: str, replies: int) -> list[str]:
        found = [value for text, value in self.buttons() if text == label]
        assert found, f"no button {label!r} in {self.fake.last_message(self.user)}"
        data = found[0]
        update = self.fake.callback_update(self.user, data) | {"update_id": next(self.gateway.update_ids)}
        return await self._send(update, replies)

    async def _send(self, update: dict[str, Any], replies: int) -> list[str]:
        return await self._exchange("telegram", update, f"{self.fake.bot_id}:{update['update_id']}", replies)


class ZaloPerson(Chatter):
    """Zalo has no buttons: a choice is typed as the number of its line."""

    def __init__(self, gateway: Gateway, fake: FakeZalo, user: str) -> None:
        super().__init__(gateway)
        self.fake, self.chat = fake, user

    def sent_count(self) -> int:
        return self.fake.sent_count(self.chat)

    def texts(self) -> list[str]:
        return self.fake.sent_texts(self.chat)

    def signatures(self) -> list[object]:
        return list(self.texts())

    def numbered(self) -> list[str]:
        last = self.texts()[-1].split("\n")
        return [line.partition(". ")[2] for line in last if line[:1].isdigit() and ". " in line]

    def first_choice(self) -> str:
        return self.numbered()[0]

    async def say(self, text: str, replies: int) -> list[str]:
        update = self.fake.text_update(self.chat, text)
        key = ZaloChannel.update_key(update)
        assert key is not None
        return await self._exchange("zalo", update, key, replies)

    async def press(self, label: str, replies: int) -> list[str]:
        return await self.say(str(self.numbered().index(label) + 1), replies)


# (what is said or pressed, how many replies it brings); the deadline is pressed by its position (a date in it)
SCRIPT: tuple[tuple[str, str, int], ...] = (
    ("say", "/dangky", 1),
    ("say", CONTENT, 1),
    ("say", MEASURES, 1),
    ("first", "", 1),
    ("press", cm.EXEMPLAR_NO, 1),
    ("press", t.CONFIRM, 2),
    ("say", "/capnhat", 1),
    ("say", "60", 1),
    ("say", NOTE, 2),
    ("say", "/camket", 2),
)
SCRIPT_REPLIES = sum(replies for _, _, replies in SCRIPT)


async def converse(person: Person) -> list[str]:
    """Register a commitment, log 60% with a note, list one's commitments; every reply, in order. A conversation
    whose replies stop coming ends there (the caller compares it with the script)."""
    said: list[str] = []
    try:
        for action, text, replies in SCRIPT:
            if action == "say":
                said += await person.say(text, replies)
            else:
                said += await person.press(person.first_choice() if action == "first" else text, replies)
    except NoReply:
        return said
    except Exception as error:  # the conversation went off its script: reported with the stuck ones
        person.stuck = f"off the script after {len(said)} replies: {type(error).__name__}: {error}"
    return said


def announcement_copies(messages: list[dict[str, Any]], announcer: object) -> list[dict[str, Any]]:
    """The announcement's copies among sent messages (params); the announcer's preview, before «Gửi», is not one."""
    copies = [params for params in messages if ANNOUNCEMENT in str(params.get("text"))]
    preview = next((params for params in copies if str(params.get("chat_id")) == str(announcer)), None)
    return [params for params in copies if params is not preview]


async def announce(secretary: TelegramPerson) -> None:
    """/thongbao to the secretary's own cell: the text, then «Gửi»."""
    await secretary.say("/thongbao", 1)
    await secretary.say(ANNOUNCEMENT, 1)
    await secretary.press(d.ANNOUNCE_SEND, 2)
