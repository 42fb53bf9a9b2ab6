"""Odd input at every step of every flow, for a member, a cell's secretary and committee staff.

Each command is walked from its first question to the end (or a depth limit): at every step the bot is sent
characters Python calls digits but int() refuses ("²", "①", "1²"), over-long numbers and other odd text. The
bot must answer in Vietnamese, and where the question is a numbered choice it must stay where it was. Decimal
digits of other scripts ("１" full-width, "٣" Arabic-Indic) are numbers: the walk moves on by typing them.
"""

from __future__ import annotations

import unicodedata

import pytest

from handlers.catalog import core as t
from handlers.router import VIETNAMESE_COMMANDS, Router
from tests.chat import Chat, add_commitment
from tests.support import Database, FakeClock

ODD_INPUTS = ["²", "①", "1²", "³", "9" * 5000, "99999999999999999999", "-1", "0", "🙂", "%", "=1+1", ".", "²%"]
OTHER_SCRIPTS = {"fullwidth": "０１２３４５６７８９", "arabic-indic": "٠١٢٣٤٥٦٧٨٩"}
# What moves a free-text step on, tried in order until the step changes.
TYPED_ANSWERS = ["Vận động 5 hộ trong thôn phân loại rác tại nguồn", "50", "31/12/2026", "20/11/2026", "10", "7"]
WAY_OUT = {t.CANCEL, t.BACK}
COMMANDS = VIETNAMESE_COMMANDS.split()
ROLES = ["DV001", "DV002", "DV025"]  # a member, the secretary of Chi bộ thôn Đồng Tâm, committee staff
MAX_STEPS = 8
# Numbered questions that also take a typed answer (a title, a date, a number): odd text may be that answer.
TYPED_TOO = {("study", "title"), ("register", "deadline")}


def vietnamese(text: str) -> bool:
    """A Vietnamese text has letters with diacritics ("đ", "ồ", "ư" ...)."""
    return any(ord(ch) > 127 and unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def in_script(number: int, digits: str) -> str:
    return "".join(digits[int(ch)] for ch in str(number))


async def where(db: Database) -> tuple[str | None, str | None]:
    """The account's flow and step; (None, None) once it is gone (consent withdrawn in /dulieu)."""
    async with db.uow() as uow:
        account = await uow.accounts.find("telegram", "111")
        row = await uow.dialogs.load(account.id) if account else None
        return (row.flow, row.step) if row else (None, None)


async def fuzz_here(chat: Chat, db: Database, numbered: bool) -> None:
    for odd in ODD_INPUTS:
        before = await where(db)
        if before[0] in (None, "menu"):
            return
        await chat.say(odd)
        texts = chat.all_texts
        assert texts and all(vietnamese(text) for text in texts), (before, odd[:20], texts)
        if numbered:
            assert await where(db) == before, (odd[:20], texts)


def numbered_question(chat: Chat) -> bool:
    """Whether the bot's last question offers numbered choices (typed digits select them)."""
    return any(reply.choices and reply.numbered for reply in chat.last_replies)


async def move_on(chat: Chat, db: Database, script: str) -> bool:
    """Go one step further: type the number of the first choice that is not a way out, in another script's
    digits; at a free-text question, type a plausible answer. False when nothing moves the flow on."""
    before = await where(db)
    if numbered_question(chat):
        labels = chat.choices
        forward = [index for index, label in enumerate(labels, 1) if label not in WAY_OUT]
        if not forward:
            return False
        await chat.say(in_script(forward[0], OTHER_SCRIPTS[script]))
        assert chat.all_texts and chat.all_texts[0] != t.INVALID_CHOICE, (before, labels)
        return True
    for answer in TYPED_ANSWERS:
        await chat.say(answer)
        if await where(db) != before:
            return True
    return False


@pytest.mark.parametrize("code", ROLES)
@pytest.mark.parametrize("command", COMMANDS)
async def test_odd_input_at_every_step(
    router: Router, roster_db: Database, clock: FakeClock, code: str, command: str
) -> None:
    await add_commitment(roster_db, clock, "DV001", "Giúp đỡ 2 hộ nghèo trong thôn")
    await add_commitment(roster_db, clock, "DV001", "Tham gia đầy đủ sinh hoạt chi bộ", percent=10)
    await add_commitment(roster_db, clock, "DV004", "Trồng 20 cây xanh ở nhà văn hóa")
    chat = Chat(router)
    await chat.link_as(code, roster_db, clock)
    await chat.say(f"/{command}")
    for step in range(MAX_STEPS):
        if (await where(roster_db))[0] in (None, "menu"):
            break
        choices_only = numbered_question(chat) and await where(roster_db) not in TYPED_TOO
        await fuzz_here(chat, roster_db, choices_only)
        if not await move_on(chat, roster_db, "fullwidth" if step % 2 else "arabic-indic"):
            break
