"""The operator's import commits in batches (an interrupted import is finished by running it again) and its dry
run plans the same changes in one read-only transaction."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.services.roster import import_in_batches, preview_import
from handlers.services.roster_file import read_roster
from storage.models import Member, Unit
from tests.roster_files import write_big_roster
from tests.support import Database, FakeClock


class Interrupted(Exception):
    pass


async def counts(db: Database) -> tuple[int, int]:
    async with db.sessions() as session:
        members = await session.scalar(select(func.count()).select_from(Member))
        units = await session.scalar(select(func.count()).select_from(Unit))
    return int(members or 0), int(units or 0)


async def test_an_interrupted_import_keeps_its_batches_and_running_it_again_finishes_it(
    any_db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    rows = read_roster(write_big_roster(tmp_path / "r.csv", committees=2, cells=3, per_cell=200)).rows
    assert len(rows) == 1200
    done = 0

    def stop_in_the_third_batch() -> None:
        nonlocal done
        done += 1
        if done == 1100:
            raise Interrupted

    with pytest.raises(Interrupted):
        await import_in_batches(any_db.uow, rows, clock.now(), stop_in_the_third_batch, batch=500, pause_s=0)
    assert (await counts(any_db))[0] == 1000  # two batches committed, the third rolled back
    report = await import_in_batches(any_db.uow, rows, clock.now(), batch=500, pause_s=0)
    assert (report.created, report.unchanged, report.errors) == (200, 1000, [])
    assert await counts(any_db) == (1200, 1 + 2 + 6)
    again = await import_in_batches(any_db.uow, rows, clock.now(), batch=500, pause_s=0)
    assert (again.created, again.updated, again.unchanged, again.units_created) == (0, 0, 1200, [])


async def test_a_dry_run_plans_what_the_import_does_without_writing_or_waiting_for_a_writer(
    any_db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    rows = read_roster(write_big_roster(tmp_path / "r.csv", committees=2, cells=2, per_cell=5)).rows
    first = await import_in_batches(any_db.uow, rows[:10], clock.now(), pause_s=0)
    changed = [replace(row, cell="Chi bộ 1-1") if row.code == "G00003" else row for row in rows]  # a move
    async with any_db.uow() as writer:  # another writer holds its transaction open meanwhile
        await writer.themes.set(2026, "Chuyên đề", clock.now())
        started = time.monotonic()
        plan = await preview_import(any_db.uow, changed, clock.now())
        assert time.monotonic() - started < 2.0
        await writer.commit()
    assert await counts(any_db) == (10, len(first.units_created))  # nothing written
    applied = await import_in_batches(any_db.uow, changed, clock.now(), pause_s=0)
    assert (plan.created, plan.updated, plan.moved, plan.unchanged) == (10, 1, 1, 9)
    assert (plan.created, plan.updated, plan.moved, plan.unchanged) == (
        applied.created, applied.updated, applied.moved, applied.unchanged,
    )  # fmt: skip
    assert plan.units_created == applied.units_created and plan.changes == applied.changes
