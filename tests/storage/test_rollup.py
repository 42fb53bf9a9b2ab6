"""Every figure of the roll-up against the hand count in tests/report_world.py (current and past period)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest

from handlers.catalog import core as t
from handlers.services.errors import Forbidden
from handlers.services.periods import make_period, month_of, parse_cli, quarter_of
from handlers.services.rollup import not_registered, not_updated, rollup, rollup_of, unit_row
from storage.repo_reports import Figures, ReportsRepository
from tests.report_world import DT, MN, NOVEMBER, OCTOBER, TH, THANH_SON, TL, World, total
from tests.review_support import actor_of
from tests.support import TZ, Database, FakeClock


@pytest.fixture(params=["lookup", "scan"])
def shape(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both shapes of the counting queries must give the same figures: `scan` is forced from one cell on."""
    if request.param == "scan":
        monkeypatch.setattr(ReportsRepository, "SCAN_FROM_CELLS", 1)
    return str(request.param)


def as_dict(found: Figures) -> dict[str, int]:
    return asdict(found)


async def test_november_lines_and_totals(world_db: Database, clock: FakeClock, shape: str) -> None:
    db = world_db
    async with db.uow() as uow:
        summary = await rollup(uow, await actor_of(uow, "DV025"), month_of(date(2026, 11, 23), TZ), clock.now(), TZ)
    assert summary.unit_name == THANH_SON
    assert {line.name: as_dict(line.figures) for line in summary.lines} == {
        name: as_dict(f) for name, f in NOVEMBER.items()
    }
    expected = total(NOVEMBER)
    assert as_dict(summary.totals) == as_dict(expected)
    assert (expected.members, expected.registered, expected.updated, expected.completed) == (14, 8, 4, 4)
    assert summary.window.last_day == date(2026, 11, 23)


async def test_october_reports_the_tree_and_cells_as_they_were(
    world_db: Database, clock: FakeClock, shape: str
) -> None:
    db = world_db
    async with db.uow() as uow:
        period = parse_cli("2026-10", TZ)
        summary = await rollup(uow, await actor_of(uow, "DV025"), period, clock.now(), TZ)
    assert {line.name for line in summary.lines} == {DT, TL, TH, MN}  # the merged cell is back
    assert {line.name: as_dict(line.figures) for line in summary.lines} == {
        name: as_dict(f) for name, f in OCTOBER.items()
    }
    assert as_dict(summary.totals)["members"] == 13
    assert summary.window.last_day == date(2026, 10, 31)


async def test_quarter_and_year_count_from_their_first_day(
    world_db: Database, clock: FakeClock, shape: str
) -> None:
    """Q4 starts on 01/10: updated now also counts October's entries (DV011, DV014, DV002)."""
    db = world_db
    async with db.uow() as uow:
        actor = await actor_of(uow, "DV025")
        quarter = await rollup(uow, actor, quarter_of(date(2026, 11, 23), TZ), clock.now(), TZ)
        year = await rollup(uow, actor, parse_cli("2026", TZ), clock.now(), TZ)
    by_name = {line.name: line.figures for line in quarter.lines}
    assert (by_name[DT].updated, by_name[TL].updated, by_name[TH].updated) == (4, 2, 1)
    assert {line.name: line.figures.registered for line in year.lines} == {DT: 4, TL: 2, TH: 2}
    assert year.totals.updated == 7  # every registered member but DV012 (never updated)


async def test_secretary_gets_their_cell_with_names(world_db: Database, world: World, clock: FakeClock) -> None:
    db = world_db
    async with db.uow() as uow:
        summary = await rollup(uow, await actor_of(uow, "DV002"), month_of(date(2026, 11, 23), TZ), clock.now(), TZ)
        detail = await uow.reports.cell_members(summary.unit_id, summary.window)
    assert summary.is_cell and summary.lines == []
    assert as_dict(summary.totals) == as_dict(NOVEMBER[DT])
    assert sorted(m.code for m in not_registered(detail)) == ["DV004", "DV005"]
    assert sorted(m.code for m in not_updated(detail, summary.window)) == ["DV002", "DV011"]
    anonymous = [m for m in detail if m.member_id == world.ids["DV006"]]
    assert anonymous[0].anonymised and anonymous[0].commitments[0].percent == 30
    assert world.ids["DV003"] in {m.member_id for m in detail}  # listed, but out of scope
    assert not next(m for m in detail if m.code == "DV003").in_scope


async def test_a_past_cell_detail_shows_percent_and_members_of_then(
    world_db: Database, world: World, clock: FakeClock
) -> None:
    db = world_db
    async with db.uow() as uow:
        actor = await actor_of(uow, "DV025")
        summary = await rollup(uow, actor, parse_cli("2026-10", TZ), clock.now(), TZ, world.units[TL])
        detail = await uow.reports.cell_members(world.units[TL], summary.window)
    assert "DV011" in {m.code for m in detail}  # moved out on 15/11: still here in October
    dv009 = next(m for m in detail if m.code == "DV009")
    assert [c.percent for c in dv009.commitments] == [40]  # 100% came on 05/11
    assert dv009.commitments[0].last_update is not None
    assert dv009.commitments[0].last_update.astimezone(TZ).date() == date(2026, 10, 20)
    assert as_dict(summary.totals) == as_dict(OCTOBER[TL])


async def test_a_range_and_drill_down_are_authorised(world_db: Database, world: World, clock: FakeClock) -> None:
    db = world_db
    period = make_period("range", date(2026, 11, 1), date(2026, 11, 30), TZ)
    async with db.uow() as uow:
        committee = await actor_of(uow, "DV025")
        drilled = await rollup(uow, committee, period, clock.now(), TZ, world.units[TL])
        assert as_dict(drilled.totals) == as_dict(NOVEMBER[TL])
        secretary = await actor_of(uow, "DV002")
        for forged in (world.units[TL], world.units[THANH_SON], 999_999):
            with pytest.raises(Forbidden) as refused:
                await rollup(uow, secretary, period, clock.now(), TZ, forged)
            assert refused.value.message == t.SUMMARY_FORBIDDEN
        [hong_phong] = await uow.units.find_by_name("Đảng bộ phường Hồng Phong")
        with pytest.raises(Forbidden):
            await rollup(uow, committee, period, clock.now(), TZ, hong_phong.id)
        with pytest.raises(Forbidden):
            await rollup(uow, await actor_of(uow, "DV001"), period, clock.now(), TZ)


async def test_province_rolls_up_committees(world_db: Database, clock: FakeClock, shape: str) -> None:
    """The province's lines are its committees; Thanh Sơn's line is the sum of its cells."""
    db = world_db
    async with db.uow() as uow:
        [province] = await uow.units.find_by_name("Đảng bộ tỉnh Hòa Bình Xanh")
        summary = await rollup_of(uow, unit_row(province), month_of(date(2026, 11, 23), TZ), clock.now(), TZ)
    lines = {line.name: line.figures for line in summary.lines}
    assert set(lines) == {THANH_SON, "Đảng bộ phường Hồng Phong"}
    assert as_dict(lines[THANH_SON]) | {"cells": 0} == as_dict(total(NOVEMBER)) | {"cells": 0}
    assert lines[THANH_SON].cells == 3
    assert lines["Đảng bộ phường Hồng Phong"].members == 9
