"""The year's trend counted in one pass equals, month by month, the totals of a full recount of that month's
roll-up (SQLite, PostgreSQL; both shapes of the counting queries), on tests/report_world.py's world with the
honours of tests/honours_support.py, and with the cases the one pass must not get wrong: a commitment that went
back below 100% (irregular), entries on the first moment of a month, a commitment registered the year before,
members moved (DV011) or merged away (DV014) during the year, a pause, an exemption, a withdrawal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import update

from handlers.services.dashboard import monthly_totals, ratio, year_trend
from handlers.services.periods import month_of
from handlers.services.rollup import rollup_of, unit_row, window_of
from storage.models import Commitment, ProgressEntry, Unit
from storage.repo_reports import Figures, ReportsRepository
from tests.figures_support import STEPS, load_roster
from tests.honours_support import honours_on_the_world
from tests.report_world import DT, THANH_SON, TL, build_world, local
from tests.review_support import actor_of
from tests.support import TZ, Database, FakeClock

PROVINCE = "Đảng bộ tỉnh Hòa Bình Xanh"


@pytest.fixture(params=["lookup", "scan"])
def shape(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "scan":
        monkeypatch.setattr(ReportsRepository, "SCAN_FROM_CELLS", 1)
    return str(request.param)


@pytest.fixture
async def trend_db(any_db: Database, clock: FakeClock) -> Database:
    """The report world with its honours and the harder cases, on SQLite and PostgreSQL."""
    await load_roster(any_db, clock)
    await build_world(any_db, clock)
    await honours_on_the_world(any_db, clock)
    await harder_world(any_db)
    return any_db


def midnight(day: int, month: int) -> datetime:
    """The first moment of a local day: a month's bound when day is 1."""
    return datetime.combine(date(2026, month, day), time(0), TZ).astimezone(UTC)


async def add_commitment(db: Database, code: str, entries: list[tuple[datetime, int]], created: datetime) -> None:
    async with db.uow() as uow:
        member = await uow.members.by_code(code)
        assert member is not None
        last = entries[-1] if entries else None
        item = Commitment(
            member_id=member.id,
            year=2026,
            content=f"Nội dung thêm của {code}",
            measures="Họp tổ",
            deadline=date(2026, 12, 31),
            status="active",
            percent=last[1] if last else 0,
            last_progress_at=last[0] if last else None,
            kind="individual",
            review_state="approved",
            created_at=created,
            updated_at=created,
        )
        await uow.commitments.add(item)
        for moment, percent in entries:
            uow.commitments.session.add(ProgressEntry(commitment_id=item.id, percent=percent, created_at=moment))
        await uow.commit()


async def harder_world(db: Database) -> None:
    # Back below 100% after reaching it, then up again: irregular, counted exactly month by month.
    await add_commitment(db, "DV010", [(local(5, 4), 100), (local(10, 6), 40), (local(3, 8), 100)], local(1, 3))
    # Entries and a registration on the first moment of a month (the bounds are half-open).
    await add_commitment(db, "DV013", [(midnight(1, 5), 30), (midnight(1, 7), 100)], midnight(1, 4))
    # Registered in December for the next year, updated in January and in September only.
    await add_commitment(db, "DV015", [(local(20, 1), 100), (local(9, 9), 100)], local(20, 12, 2025))
    # At 100% in an entry but written back to 90% with no entry (the current percent wins from its last update).
    await add_commitment(db, "DV008", [(local(2, 2), 100)], local(1, 1))
    async with db.uow() as uow:
        member = await uow.members.by_code("DV008")
        assert member is not None
        [item] = [c for c in await uow.commitments.active_for(member.id) if c.year == 2026]
        item.percent, item.last_progress_at = 90, local(3, 2)
        await uow.commit()


def four(found: Figures) -> tuple[int, int, int, int]:
    return found.members, found.registered, found.updated, found.completed


async def recounted(db: Database, name: str, now: datetime) -> list[tuple[int, int, int, int]]:
    async with db.uow() as uow:
        [unit] = [u for u in await uow.units.find_by_name(name) if u.active]
        found = []
        for month in range(1, 12):
            summary = await rollup_of(uow, unit_row(unit), month_of(date(2026, month, 1), TZ), now, TZ, fresh=True)
            found.append(four(summary.totals))
        return found


async def in_one_pass(db: Database, name: str, now: datetime) -> list[tuple[int, int, int, int]]:
    async with db.uow() as uow:
        [unit] = [u for u in await uow.units.find_by_name(name) if u.active]
        windows = [window_of(month_of(date(2026, month, 1), TZ), now, TZ) for month in range(1, 12)]
        return [four(found) for found in await monthly_totals(uow, unit_row(unit), windows)]


@pytest.mark.parametrize("name", [PROVINCE, THANH_SON, DT, TL])
async def test_one_pass_equals_each_months_recount(
    trend_db: Database, clock: FakeClock, shape: str, name: str
) -> None:
    now = clock.now()
    expected = await recounted(trend_db, name, now)
    assert await in_one_pass(trend_db, name, now) == expected
    assert any(registered for _, registered, _, _ in expected)  # the world is not empty


async def test_the_trend_shows_the_ratios_of_each_month(trend_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    expected = await recounted(trend_db, THANH_SON, now)
    async with trend_db.uow() as uow:
        points = await year_trend(uow, await actor_of(uow, "DV025"), None, 2026, now, TZ)
    assert [p.month for p in points] == list(range(1, 12))
    wanted = [(ratio(r, m), ratio(u, r), ratio(c, r)) for m, r, u, c in expected]
    assert [(p.registered, p.updated, p.completed) for p in points] == wanted


# the kinds of writes (tests/figures_support.py) that move the trend's figures
TREND_STEPS = ["registration", "progress", "withdrawal of a commitment", "registrations of DV003 and DV005", "pause"]
TREND_STEPS += ["exemption", "member moved (roster import)", "cells merged", "unit moved"]


async def trend_snapshot(db: Database, now: datetime) -> tuple[object, object]:
    """The trend of the province, Thanh Sơn, Đồng Tâm and Tân Lập (while it exists) from the cache, and
    recounted month by month."""
    async with db.uow() as uow:  # Tân Lập is merged away on the way
        units = {name: await uow.units.find_by_name(name) for name in (PROVINCE, THANH_SON, DT, TL)}
    names = [name for name, found in units.items() if any(unit.active for unit in found)]
    kept = [await in_one_pass(db, name, now) for name in names]
    return kept, [await recounted(db, name, now) for name in names]


async def test_the_cached_trend_equals_a_recount_after_every_kind_of_write(any_db: Database) -> None:
    clock = FakeClock()
    await load_roster(any_db, clock)
    steps = {step: change for step, change, _ in STEPS}
    kept, before = await trend_snapshot(any_db, clock.now())
    assert kept == before
    for step in TREND_STEPS:
        clock.advance(minutes=7)
        async with any_db.uow() as uow:
            await steps[step](uow, clock)
            await uow.commit()
        kept, after = await trend_snapshot(any_db, clock.now())
        assert kept == after, f"after {step}: the cached trend differs from the recount"
        assert after != before, f"{step} moved no figure of the trend: the step checks nothing"
        before = after


async def test_the_kept_tree_follows_a_rename_and_a_raw_update(any_db: Database) -> None:
    """The tree is kept between views (handlers/services/rollup.py: tree_at); a unit renamed through the ORM or by
    an UPDATE statement (columns no figure reads) is shown with its new name at the next view."""
    clock = FakeClock()
    await load_roster(any_db, clock)

    async def line_names() -> list[str]:
        async with any_db.uow() as uow:
            [unit] = [u for u in await uow.units.find_by_name(THANH_SON) if u.active]
            period = month_of(date(2026, 11, 1), TZ)
            return [line.name for line in (await rollup_of(uow, unit_row(unit), period, clock.now(), TZ)).lines]

    before = await line_names()
    assert DT in before
    async with any_db.uow() as uow:
        [cell] = await uow.units.find_by_name(DT)
        cell.name = "Chi bộ thôn Đồng Tâm mới"
        await uow.commit()
    assert "Chi bộ thôn Đồng Tâm mới" in await line_names()
    async with any_db.uow() as uow:
        await uow.commitments.session.execute(update(Unit).where(Unit.name == TL).values(name="Chi bộ Tân Lập 2"))
        await uow.commit()
    assert "Chi bộ Tân Lập 2" in await line_names()
