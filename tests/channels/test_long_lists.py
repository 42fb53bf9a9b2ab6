"""Every list of unbounded length, with 5,000 items, on Telegram (buttons) and on Zalo (numbered lines).

A page shows at most 8 items with «Trang trước» / «Trang sau»; typing part of a name (without diacritics)
narrows the list. On Telegram a keyboard stays small and every callback_data fits Telegram's 64 bytes; paging
goes to the last page and back. On Zalo a message has at most 12 numbered lines and typing a number chooses.
The 5,000 units or members are seeded in bulk (one INSERT each), so the tests spend their time in the flows.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_client import ZaloClient
from handlers.catalog import core as t
from handlers.catalog import deliveries as d
from handlers.catalog import reminders as rc
from handlers.catalog import reports as rp
from handlers.catalog import review as rv
from handlers.flows.picker import PAGE_SIZE
from handlers.flows.summary import period_choices
from handlers.router import Router
from storage.models import Commitment, Member, Unit
from tests.fakes.fake_zalo import FakeZalo
from tests.support import Database, FakeClock
from tests.telegram_support import USER, Chat, link_and_consent, start_app
from tests.zalo_support import ZaloUser

MANY = int(os.environ.get("LONG_LIST_ITEMS", "5000"))
CALLBACK_DATA_MAX = 64  # bytes, Telegram's limit
TELEGRAM_BUTTONS_MAX = 12  # a page of at most 8, «Trang trước», «Trang sau», «Bỏ lọc», «Hủy» (or other periods)
ZALO_LINES_MAX = 12
FIRST = ""  # a step: the first choice, whatever its label
CONTROLS = {
    t.PAGE_PREV,
    t.PAGE_NEXT,
    t.FILTER_CLEAR,
    t.CANCEL,
    rv.STUDY_DONE,
    rv.STUDY_ALL,
    rv.STUDY_NONE,
    rv.STUDY_LEAVE_TO_MEMBERS,
    rp.DRILL_DONE,
    *(label for label, _ in period_choices()),
}


def unit_name(number: int) -> str:
    return f"Chi bộ khu phố Mẫn Đức {number:04d}"


def member_name(number: int) -> str:
    return f"Lê Thị Mẫn {number:04d}"


async def seed_cells(db: Database, clock: FakeClock) -> None:
    """5,000 cells under Đảng bộ xã Thanh Sơn (DV025's committee): a province-sized list of units."""
    async with db.sessions() as session:
        committee = (await session.scalars(select(Unit).where(Unit.name == "Đảng bộ xã Thanh Sơn"))).one()
        first = int(await session.scalar(select(func.max(Unit.id))) or 0) + 1
        session.add_all(
            Unit(
                id=first + n,
                name=unit_name(n),
                kind="cell",
                parent_id=committee.id,
                path=f"{committee.path}{first + n}/",
                created_at=clock.now(),
            )
            for n in range(MANY)
        )
        await session.commit()


async def seed_members(db: Database, clock: FakeClock) -> None:
    """5,000 members in Chi bộ thôn Đồng Tâm (DV002 is its secretary), each with a registration to review."""
    now = clock.now()
    async with db.sessions() as session:
        cell = (await session.scalars(select(Unit).where(Unit.name == "Chi bộ thôn Đồng Tâm"))).one()
        first = int(await session.scalar(select(func.max(Member.id))) or 0) + 1
        session.add_all(
            Member(
                id=first + n,
                code=f"BL{n:05d}",
                full_name=member_name(n),
                position="",
                role="member",
                cell_id=cell.id,
                active=True,
                exempt=False,
                created_at=now,
                updated_at=now,
            )
            for n in range(MANY)
        )
        await session.flush()  # the members first: commitments refer to them
        session.add_all(
            Commitment(
                member_id=first + n,
                year=2026,
                content=f"Vận động hộ số {n} phân loại rác",
                measures="Đến từng nhà",
                deadline=date(2026, 12, 31),
                status="active",
                kind="individual",
                review_state="pending",
                created_at=now,
                updated_at=now,
            )
            for n in range(MANY)
        )
        await session.commit()


@dataclass(frozen=True)
class LongList:
    seed: Callable[[Database, FakeClock], Awaitable[None]]
    code: str  # who asks
    command: str
    steps: tuple[str, ...]  # buttons pressed (labels) after the command, to reach the list
    question: str  # the list's question
    name: Callable[[int], str]  # the n-th item's name
    after: str  # the start of the question that follows a choice
    words: str  # what a name starts with, typed without diacritics


LISTS = {
    "thongbao units": LongList(
        seed_cells,
        "DV025",
        "/thongbao",
        (),
        d.ANNOUNCE_CHOOSE_UNIT,
        unit_name,
        d.ANNOUNCE_ASK_TEXT.split("{")[0],
        "man duc",
    ),
    "tonghop drill-down": LongList(
        seed_cells, "DV025", "/tonghop", (), rp.DRILL_ASK, unit_name, rp.OTHER_PERIOD_ASK, "man duc"
    ),
    "hoctap attendance": LongList(
        seed_members,
        "DV002",
        "/hoctap",
        (rv.STUDY_NEW, rv.STUDY_TODAY, FIRST),
        rv.STUDY_ASK_ATTENDANCE_PAGED.split("?")[0],
        member_name,
        "Đã đánh dấu: 1/",
        "man",
    ),
    "duyet registrations": LongList(
        seed_members, "DV002", "/duyet", (), rv.REVIEW_CHOOSE, member_name, "Bản đăng ký của đồng chí", "man"
    ),
    "nhacnho pause a member": LongList(
        seed_members,
        "DV002",
        "/nhacnho",
        (rc.PREFS_PAUSE_MEMBER,),
        rc.ASK_WHICH_MEMBER,
        member_name,
        rc.ASK_MEMBER_PAUSE_UNTIL.split("{")[0],
        "man",
    ),
}


# --- Telegram -------------------------------------------------------------------------------------------------------
def check_keyboard(chat: Chat) -> list[str]:
    """The last keyboard's item labels (controls left out), after checking its size and callback data."""
    buttons = chat.buttons()
    assert len(buttons) <= TELEGRAM_BUTTONS_MAX, buttons
    assert all(len(data.encode()) <= CALLBACK_DATA_MAX for _, data in buttons)
    items = [label for label, _ in buttons if label not in CONTROLS]
    assert 1 <= len(items) <= PAGE_SIZE, buttons
    return items


@pytest.mark.parametrize("case", list(LISTS))
async def test_telegram_pages_and_narrows(router: Router, roster_db: Database, clock: FakeClock, case: str) -> None:
    spec = LISTS[case]
    await spec.seed(roster_db, clock)
    chat = await start_app(router)
    try:
        await link_and_consent(chat, roster_db, clock, spec.code)
        sent = await chat.say(spec.command)
        for label in spec.steps:
            sent = await chat.press(chat.buttons()[0][1]) if label == FIRST else await chat.press_label(label)
        assert sent[-1].startswith(spec.question), sent
        assert len(sent) <= 3  # no wall of 5,000 lines
        first = check_keyboard(chat)
        await chat.press_label(t.PAGE_NEXT)
        second = check_keyboard(chat)
        assert not set(first) & set(second)
        await chat.press_label(t.PAGE_PREV)
        assert check_keyboard(chat) == first
        # narrowed to a few pages (typed without diacritics), then to the last page and back to the first
        sent = await chat.say(f"{spec.words} 49")
        assert t.FILTER_INFO.split("«")[0] in sent[-1], sent
        pages = 1
        while any(label == t.PAGE_NEXT for label, _ in chat.buttons()):
            await chat.press_label(t.PAGE_NEXT)
            check_keyboard(chat)
            pages += 1
        assert pages > 2 and f"trang {pages}/{pages}" in chat.request.sent_texts(USER)[-1]
        for _ in range(pages - 1):
            await chat.press_label(t.PAGE_PREV)
        assert t.PAGE_PREV not in [label for label, _ in chat.buttons()]
        # typing one whole name leaves one item; its button chooses it (the server checks it again)
        await chat.say(spec.name(4321).lower())
        [only] = check_keyboard(chat)
        sent = await chat.press_label(only)
        assert spec.after in sent[-1], sent
    finally:
        await chat.app.shutdown()


# --- Zalo -----------------------------------------------------------------------------------------------------------
@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


@pytest.fixture
async def channel(router: Router, fake: FakeZalo) -> AsyncIterator[ZaloChannel]:
    async with ZaloClient(fake.token, fake.base_url, max_backoff=0.2) as client:
        yield ZaloChannel(router, client)


def check_lines(user: ZaloUser) -> list[str]:
    lines = user.numbered()
    assert len(lines) <= ZALO_LINES_MAX, lines
    items = [label for label in lines if label not in CONTROLS]
    assert 1 <= len(items) <= PAGE_SIZE, lines
    return lines


@pytest.mark.parametrize("case", list(LISTS))
async def test_zalo_pages_narrows_and_numbers_choose(
    channel: ZaloChannel, fake: FakeZalo, roster_db: Database, clock: FakeClock, case: str
) -> None:
    spec = LISTS[case]
    await spec.seed(roster_db, clock)
    user = ZaloUser(channel, fake, "z-long")
    await user.link_as(spec.code, roster_db, clock)
    await user.say(spec.command.removeprefix("/"))
    for label in spec.steps:
        await user.say(user.number_of(label) if label else "1")
    assert spec.question in user.question, user.texts
    assert len(user.texts) <= 6  # the roll-up (a message or two), the chart's link, the question
    first = check_lines(user)
    await user.say(user.number_of(t.PAGE_NEXT))
    second = check_lines(user)
    assert not set(first) - CONTROLS & set(second)
    await user.say(user.number_of(t.PAGE_PREV))
    assert check_lines(user) == first
    await user.say(f"{spec.words} 432")  # narrows to … 4320–4329
    lines = check_lines(user)
    [wanted] = [line for line in lines if spec.name(4321) in line]
    await user.say(user.number_of(wanted))
    assert spec.after in user.question, user.texts
