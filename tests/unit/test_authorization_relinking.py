"""The authorisation matrix, relinking cases (issue 10): which ways of typing a secretary's code hand over the
secretary's powers (summaries, approvals, announcements, their personal data and its withdrawal).

Only a code the operator issued for this purpose, unused, unexpired and for this platform links an account;
a linked account never switches to another member; an unlinked account is a stranger again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from handlers.catalog import core as t
from handlers.catalog import deliveries as d
from handlers.catalog import review as rv
from handlers.router import Router
from handlers.services.accounts import unlink_account
from handlers.services.personal_data import withdraw_consent
from tests.accounts_support import account_id, code_for, link_chat
from tests.chat import Chat
from tests.support import TZ, Database, FakeClock

SECRETARY = "DV002"
POWERS = ["/tonghop", "/duyet", "/thongbao", "/dulieu"]
MEMBER_REFUSED = {"/tonghop": t.SUMMARY_FORBIDDEN, "/duyet": rv.REVIEW_FORBIDDEN, "/thongbao": d.ANNOUNCE_FORBIDDEN}
Setup = Callable[[Router, Database, FakeClock], Awaitable[Chat]]


async def expired_code(router: Router, db: Database, clock: FakeClock) -> Chat:
    code = await code_for(db, clock, SECRETARY)
    clock.advance(days=15)
    chat = Chat(router, user_id="3001")
    await chat.say(f"/start {code}")
    assert chat.all_texts == [t.CODE_EXPIRED.format(code=code)]
    return chat


async def spent_code(router: Router, db: Database, clock: FakeClock) -> Chat:
    code = await code_for(db, clock, SECRETARY)
    await link_chat(Chat(router, user_id="3002"), code)
    chat = Chat(router, user_id="3003")
    await chat.say(code)
    assert chat.all_texts == [t.CODE_UNKNOWN.format(code=code)]
    return chat


async def code_for_the_other_platform(router: Router, db: Database, clock: FakeClock) -> Chat:
    code = await code_for(db, clock, SECRETARY, platform="zalo")
    chat = Chat(router, user_id="3004")
    await chat.say(code)
    assert chat.all_texts == [t.CODE_OTHER_PLATFORM.format(code=code, platform="Zalo")]
    return chat


async def linked_member_types_the_code(router: Router, db: Database, clock: FakeClock) -> Chat:
    chat = Chat(router, user_id="3005")
    await link_chat(chat, await code_for(db, clock, "DV001"))
    await chat.say(f"/start {await code_for(db, clock, SECRETARY)}")
    chat.assert_said(t.ALREADY_LINKED.format(name="Nguyễn Văn An"))
    return chat


async def unlinked_by_the_operator(router: Router, db: Database, clock: FakeClock) -> Chat:
    chat = Chat(router, user_id="3006")
    await link_chat(chat, await code_for(db, clock, SECRETARY))
    async with db.uow() as uow:
        await unlink_account(uow, SECRETARY, await account_id(db, "telegram", "3006"), clock.now(), TZ)
        await uow.commit()
    return chat


async def old_code_of_a_withdrawn_member(router: Router, db: Database, clock: FakeClock) -> Chat:
    code = await code_for(db, clock, SECRETARY)
    async with db.uow() as uow:
        member = await uow.members.by_code(SECRETARY)
        assert member is not None
        await withdraw_consent(uow, member, clock.now())
        await uow.commit()
    chat = Chat(router, user_id="3007")
    await chat.say(code)
    assert chat.all_texts == [t.CODE_UNKNOWN.format(code=code)]
    return chat


async def relinked_by_the_operator(router: Router, db: Database, clock: FakeClock) -> Chat:
    """`invite --relink` is the operator's decision (a new phone): the newcomer acts as the member, and the
    member's existing accounts were warned (tests/unit/test_relinking.py)."""
    await link_chat(Chat(router, user_id="3008"), await code_for(db, clock, SECRETARY))
    chat = Chat(router, user_id="3009")
    await link_chat(chat, await code_for(db, clock, SECRETARY, relink=True))
    return chat


CASES: dict[str, tuple[Setup, bool]] = {
    "expired code": (expired_code, False),
    "spent code": (spent_code, False),
    "code for the other platform": (code_for_the_other_platform, False),
    "a linked member types it": (linked_member_types_the_code, False),
    "unlinked account": (unlinked_by_the_operator, False),
    "withdrawn member's old code": (old_code_of_a_withdrawn_member, False),
    "relinked by the operator": (relinked_by_the_operator, True),
}


@pytest.mark.parametrize("power", POWERS)
@pytest.mark.parametrize("case", list(CASES))
async def test_who_gets_the_secretarys_powers(
    router: Router, roster_db: Database, clock: FakeClock, case: str, power: str
) -> None:
    setup, granted = CASES[case]
    chat = await setup(router, roster_db, clock)
    await chat.say(power)
    secretary_only = [t.STRANGER, t.SUMMARY_FORBIDDEN, t.MENU_PROMPT]
    if granted:
        assert chat.all_texts[0] not in secretary_only, chat.all_texts
    elif case == "a linked member types it":  # still DV001, a member: refused, or their own data
        if power == "/dulieu":
            chat.assert_said("Nguyễn Văn An")
            chat.assert_not_said("Trần Thị Bích Ngọc")
        else:
            assert chat.all_texts[0] == MEMBER_REFUSED[power]
    else:
        assert chat.all_texts == [t.STRANGER]
