"""The roll-up from cached per-cell figures equals a full recount after every kind of write (SQLite, PostgreSQL).

The example roster, on 23/11/2026 (FakeClock). Every view (`views`: the province, Đảng bộ xã Thanh Sơn and Chi bộ
thôn Đồng Tâm, this month, this year and a past month) is shown once from the cache, which warms it, before each
change; after the change each is shown again from the cache and compared with a recount that bypasses it. A change
that moves a figure must move it in the recount too, so no step compares two unchanged snapshots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update

from handlers.services.periods import Period, month_of, year_of
from handlers.services.rollup import Rollup, rollup_of, unit_row
from storage.figure_versions import EVERYTHING
from storage.models import Base, ChatAccount, Member
from storage.repo_reports import ReportsRepository
from storage.report_sql import Window
from storage.uow import UnitOfWork
from tests.figures_support import (
    DONG_TAM,
    PROVINCE,
    STEPS,
    THANH_SON,
    TZ,
    Snapshot,
    link_and_block,
    load_roster,
    member,
    progress,
    register,
)
from tests.support import Database, FakeClock


def periods(clock: FakeClock) -> dict[str, Period]:
    today = clock.now().astimezone(TZ).date()
    return {"month": month_of(today, TZ), "year": year_of(today.year, TZ), "october": month_of(date(2026, 10, 1), TZ)}


def comparable(summary: Rollup) -> Any:
    lines = [(line.unit_id, astuple(line.figures), astuple(line.honours)) for line in summary.lines]
    return astuple(summary.totals), astuple(summary.honours), lines, [cell.id for cell in summary.cells], summary.pilots


async def views(uow: UnitOfWork, clock: FakeClock, *, fresh: bool) -> Snapshot:
    """This month, this year and October (a past period) of the province (a line per committee); this month and
    year of the commune committee (a line per cell); this month of the cell (read through its own versions)."""
    wanted = {PROVINCE: ("month", "year", "october"), THANH_SON: ("month", "year"), DONG_TAM: ("month",)}
    found: Snapshot = {}
    for name, labels in wanted.items():
        [unit] = [u for u in await uow.units.find_by_name(name) if u.active]
        for label, period in periods(clock).items():
            if label in labels:
                summary = await rollup_of(uow, unit_row(unit), period, clock.now(), TZ, fresh=fresh)
                found[(name, label)] = comparable(summary)
    return found


async def cached_and_recounted(db: Database, clock: FakeClock) -> tuple[Snapshot, Snapshot]:
    async with db.uow() as uow:
        return await views(uow, clock, fresh=False), await views(uow, clock, fresh=True)


async def check(db: Database, clock: FakeClock, step: str) -> Snapshot:
    cached, recounted = await cached_and_recounted(db, clock)
    for key, value in recounted.items():
        assert cached[key] == value, f"after {step}: {key} from the cache differs from the recount"
    return recounted


async def test_cached_rollups_equal_a_recount_after_every_kind_of_write(any_db: Database) -> None:
    clock = FakeClock()
    await load_roster(any_db, clock)
    before = await check(any_db, clock, "the roster import")
    for step, change, moves_a_figure in STEPS:
        clock.advance(minutes=7)
        async with any_db.uow() as uow:
            await change(uow, clock)
            await uow.commit()
        after = await check(any_db, clock, step)
        if moves_a_figure:
            assert after != before, f"{step} moved no figure: the step checks nothing"
        before = after
    clock.advance(days=1)  # no write: DV003's commitment is now behind schedule
    after = await check(any_db, clock, "a new day")
    assert after[(DONG_TAM, "month")][0] != before[(DONG_TAM, "month")][0]


async def test_a_write_committed_by_another_instance_is_seen(any_db: Database) -> None:
    clock = FakeClock()
    await load_roster(any_db, clock)
    other = Database(any_db.url)  # a second bot instance: its own engine and memo, the same database
    try:
        async with other.uow() as uow:
            await register(uow, clock)
            await uow.commit()
        before = await check(any_db, clock, "the registration")
        await check(other, clock, "the registration")
        clock.advance(minutes=5)
        async with other.uow() as uow:
            await progress(uow, clock)
            await uow.commit()
        after = await check(any_db, clock, "progress logged by the other instance")
        assert after != before
    finally:
        await other.close()


async def test_an_uncommitted_write_is_counted_in_its_transaction_and_never_kept(any_db: Database) -> None:
    clock = FakeClock()
    await load_roster(any_db, clock)
    before = await check(any_db, clock, "the roster import")
    async with any_db.uow() as uow:
        await register(uow, clock)
        inside = await views(uow, clock, fresh=False)
        assert inside == await views(uow, clock, fresh=True)
        assert inside != before
        await uow.rollback()
    assert await check(any_db, clock, "the rollback") == before


async def test_every_table_a_figure_reads_bumps_versions() -> None:
    """A new table read by a figure must get a rule in storage/figure_versions.RULES."""
    from storage import figure_versions, repo_honours, repo_reports, report_sql

    read = {
        value.__table__.name
        for module in (report_sql, repo_reports, repo_honours)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Base) and value is not Base
    }
    assert read <= set(figure_versions.RULES), read - set(figure_versions.RULES)


async def test_a_bulk_write_of_unknown_rows_invalidates_everything(any_db: Database) -> None:
    clock = FakeClock()
    await load_roster(any_db, clock)
    await check(any_db, clock, "the roster import")
    async with any_db.uow() as uow:
        before = await uow.figures.versions()
        columns = ["platform", "external_id", "member_id", "linked_at", "last_seen_at"]
        rows = select(Member.role, Member.code, Member.id, Member.created_at, Member.created_at)
        await uow.figures.session.execute(insert(ChatAccount).from_select(columns, rows.where(Member.code == "DV001")))
        await uow.commit()
    async with any_db.uow() as uow:
        assert (await uow.figures.versions())[EVERYTHING] != before.get(EVERYTHING, 0)
    await check(any_db, clock, "an INSERT ... SELECT")


async def test_statements_bump_the_cells_of_the_rows_they_touch(any_db: Database) -> None:
    """UPDATE and DELETE statements (no flush): the rows they touch are read first; an UPDATE of columns no figure
    reads bumps nothing; an UPDATE by primary key of many rows bumps everything."""
    clock = FakeClock()
    await load_roster(any_db, clock)
    async with any_db.uow() as uow:
        await link_and_block(uow, clock)
        await uow.commit()
        dong_tam = (await member(uow, "DV001")).cell_id or 0
    statements: list[tuple[str, Any, Any, set[int]]] = [
        ("last seen", update(ChatAccount).values(last_seen_at=clock.now()), None, set()),
        ("accounts deleted", delete(ChatAccount), None, {dong_tam}),
        ("bulk by primary key", update(Member), [{"id": 1, "exempt": True}, {"id": 2, "exempt": True}], {EVERYTHING}),
    ]
    for what, statement, parameters, bumped in statements:
        await check(any_db, clock, what)
        async with any_db.uow() as uow:
            before = await uow.figures.versions()
            await uow.figures.session.execute(statement, parameters)
            await uow.commit()
            after = await uow.figures.versions()
        assert {unit for unit in after if after[unit] != before.get(unit, 0)} == bumped, what
        await check(any_db, clock, what)


async def test_only_the_changed_cells_are_counted_again(any_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    await load_roster(any_db, clock)
    await check(any_db, clock, "the roster import")
    counted: list[list[int]] = []
    recount = ReportsRepository.cell_figures

    async def recording(repo: ReportsRepository, cell_ids: Sequence[int], window: Window, *moved: Any) -> Any:
        counted.append(sorted(cell_ids))
        return await recount(repo, cell_ids, window, *moved)

    monkeypatch.setattr(ReportsRepository, "cell_figures", recording)
    async with any_db.uow() as uow:
        await register(uow, clock)
        await uow.commit()
        dong_tam = (await member(uow, "DV001")).cell_id
    clock.advance(minutes=1)
    async with any_db.uow() as uow:
        [province] = await uow.units.find_by_name(PROVINCE)
        await rollup_of(uow, unit_row(province), periods(clock)["month"], clock.now(), TZ)
        assert counted == [[dong_tam]]
        await rollup_of(uow, unit_row(province), periods(clock)["month"], clock.now(), TZ)
        assert counted == [[dong_tam]]
