"""The authorisation matrix: who may see which cell's summary, and nobody touches another's commitment.

Actors:  member DV001 (Chi bộ thôn Đồng Tâm) · secretary DV002 (bí thư of Đồng Tâm)
         · committee staff DV025 (Đảng bộ xã Thanh Sơn, no cell of their own)
Targets: own cell (Chi bộ thôn Đồng Tâm, its member DV004)
         · another cell of the same committee (Chi bộ thôn Tân Lập, DV009)
         · another subtree (Chi bộ tổ dân phố Hồng Hà under Đảng bộ phường Hồng Phong, DV018)

Services are called directly with an Actor from load_actor (the router is no gate for them), then the
same attempts are made through the router with forged button payloads.
"""

from __future__ import annotations

from datetime import date

import pytest

from handlers.catalog import core as t
from handlers.catalog import org as o
from handlers.catalog import reports as rp
from handlers.catalog import review as rv
from handlers.router import Router
from handlers.services.authz import Actor, can_summarise, may_see_unit, own_active_commitment
from handlers.services.commitments import edit_commitment, list_commitments, log_progress, withdraw_commitment
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.services.review import approve_registration, return_registration
from handlers.services.self_assessment import distribution, save_assessment
from handlers.services.study import confirm_attendance, record_session
from handlers.services.summary import CellSummary, CommitteeSummary, summarise
from storage.uow import UnitOfWork
from tests.authz_matrix import ACTORS, SUMMARY_CASES, SUMMARY_MATRIX, TARGETS, commitments_of_targets
from tests.chat import Chat, add_commitment, dialog, everything
from tests.review_support import actor_of, add_cell_item, add_session, review_tables, set_cycle
from tests.support import Database, FakeClock

THANH_SON_CELLS = ["Chi bộ thôn Đồng Tâm", "Chi bộ thôn Tân Lập", "Chi bộ Trường Tiểu học Thanh Sơn"]
ACTIONS = ["view", "edit_content", "edit_measures", "edit_deadline", "withdraw", "log_progress"]
USER_IDS = {"member": "1001", "secretary": "1002", "committee": "1025"}


async def linked_chat(router: Router, db: Database, clock: FakeClock, role: str) -> Chat:
    chat = Chat(router, user_id=USER_IDS[role])
    await chat.link_as(ACTORS[role], db, clock)
    return chat


# --- summaries ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "target", "visible"), SUMMARY_CASES)
async def test_summary_scope(
    router: Router, roster_db: Database, clock: FakeClock, role: str, target: str, visible: bool
) -> None:
    cell_name = TARGETS[target][0]
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, ACTORS[role])
        [cell] = await uow.units.find_by_name(cell_name)
        assert may_see_unit(actor, cell) is visible
        assert can_summarise(actor) is (role != "member")
        if role == "member":
            with pytest.raises(Forbidden) as refused:
                await summarise(uow, actor, date(2026, 11, 23), clock.now())
            assert refused.value.message == t.SUMMARY_FORBIDDEN
            seen: list[str] = []
        else:
            summary = await summarise(uow, actor, date(2026, 11, 23), clock.now())
            if isinstance(summary, CellSummary):
                seen = [summary.cell_name]
            else:
                assert isinstance(summary, CommitteeSummary)
                seen = [line.cell_name for line in summary.lines]
        assert (cell_name in seen) is visible
    chat = await linked_chat(router, roster_db, clock, role)
    assert (t.MENU_SUMMARY in chat.choices) is (role != "member")
    await chat.say("/tonghop")
    if role == "member":
        assert chat.all_texts == [t.SUMMARY_FORBIDDEN, t.MENU_PROMPT]
    assert (cell_name in chat.all_texts[0]) is visible


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("DV002", ["Chi bộ thôn Đồng Tâm"]),  # secretary: own cell only
        ("DV003", ["Chi bộ thôn Đồng Tâm"]),  # deputy: the same
        ("DV007", ["Chi bộ thôn Tân Lập"]),
        ("DV016", ["Chi bộ tổ dân phố Hồng Hà"]),  # a secretary under the other committee
        ("DV025", THANH_SON_CELLS),  # committee: every cell of Đảng bộ xã Thanh Sơn, none of Hồng Phong
        ("DV001", None),
        ("DV018", None),
    ],
)
async def test_exactly_which_cells_each_actor_summarises(
    roster_db: Database, clock: FakeClock, code: str, expected: list[str] | None
) -> None:
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, code)
        every_cell = [unit for unit in await uow.units.all() if unit.kind == "cell"]
        visible = sorted(unit.name for unit in every_cell if may_see_unit(actor, unit))
        assert visible == sorted(expected or [])
        if expected is None:
            with pytest.raises(Forbidden):
                await summarise(uow, actor, date(2026, 11, 23), clock.now())
            return
        summary = await summarise(uow, actor, date(2026, 11, 23), clock.now())
        names = [summary.cell_name] if isinstance(summary, CellSummary) else [line.cell_name for line in summary.lines]
        assert sorted(names) == sorted(expected)


async def test_a_secretary_moved_out_loses_the_old_cell(roster_db: Database, clock: FakeClock) -> None:
    """Scope is read from the member row on every call, never remembered."""
    async with roster_db.uow() as uow:
        member = await uow.members.by_code("DV002")
        [tan_lap] = await uow.units.find_by_name("Chi bộ thôn Tân Lập")
        assert member is not None
        member.cell_id = member.scope_unit_id = tan_lap.id
        await uow.commit()
    async with roster_db.uow() as uow:
        summary = await summarise(uow, await actor_of(uow, "DV002"), date(2026, 11, 23), clock.now())
        assert isinstance(summary, CellSummary) and summary.cell_name == "Chi bộ thôn Tân Lập"


# --- someone else's commitment, through the services --------------------------------------------------------
async def attempt(uow: UnitOfWork, actor: Actor, commitment_id: int, action: str, clock: FakeClock) -> object:
    now, today = clock.now(), date(2026, 11, 23)
    if action == "view":
        return await own_active_commitment(uow, actor, commitment_id)
    if action == "edit_content":
        return await edit_commitment(uow, actor, commitment_id, now, content="Nội dung bị sửa trộm")
    if action == "edit_measures":
        return await edit_commitment(uow, actor, commitment_id, now, measures="Giải pháp bị sửa trộm")
    if action == "edit_deadline":
        return await edit_commitment(uow, actor, commitment_id, now, deadline=date(2027, 6, 30), today=today)
    if action == "withdraw":
        return await withdraw_commitment(uow, actor, commitment_id, now)
    assert action == "log_progress"
    return await log_progress(uow, actor, commitment_id, 100, "Ghi hộ", now)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("role", list(ACTORS))
async def test_no_one_acts_on_another_members_commitment(
    roster_db: Database, clock: FakeClock, role: str, target: str, action: str
) -> None:
    ids = await commitments_of_targets(roster_db, clock)
    clock.advance(hours=1)
    before = await everything(roster_db)
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, ACTORS[role])
        with pytest.raises((NotFound, Forbidden)) as refused:
            await attempt(uow, actor, ids[target], action, clock)
        assert refused.value.message == t.COMMITMENT_GONE  # no hint whether it exists
        assert ids[target] not in [c.id for c in await list_commitments(uow, actor)]
        await uow.commit()  # even a commit afterwards writes nothing
    assert await everything(roster_db) == before


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", list(ACTORS))
async def test_everyone_acts_on_their_own_commitment(
    roster_db: Database, clock: FakeClock, role: str, action: str
) -> None:
    """The control for the matrix above: the same calls succeed on the actor's own commitment."""
    own = await add_commitment(roster_db, clock, ACTORS[role], "Nội dung của chính mình")
    before = await everything(roster_db)
    clock.advance(hours=1)
    async with roster_db.uow() as uow:
        result = await attempt(uow, await actor_of(uow, ACTORS[role]), own, action, clock)
        assert getattr(result, "id", None) == own
        await uow.commit()
    assert (await everything(roster_db) != before) is (action != "view")


@pytest.mark.parametrize("action", ["view", "edit_content", "withdraw", "log_progress"])
async def test_a_withdrawn_or_missing_commitment_is_gone_even_for_its_owner(
    roster_db: Database, clock: FakeClock, action: str
) -> None:
    own = await add_commitment(roster_db, clock, "DV001", "Nội dung sẽ rút lại")
    async with roster_db.uow() as uow:
        await withdraw_commitment(uow, await actor_of(uow, "DV001"), own, clock.now())
        await uow.commit()
    before = await everything(roster_db)
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, "DV001")
        for commitment_id in (own, 999_999):
            with pytest.raises(NotFound):
                await attempt(uow, actor, commitment_id, action, clock)
        await uow.commit()
    assert await everything(roster_db) == before


# --- forged payloads through the router -----------------------------------------------------------------------
async def _own_two(db: Database, clock: FakeClock, role: str) -> None:
    await add_commitment(db, clock, ACTORS[role], "Nội dung thứ nhất của tôi")
    await add_commitment(db, clock, ACTORS[role], "Nội dung thứ hai của tôi")


@pytest.mark.parametrize("where", ["/capnhat", "/camket"])
@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("role", list(ACTORS))
async def test_a_forged_commitment_id_is_refused(
    router: Router, roster_db: Database, clock: FakeClock, role: str, target: str, where: str
) -> None:
    ids = await commitments_of_targets(roster_db, clock)
    await _own_two(roster_db, clock, role)
    chat = await linked_chat(router, roster_db, clock, role)
    await chat.say(where)
    question = chat.question
    before = await everything(roster_db)
    state_before = await dialog(roster_db, user_id=USER_IDS[role])
    await chat.press_payload(f"{chat.nonce}|{ids[target]}")  # the current nonce, another member's commitment
    assert chat.all_texts == [t.INVALID_CHOICE, question.text]
    assert chat.question.choices == question.choices
    other_content = f"Nội dung của {TARGETS[target][1]}"
    assert not any(other_content in text for text in chat.all_texts)
    await chat.say(f"Nội dung của {TARGETS[target][1]} ở {TARGETS[target][0]}")  # its words, typed
    assert not any(other_content in text for text in chat.all_texts)
    state = await dialog(roster_db, user_id=USER_IDS[role])
    assert (state.flow, state.step) == (state_before.flow, state_before.step)
    assert "commitment_id" not in state.values
    assert await everything(roster_db) == before


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("role", list(ACTORS))
async def test_a_commitment_id_typed_after_the_command_is_refused(
    router: Router, roster_db: Database, clock: FakeClock, role: str, target: str
) -> None:
    """/capnhat <id> goes straight to the percent question, but only for one's own commitment."""
    ids = await commitments_of_targets(roster_db, clock)
    chat = await linked_chat(router, roster_db, clock, role)
    before = await everything(roster_db)
    await chat.say(f"/capnhat {ids[target]}")
    assert chat.all_texts == [t.COMMITMENT_GONE, t.MENU_PROMPT]
    await chat.say("100")  # if the percent question had been reached, this would be a percent
    assert await everything(roster_db) == before
    state = await dialog(roster_db, user_id=USER_IDS[role])
    assert state.flow == "menu" and "commitment_id" not in state.values


@pytest.mark.parametrize("role", list(ACTORS))
async def test_own_commitment_id_after_the_command_works(
    router: Router, roster_db: Database, clock: FakeClock, role: str
) -> None:
    """The control: the same shortcut with one's own id reaches the percent question."""
    own = await add_commitment(roster_db, clock, ACTORS[role], "Nội dung của chính mình")
    chat = await linked_chat(router, roster_db, clock, role)
    await chat.say(f"/capnhat {own}")
    assert chat.all_texts == [t.ASK_PERCENT.format(content="Nội dung của chính mình", percent=0)]


@pytest.mark.parametrize("value", ["made-up", "999999", "edit_content", "summary", "yes", "cancel "])
@pytest.mark.parametrize("role", list(ACTORS))
async def test_a_made_up_value_is_an_invalid_choice(
    router: Router, roster_db: Database, clock: FakeClock, role: str, value: str
) -> None:
    await _own_two(roster_db, clock, role)
    chat = await linked_chat(router, roster_db, clock, role)
    await chat.say("/camket")
    question = chat.question
    before = await everything(roster_db)
    await chat.press_payload(f"{chat.nonce}|{value}")
    assert chat.all_texts == [t.INVALID_CHOICE, question.text]
    assert (await dialog(roster_db, user_id=USER_IDS[role])).step == "list"
    assert await everything(roster_db) == before


@pytest.mark.parametrize("role", list(ACTORS))
async def test_a_forged_summary_choice_in_the_menu(
    router: Router, roster_db: Database, clock: FakeClock, role: str
) -> None:
    """A member's menu does not offer the summary; pressing it anyway is an invalid choice."""
    chat = await linked_chat(router, roster_db, clock, role)
    await chat.press_payload(f"{chat.nonce}|summary")
    if role == "member":
        assert chat.all_texts == [t.INVALID_CHOICE, t.MENU_PROMPT]
    else:
        scope = "Chi bộ thôn Đồng Tâm" if role == "secretary" else "Đảng bộ xã Thanh Sơn"
        head = rp.ROLLUP_HEADER.format(unit=scope, period="tháng 11/2026", end="23/11/2026")
        assert chat.all_texts[0].startswith(head)  # this month's roll-up of their own scope
        assert "Chi bộ thôn Đồng Tâm" in chat.all_texts[0]


@pytest.mark.parametrize("role", list(ACTORS))
async def test_the_detail_step_acts_only_on_the_remembered_commitment(
    router: Router, roster_db: Database, clock: FakeClock, role: str
) -> None:
    """In the detail view the commitment comes from the stored state; a payload cannot name another."""
    ids = await commitments_of_targets(roster_db, clock)
    await _own_two(roster_db, clock, role)
    chat = await linked_chat(router, roster_db, clock, role)
    await chat.say("/camket")
    await chat.say("1")
    before = await everything(roster_db)
    for target_id in ids.values():
        await chat.press_payload(f"{chat.nonce}|{target_id}")
        assert chat.all_texts[0] == t.INVALID_CHOICE
        await chat.press_payload(f"{chat.nonce}|withdraw|{target_id}")
        assert chat.all_texts[0] == t.INVALID_CHOICE
    await chat.press(t.WITHDRAW)
    clock.advance(minutes=1)
    await chat.press(t.WITHDRAW_YES)
    after = await everything(roster_db)
    changed = [row for row in after if row not in before]
    assert [(row["content"], row["status"]) for row in changed] == [("Nội dung thứ nhất của tôi", "withdrawn")]
    for target_id in ids.values():
        assert next(r for r in after if r.get("id") == target_id)["status"] == "active"


async def test_a_stale_session_cannot_reach_a_commitment_moved_to_another_member(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    """Ownership is checked again at every step, not only when the commitment was chosen."""
    own = await add_commitment(roster_db, clock, "DV001", "Nội dung sẽ chuyển chủ")
    chat = await linked_chat(router, roster_db, clock, "member")
    await chat.say(f"/capnhat {own}")
    await chat.say("50")
    async with roster_db.uow() as uow:  # e.g. an operator fixes a wrongly attributed commitment
        row = await uow.commitments.get(own)
        other = await uow.members.by_code("DV004")
        assert row is not None and other is not None
        row.member_id = other.id
        await uow.commit()
    before = await everything(roster_db)
    await chat.press(t.SKIP)
    assert chat.all_texts == [t.COMMITMENT_GONE, t.MENU_PROMPT]  # the flow ends: asking again cannot help
    assert await everything(roster_db) == before


# --- personal data (/dulieu) -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", list(ACTORS))
async def test_dulieu_shows_only_ones_own_data(
    router: Router, roster_db: Database, clock: FakeClock, role: str
) -> None:
    """Whatever the role (a secretary, committee staff), /dulieu is the actor's own record; an argument is ignored."""
    ids = await commitments_of_targets(roster_db, clock)
    chat = await linked_chat(router, roster_db, clock, role)
    for typed in ("/dulieu", *(f"/dulieu {code}" for _, code in TARGETS.values()), f"/dulieu {ids['own cell']}"):
        await chat.say(typed)
        page = chat.all_texts[0]
        assert o.MYDATA_CODE.format(value=ACTORS[role]) in page
        for _, code in TARGETS.values():
            assert code not in page and f"Nội dung của {code}" not in page


@pytest.mark.parametrize("value", ["confirm", "keep", "page:5", "withdraw|DV004"])
@pytest.mark.parametrize("role", list(ACTORS))
async def test_a_forged_withdrawal_is_refused(
    router: Router, roster_db: Database, clock: FakeClock, role: str, value: str
) -> None:
    await commitments_of_targets(roster_db, clock)
    chat = await linked_chat(router, roster_db, clock, role)
    await chat.say("/dulieu")
    before = await everything(roster_db)
    await chat.press_payload(f"{chat.nonce}|{value}")
    assert chat.all_texts == [t.INVALID_CHOICE, o.MYDATA_PROMPT]
    assert await everything(roster_db) == before
    async with roster_db.uow() as uow:
        for code in [ACTORS[role], *(code for _, code in TARGETS.values())]:
            member = await uow.members.by_code(code)
            assert member is not None and member.anonymised_at is None


# --- period roll-ups (/tonghop PERIOD, drill-down) and the Excel report (/baocao) ----------------------------------
@pytest.mark.parametrize(("role", "target", "visible"), SUMMARY_CASES)
async def test_rollup_of_a_chosen_unit(
    roster_db: Database, clock: FakeClock, role: str, target: str, visible: bool
) -> None:
    """The unit id a drill-down button carries is re-checked by the service: the same matrix as the summary."""
    from handlers.services.periods import month_of
    from handlers.services.rollup import rollup
    from tests.support import TZ

    cell_name = TARGETS[target][0]
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, ACTORS[role])
        [cell] = await uow.units.find_by_name(cell_name)
        period = month_of(date(2026, 11, 23), TZ)
        if not visible:
            with pytest.raises(Forbidden) as refused:
                await rollup(uow, actor, period, clock.now(), TZ, cell.id)
            assert refused.value.message == t.SUMMARY_FORBIDDEN
            return
        summary = await rollup(uow, actor, period, clock.now(), TZ, cell.id)
        assert summary.unit_name == cell_name and summary.totals.members > 0


@pytest.mark.parametrize("role", list(ACTORS))
async def test_baocao_covers_exactly_the_actors_scope(
    router: Router, roster_db: Database, clock: FakeClock, role: str
) -> None:
    import io

    from openpyxl import load_workbook

    chat = await linked_chat(router, roster_db, clock, role)
    await chat.say("/baocao nam")
    if role == "member":
        assert chat.all_texts == [rp.REPORT_FORBIDDEN, t.MENU_PROMPT]
        return
    attachment = chat.last_replies[0].attachment
    assert attachment is not None
    sheets = load_workbook(io.BytesIO(attachment.content)).sheetnames[4:]  # after the roll-up and honours
    expected = ["Chi bộ thôn Đồng Tâm"] if role == "secretary" else [n[:31] for n in THANH_SON_CELLS]
    assert sheets == expected


@pytest.mark.parametrize("role", list(ACTORS))
async def test_tonghop_period_and_forged_drill_down(
    router: Router, roster_db: Database, clock: FakeClock, role: str
) -> None:
    chat = await linked_chat(router, roster_db, clock, role)
    await chat.say("/tonghop quy")
    if role == "member":
        assert chat.all_texts == [t.SUMMARY_FORBIDDEN, t.MENU_PROMPT]
        return
    if role == "secretary":
        assert chat.all_texts[0].startswith("Tổng hợp Chi bộ thôn Đồng Tâm")
        assert chat.question.text == rp.OTHER_PERIOD_ASK  # a cell has nothing to drill into: other periods only
    async with roster_db.uow() as uow:
        [other] = await uow.units.find_by_name(TARGETS["other subtree"][0])
    await chat.press_payload(f"{chat.nonce}|u{other.id}")
    assert chat.all_texts[0] == t.INVALID_CHOICE
    assert TARGETS["other subtree"][0] not in chat.all_texts[1]
    await chat.press(rp.PERIOD_YEAR)  # another period: still their own scope, whatever was forged before
    assert TARGETS["other subtree"][0] not in "".join(chat.all_texts)
    assert chat.all_texts[0].startswith("Tổng hợp Chi bộ thôn Đồng Tâm" if role == "secretary" else "Tổng hợp Đảng bộ")


# --- approval, cell items, self-assessment and study (issue 5, items 5-8) -------------------------------------
TARGET_LEADERS = {"own cell": "DV002", "same committee": "DV007", "other subtree": "DV016"}
REVIEW_ACTIONS = ["approve", "return", "progress_cell_item", "confirm_study", "assess", "distribution", "record_study"]
_NO = (False, False, False)
# Allowed on the target (own cell, same committee, other subtree):
REVIEW_MATRIX = {
    "member": {**dict.fromkeys(REVIEW_ACTIONS, _NO), "confirm_study": (True, False, False)},
    "secretary": {**dict.fromkeys(REVIEW_ACTIONS, (True, False, False)), "assess": _NO},
    "committee": {
        **dict.fromkeys(REVIEW_ACTIONS, _NO),
        "approve": (True, True, False),
        "return": (True, True, False),
        "distribution": (True, True, False),
    },
}
REVIEW_CASES = [
    pytest.param(role, target, action, allowed, id=f"{role}-{action}-{target}-{'allowed' if allowed else 'refused'}")
    for role in ACTORS
    for action in REVIEW_ACTIONS
    for target, allowed in zip(TARGETS, REVIEW_MATRIX[role][action], strict=True)
]


async def review_attempt(
    uow: UnitOfWork, actor: Actor, action: str, ids: dict[str, int], cell_name: str, clock: FakeClock
) -> bool:
    """Try the action on the target; True if it went through, False if refused with a user error."""
    now, today = clock.now(), date(2026, 11, 23)
    try:
        if action == "approve":
            await approve_registration(uow, actor, ids["registration"], now)
        elif action == "return":
            await return_registration(uow, actor, ids["registration"], "Cần ghi cụ thể hơn", now)
        elif action == "progress_cell_item":
            await log_progress(uow, actor, ids["cell_item"], 50, None, now)
        elif action == "confirm_study":
            await confirm_attendance(uow, actor, ids["session"], now)
        elif action == "assess":
            await save_assessment(uow, actor, ids["registration"], "done", None, None, today, now)
        elif action == "distribution":
            _, lines = await distribution(uow, actor, 2026)
            return cell_name in [line.cell_name for line in lines]
        else:
            assert action == "record_study"
            await record_session(uow, actor, today, "Học tập chuyên đề", [ids["member"]], today, now)
    except (Forbidden, NotFound, InvalidInput):
        return False
    return True


@pytest.mark.parametrize(("role", "target", "action", "allowed"), REVIEW_CASES)
async def test_review_assessment_and_study_actions(
    roster_db: Database, clock: FakeClock, role: str, target: str, action: str, allowed: bool
) -> None:
    cell_name, code = TARGETS[target]
    await set_cycle(roster_db, clock, 2026, date(2026, 11, 1))
    ids = {
        "registration": await add_commitment(roster_db, clock, code, f"Nội dung của {code}"),
        "cell_item": await add_cell_item(roster_db, clock, TARGET_LEADERS[target], f"Việc chung của {cell_name}"),
        "session": await add_session(roster_db, clock, TARGET_LEADERS[target], date(2026, 11, 20), []),
    }
    async with roster_db.uow() as uow:
        found = await uow.members.by_code(code)
        assert found is not None
        ids["member"] = found.id
    before = await review_tables(roster_db)
    async with roster_db.uow() as uow:
        done = await review_attempt(uow, await actor_of(uow, ACTORS[role]), action, ids, cell_name, clock)
        await uow.commit()
    assert done is allowed
    if not allowed:
        assert await review_tables(roster_db) == before  # a refusal writes nothing


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("role", list(ACTORS))
async def test_a_forged_registration_id_in_duyet(
    router: Router, roster_db: Database, clock: FakeClock, role: str, target: str
) -> None:
    """/duyet offers only what the actor may review; a forged button never reaches another registration."""
    registration = await add_commitment(roster_db, clock, TARGETS[target][1], "Nội dung chờ duyệt")
    chat = await linked_chat(router, roster_db, clock, role)
    before = await review_tables(roster_db)
    await chat.say("/duyet")
    if role == "member":
        assert chat.all_texts == [rv.REVIEW_FORBIDDEN, t.MENU_PROMPT]
        return
    may_review = REVIEW_MATRIX[role]["approve"][list(TARGETS).index(target)]
    assert (str(registration) in [c.payload.split("|", 1)[1] for c in chat.question.choices]) is may_review
    if not may_review:
        await chat.press_payload(f"{chat.nonce}|{registration}")
        assert chat.all_texts[0] == t.INVALID_CHOICE
    assert await review_tables(roster_db) == before


# --- reminders: who sets a meeting day, who pauses whose reminders (issue 4) ---------------------------------
# Who sets their cell's meeting day (committee staff see the days of their subtree but do not set them).
SCHEDULE_MATRIX = {"member": False, "secretary": True, "committee": False}
# Who pauses the reminders of a target member.   own cell  same committee  other subtree
PAUSE_MATRIX = {
    "member": {"own cell": False, "same committee": False, "other subtree": False},
    "secretary": {"own cell": True, "same committee": False, "other subtree": False},
    "committee": {"own cell": False, "same committee": False, "other subtree": False},
}


@pytest.mark.parametrize("role", list(ACTORS))
async def test_meeting_day_setting(roster_db: Database, clock: FakeClock, role: str) -> None:
    from handlers.catalog import reminders as rc
    from handlers.services.schedules import MONTHDAY, Rule, set_schedule

    async with roster_db.uow() as uow:
        actor = await actor_of(uow, ACTORS[role])
        if SCHEDULE_MATRIX[role]:
            cell, schedule = await set_schedule(uow, actor, Rule(MONTHDAY, day=4), clock.now())
            assert cell.name == "Chi bộ thôn Đồng Tâm" and schedule.unit_id == cell.id
        else:
            with pytest.raises(Forbidden) as refused:
                await set_schedule(uow, actor, Rule(MONTHDAY, day=4), clock.now())
            assert refused.value.message == rc.MEETING_FORBIDDEN
        await uow.commit()
    async with roster_db.uow() as uow:
        assert len(await uow.reminders.active_schedules()) == int(SCHEDULE_MATRIX[role])


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("role", list(ACTORS))
async def test_pausing_a_members_reminders(roster_db: Database, clock: FakeClock, role: str, target: str) -> None:
    from handlers.services.preferences import pause_member

    allowed = PAUSE_MATRIX[role][target]
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, ACTORS[role])
        target_member = await uow.members.by_code(TARGETS[target][1])
        assert target_member is not None
        if allowed:
            await pause_member(uow, actor, target_member.id, "10/12/2026", date(2026, 11, 23), clock.now())
        else:
            with pytest.raises(Forbidden):
                await pause_member(uow, actor, target_member.id, "10/12/2026", date(2026, 11, 23), clock.now())
        await uow.commit()
    async with roster_db.uow() as uow:
        after = await uow.members.by_code(TARGETS[target][1])
        assert after is not None and (after.paused_until is not None) is allowed


# --- announcements (/thongbao) --------------------------------------------------------------------------------
# Who may announce to a cell: the same scope as summaries (a leader's own cell, a committee's subtree).
ANNOUNCE_CASES = [
    pytest.param(role, target, allowed, id=f"{role}-{target}-{'announces' if allowed else 'refused'}")
    for role in ACTORS
    for target, allowed in SUMMARY_MATRIX[role].items()
]


@pytest.mark.parametrize(("role", "target", "allowed"), ANNOUNCE_CASES)
async def test_announcement_scope(roster_db: Database, clock: FakeClock, role: str, target: str, allowed: bool) -> None:
    from zoneinfo import ZoneInfo

    from handlers.services.announcements import checked_unit, send_announcement

    async with roster_db.uow() as uow:
        actor = await actor_of(uow, ACTORS[role])
        [cell] = await uow.units.find_by_name(TARGETS[target][0])
        if allowed:
            assert (await checked_unit(uow, actor, cell.id)).id == cell.id
            hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
            _, queued = await send_announcement(uow, actor, cell.id, "Thông báo", clock.now(), hanoi)
            assert queued == 0  # nobody in the example roster has linked an account yet
        else:
            with pytest.raises(Forbidden):
                await checked_unit(uow, actor, cell.id)
            with pytest.raises(Forbidden):
                await send_announcement(uow, actor, cell.id, "Thông báo", clock.now(), ZoneInfo("Asia/Ho_Chi_Minh"))
