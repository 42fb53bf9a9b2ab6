"""The simulated people of the scale-out test and bench-scale (tests/scale_people.py): a reply that does not come
is reported with when the others came, so a late reply (the deadline fell between two replies of one update) is
told apart from a lost one."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests import scale_people
from tests.scale_people import Chatter, Gateway, NoReply


class Scripted(Chatter):
    """A chat whose messages are appended by the test; posting only records the update as acknowledged."""

    chat = "1"

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(gateway)
        self.sent: list[str] = []

    def sent_count(self) -> int:
        return len(self.sent)

    def texts(self) -> list[str]:
        return list(self.sent)

    def signatures(self) -> list[object]:
        return list(self.sent)


class Acknowledging(Gateway):
    async def post(self, platform: str, payload: dict[str, Any], key: str) -> None:
        self.acked.append((platform, key))


async def test_a_reply_that_never_comes_is_reported_with_when_the_others_came(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scale_people, "REPLY_WAIT", 0.5)
    async with httpx.AsyncClient() as http:
        person = Scripted(Acknowledging(http, "http://unused"))

        async def first_reply_only() -> None:
            await asyncio.sleep(0.2)
            person.sent.append("Đã ghi nhận")

        replying = asyncio.create_task(first_reply_only())
        with pytest.raises(NoReply) as raised:
            await person._exchange("telegram", {}, "123456:1", 2)
        await replying
    message = str(raised.value)
    assert message.startswith("update 123456:1: 1 of 2 replies came within 0.5 s of the POST (seen at 0.2")
    assert "acknowledged after 0.0 s" in message
    assert person.stuck == message
