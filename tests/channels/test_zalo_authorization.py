"""The authorisation matrix of tests/unit/test_authorization.py, run through the Zalo channel (typed text only:
Zalo has no buttons, so what can be forged is what is typed: numbers, words, command arguments)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_client import ZaloClient
from handlers.catalog import core as t
from handlers.router import Router
from tests.authz_matrix import ACTORS, SUMMARY_CASES, TARGETS, commitments_of_targets  # as on Telegram
from tests.chat import add_commitment, dialog, everything
from tests.fakes.fake_zalo import FakeZalo
from tests.support import Database, FakeClock
from tests.zalo_support import ZaloUser

ZALO_IDS = {"member": "z-1001", "secretary": "z-1002", "committee": "z-1025"}


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


@pytest.fixture
async def channel(router: Router, fake: FakeZalo) -> AsyncIterator[ZaloChannel]:
    async with ZaloClient(fake.token, fake.base_url) as client:
        yield ZaloChannel(router, client)


async def linked(channel: ZaloChannel, fake: FakeZalo, db: Database, clock: FakeClock, role: str) -> ZaloUser:
    user = ZaloUser(channel, fake, ZALO_IDS[role])
    await user.link_as(ACTORS[role], db, clock)
    return user


@pytest.mark.parametrize("typed", ["/tonghop", "tổng hợp"])
@pytest.mark.parametrize(("role", "target", "visible"), SUMMARY_CASES)
async def test_summary_scope_on_zalo(
    channel: ZaloChannel,
    fake: FakeZalo,
    roster_db: Database,
    clock: FakeClock,
    role: str,
    target: str,
    visible: bool,
    typed: str,
) -> None:
    cell_name = TARGETS[target][0]
    user = await linked(channel, fake, roster_db, clock, role)
    assert (t.MENU_SUMMARY in user.numbered()) is (role != "member")
    texts = await user.say(typed)
    if role == "member":
        assert texts[0] == t.SUMMARY_FORBIDDEN and texts[1].startswith(t.MENU_PROMPT)
    assert (cell_name in texts[0]) is visible


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("role", list(ACTORS))
async def test_another_members_commitment_id_typed_after_the_command(
    channel: ZaloChannel, fake: FakeZalo, roster_db: Database, clock: FakeClock, role: str, target: str
) -> None:
    ids = await commitments_of_targets(roster_db, clock)
    user = await linked(channel, fake, roster_db, clock, role)
    before = await everything(roster_db)
    gone, menu = await user.say(f"/capnhat {ids[target]}")
    assert gone == t.COMMITMENT_GONE and menu.startswith(t.MENU_PROMPT)
    await user.say("100")  # had the percent question been reached, this would be a percent
    assert await everything(roster_db) == before


@pytest.mark.parametrize("where", ["/capnhat", "/camket"])
@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("role", list(ACTORS))
async def test_another_members_commitment_cannot_be_typed_into_a_list(
    channel: ZaloChannel,
    fake: FakeZalo,
    roster_db: Database,
    clock: FakeClock,
    role: str,
    target: str,
    where: str,
) -> None:
    await commitments_of_targets(roster_db, clock)
    await add_commitment(roster_db, clock, ACTORS[role], "Nội dung thứ nhất của tôi")
    await add_commitment(roster_db, clock, ACTORS[role], "Nội dung thứ hai của tôi")
    user = await linked(channel, fake, roster_db, clock, role)
    await user.say(where)
    question = user.question
    other = f"Nội dung của {TARGETS[target][1]} ở {TARGETS[target][0]}"
    assert other not in question
    state_before = await dialog(roster_db, "zalo", ZALO_IDS[role])
    before = await everything(roster_db)
    for typed in (other, "0", "-1", "99", "99."):  # a typed number is a position in the list, never an id
        texts = await user.say(typed)
        assert not any(other in text for text in texts)
        if typed != other:  # a number that is no choice here
            assert texts[0] == t.INVALID_CHOICE and texts[1] == question
    state = await dialog(roster_db, "zalo", ZALO_IDS[role])
    assert (state.flow, state.step) == (state_before.flow, state_before.step)
    assert "commitment_id" not in state.values
    assert await everything(roster_db) == before


@pytest.mark.parametrize("role", list(ACTORS))
async def test_own_commitment_works_on_zalo(
    channel: ZaloChannel, fake: FakeZalo, roster_db: Database, clock: FakeClock, role: str
) -> None:
    """The control: the same typing reaches one's own commitment."""
    own = await add_commitment(roster_db, clock, ACTORS[role], "Nội dung của chính mình")
    user = await linked(channel, fake, roster_db, clock, role)
    [ask] = await user.say(f"/capnhat {own}")
    assert ask.startswith(t.ASK_PERCENT.format(content="Nội dung của chính mình", percent=0))
    await user.say("100")
    saved, done, _menu = await user.say("bỏ qua")
    assert saved.startswith("Đã ghi nhận tiến độ 100%") and done == t.PROGRESS_DONE


async def test_a_member_typing_the_summary_label_gets_no_summary(
    channel: ZaloChannel, fake: FakeZalo, roster_db: Database, clock: FakeClock
) -> None:
    user = await linked(channel, fake, roster_db, clock, "member")
    for typed in (t.MENU_SUMMARY, "tong hop tinh hinh", "5"):
        texts = await user.say(typed)
        assert not any("Chi bộ thôn Đồng Tâm —" in text or text.startswith("Tổng hợp") for text in texts)
