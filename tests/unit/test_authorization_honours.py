"""The authorisation matrix of /bieuduong and /hoatdong: a member cannot propose; a cell's leaders propose only in
their cell; staff decide only what waits at their own committee, inside their subtree, never their own proposal
nor one naming them; only a cell's leaders record its activities.

Actors:  member DV001 · secretary DV002 (Chi bộ thôn Đồng Tâm) · staff DV025 (Đảng bộ xã Thanh Sơn)
Targets: own cell (Đồng Tâm, DV004) · same committee (Chi bộ thôn Tân Lập, DV009, secretary DV007)
         · other subtree (Chi bộ tổ dân phố Hồng Hà under Đảng bộ phường Hồng Phong, DV018, secretary DV016)
"""

from __future__ import annotations

from datetime import date

import pytest

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.router import Router
from handlers.services import commend_decisions as dec
from handlers.services import commendations as co
from handlers.services.activities import cell_activities, committee_activities, record_activity
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from storage.enums import ActivityKind, CommendationForm
from tests.honours_support import (
    ACCOUNT,
    add_activity,
    add_province_staff,
    commendation_row,
    decide,
    honour_tables,
    propose,
    unit_id,
)
from tests.review_support import TODAY, actor_of, linked
from tests.support import TZ, Database, FakeClock

ACTORS = {"member": "DV001", "secretary": "DV002", "committee": "DV025"}
TARGETS = {
    "own cell": ("Chi bộ thôn Đồng Tâm", "DV004", "DV002"),
    "same committee": ("Chi bộ thôn Tân Lập", "DV009", "DV007"),
    "other subtree": ("Chi bộ tổ dân phố Hồng Hà", "DV018", "DV016"),
}
PROPOSE = {"member": (False, False, False), "secretary": (True, False, False), "committee": (False, False, False)}
DECIDE = {"member": (False, False, False), "secretary": (False, False, False), "committee": (True, True, False)}
DECISIONS = ["praise", "reward", "forward", "return"]
USER_IDS = {"member": "1001", "secretary": "1002", "committee": "1025"}


def cases(matrix: dict[str, tuple[bool, bool, bool]]) -> list[object]:
    return [
        pytest.param(role, target, allowed, id=f"{role}-{target}-{'allowed' if allowed else 'refused'}")
        for role, row in matrix.items()
        for target, allowed in zip(TARGETS, row, strict=True)
    ]


@pytest.mark.parametrize(("role", "target", "allowed"), cases(PROPOSE))
async def test_who_proposes_whom(roster_db: Database, clock: FakeClock, role: str, target: str, allowed: bool) -> None:
    _, nominee, _ = TARGETS[target]
    before = await honour_tables(roster_db)
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, ACTORS[role])
        nominee_id = (await uow.members.by_code(nominee)).id  # type: ignore[union-attr]
        try:
            await co.propose(uow, actor, nominee_id, None, ACCOUNT, TODAY, clock.now(), TZ)
            done = True
        except (Forbidden, NotFound, InvalidInput) as refused:
            done = False
            assert refused.message in (cm.COMMEND_FORBIDDEN, cm.NOMINEE_GONE)
        await uow.commit()
    assert done is allowed
    if not allowed:
        assert await honour_tables(roster_db) == before


@pytest.mark.parametrize("action", DECISIONS)
@pytest.mark.parametrize(("role", "target", "allowed"), cases(DECIDE))
async def test_who_decides_what(
    roster_db: Database, clock: FakeClock, role: str, target: str, allowed: bool, action: str
) -> None:
    _, nominee, leader = TARGETS[target]
    proposal = await propose(roster_db, clock, leader, nominee)
    before = await honour_tables(roster_db)
    try:
        await decide(roster_db, clock, ACTORS[role], proposal, action)
        done = True
    except (Forbidden, NotFound) as refused:
        done = False
        assert refused.message in (cm.COMMEND_FORBIDDEN, cm.GONE)  # no hint whether it exists
    assert done is allowed
    after = await commendation_row(roster_db, proposal)
    if not allowed:
        assert await honour_tables(roster_db) == before
    else:
        expected = {"praise": "commended", "reward": "commended", "forward": "pending", "return": "returned"}
        assert after["state"] == expected[action]


@pytest.mark.parametrize("action", DECISIONS)
async def test_staff_decide_only_at_their_own_level(roster_db: Database, clock: FakeClock, action: str) -> None:
    """The province's staff see Thanh Sơn's subtree but decide only once it is proposed up to them."""
    await add_province_staff(roster_db, clock)
    proposal = await propose(roster_db, clock, "DV002", "DV004")
    before = await honour_tables(roster_db)
    with pytest.raises(NotFound):
        await decide(roster_db, clock, "TV001", proposal, action)
    assert await honour_tables(roster_db) == before
    await decide(roster_db, clock, "DV025", proposal, "forward")
    with pytest.raises(NotFound):  # and then Thanh Sơn no longer decides it
        await decide(roster_db, clock, "DV025", proposal, "praise")
    if action == "forward":  # nothing above the province
        with pytest.raises(InvalidInput) as refused:
            await decide(roster_db, clock, "TV001", proposal, action)
        assert refused.value.message == cm.NO_PARENT.format(unit="Đảng bộ tỉnh Hòa Bình Xanh")
        return
    await decide(roster_db, clock, "TV001", proposal, action)


@pytest.mark.parametrize("action", DECISIONS)
@pytest.mark.parametrize("who", ["proposer", "nominee"])
async def test_nobody_decides_their_own_proposal(roster_db: Database, clock: FakeClock, who: str, action: str) -> None:
    """The secretary who proposed, or the member proposed, later becomes staff of Thanh Sơn: still no decision."""
    proposal = await propose(roster_db, clock, "DV002", "DV004")
    code = "DV002" if who == "proposer" else "DV004"
    thanh_son = await unit_id(roster_db, "Đảng bộ xã Thanh Sơn")
    async with roster_db.uow() as uow:
        member = await uow.members.by_code(code)
        assert member is not None
        member.role, member.scope_unit_id = "committee", thanh_son
        await uow.commit()
    before = await honour_tables(roster_db)
    with pytest.raises(Forbidden) as refused:
        await decide(roster_db, clock, code, proposal, action)
    assert refused.value.message == cm.OWN_PROPOSAL
    assert await honour_tables(roster_db) == before
    async with roster_db.uow() as uow:  # it is listed for them (to know it waits), not decided by them
        waiting = await dec.decidable(uow, await actor_of(uow, code), proposal)
        assert waiting[0].id == proposal


@pytest.mark.parametrize("role", list(ACTORS))
async def test_forged_proposals_in_the_chat(router: Router, roster_db: Database, clock: FakeClock, role: str) -> None:
    """The waiting list offers only what the staff decide; a forged button naming another proposal is refused."""
    ids = {target: await propose(roster_db, clock, leader, nominee) for target, (_, nominee, leader) in TARGETS.items()}
    await decide(roster_db, clock, "DV025", ids["own cell"], "return")  # returned to Đồng Tâm
    chat = await linked(router, roster_db, clock, ACTORS[role], USER_IDS[role])
    await chat.say("/bieuduong")
    before = await honour_tables(roster_db)
    if role == "member":
        assert chat.all_texts == [cm.COMMEND_FORBIDDEN, t.MENU_PROMPT]
        return
    offered = {choice.payload.split("|", 1)[1] for choice in chat.question.choices}
    if role == "secretary":
        assert offered == {"new", "done", f"r{ids['own cell']}"}
        forged = [f"r{ids['same committee']}", f"r{ids['other subtree']}", f"p{ids['own cell']}"]
    else:
        assert offered == {f"p{ids['same committee']}", "done", "cancel"}
        forged = [f"p{ids['other subtree']}", f"p{ids['own cell']}", f"r{ids['own cell']}"]
    for value in forged:
        await chat.press_payload(f"{chat.nonce}|{value}")
        assert chat.all_texts[0] == t.INVALID_CHOICE
    assert await honour_tables(roster_db) == before


# --- activities -----------------------------------------------------------------------------------------------------
RECORD = {"member": False, "secretary": True, "committee": False}


@pytest.mark.parametrize("role", list(ACTORS))
async def test_who_records_activities(roster_db: Database, clock: FakeClock, role: str) -> None:
    dong_tam = await unit_id(roster_db, "Chi bộ thôn Đồng Tâm")
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, ACTORS[role])
        try:
            activity = await record_activity(
                uow, actor, ActivityKind.SEMINAR, date(2026, 11, 20), "Tọa đàm về Bác", 40, TODAY, clock.now()
            )
            assert activity.unit_id == dong_tam
            done = True
        except Forbidden as refused:
            assert refused.message == cm.ACTIVITY_FORBIDDEN
            done = False
        await uow.commit()
    assert done is RECORD[role]
    async with roster_db.uow() as uow:
        assert len(await uow.honours.activities(2026, TODAY)) == int(RECORD[role])


@pytest.mark.parametrize("role", list(ACTORS))
async def test_who_sees_which_activities(roster_db: Database, clock: FakeClock, role: str) -> None:
    for _, _, leader in TARGETS.values():
        await add_activity(roster_db, clock, leader, date(2026, 10, 1), 10)
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, ACTORS[role])
        if role == "committee":
            with pytest.raises(Forbidden):
                await cell_activities(uow, actor, TODAY)  # staff have no cell of their own
            found = await committee_activities(uow, actor, clock.now(), TZ)
            assert (found.totals.activities, found.totals.cells_active, found.cells) == (2, 2, 3)  # not Hồng Hà's
            return
        cell, recent = await cell_activities(uow, actor, TODAY)
        assert cell.name == "Chi bộ thôn Đồng Tâm" and len(recent) == 1
        if role == "member":
            with pytest.raises(Forbidden):
                await committee_activities(uow, actor, clock.now(), TZ)


async def test_a_member_sees_the_cells_activities_and_cannot_record(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await add_activity(roster_db, clock, "DV002", date(2026, 10, 1), 35)
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/hoatdong")
    assert an.all_texts[0].startswith(cm.ACTIVITIES_HEADER.format(cell="Chi bộ thôn Đồng Tâm"))
    assert an.all_texts[1:] == [t.MENU_PROMPT]
    await an.press_payload(f"{an.nonce}|new")  # a forged «Ghi hoạt động mới»
    assert an.all_texts == [t.INVALID_CHOICE, t.MENU_PROMPT]
    async with roster_db.uow() as uow:
        assert len(await uow.honours.activities(2026, TODAY)) == 1
        with pytest.raises(Forbidden):
            await record_activity(
                uow, await actor_of(uow, "DV001"), ActivityKind.CONTEST, TODAY, "Hội thi", 5, TODAY, clock.now()
            )


def test_the_forms_are_the_two_the_party_uses() -> None:
    assert {form.value for form in CommendationForm} == set(cm.FORM_LABELS)
