"""Exemplars, commendations, replicated models and activities in the roll-up, counted by hand, through a merge of
two cells (handlers/services/org_changes.merge_unit), on SQLite and PostgreSQL.

Đảng bộ xã Thanh Sơn: Đồng Tâm (DT: DV001-DV006, secretary DV002), Tân Lập (TL: DV007-DV011, secretary DV007),
Trường Tiểu học (TH: DV012-DV015, secretary DV012). Everything of 2026, at 09:00 on the day said:
  01/10  exemplars: DV001 (DT), DV009 (TL), DV013 (TH) for themselves; DT and TL for the cell
  02/10  models: DT's pilot; TL's follows DT's; TH's follows one outside the bot (typed)
  05/10  activities: DT seminar of 04/10 (25 people); TL contest of 03/10 (40) and writing contest of 04/10 (60)
  10/10  proposals: DV004 (by DV002), DV010 (by DV007), TL itself (by DV007), TH itself (by DV012)
  15/10  staff DV025: DV004 biểu dương; TL proposed upward; TH returned
  05/11  TL merged into DT: its members (with their items) and its models go to DT; DV007 now leads DT
  10/11  DV007 proposes DV009 (now in DT); DT contest of 08/11 (30 people)
  12/11  DV025: DV010 khen thưởng
                     exemplar   proposed  commended  upward  models repl. activities people cells held
October (31/10)      ind coll   ind coll  ind coll   ind coll
  DT                  1   1      1   0     1   0      0   0    2*     1*      1        25     1
  TL                  1   1      1   1     0   0      0   1    0*     0*      2       100     1
  TH                  1   0      0   1     0   0      0   0    1      1       0         0     0
November (23/11)
  DT (with TL)        2   2      3   1     2   0      0   1    2      1       4       155     1
  TH                  1   0      0   1     0   0      0   0    1      1       0         0     0
* A model belongs to its cell, and a merged cell's models move to the cell it joined (org_changes): models and
  their replications count there in every period, as the roll-up's models always have. Members and what a cell did
  itself (exemplar, proposals, activities) count where they were at the period's end.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from handlers.catalog import commend as cm
from handlers.flows.honours_text import honour_lines
from handlers.services.org_changes import merge_unit
from handlers.services.periods import month_of, parse_cli
from handlers.services.rollup import Rollup, rollup_of, unit_row
from storage.enums import CommitmentKind
from storage.repo_honours import Honours
from tests.honours_support import (
    add_activity,
    add_exemplar,
    add_replication,
    decide,
    propose,
)
from tests.report_world import local
from tests.review_support import add_cell_item
from tests.support import TZ, Database, FakeClock, load_example_roster

DT, TL, TH = "Chi bộ thôn Đồng Tâm", "Chi bộ thôn Tân Lập", "Chi bộ Trường Tiểu học Thanh Sơn"
THANH_SON, PROVINCE = "Đảng bộ xã Thanh Sơn", "Đảng bộ tỉnh Hòa Bình Xanh"
FIELDS = (
    "exemplar_individual",
    "exemplar_collective",
    "proposed_individual",
    "proposed_collective",
    "commended_individual",
    "commended_collective",
    "upward_individual",
    "upward_collective",
    "replications",
    "activities",
    "participants",
    "cells_active",
)


def honours(*values: int) -> dict[str, int]:
    return dict(zip(FIELDS, values, strict=True))


OCTOBER = {
    DT: (honours(1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 25, 1), 2),
    TL: (honours(1, 1, 1, 1, 0, 0, 0, 1, 0, 2, 100, 1), 0),
    TH: (honours(1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0), 1),
}
NOVEMBER = {
    DT: (honours(2, 2, 3, 1, 2, 0, 0, 1, 1, 4, 155, 1), 2),
    TH: (honours(1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0), 1),
}


async def build(db: Database, clock: FakeClock) -> None:
    clock.current = local(1, 10)
    await load_example_roster(db, clock)
    for code in ("DV001", "DV009", "DV013"):
        await add_exemplar(db, clock, code)
    for leader in ("DV002", "DV007"):
        await add_exemplar(db, clock, leader, collective=True)
    clock.current = local(2, 10)
    pilot = await add_cell_item(db, clock, "DV002", "Thu gom phế liệu gây quỹ giúp hộ khó khăn", CommitmentKind.MODEL)
    follower = await add_cell_item(db, clock, "DV007", "Thu gom phế liệu giúp hộ nghèo", CommitmentKind.MODEL)
    await add_replication(db, clock, follower, pilot, None)
    typed = await add_cell_item(db, clock, "DV012", "Dân vận khéo trong trường học", CommitmentKind.MODEL)
    await add_replication(db, clock, typed, None, "Dân vận khéo của xã Tân Hòa")
    clock.current = local(5, 10)
    await add_activity(db, clock, "DV002", date(2026, 10, 4), 25, "seminar")
    await add_activity(db, clock, "DV007", date(2026, 10, 3), 40, "contest")
    await add_activity(db, clock, "DV007", date(2026, 10, 4), 60, "writing")
    clock.current = local(10, 10)
    dv004 = await propose(db, clock, "DV002", "DV004")
    dv010 = await propose(db, clock, "DV007", "DV010")
    tan_lap = await propose(db, clock, "DV007", None)
    truong = await propose(db, clock, "DV012", None)
    clock.current = local(15, 10)
    await decide(db, clock, "DV025", dv004, "praise")
    await decide(db, clock, "DV025", tan_lap, "forward")
    await decide(db, clock, "DV025", truong, "return")
    clock.current = local(5, 11)
    async with db.uow() as uow:
        await merge_unit(uow, TL, DT, clock.now(), dry_run=False)
        await uow.commit()
    clock.current = local(10, 11)
    await propose(db, clock, "DV007", "DV009")  # DV007 now leads Đồng Tâm, DV009 is a member of it
    await add_activity(db, clock, "DV007", date(2026, 11, 8), 30, "contest")
    clock.current = local(12, 11)
    await decide(db, clock, "DV025", dv010, "reward")
    clock.current = local(23, 11, hour=10)


async def rollup_at(db: Database, clock: FakeClock, name: str, period_text: str | None = None) -> Rollup:
    period = parse_cli(period_text, TZ) if period_text else month_of(date(2026, 11, 23), TZ)
    async with db.uow() as uow:
        [unit] = [u for u in await uow.units.find_by_name(name) if u.active or name == TL]
        return await rollup_of(uow, unit_row(unit), period, clock.now(), TZ)


def lines_of(summary: Rollup) -> dict[str, tuple[dict[str, int], int]]:
    return {line.name: (asdict(line.honours), line.figures.models) for line in summary.lines}


def summed(expected: dict[str, tuple[dict[str, int], int]]) -> dict[str, int]:
    total = Honours()
    for values, _ in expected.values():
        total.add(Honours(**values))
    return asdict(total)


async def test_october_counts_the_cells_as_they_were(any_db: Database, clock: FakeClock) -> None:
    await build(any_db, clock)
    summary = await rollup_at(any_db, clock, THANH_SON, "2026-10")
    assert lines_of(summary) == OCTOBER
    assert asdict(summary.honours) == summed(OCTOBER)
    assert (summary.honours.activities, summary.honours.participants, summary.totals.cells) == (3, 125, 3)
    assert summary.totals.models == 3
    held = cm.ROLLUP_ACTIVITIES_CELLS.format(cells_active=2, cells=3, activities=3, participants="125")
    assert held in honour_lines(summary)


async def test_november_after_the_merge(any_db: Database, clock: FakeClock) -> None:
    await build(any_db, clock)
    summary = await rollup_at(any_db, clock, THANH_SON)
    assert lines_of(summary) == NOVEMBER
    total = summary.honours
    assert asdict(total) == summed(NOVEMBER)
    assert (total.exemplar_individual, total.exemplar_collective) == (3, 2)
    assert (total.proposed_individual, total.proposed_collective) == (3, 2)
    assert (total.commended_individual, total.commended_collective) == (2, 0)
    assert (total.upward_individual, total.upward_collective) == (0, 1)
    assert (total.replications, summary.totals.models) == (2, 3)
    lines = honour_lines(summary)
    assert cm.ROLLUP_ACTIVITIES_CELLS.format(cells_active=1, cells=2, activities=4, participants="155") in lines
    assert cm.ROLLUP_REPLICATIONS.format(replications=2, models=3) in lines
    pilots = lines[lines.index(cm.ROLLUP_PILOTS) + 1 :]
    assert pilots == [
        cm.ROLLUP_PILOT_TYPED.format(name="Dân vận khéo của xã Tân Hòa", cells=TH),
        cm.ROLLUP_PILOT.format(name="Thu gom phế liệu gây quỹ giúp hộ khó khăn", cell=DT, cells=DT),
    ]


async def test_the_province_counts_units_that_held_one(any_db: Database, clock: FakeClock) -> None:
    await build(any_db, clock)
    summary = await rollup_at(any_db, clock, PROVINCE, "2026")
    by_line = {line.name: line.honours for line in summary.lines}
    assert by_line[THANH_SON].activities == 4 and by_line["Đảng bộ phường Hồng Phong"].activities == 0
    held = cm.ROLLUP_ACTIVITIES_UNITS.format(
        units_held=1, units=2, cells_active=1, cells=4, activities=4, participants="155"
    )
    assert held in honour_lines(summary)  # "1/2 đơn vị trực thuộc": Thanh Sơn held some, Hồng Phong none


async def test_a_cell_roll_up_after_the_merge(any_db: Database, clock: FakeClock) -> None:
    await build(any_db, clock)
    summary = await rollup_at(any_db, clock, DT)
    assert summary.is_cell and asdict(summary.honours) == NOVEMBER[DT][0]
    assert cm.ROLLUP_ACTIVITIES_CELL.format(activities=4, participants="155") in honour_lines(summary)
