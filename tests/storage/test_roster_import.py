"""Importing a roster into the tree and the members: idempotent, moves keep history, dry runs, bad rows."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from handlers.services.roster import ImportReport, import_roster
from handlers.services.roster_file import RosterRow, read_roster
from storage.enums import CommitmentStatus, Role, UnitKind
from storage.models import Commitment, Member, MemberMove, ProgressEntry, Unit
from storage.uow import UnitOfWork
from tests.roster_files import write_big_roster
from tests.support import EXAMPLE_CSV, Database, FakeClock

PROVINCE = "Đảng bộ tỉnh Hòa Bình Xanh"
COMMUNE = "Đảng bộ xã Thanh Sơn"
WARD = "Đảng bộ phường Hồng Phong"
DONG_TAM = "Chi bộ thôn Đồng Tâm"
TAN_LAP = "Chi bộ thôn Tân Lập"
SCHOOL = "Chi bộ Trường Tiểu học Thanh Sơn"
HONG_HA = "Chi bộ tổ dân phố Hồng Hà"
BINH_MINH = "Chi bộ tổ dân phố Bình Minh"

# name -> (kind, parent name)
EXPECTED_TREE = {
    PROVINCE: (UnitKind.COMMITTEE, None),
    COMMUNE: (UnitKind.COMMITTEE, PROVINCE),
    WARD: (UnitKind.COMMITTEE, PROVINCE),
    DONG_TAM: (UnitKind.CELL, COMMUNE),
    TAN_LAP: (UnitKind.CELL, COMMUNE),
    SCHOOL: (UnitKind.CELL, COMMUNE),
    HONG_HA: (UnitKind.CELL, WARD),
    BINH_MINH: (UnitKind.CELL, WARD),
}
CELL_OF = {
    **{f"DV{i:03d}": DONG_TAM for i in range(1, 7)},
    **{f"DV{i:03d}": TAN_LAP for i in range(7, 12)},
    **{f"DV{i:03d}": SCHOOL for i in range(12, 16)},
    **{f"DV{i:03d}": HONG_HA for i in range(16, 21)},
    **{f"DV{i:03d}": BINH_MINH for i in range(21, 25)},
}
SECRETARIES = {"DV002", "DV007", "DV012", "DV016", "DV021"}
DEPUTIES = {"DV003", "DV008", "DV017"}


def example_rows() -> list[RosterRow]:
    roster = read_roster(EXAMPLE_CSV)
    assert not roster.errors
    assert len(roster.rows) == 25
    return roster.rows


def replace_row(rows: list[RosterRow], code: str, **changes: Any) -> list[RosterRow]:
    assert any(row.code == code for row in rows)
    return [dataclasses.replace(row, **changes) if row.code == code else row for row in rows]


async def run_import(db: Database, rows: list[RosterRow], clock: FakeClock, *, commit: bool = True) -> ImportReport:
    async with db.uow() as uow:
        report = await import_roster(uow, rows, clock.now())
        if commit:
            await uow.commit()
    return report


async def count(uow: UnitOfWork, model: type[Any]) -> int:
    return int(await uow.units.session.scalar(select(func.count()).select_from(model)) or 0)


async def counts(db: Database) -> dict[str, int]:
    async with db.uow() as uow:
        return {
            model.__tablename__: await count(uow, model)
            for model in (Unit, Member, MemberMove, Commitment, ProgressEntry)
        }


async def units_by_name(uow: UnitOfWork) -> dict[str, Unit]:
    units = await uow.units.all()
    by_name = {unit.name: unit for unit in units}
    assert len(by_name) == len(units), "unit names are unique in the example"
    return by_name


async def test_example_roster_builds_the_tree_and_the_members(any_db: Database, clock: FakeClock) -> None:
    report = await run_import(any_db, example_rows(), clock)
    assert (report.created, report.updated, report.moved, report.unchanged, report.errors) == (25, 0, 0, 0, [])
    assert sorted(report.units_created) == sorted(
        [
            PROVINCE,
            f"{PROVINCE} / {COMMUNE}",
            f"{PROVINCE} / {WARD}",
            *(f"{PROVINCE} / {COMMUNE} / {cell}" for cell in (DONG_TAM, TAN_LAP, SCHOOL)),
            *(f"{PROVINCE} / {WARD} / {cell}" for cell in (HONG_HA, BINH_MINH)),
        ]
    )

    async with any_db.uow() as uow:
        units = await units_by_name(uow)
        assert set(units) == set(EXPECTED_TREE)
        for name, (kind, parent) in EXPECTED_TREE.items():
            unit = units[name]
            assert unit.kind == kind.value, name
            assert unit.parent_id == (units[parent].id if parent else None), name
            assert unit.path == (units[parent].path if parent else "/") + f"{unit.id}/", name
            assert unit.active and unit.created_at == clock.now()

        members = await uow.members.by_codes([f"DV{i:03d}" for i in range(1, 26)])
        assert len(members) == 25 and await count(uow, Member) == 25
        for code, m in members.items():
            if code == "DV025":
                assert (m.role, m.cell_id, m.scope_unit_id) == (Role.COMMITTEE.value, None, units[COMMUNE].id)
                continue
            cell = units[CELL_OF[code]]
            assert m.cell_id == cell.id, code
            if code in SECRETARIES:
                assert (m.role, m.scope_unit_id) == (Role.SECRETARY.value, cell.id), code
            elif code in DEPUTIES:
                assert (m.role, m.scope_unit_id) == (Role.DEPUTY.value, cell.id), code
            else:
                assert (m.role, m.scope_unit_id) == (Role.MEMBER.value, None), code
            assert m.active and not m.exempt and m.consent_at is None

        first = members["DV001"]
        assert (first.full_name, first.position, first.phone) == ("Nguyễn Văn An", "Cán bộ hưu trí", "0900000001")
        assert members["DV004"].phone is None
        assert members["DV012"].position == "Bí thư chi bộ, Hiệu trưởng"

        # The tree answers the questions the summaries ask.
        commune_cells = {u.name for u in await uow.units.cells_in_subtree(units[COMMUNE])}
        assert commune_cells == {DONG_TAM, TAN_LAP, SCHOOL}
        assert len(await uow.members.in_subtree(units[COMMUNE])) == 6 + 5 + 4 + 1  # + the committee member
        assert len(await uow.members.in_subtree(units[WARD])) == 5 + 4
        assert len(await uow.members.in_subtree(units[PROVINCE])) == 25


async def test_importing_twice_changes_nothing(any_db: Database, clock: FakeClock) -> None:
    await run_import(any_db, example_rows(), clock)
    before = await counts(any_db)
    clock.advance(days=1)
    report = await run_import(any_db, example_rows(), clock)
    assert (report.created, report.updated, report.moved, report.unchanged) == (0, 0, 0, 25)
    assert report.units_created == [] and report.errors == [] and report.changes == []
    assert (
        await counts(any_db)
        == before
        == {
            "units": 8,
            "members": 25,
            "member_moves": 0,
            "commitments": 0,
            "progress_entries": 0,
        }
    )
    async with any_db.uow() as uow:  # untouched rows keep their timestamps
        stamps = {m.updated_at for m in (await uow.members.by_codes(CELL_OF)).values()}
        assert stamps == {clock.now() - timedelta(days=1)}


async def test_a_changed_row_updates_the_member(any_db: Database, clock: FakeClock) -> None:
    await run_import(any_db, example_rows(), clock)
    clock.advance(days=2)
    rows = replace_row(example_rows(), "DV005", position="Trưởng thôn", phone="0911111111")
    rows = replace_row(rows, "DV009", role=Role.DEPUTY)
    report = await run_import(any_db, rows, clock)
    assert (report.created, report.updated, report.moved, report.unchanged) == (0, 2, 0, 23)
    assert len(report.changes) == 2 and all(("DV005" in c) != ("DV009" in c) for c in report.changes)

    async with any_db.uow() as uow:
        units = await units_by_name(uow)
        dv005, dv009, dv001 = [await uow.members.by_code(code) for code in ("DV005", "DV009", "DV001")]
        assert dv005 is not None and dv009 is not None and dv001 is not None
        assert (dv005.position, dv005.phone, dv005.updated_at) == ("Trưởng thôn", "0911111111", clock.now())
        assert dv005.created_at == clock.now() - timedelta(days=2)
        assert (dv009.role, dv009.scope_unit_id) == (Role.DEPUTY.value, units[TAN_LAP].id)  # scope follows role
        assert dv001.updated_at == clock.now() - timedelta(days=2)
    assert (await counts(any_db))["member_moves"] == 0


async def test_a_moved_member_keeps_commitments_and_progress(any_db: Database, clock: FakeClock) -> None:
    await run_import(any_db, example_rows(), clock)
    async with any_db.uow() as uow:
        member = await uow.members.by_code("DV005")
        assert member is not None
        pledge = await uow.commitments.add(
            Commitment(
                member_id=member.id,
                year=2026,
                content="Trồng 50 cây xanh",
                measures="Cùng đoàn thanh niên",
                deadline=date(2026, 12, 31),
                status=CommitmentStatus.ACTIVE.value,
                percent=30,
                last_progress_at=clock.now(),
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
        await uow.commitments.add_progress(
            ProgressEntry(commitment_id=pledge.id, percent=30, note="Đã trồng 15 cây", created_at=clock.now())
        )
        await uow.commit()
    member_id, pledge_id = member.id, pledge.id

    clock.advance(days=3)
    report = await run_import(any_db, replace_row(example_rows(), "DV005", cell=TAN_LAP), clock)
    assert (report.created, report.updated, report.moved, report.unchanged) == (0, 1, 1, 24)
    assert any(DONG_TAM in c and TAN_LAP in c for c in report.changes)

    async with any_db.uow() as uow:
        units = await units_by_name(uow)
        moved = await uow.members.by_code("DV005")
        assert moved is not None and moved.id == member_id and moved.cell_id == units[TAN_LAP].id
        assert [c.id for c in await uow.commitments.active_for(member_id)] == [pledge_id]
        entries = await uow.commitments.progress_of(pledge_id)
        assert [(e.percent, e.note) for e in entries] == [(30, "Đã trồng 15 cây")]
        moves = list((await uow.units.session.scalars(select(MemberMove))).all())
        assert [(m.member_id, m.from_unit_id, m.to_unit_id, m.moved_at) for m in moves] == [
            (member_id, units[DONG_TAM].id, units[TAN_LAP].id, clock.now())
        ]
        assert {m.code for m in await uow.members.in_cells([units[TAN_LAP].id])} == {
            *(code for code, cell in CELL_OF.items() if cell == TAN_LAP),
            "DV005",
        }
        counts_now = await uow.stats.cell_counts([units[DONG_TAM].id, units[TAN_LAP].id], 2026, clock.now())
        assert (counts_now[units[DONG_TAM].id].members, counts_now[units[TAN_LAP].id].members) == (5, 6)
        assert counts_now[units[TAN_LAP].id].registered == 1  # the pledge counts in the new cell

    again = await run_import(any_db, replace_row(example_rows(), "DV005", cell=TAN_LAP), clock)
    assert (again.moved, again.unchanged) == (0, 25)
    assert (await counts(any_db))["member_moves"] == 1


async def test_dry_run_leaves_the_database_empty(any_db: Database, clock: FakeClock) -> None:
    report = await run_import(any_db, example_rows(), clock, commit=False)
    assert report.created == 25 and len(report.units_created) == 8  # the report still says what would happen
    assert await counts(any_db) == {
        "units": 0,
        "members": 0,
        "member_moves": 0,
        "commitments": 0,
        "progress_entries": 0,
    }
    real = await run_import(any_db, example_rows(), clock)  # and a real import afterwards is unaffected
    assert real.created == 25 and (await counts(any_db))["members"] == 25


async def test_dry_run_of_changes_leaves_the_members_as_they_were(any_db: Database, clock: FakeClock) -> None:
    await run_import(any_db, example_rows(), clock)
    rows = replace_row(example_rows(), "DV005", cell=TAN_LAP, full_name="Hoàng Văn Dũng (mới)")
    report = await run_import(any_db, rows, clock, commit=False)
    assert (report.updated, report.moved) == (1, 1)
    async with any_db.uow() as uow:
        member = await uow.members.by_code("DV005")
        units = await units_by_name(uow)
        assert member is not None
        assert (member.full_name, member.cell_id) == ("Hoàng Văn Dũng", units[DONG_TAM].id)
    assert (await counts(any_db))["member_moves"] == 0


async def test_cell_named_like_a_committee_is_a_row_error(any_db: Database, clock: FakeClock) -> None:
    rows = example_rows()
    # A cell named like the commune committee, under the same parent: a unit cannot be both.
    clash = dataclasses.replace(rows[0], row_number=30, code="DV900", cell=COMMUNE, committee_path=(PROVINCE,))
    # A committee level named like an existing cell.
    clash2 = dataclasses.replace(
        rows[0], row_number=31, code="DV901", cell="Tổ 1", committee_path=(PROVINCE, COMMUNE, DONG_TAM)
    )
    tail = dataclasses.replace(rows[1], row_number=32, code="DV902")
    report = await run_import(any_db, [*rows, clash, clash2, tail], clock)
    assert report.created == 26
    assert [error.row_number for error in report.errors] == [30, 31]
    assert COMMUNE in report.errors[0].reason and "30" in report.errors[0].reason
    assert DONG_TAM in report.errors[1].reason
    async with any_db.uow() as uow:
        found = await uow.members.by_codes(["DV900", "DV901", "DV902"])
        assert set(found) == {"DV902"}
        units = await units_by_name(uow)
        assert set(units) == set(EXPECTED_TREE)  # no half-made units from the bad rows
        assert units[COMMUNE].kind == UnitKind.COMMITTEE.value
        assert await count(uow, Member) == 26


async def test_a_clash_with_a_unit_from_an_earlier_import_is_a_row_error(any_db: Database, clock: FakeClock) -> None:
    await run_import(any_db, example_rows(), clock)
    clash = dataclasses.replace(example_rows()[0], row_number=2, code="DV900", cell=WARD, committee_path=(PROVINCE,))
    report = await run_import(any_db, [clash], clock)
    assert report.created == 0 and [e.row_number for e in report.errors] == [2]
    assert (await counts(any_db))["members"] == 25


async def test_a_3000_row_roster_imports(any_db: Database, clock: FakeClock, tmp_path: Path) -> None:
    roster = read_roster(write_big_roster(tmp_path / "big.csv", committees=10, cells=10, per_cell=30))
    assert not roster.errors and len(roster.rows) == 3000
    seen = 0

    def tick() -> None:
        nonlocal seen
        seen += 1

    async with any_db.uow() as uow:
        report = await import_roster(uow, roster.rows, clock.now(), on_row=tick)
        await uow.commit()
    assert seen == 3000
    assert (report.created, report.updated, report.unchanged, report.errors) == (3000, 0, 0, [])
    assert len(report.units_created) == 1 + 10 + 100
    async with any_db.uow() as uow:
        assert await count(uow, Member) == 3000
        assert await count(uow, Unit) == 111
        root = (await uow.units.find_by_name("Tỉnh Lớn"))[0]
        assert len(await uow.units.cells_in_subtree(root)) == 100
        secretaries = await uow.units.session.scalar(
            select(func.count()).select_from(Member).where(Member.role == Role.SECRETARY.value)
        )
        assert secretaries == 100
        last = await uow.members.by_code("G03000")
        assert last is not None and last.phone == "0900003000"
        cell = await uow.units.get(last.cell_id or 0)
        assert cell is not None and cell.name == "Chi bộ 9-9"

    clock.advance(days=1)  # a second run over several batches recognises every member
    again = await run_import(any_db, roster.rows, clock)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3000)
    assert (await counts(any_db))["members"] == 3000
