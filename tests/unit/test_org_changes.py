"""Organisation changes on the example roster (a real SQLite file): merge, move, dissolve, dry runs, the past tree.

The example tree:
    Đảng bộ tỉnh Hòa Bình Xanh
    ├── Đảng bộ xã Thanh Sơn (DV025 cấp ủy)
    │   ├── Chi bộ thôn Đồng Tâm (DV001-DV006; DV002 bí thư, DV003 phó)
    │   ├── Chi bộ thôn Tân Lập (DV007-DV011; DV007 bí thư, DV008 phó)
    │   └── Chi bộ Trường Tiểu học Thanh Sơn (DV012-DV015)
    └── Đảng bộ phường Hồng Phong
        ├── Chi bộ tổ dân phố Hồng Hà (DV016-DV020)
        └── Chi bộ tổ dân phố Bình Minh (DV021-DV024)
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handlers.catalog import org as o
from handlers.services.authz import load_actor, may_see_unit
from handlers.services.errors import InvalidInput, NotFound
from handlers.services.org_changes import (
    UnitAsOf,
    dissolve_unit,
    member_cells_as_of,
    merge_unit,
    move_unit,
    resolve_unit,
    tree_as_of,
)
from handlers.services.summary import CellSummary, CommitteeSummary, summarise
from storage.enums import CommitmentKind, UnitKind
from storage.models import Commitment, MeetingSchedule, Member, MemberMove, Unit, UnitEvent
from tests.chat import add_commitment
from tests.support import Database, FakeClock

PROVINCE = "Đảng bộ tỉnh Hòa Bình Xanh"
THANH_SON = "Đảng bộ xã Thanh Sơn"
HONG_PHONG = "Đảng bộ phường Hồng Phong"
DONG_TAM = "Chi bộ thôn Đồng Tâm"
TAN_LAP = "Chi bộ thôn Tân Lập"
HONG_HA = "Chi bộ tổ dân phố Hồng Hà"
BINH_MINH = "Chi bộ tổ dân phố Bình Minh"
TAN_LAP_MEMBERS = ["DV007", "DV008", "DV009", "DV010", "DV011"]


async def unit_id(db: Database, name: str) -> int:
    async with db.uow() as uow:
        [unit] = [u for u in await uow.units.find_by_name(name) if u.active] or await uow.units.find_by_name(name)
        return unit.id


async def tree(db: Database) -> dict[int, UnitAsOf]:
    async with db.sessions() as session:
        units = (await session.scalars(select(Unit))).all()
        return {u.id: UnitAsOf(u.parent_id, u.path, u.active) for u in units}


async def rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row a change could touch, as plain tuples: for 'nothing was written' checks."""
    async with db.sessions() as session:
        units = (await session.scalars(select(Unit).order_by(Unit.id))).all()
        members = (await session.scalars(select(Member).order_by(Member.id))).all()
        commitments = (await session.scalars(select(Commitment).order_by(Commitment.id))).all()
        moves = (await session.scalars(select(MemberMove))).all()
        events = (await session.scalars(select(UnitEvent))).all()
        return {
            "units": [(u.id, u.parent_id, u.path, u.active) for u in units],
            "members": [(m.id, m.cell_id, m.scope_unit_id, m.updated_at) for m in members],
            "commitments": [(c.id, c.member_id, c.unit_id) for c in commitments],
            "moves": [(m.member_id, m.from_unit_id, m.to_unit_id) for m in moves],
            "events": [(e.unit_id, e.action) for e in events],
        }


async def cells_of(db: Database, codes: list[str]) -> dict[str, int | None]:
    async with db.uow() as uow:
        found = await uow.members.by_codes(codes)
        return {code: found[code].cell_id for code in codes}


async def collective(db: Database, clock: FakeClock, cell: str, registrar: str) -> int:
    async with db.uow() as uow:
        member = await uow.members.by_code(registrar)
        [unit] = await uow.units.find_by_name(cell)
        assert member is not None
        row = Commitment(
            member_id=member.id,
            year=2026,
            content="Mô hình thu gom phế liệu gây quỹ giúp hộ khó khăn",
            measures="Mỗi tháng một buổi",
            deadline=date(2026, 12, 31),
            status="active",
            percent=40,
            kind=CommitmentKind.MODEL.value,
            unit_id=unit.id,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        await uow.commitments.add(row)
        await uow.commit()
        return row.id


# --- merge -----------------------------------------------------------------------------------------------------------
async def test_merge_moves_members_history_scopes_and_collective_commitments(
    roster_db: Database, clock: FakeClock
) -> None:
    own = await add_commitment(roster_db, clock, "DV009", "Sửa đường liên thôn cùng bà con", percent=60)
    model = await collective(roster_db, clock, TAN_LAP, "DV007")
    async with roster_db.uow() as uow:
        tan_lap_unit = await uow.units.get(await unit_id_in(uow, TAN_LAP))
        assert tan_lap_unit is not None
        uow.org.session.add(MeetingSchedule(unit_id=tan_lap_unit.id, rule="monthday", day=5, updated_at=clock.now()))
        await uow.commit()
    tan_lap, dong_tam = await unit_id(roster_db, TAN_LAP), await unit_id(roster_db, DONG_TAM)
    clock.advance(days=1)
    async with roster_db.uow() as uow:
        counts_before = (await uow.stats.cell_counts([dong_tam], 2026, clock.now() - timedelta(days=30)))[dong_tam]
        change = await merge_unit(uow, TAN_LAP, DONG_TAM, clock.now(), dry_run=False)
        await uow.commit()
    assert [code for code, _ in change.members] == TAN_LAP_MEMBERS
    assert [code for code, _, _ in change.scopes] == ["DV007", "DV008"]
    assert change.commitments == 1 and change.deactivated and change.schedule_off
    assert change.unit == f"{PROVINCE} / {THANH_SON} / {TAN_LAP}"
    assert set((await cells_of(roster_db, TAN_LAP_MEMBERS)).values()) == {dong_tam}
    async with roster_db.uow() as uow:
        moves = (await uow.org.session.scalars(select(MemberMove).order_by(MemberMove.id))).all()
        assert [(m.from_unit_id, m.to_unit_id, m.moved_at) for m in moves] == [(tan_lap, dong_tam, clock.now())] * 5
        for code in ("DV007", "DV008"):
            member = await uow.members.by_code(code)
            assert member is not None and member.scope_unit_id == dong_tam
        mine = await uow.commitments.get(own)
        assert mine is not None and mine.member_id == (await uow.members.by_code("DV009")).id  # type: ignore[union-attr]
        assert [p.percent for p in await uow.commitments.progress_of(own)] == [60]
        shared = await uow.commitments.get(model)
        assert shared is not None and shared.unit_id == dong_tam
        unit = await uow.units.get(tan_lap)
        assert unit is not None and unit.active is False
        [event] = (await uow.org.session.scalars(select(UnitEvent))).all()
        assert (event.unit_id, event.action, event.target_unit_id, event.members_moved) == (
            tan_lap,
            "merge",
            dong_tam,
            5,
        )
        assert event.at == clock.now() and event.old_path == unit.path
        schedule = await uow.org.schedule_of(tan_lap)
        assert schedule is not None and schedule.active is False
        # Counts after the change: Đồng Tâm now has its 6 members and Tân Lập's 5.
        after = (await uow.stats.cell_counts([dong_tam], 2026, clock.now() - timedelta(days=30)))[dong_tam]
        assert (counts_before.members, after.members) == (6, 11)
        unregistered = [m.code for m in await uow.stats.members_without_commitment(dong_tam, 2026)]
        assert "DV009" not in unregistered and "DV010" in unregistered  # DV009's commitment came along
        assert tan_lap not in [cell.id for cell in await uow.units.cells_in_subtree(unit)]
        # The secretary of the merged cell now summarises the merged cell.
        secretary = await uow.members.by_code("DV007")
        assert secretary is not None
        dong_tam_unit = await uow.units.get(dong_tam)
        assert dong_tam_unit is not None and may_see_unit(await load_actor(uow, secretary), dong_tam_unit)


async def unit_id_in(uow: Any, name: str) -> int:
    [unit] = await uow.units.find_by_name(name)
    return int(unit.id)


@pytest.mark.parametrize("action", ["merge", "dissolve"])
async def test_a_dry_run_plans_and_writes_nothing(roster_db: Database, clock: FakeClock, action: str) -> None:
    await collective(roster_db, clock, TAN_LAP, "DV007")
    before = await rows(roster_db)
    service = merge_unit if action == "merge" else dissolve_unit
    async with roster_db.uow() as uow:
        change = await service(uow, TAN_LAP, DONG_TAM, clock.now(), dry_run=True)
        await uow.commit()  # even a commit writes nothing
    assert change.dry_run and [code for code, _ in change.members] == TAN_LAP_MEMBERS
    assert change.commitments == 1 and [code for code, _, _ in change.scopes] == ["DV007", "DV008"]
    assert await rows(roster_db) == before


async def test_a_dry_run_move_lists_rewritten_paths_and_writes_nothing(roster_db: Database, clock: FakeClock) -> None:
    before = await rows(roster_db)
    thanh_son, hong_phong = await unit_id(roster_db, THANH_SON), await unit_id(roster_db, HONG_PHONG)
    hong_ha, binh_minh = await unit_id(roster_db, HONG_HA), await unit_id(roster_db, BINH_MINH)
    async with roster_db.uow() as uow:
        change = await move_unit(uow, HONG_PHONG, THANH_SON, clock.now(), dry_run=True)
        await uow.commit()
    assert await rows(roster_db) == before
    province = await unit_id(roster_db, PROVINCE)
    new = f"/{province}/{thanh_son}/{hong_phong}/"
    assert [(old, new_path) for _, old, new_path in change.paths] == [
        (f"/{province}/{hong_phong}/", new),
        (f"/{province}/{hong_phong}/{hong_ha}/", f"{new}{hong_ha}/"),
        (f"/{province}/{hong_phong}/{binh_minh}/", f"{new}{binh_minh}/"),
    ]
    assert change.members_with_unit == 9


async def test_merging_an_inactive_unit_is_refused(roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        await merge_unit(uow, TAN_LAP, DONG_TAM, clock.now(), dry_run=False)
        await uow.commit()
    before = await rows(roster_db)
    for source, target in ((TAN_LAP, DONG_TAM), (DONG_TAM, TAN_LAP)):
        async with roster_db.uow() as uow:
            with pytest.raises(InvalidInput) as refused:
                await merge_unit(uow, source, target, clock.now(), dry_run=False)
        assert refused.value.message == o.UNIT_INACTIVE.format(name=f"{PROVINCE} / {THANH_SON} / {TAN_LAP}")
    assert await rows(roster_db) == before


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (DONG_TAM, DONG_TAM, o.SAME_UNIT.format(name=f"{PROVINCE} / {THANH_SON} / {DONG_TAM}")),
        (
            DONG_TAM,
            THANH_SON,
            o.KIND_MISMATCH.format(
                unit=f"{PROVINCE} / {THANH_SON} / {DONG_TAM}",
                kind="chi bộ",
                target=f"{PROVINCE} / {THANH_SON}",
                target_kind="đảng bộ",
            ),
        ),
        (
            THANH_SON,
            DONG_TAM,
            o.TARGET_INSIDE.format(unit=f"{PROVINCE} / {THANH_SON}", target=f"{PROVINCE} / {THANH_SON} / {DONG_TAM}"),
        ),
        ("Chi bộ không có", DONG_TAM, o.UNIT_UNKNOWN.format(name="Chi bộ không có")),
    ],
)
async def test_impossible_merges_are_refused_and_write_nothing(
    roster_db: Database, clock: FakeClock, source: str, target: str, expected: str
) -> None:
    before = await rows(roster_db)
    async with roster_db.uow() as uow:
        with pytest.raises((InvalidInput, NotFound)) as refused:
            await merge_unit(uow, source, target, clock.now(), dry_run=False)
        await uow.commit()
    assert refused.value.message == expected
    assert await rows(roster_db) == before


# --- move ------------------------------------------------------------------------------------------------------------
async def test_move_rewrites_the_subtree_paths_and_widens_the_new_parents_scope(
    roster_db: Database, clock: FakeClock
) -> None:
    province, thanh_son = await unit_id(roster_db, PROVINCE), await unit_id(roster_db, THANH_SON)
    hong_phong, hong_ha = await unit_id(roster_db, HONG_PHONG), await unit_id(roster_db, HONG_HA)
    binh_minh, dong_tam = await unit_id(roster_db, BINH_MINH), await unit_id(roster_db, DONG_TAM)
    members_before = await cells_of(roster_db, ["DV016", "DV021"])
    async with roster_db.uow() as uow:
        change = await move_unit(uow, HONG_PHONG, THANH_SON, clock.now(), dry_run=False)
        await uow.commit()
    assert not change.members and change.members_with_unit == 9
    now = await tree(roster_db)
    base = f"/{province}/{thanh_son}/{hong_phong}/"
    assert now[hong_phong] == UnitAsOf(thanh_son, base, True)
    assert now[hong_ha] == UnitAsOf(hong_phong, f"{base}{hong_ha}/", True)
    assert now[binh_minh] == UnitAsOf(hong_phong, f"{base}{binh_minh}/", True)
    assert now[dong_tam] == UnitAsOf(thanh_son, f"/{province}/{thanh_son}/{dong_tam}/", True)  # untouched
    assert await cells_of(roster_db, ["DV016", "DV021"]) == members_before  # nobody changes cell
    async with roster_db.uow() as uow:
        [event] = (await uow.org.session.scalars(select(UnitEvent))).all()
        assert (event.action, event.old_parent_id, event.new_parent_id) == ("move", province, thanh_son)
        assert event.old_path == f"/{province}/{hong_phong}/"
        staff = await uow.members.by_code("DV025")
        assert staff is not None
        actor = await load_actor(uow, staff)
        unit = await uow.units.get(hong_ha)
        assert unit is not None and may_see_unit(actor, unit)  # Thanh Sơn's staff now see Hồng Hà
        thanh_son_unit = await uow.units.get(thanh_son)
        assert thanh_son_unit is not None
        cells = [cell.name for cell in await uow.units.cells_in_subtree(thanh_son_unit)]
        assert HONG_HA in cells and BINH_MINH in cells


async def test_a_unit_cannot_move_under_itself_or_its_descendant(roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        await move_unit(uow, HONG_PHONG, THANH_SON, clock.now(), dry_run=False)
        await uow.commit()
    before = await rows(roster_db)
    cases = [
        (
            THANH_SON,
            HONG_PHONG,
            o.TARGET_INSIDE.format(unit=f"{PROVINCE} / {THANH_SON}", target=f"{PROVINCE} / {THANH_SON} / {HONG_PHONG}"),
        ),
        (THANH_SON, THANH_SON, o.SAME_UNIT.format(name=f"{PROVINCE} / {THANH_SON}")),
        (
            PROVINCE,
            HONG_PHONG,
            o.TARGET_INSIDE.format(unit=PROVINCE, target=f"{PROVINCE} / {THANH_SON} / {HONG_PHONG}"),
        ),
        (DONG_TAM, TAN_LAP, o.PARENT_NOT_COMMITTEE.format(target=f"{PROVINCE} / {THANH_SON} / {TAN_LAP}")),
        (
            HONG_PHONG,
            THANH_SON,
            o.ALREADY_THERE.format(unit=f"{PROVINCE} / {THANH_SON} / {HONG_PHONG}", target=f"{PROVINCE} / {THANH_SON}"),
        ),
    ]
    for source, target, expected in cases:
        async with roster_db.uow() as uow:
            with pytest.raises(InvalidInput) as refused:
                await move_unit(uow, source, target, clock.now(), dry_run=False)
            await uow.commit()
        assert refused.value.message == expected
    assert await rows(roster_db) == before


async def test_a_move_onto_a_taken_name_is_refused(roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        [hong_phong] = await uow.units.find_by_name(HONG_PHONG)
        await uow.units.add(DONG_TAM, UnitKind.CELL, hong_phong, clock.now())
        await uow.commit()
    before = await rows(roster_db)
    async with roster_db.uow() as uow:
        with pytest.raises(InvalidInput) as refused:
            await move_unit(uow, f"{HONG_PHONG} / {DONG_TAM}", THANH_SON, clock.now(), dry_run=False)
    assert refused.value.message == o.NAME_TAKEN.format(target=f"{PROVINCE} / {THANH_SON}", name=DONG_TAM)
    assert await rows(roster_db) == before


# --- dissolve ---------------------------------------------------------------------------------------------------------
async def test_dissolving_a_committee_moves_its_units_under_the_target(roster_db: Database, clock: FakeClock) -> None:
    province, thanh_son = await unit_id(roster_db, PROVINCE), await unit_id(roster_db, THANH_SON)
    hong_phong, hong_ha = await unit_id(roster_db, HONG_PHONG), await unit_id(roster_db, HONG_HA)
    binh_minh = await unit_id(roster_db, BINH_MINH)
    async with roster_db.uow() as uow:
        await uow.units.add("Tổ đảng khu phố 3", UnitKind.CELL, await uow.units.get(hong_ha), clock.now())
        await uow.commit()
    clock.advance(days=1)
    async with roster_db.uow() as uow:
        change = await dissolve_unit(uow, HONG_PHONG, THANH_SON, clock.now(), dry_run=False)
        await uow.commit()
    assert change.units == [f"{PROVINCE} / {HONG_PHONG} / {BINH_MINH}", f"{PROVINCE} / {HONG_PHONG} / {HONG_HA}"]
    assert not change.members and change.deactivated
    now = await tree(roster_db)
    assert now[hong_phong] == UnitAsOf(province, f"/{province}/{hong_phong}/", False)
    assert now[hong_ha] == UnitAsOf(thanh_son, f"/{province}/{thanh_son}/{hong_ha}/", True)
    assert now[binh_minh] == UnitAsOf(thanh_son, f"/{province}/{thanh_son}/{binh_minh}/", True)
    [grandchild] = [state for state in now.values() if state.parent_id == hong_ha]
    assert grandchild.path.startswith(f"/{province}/{thanh_son}/{hong_ha}/")
    async with roster_db.uow() as uow:
        events = (await uow.org.session.scalars(select(UnitEvent).order_by(UnitEvent.id))).all()
        assert sorted((e.unit_id, e.action) for e in events) == sorted(
            [(hong_ha, "move"), (binh_minh, "move"), (hong_phong, "dissolve")]
        )
    assert await cells_of(roster_db, ["DV016"]) == {"DV016": hong_ha}


async def test_dissolving_a_cell_moves_its_members(roster_db: Database, clock: FakeClock) -> None:
    dong_tam, tan_lap = await unit_id(roster_db, DONG_TAM), await unit_id(roster_db, TAN_LAP)
    async with roster_db.uow() as uow:
        change = await dissolve_unit(uow, TAN_LAP, DONG_TAM, clock.now(), dry_run=False)
        await uow.commit()
    assert [code for code, _ in change.members] == TAN_LAP_MEMBERS
    assert set((await cells_of(roster_db, TAN_LAP_MEMBERS)).values()) == {dong_tam}
    assert (await tree(roster_db))[tan_lap].active is False


# --- naming units ----------------------------------------------------------------------------------------------------
async def test_ambiguous_names_list_the_candidates_with_their_parents(roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        [hong_phong] = await uow.units.find_by_name(HONG_PHONG)
        twin = await uow.units.add(DONG_TAM, UnitKind.CELL, hong_phong, clock.now())
        await uow.commit()
    original = await unit_id_of_parent(roster_db, DONG_TAM, THANH_SON)
    async with roster_db.uow() as uow:
        with pytest.raises(InvalidInput) as refused:
            await resolve_unit(uow, "chi bộ thôn đồng tâm")
        lines = "\n".join(
            [
                o.UNIT_CANDIDATE.format(id=original, label=f"{PROVINCE} / {THANH_SON} / {DONG_TAM}", inactive=""),
                o.UNIT_CANDIDATE.format(id=twin.id, label=f"{PROVINCE} / {HONG_PHONG} / {DONG_TAM}", inactive=""),
            ]
        )
        assert refused.value.message == o.UNIT_AMBIGUOUS.format(count=2, name="chi bộ thôn đồng tâm", lines=lines)
        assert (await resolve_unit(uow, f"{HONG_PHONG} / {DONG_TAM}")).id == twin.id
        assert (await resolve_unit(uow, f"{THANH_SON}/{DONG_TAM}")).id == original
        assert (await resolve_unit(uow, f"#{twin.id}")).id == twin.id
        assert (await resolve_unit(uow, str(original))).id == original
        with pytest.raises(NotFound):
            await resolve_unit(uow, f"{HONG_PHONG} / {TAN_LAP}")
        with pytest.raises(NotFound):
            await resolve_unit(uow, "999999")


async def unit_id_of_parent(db: Database, name: str, parent: str) -> int:
    async with db.uow() as uow:
        for unit in await uow.units.find_by_name(name):
            parent_unit = await uow.units.get(unit.parent_id or 0)
            if parent_unit and parent_unit.name == parent:
                return unit.id
    raise AssertionError(name)


# --- the past ---------------------------------------------------------------------------------------------------------
async def test_tree_as_of_gives_back_the_tree_of_each_moment(roster_db: Database, clock: FakeClock) -> None:
    original = await tree(roster_db)
    created = clock.now()
    clock.advance(days=10)
    async with roster_db.uow() as uow:
        await move_unit(uow, HONG_PHONG, THANH_SON, clock.now(), dry_run=False)
        await uow.commit()
    after_move = await tree(roster_db)
    moved_at = clock.now()
    clock.advance(days=10)
    async with roster_db.uow() as uow:
        await merge_unit(uow, BINH_MINH, HONG_HA, clock.now(), dry_run=False)
        await uow.commit()
    clock.advance(days=1)
    async with roster_db.uow() as uow:
        await dissolve_unit(uow, HONG_PHONG, THANH_SON, clock.now(), dry_run=False)
        [thanh_son] = await uow.units.find_by_name(THANH_SON)
        late = await uow.units.add("Chi bộ thôn Mới", UnitKind.CELL, thanh_son, clock.now())
        await uow.commit()
    current = await tree(roster_db)
    assert current != after_move != original
    async with roster_db.uow() as uow:
        assert await tree_as_of(uow, created) == original
        assert await tree_as_of(uow, moved_at - timedelta(seconds=1)) == original
        assert await tree_as_of(uow, moved_at) == after_move
        assert await tree_as_of(uow, moved_at + timedelta(days=5)) == after_move
        assert await tree_as_of(uow, clock.now()) == current
        assert late.id not in await tree_as_of(uow, moved_at)
        assert late.id in await tree_as_of(uow, clock.now())


async def test_member_cells_as_of_undoes_later_moves(roster_db: Database, clock: FakeClock) -> None:
    dong_tam, tan_lap = await unit_id(roster_db, DONG_TAM), await unit_id(roster_db, TAN_LAP)
    before = clock.now()
    clock.advance(days=3)
    async with roster_db.uow() as uow:
        await merge_unit(uow, TAN_LAP, DONG_TAM, clock.now(), dry_run=False)
        await uow.commit()
    async with roster_db.uow() as uow:
        ids = {code: m.id for code, m in (await uow.members.by_codes(["DV001", "DV009"])).items()}
        past = await member_cells_as_of(uow, before)
        present = await member_cells_as_of(uow, clock.now())
    assert (past[ids["DV001"]], past[ids["DV009"]]) == (dong_tam, tan_lap)
    assert (present[ids["DV001"]], present[ids["DV009"]]) == (dong_tam, dong_tam)


async def test_summaries_after_a_merge_count_the_merged_cell(roster_db: Database, clock: FakeClock) -> None:
    """The secretary of the merged cell and the committee above see one cell of 11 members, totals unchanged."""
    await add_commitment(roster_db, clock, "DV009", "Sửa đường liên thôn cùng bà con", percent=60)
    today = date(2026, 11, 23)
    async with roster_db.uow() as uow:
        staff = await load_actor(uow, await member_of(uow, "DV025"))
        before = await summarise(uow, staff, today, clock.now())
        await merge_unit(uow, TAN_LAP, DONG_TAM, clock.now(), dry_run=False)
        await uow.commit()
    async with roster_db.uow() as uow:
        for code in ("DV002", "DV007"):  # the secretary of the cell, and the one of the merged cell
            summary = await summarise(uow, await load_actor(uow, await member_of(uow, code)), today, clock.now())
            assert isinstance(summary, CellSummary) and summary.cell_name == DONG_TAM
            assert summary.counts.members == 11 and summary.counts.registered == 1
            assert "Đặng Văn Khánh" not in summary.not_registered
        staff = await load_actor(uow, await member_of(uow, "DV025"))
        after = await summarise(uow, staff, today, clock.now())
    assert isinstance(before, CommitteeSummary) and isinstance(after, CommitteeSummary)
    assert [line.cell_name for line in after.lines] == [
        line.cell_name for line in before.lines if line.cell_name != TAN_LAP
    ]
    assert after.totals == before.totals


async def member_of(uow: Any, code: str) -> Member:
    member = await uow.members.by_code(code)
    assert member is not None, code
    return member  # type: ignore[no-any-return]


# --- a roster file from before the change --------------------------------------------------------------------
async def test_re_importing_the_old_roster_after_a_merge_or_a_move_is_refused_row_by_row(
    roster_db: Database, clock: FakeClock
) -> None:
    """The import goes by names: an old file must not put members back in a merged cell nor re-create a moved
    committee under its old parent. Those rows are reported; the rest of the file imports as usual."""
    from handlers.catalog import roster as ro
    from handlers.services.roster import import_roster
    from handlers.services.roster_file import read_roster
    from tests.support import EXAMPLE_CSV

    async with roster_db.uow() as uow:
        await merge_unit(uow, TAN_LAP, DONG_TAM, clock.now(), dry_run=False)
        await move_unit(uow, HONG_PHONG, THANH_SON, clock.now(), dry_run=False)
        await uow.commit()
    before = await cells_of(roster_db, TAN_LAP_MEMBERS)
    units_before = await rows(roster_db)
    roster = read_roster(EXAMPLE_CSV)
    async with roster_db.uow() as uow:
        report = await import_roster(uow, roster.rows, clock.now())
        await uow.commit()
    reasons = [error.reason for error in report.errors]
    closed = ro.ROW_UNIT_CLOSED.split("»", 1)[1]
    moved = ro.ROW_UNIT_MOVED.split("»", 1)[1]
    assert sum(TAN_LAP in reason and closed in reason for reason in reasons) == len(TAN_LAP_MEMBERS)
    assert sum(HONG_PHONG in reason and moved in reason for reason in reasons) == 9
    assert not report.units_created
    assert len(report.errors) == len(TAN_LAP_MEMBERS) + 9  # Tân Lập's rows and Hồng Phong's nine
    assert await cells_of(roster_db, TAN_LAP_MEMBERS) == before  # nobody went back to the merged cell
    assert (await rows(roster_db))["units"] == units_before["units"]
