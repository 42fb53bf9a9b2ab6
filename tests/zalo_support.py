"""A Zalo user talking to the real ZaloChannel (router, database) whose client sends to the fake Zalo server."""

from __future__ import annotations

from typing import Any

from bot.channels.zalo import ZaloChannel
from handlers.catalog import core as t
from tests.chat import invite_code
from tests.fakes.fake_zalo import FakeZalo
from tests.support import Database, FakeClock


class ZaloUser:
    """Each `say` is one update handed to `ZaloChannel.process`, as the webhook or polling would; the
    answers are what the fake server received for this user."""

    def __init__(self, channel: ZaloChannel, fake: FakeZalo, user_id: str = "zalo-user-1") -> None:
        self.channel, self.fake, self.user_id = channel, fake, user_id
        self.last: list[dict[str, Any]] = []

    async def send(self, payload: dict[str, Any]) -> list[str]:
        before = len(self.fake.sent(self.user_id))
        await self.channel.process(payload)
        self.last = self.fake.sent(self.user_id)[before:]
        return self.texts

    async def say(self, text: str) -> list[str]:
        return await self.send(self.fake.text_update(self.user_id, text))

    async def photo(self, url: str) -> list[str]:
        return await self.send(self.fake.image_update(self.user_id, url))

    async def sticker(self) -> list[str]:
        return await self.send(self.fake.sticker_update(self.user_id))

    @property
    def texts(self) -> list[str]:
        return [str(m.get("text", "")) for m in self.last]

    @property
    def question(self) -> str:
        assert self.last, "the bot said nothing"
        return str(self.last[-1].get("text", ""))

    def numbered(self) -> list[str]:
        """The labels of the numbered lines of the last message (the choices, as Zalo shows them)."""
        lines = self.question.split("\n")
        labels = []
        for number, line in enumerate((ln for ln in lines if ln[:1].isdigit() and ". " in ln), start=1):
            head, _, label = line.partition(". ")
            assert head == str(number), self.question
            labels.append(label)
        return labels

    def number_of(self, label: str) -> str:
        return str(self.numbered().index(label) + 1)

    async def link_as(self, member_code: str, db: Database, clock: FakeClock, *, typed: str | None = None) -> None:
        """Type a fresh invite code (lower case, with a space, as people do on a phone), then consent by number
        (unless the member already did)."""
        code = await invite_code(db, clock, member_code)
        await self.say(typed or f"{code[:4].lower()} {code[4:].lower()}")
        if not self.question.startswith(t.MENU_PROMPT):  # consent was given before, on another platform
            assert self.question.startswith(t.CONSENT_NOTICE), self.texts
            await self.say("1")
        assert self.question.startswith(t.MENU_PROMPT), self.texts
