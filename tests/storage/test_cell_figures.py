"""The roll-up from cached per-cell figures equals a full recount after every kind of write (SQLite, PostgreSQL).

The example roster, on 23/11/2026 (FakeClock). Every view (`views`: the province, Đảng bộ xã Thanh Sơn and Chi bộ
thôn Đồng Tâm, this month, this year and a past month) is shown once from the cache, which warms it, before each
change; after the change each is shown again from the cache and compared with a recount that bypasses it. A change
that moves a figure must move it in the recount too, so no step compares two unchanged snapshots.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import astuple, replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, insert, select, update

from handlers.services import commend_decisions, commendations, org_changes, personal_data, preferences, review
from handlers.services.activities import record_activity
from handlers.services.authz import Actor, load_actor
from handlers.services.collective import register_for_cell
from handlers.services.commitments import Draft, log_progress, register_commitment, withdraw_commitment
from handlers.services.exemplars import register_exemplar
from handlers.services.linking import give_consent
from handlers.services.periods import Period, month_of, year_of
from handlers.services.replications import record_replication
from handlers.services.rollup import Rollup, rollup_of, unit_row
from handlers.services.roster import import_roster
from handlers.services.roster_file import read_roster
from handlers.services.study import confirm_attendance, record_session
from storage.enums import ActivityKind, CommendationForm, CommitmentKind, NomineeKind
from storage.figure_versions import EVERYTHING
from storage.models import Base, ChatAccount, Member
from storage.repo_reports import ReportsRepository
from storage.report_sql import Window
from storage.uow import UnitOfWork
from tests.support import EXAMPLE_CSV, Database, FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE, THANH_SON = "Đảng bộ tỉnh Hòa Bình Xanh", "Đảng bộ xã Thanh Sơn"
DONG_TAM, TAN_LAP, BINH_MINH = "Chi bộ thôn Đồng Tâm", "Chi bộ thôn Tân Lập", "Chi bộ tổ dân phố Bình Minh"
TODAY = date(2026, 11, 23)
MEASURES = "Họp tổ, đến từng nhà"
Snapshot = dict[tuple[str, str], Any]


async def load_roster(db: Database, clock: FakeClock) -> None:
    async with db.uow() as uow:
        await import_roster(uow, read_roster(EXAMPLE_CSV).rows, clock.now())
        await uow.commit()


async def actor(uow: UnitOfWork, code: str) -> Actor:
    member = await uow.members.by_code(code)
    assert member is not None, code
    return await load_actor(uow, member)


async def member(uow: UnitOfWork, code: str) -> Member:
    found = await uow.members.by_code(code)
    assert found is not None, code
    return found


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


# --- the changes ---------------------------------------------------------------------------------------------------
async def register(uow: UnitOfWork, clock: FakeClock, code: str = "DV001") -> None:
    draft = Draft("Vận động 5 hộ phân loại rác tại nguồn", MEASURES, date(2026, 12, 31))
    await register_commitment(uow, await actor(uow, code), draft, TODAY, clock.now())


async def own_commitment(uow: UnitOfWork, code: str) -> int:
    found = (await uow.commitments.active_for((await member(uow, code)).id))[-1]
    return found.id


async def progress(uow: UnitOfWork, clock: FakeClock) -> None:
    await log_progress(uow, await actor(uow, "DV001"), await own_commitment(uow, "DV001"), 100, None, clock.now())


async def withdraw(uow: UnitOfWork, clock: FakeClock) -> None:
    await withdraw_commitment(uow, await actor(uow, "DV001"), await own_commitment(uow, "DV001"), clock.now())


async def approve_and_return(uow: UnitOfWork, clock: FakeClock) -> None:
    secretary = await actor(uow, "DV002")
    await review.approve_registration(uow, secretary, await own_commitment(uow, "DV003"), clock.now())
    comment = "Đề nghị ghi rõ số hộ và thời gian"
    await review.return_registration(uow, secretary, await own_commitment(uow, "DV005"), comment, clock.now())


async def link_and_block(uow: UnitOfWork, clock: FakeClock) -> None:
    found = await member(uow, "DV001")
    await give_consent(uow, found, clock.now())
    await uow.accounts.add("telegram", "1001", found.id, clock.now())


async def block(uow: UnitOfWork, clock: FakeClock) -> None:
    accounts = await uow.accounts.for_member((await member(uow, "DV001")).id)
    await uow.deliveries.mark_blocked([account.id for account in accounts], clock.now())  # a bulk UPDATE


async def pause(uow: UnitOfWork, clock: FakeClock) -> None:
    target = await member(uow, "DV004")
    await preferences.pause_member(uow, await actor(uow, "DV002"), target.id, "31/12/2026", TODAY, clock.now())


async def exempt(uow: UnitOfWork, clock: FakeClock) -> None:
    (await member(uow, "DV005")).exempt = True  # set by the operator in the database: no service yet


async def move_member(uow: UnitOfWork, clock: FakeClock) -> None:
    rows = [replace(r, cell=TAN_LAP) if r.code == "DV001" else r for r in read_roster(EXAMPLE_CSV).rows]
    await import_roster(uow, rows, clock.now())


async def merge_cells(uow: UnitOfWork, clock: FakeClock) -> None:
    await org_changes.merge_unit(uow, TAN_LAP, DONG_TAM, clock.now(), dry_run=False)


async def move_unit(uow: UnitOfWork, clock: FakeClock) -> None:
    await org_changes.move_unit(uow, BINH_MINH, THANH_SON, clock.now(), dry_run=False)


async def anonymise(uow: UnitOfWork, clock: FakeClock) -> None:
    await personal_data.withdraw_consent(uow, await member(uow, "DV001"), clock.now())


async def study(uow: UnitOfWork, clock: FakeClock) -> None:
    attendee = await member(uow, "DV003")
    title = "Học tập chuyên đề năm 2026"
    await record_session(uow, await actor(uow, "DV002"), TODAY, title, [attendee.id], TODAY, clock.now())


async def confirm(uow: UnitOfWork, clock: FakeClock) -> None:
    [session] = await uow.study.recent((await member(uow, "DV006")).cell_id or 0, TODAY, 1)
    await confirm_attendance(uow, await actor(uow, "DV006"), session.id, clock.now())


async def exemplar(uow: UnitOfWork, clock: FakeClock) -> None:
    await register_exemplar(uow, await actor(uow, "DV003"), NomineeKind.INDIVIDUAL, 2026, clock.now())


async def propose(uow: UnitOfWork, clock: FakeClock) -> None:
    nominee = await member(uow, "DV003")
    account = "Vận động 12 hộ hiến đất mở rộng đường thôn dài 300 m"
    await commendations.propose(uow, await actor(uow, "DV002"), nominee.id, None, account, TODAY, clock.now(), TZ)


async def commend(uow: UnitOfWork, clock: FakeClock, cell: str = DONG_TAM) -> None:
    [unit] = await uow.units.find_by_name(cell)
    [proposal] = await uow.honours.of_cells([unit.id], 2026)
    staff = await actor(uow, "DV025")
    form = CommendationForm.PRAISE
    await commend_decisions.commend(uow, staff, proposal.id, form, "12-QĐ/ĐU", TODAY, TODAY, clock.now(), TZ)


async def propose_cell(uow: UnitOfWork, clock: FakeClock) -> None:
    account = "Chi bộ vận động nhân dân làm 2 km đường bê tông"
    await commendations.propose(uow, await actor(uow, "DV007"), None, None, account, TODAY, clock.now(), TZ)


async def unblock(uow: UnitOfWork, clock: FakeClock) -> None:
    for account in await uow.accounts.for_member((await member(uow, "DV001")).id):
        account.blocked_at = None  # they wrote to the bot again


async def activity(uow: UnitOfWork, clock: FakeClock) -> None:
    title = "Hội thi kể chuyện về tấm gương đạo đức Hồ Chí Minh"
    await record_activity(uow, await actor(uow, "DV002"), ActivityKind.CONTEST, TODAY, title, 12, TODAY, clock.now())


PILOT, FOLLOWER = "Thu gom phế liệu gây quỹ giúp hộ khó khăn", "Thu gom phế liệu giúp hộ nghèo"


async def models(uow: UnitOfWork, clock: FakeClock) -> None:
    for code, name in (("DV016", PILOT), ("DV002", FOLLOWER)):
        draft = Draft(name, MEASURES, date(2026, 12, 31))
        await register_for_cell(uow, await actor(uow, code), CommitmentKind.MODEL, draft, TODAY, clock.now())


async def replicated_model(uow: UnitOfWork, clock: FakeClock) -> None:
    found = {c.content: c for c, _ in await uow.honours.model_options([2026])}
    leader = await actor(uow, "DV002")
    await record_replication(uow, leader, found[FOLLOWER], found[PILOT].id, None, clock.now())


async def deadline_today(uow: UnitOfWork, clock: FakeClock) -> None:
    commitment = await uow.commitments.get(await own_commitment(uow, "DV003"))
    assert commitment is not None
    commitment.deadline = TODAY  # behind schedule from tomorrow on


Change = Callable[[UnitOfWork, FakeClock], Awaitable[None]]
# (what, the change, whether some figure must move)
STEPS: list[tuple[str, Change, bool]] = [
    ("registration", register, True),
    ("progress", progress, True),
    ("withdrawal of a commitment", withdraw, True),
    ("registrations of DV003 and DV005", lambda uow, clock: _both(uow, clock, "DV003", "DV005"), True),
    ("review: approve and return", approve_and_return, False),
    ("account linked with consent", link_and_block, True),
    ("account blocked", block, True),
    ("pause", pause, True),
    ("exemption", exempt, True),
    ("study session recorded", study, True),
    ("attendance confirmed", confirm, True),
    ("exemplar registration", exemplar, True),
    ("commendation proposed", propose, True),
    ("commendation decided", commend, True),
    ("activity", activity, True),
    ("a model of each of two cells", models, True),
    ("replicated model", replicated_model, True),
    ("deadline set to today", deadline_today, False),
    ("a collective proposal of Tân Lập", propose_cell, True),
    ("member moved (roster import)", move_member, True),
    ("the moved member's account usable again", unblock, True),  # October counts them where they were
    ("cells merged", merge_cells, True),
    ("the merged cell's proposal decided", lambda uow, clock: commend(uow, clock, TAN_LAP), True),
    ("unit moved", move_unit, True),
    ("anonymisation (consent withdrawn)", anonymise, True),
]


async def _both(uow: UnitOfWork, clock: FakeClock, *codes: str) -> None:
    for code in codes:
        await register(uow, clock, code)


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
