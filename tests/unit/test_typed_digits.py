"""Characters Python calls digits but int() refuses ("²", "①") are typed text, never a crash."""

from __future__ import annotations

import pytest

from handlers.catalog import core as t
from handlers.router import Router
from tests.chat import Chat, add_commitment
from tests.support import Database, FakeClock


@pytest.mark.parametrize("typed", ["²", "①", "1²", "³"])
async def test_a_superscript_or_circled_digit_at_a_numbered_question(
    router: Router, roster_db: Database, clock: FakeClock, typed: str
) -> None:
    await add_commitment(roster_db, clock, "DV001", "Vận động 5 hộ phân loại rác")
    chat = Chat(router)
    await chat.link_as("DV001", roster_db, clock)
    await chat.say("/camket")
    question = chat.question
    await chat.say(typed)
    assert chat.all_texts == [t.INVALID_CHOICE, question.text]
    await chat.say("/capnhat " + typed)  # not a commitment id: the usual choice of commitment
    assert t.ASK_PERCENT.split("\n")[0].format(content="Vận động 5 hộ phân loại rác") in chat.all_texts[0]


async def test_other_scripts_decimal_digits_still_count(router: Router, roster_db: Database, clock: FakeClock) -> None:
    chat = Chat(router)
    await chat.link_as("DV001", roster_db, clock)
    await chat.say("٣")  # ARABIC-INDIC DIGIT THREE: a decimal digit, the third menu entry
    assert chat.all_texts == [t.NO_COMMITMENTS, t.MENU_PROMPT]  # "3. Xem các nội dung đã đăng ký"
