"""Collective commitments (tập thể) and models (mô hình): registered by a cell's leaders with /dangky, approved at
once, followed with /capnhat and /camket by the cell's secretary and deputy only."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.router import Router
from handlers.services.collective import register_for_cell
from handlers.services.commitments import Draft, list_commitments, log_progress
from handlers.services.errors import Forbidden, NotFound
from storage.enums import CommitmentKind
from tests.chat import MEASURES, add_commitment, everything, member_id, skip_exemplar
from tests.review_support import TODAY, actor_of, add_cell_item, commitment_row, linked
from tests.support import Database, FakeClock

DEED = "Chi bộ nhận đỡ đầu 2 hộ nghèo trong thôn"
MODEL = "Thu gom phế liệu gây quỹ giúp hộ khó khăn"


async def test_members_are_not_asked_for_whom(router: Router, roster_db: Database, clock: FakeClock) -> None:
    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/dangky")
    assert an.all_texts == [t.ASK_CONTENT]
    assert rv.KIND_COLLECTIVE not in an.all_choices


async def test_a_secretary_registers_a_collective_commitment(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await ngoc.say("/dangky")
    assert ngoc.all_texts == [rv.ASK_KIND]
    assert ngoc.choices == [rv.KIND_SELF, rv.KIND_COLLECTIVE, rv.KIND_MODEL, t.CANCEL]
    await ngoc.say(DEED)  # typed text is no answer to this question
    assert ngoc.all_texts == [t.INVALID_CHOICE, rv.ASK_KIND]
    await ngoc.press_payload(f"{ngoc.nonce}|committee")  # a forged kind
    assert ngoc.all_texts == [t.INVALID_CHOICE, rv.ASK_KIND]
    await ngoc.press(rv.KIND_COLLECTIVE)
    assert ngoc.all_texts == [rv.ASK_COLLECTIVE_CONTENT]
    await ngoc.say(DEED)
    await ngoc.say(MEASURES)
    await ngoc.say("31/12/2026")
    assert ngoc.all_texts == [cm.ASK_EXEMPLAR_COLLECTIVE.format(cell="Chi bộ thôn Đồng Tâm", year=2026)]
    await skip_exemplar(ngoc)
    assert ngoc.all_texts[0].startswith(rv.CONFIRM_KIND["collective"].format(cell="Chi bộ thôn Đồng Tâm"))
    await ngoc.press(t.CONFIRM)
    expected = rv.REGISTERED_COLLECTIVE.format(cell="Chi bộ thôn Đồng Tâm", number=1, year=2026)
    assert ngoc.all_texts == [expected, t.MENU_PROMPT]
    async with roster_db.uow() as uow:
        ngoc_actor = await actor_of(uow, "DV002")
        [item] = await uow.review.cell_items(ngoc_actor.scope_unit_id or 0)
        assert (item.kind, item.unit_id, item.member_id) == (
            "collective",
            ngoc_actor.scope_unit_id,
            ngoc_actor.member_id,
        )
        assert (item.review_state, item.reviewed_by_member_id, item.content) == ("approved", ngoc_actor.member_id, DEED)


async def test_a_model_with_its_name_and_the_secretarys_own_count(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await ngoc.say("/dangky")
    await ngoc.say("3")  # the third choice by number
    assert ngoc.all_texts == [rv.ASK_MODEL_NAME]
    await ngoc.say("x" * 301)
    assert ngoc.all_texts == [t.TEXT_TOO_LONG.format(length=301, maximum=300), rv.ASK_MODEL_NAME]
    await ngoc.say(MODEL)
    await ngoc.say(MEASURES)
    await ngoc.say("31/12/2026")
    await ngoc.press(cm.REPLICATION_NONE)  # no other cell has a model to follow yet
    await skip_exemplar(ngoc)
    await ngoc.press(t.CONFIRM)
    assert ngoc.all_texts[0] == rv.REGISTERED_MODEL.format(name=MODEL, cell="Chi bộ thôn Đồng Tâm", number=1, year=2026)
    await ngoc.say("/dangky")
    await ngoc.press(rv.KIND_SELF)
    assert ngoc.all_texts == [t.ASK_CONTENT]
    await ngoc.say("Gương mẫu đi đầu trong sinh hoạt chi bộ")
    await ngoc.say(MEASURES)
    await ngoc.say("31/12/2026")
    await skip_exemplar(ngoc)  # her own first registration of the year: asked about herself
    await ngoc.press(t.CONFIRM)
    assert ngoc.all_texts[0] == t.REGISTERED.format(number=1, year=2026)  # the model is not counted as hers
    await ngoc.say("/camket")
    listing = ngoc.all_texts[0]
    assert "1. Gương mẫu đi đầu trong sinh hoạt chi bộ" in listing
    assert f"2. {rv.KIND_PREFIX['model']}{MODEL}" in listing
    pending = rv.PLEDGE_REVIEW_SUFFIX.format(state=rv.REVIEW_STATE_LABELS["pending"])
    assert listing.count(pending) == 1  # only her own registration waits for approval


async def test_the_cell_leaders_follow_its_items_others_cannot(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    item = await add_cell_item(roster_db, clock, "DV002", DEED)
    model = await add_cell_item(roster_db, clock, "DV002", MODEL, CommitmentKind.MODEL)
    await add_commitment(roster_db, clock, "DV003", "Sửa đường bê tông vào xóm Đồng")
    cuong = await linked(router, roster_db, clock, "DV003", "333")  # the deputy
    await cuong.say("/capnhat")
    assert cuong.choices[:3] == [
        "Sửa đường bê tông vào xóm Đồng",
        f"{rv.KIND_PREFIX['collective']}{DEED}",
        f"{rv.KIND_PREFIX['model']}{MODEL}",
    ]
    await cuong.press_payload(f"{cuong.nonce}|{model}")
    await cuong.say("40")
    await cuong.say("Đã thu gom được 200 kg giấy vụn")
    assert cuong.all_texts[0].startswith("Đã ghi nhận tiến độ 40%")
    row = await commitment_row(roster_db, model)
    assert (row["percent"], row["member_id"]) == (40, await member_id(roster_db, "DV002"))

    an = await linked(router, roster_db, clock, "DV001", "111")
    await an.say("/capnhat")
    assert an.all_texts == [t.NO_COMMITMENTS, t.MENU_PROMPT]
    before = await everything(roster_db)
    async with roster_db.uow() as uow:
        for code in ("DV001", "DV007", "DV025"):  # a member, another cell's secretary, committee staff
            actor = await actor_of(uow, code)
            assert item not in [c.id for c in await list_commitments(uow, actor)]
            with pytest.raises(NotFound):
                await log_progress(uow, actor, item, 100, None, clock.now())
        await uow.commit()
    assert await everything(roster_db) == before


@pytest.mark.parametrize("code", ["DV001", "DV025"])
async def test_only_a_cells_leaders_register_for_it(roster_db: Database, clock: FakeClock, code: str) -> None:
    before = await everything(roster_db)
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, code)
        with pytest.raises(Forbidden) as refused:
            draft = Draft(DEED, MEASURES, date(2026, 12, 31))
            await register_for_cell(uow, actor, CommitmentKind.COLLECTIVE, draft, TODAY, clock.now())
        assert refused.value.message == rv.COLLECTIVE_FORBIDDEN
        await uow.commit()
    assert await everything(roster_db) == before


async def test_a_secretary_moved_out_loses_the_old_cells_items(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    item = await add_cell_item(roster_db, clock, "DV002", DEED)
    async with roster_db.uow() as uow:
        ngoc = await uow.members.by_code("DV002")
        [tan_lap] = await uow.units.find_by_name("Chi bộ thôn Tân Lập")
        assert ngoc is not None
        ngoc.cell_id = ngoc.scope_unit_id = tan_lap.id
        await uow.commit()
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, "DV002")
        with pytest.raises(NotFound):
            await log_progress(uow, actor, item, 50, None, clock.now())
