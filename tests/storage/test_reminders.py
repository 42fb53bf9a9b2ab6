"""Firing reminders from the database with a fake clock: due times, catch-up, missed firings, two instances at
once, who gets what (updated members nothing, paused and exempt left out, leaders included), registration
reminders after the deadline, the secretary's digest, snoozes coming due, and the operator's "remind now"."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from handlers.catalog import reminders as rc
from handlers.services.authz import load_actor
from handlers.services.member_refs import render_refs
from handlers.services.reminder_answers import mark_not_applicable, snooze
from handlers.services.reminders import FireReport, fire_due, remind_now
from handlers.services.schedules import MONTHDAY
from handlers.services.summary import CellSummary, summarise
from storage.enums import BroadcastKind, BroadcastState
from storage.models import Broadcast, Delivery, MeetingSchedule, Member, ReminderResponse
from tests.chat import add_commitment
from tests.support import TZ, Database, FakeClock

DONG_TAM = "Chi bộ thôn Đồng Tâm"
GRACE = timedelta(hours=12)
# Meetings on the 4th; reminders 3 days before at 08:00 (01:00 UTC), the digest 1 day before.
DEC_REMIND = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
DEC_DIGEST = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
PROGRESS, REGISTER, DIGEST = (
    BroadcastKind.PROGRESS_REMINDER.value,
    BroadcastKind.REGISTER_REMINDER.value,
    BroadcastKind.DIGEST.value,
)


# --- helpers ---------------------------------------------------------------------------------------------
async def cell_id(db: Database, name: str = DONG_TAM) -> int:
    async with db.uow() as uow:
        [cell] = await uow.units.find_by_name(name)
        return cell.id


async def set_meeting_day(db: Database, at: datetime, day: int = 4, name: str = DONG_TAM) -> int:
    unit_id = await cell_id(db, name)
    async with db.uow() as uow:
        saved = await uow.reminders.save_schedule(
            MeetingSchedule(unit_id=unit_id, rule=MONTHDAY, day=day, updated_at=at)
        )
        await uow.commit()
        return saved.id


async def fire(db: Database, at: datetime, grace: timedelta = GRACE) -> FireReport:
    async with db.uow() as uow:
        report = await fire_due(uow, at, TZ, grace)
        await uow.commit()
    return report


async def all_broadcasts(db: Database) -> list[Broadcast]:
    async with db.sessions() as session:
        return list((await session.scalars(select(Broadcast).order_by(Broadcast.id))).all())


async def recipients(db: Database, broadcast_id: int) -> dict[str, Delivery]:
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(Member.code, Delivery)
                .join(Member, Member.id == Delivery.member_id)
                .where(Delivery.broadcast_id == broadcast_id)
            )
        ).all()
        return {code: delivery for code, delivery in rows}


async def edit_member(db: Database, code: str, **fields: object) -> None:
    async with db.uow() as uow:
        member = await uow.members.by_code(code)
        assert member is not None
        for name, value in fields.items():
            setattr(member, name, value)
        await uow.commit()


async def the_cell_as_in_the_issue(db: Database, clock: FakeClock) -> None:
    """Đồng Tâm: DV001 updated this month; DV002 (secretary) and DV004 not; DV005 exempt and DV006 paused
    (both with a commitment not updated); DV003 (deputy) has no commitment."""
    await add_commitment(db, clock, "DV001", "Vận động 5 hộ phân loại rác", percent=40)
    await add_commitment(db, clock, "DV002", "Tổ chức sinh hoạt chuyên đề cho chi bộ")
    await add_commitment(db, clock, "DV004", "Vận động hội viên phụ nữ tiết kiệm")
    await add_commitment(db, clock, "DV004", "Thăm hỏi hộ nghèo trong thôn")
    await add_commitment(db, clock, "DV005", "Trồng cây xanh dọc đường thôn")
    await add_commitment(db, clock, "DV006", "Khám sức khỏe miễn phí cho người cao tuổi")
    await edit_member(db, "DV005", exempt=True)
    await edit_member(db, "DV006", paused_until=date(2026, 12, 10))


# --- due times and idempotence ------------------------------------------------------------------------------
async def test_a_due_time_fires_once_with_the_right_recipients(roster_db: Database, clock: FakeClock) -> None:
    await the_cell_as_in_the_issue(roster_db, clock)
    schedule_id = await set_meeting_day(roster_db, clock.now())
    assert (await fire(roster_db, DEC_REMIND - timedelta(seconds=1))).created == []
    report = await fire(roster_db, DEC_REMIND)
    [broadcast] = await all_broadcasts(roster_db)
    assert report.created == [broadcast.id] and report.missed == []
    assert (broadcast.kind, broadcast.schedule_id, broadcast.due_at) == (PROGRESS, schedule_id, DEC_REMIND)
    assert broadcast.meeting_on == date(2026, 12, 4) and broadcast.state != BroadcastState.MISSED.value
    got = await recipients(roster_db, broadcast.id)
    assert set(got) == {"DV002", "DV004"}  # the secretary is not spared; updated, exempt, paused get nothing
    text = got["DV004"].text
    assert text.startswith(rc.REMIND_PROGRESS.split("{")[0]) and "04/12/2026" in text
    assert "Vận động hội viên phụ nữ tiết kiệm" in text and "Thăm hỏi hộ nghèo trong thôn" in text
    assert "Trồng cây" not in text
    stored = got["DV004"].choices
    assert isinstance(stored, dict)
    assert [value for _, value in stored["choices"]] == ["progress", "snooze:1", "snooze:3", "na"]
    assert stored["flow"] == "reminder"
    assert stored["data"] == {"meeting_on": "2026-12-04", "kind": PROGRESS, "command": "/nhacviec"}
    for later in (DEC_REMIND, DEC_REMIND + timedelta(minutes=1), DEC_REMIND + timedelta(hours=3)):
        assert (await fire(roster_db, later)).created == []
    assert len(await all_broadcasts(roster_db)) == 1


async def test_the_digest_goes_to_the_secretary_and_deputy(roster_db: Database, clock: FakeClock) -> None:
    await the_cell_as_in_the_issue(roster_db, clock)
    await set_meeting_day(roster_db, clock.now())
    await fire(roster_db, DEC_REMIND)
    report = await fire(roster_db, DEC_DIGEST + timedelta(minutes=2))
    [digest] = [b for b in await all_broadcasts(roster_db) if b.kind == DIGEST]
    assert report.created == [digest.id]
    got = await recipients(roster_db, digest.id)
    assert set(got) == {"DV002", "DV003"}
    async with roster_db.uow() as uow:  # members are named when the digest is sent
        [text] = await render_refs(uow, [got["DV002"].text])
    assert "Lê Văn Cường" not in got["DV002"].text
    assert text.startswith(rc.DIGEST_HEADER.format(cell=DONG_TAM, meeting="04/12/2026"))
    assert "Tổng hợp Chi bộ thôn Đồng Tâm" in text and got["DV002"].choices is None
    # Exempt DV005 and paused DV006 are out of the rates: 4 members in scope, DV003 not registered.
    assert "Đảng viên trong diện theo dõi: 4" in text and "Chưa đăng ký (1): Lê Văn Cường" in text


async def test_registration_reminders_only_after_the_deadline(roster_db: Database, clock: FakeClock) -> None:
    await the_cell_as_in_the_issue(roster_db, clock)
    await set_meeting_day(roster_db, clock.now())
    async with roster_db.uow() as uow:
        await uow.reminders.set_cycle(2026, date(2026, 12, 10), None, clock.now())
        await uow.commit()
    await fire(roster_db, DEC_REMIND)
    assert [b.kind for b in await all_broadcasts(roster_db)] == [PROGRESS]  # the deadline is still ahead
    async with roster_db.uow() as uow:  # a deadline of another year does not count
        await uow.reminders.set_cycle(2027, date(2027, 3, 31), None, clock.now())
        await uow.commit()
    await fire(roster_db, datetime(2027, 1, 1, 1, 0, tzinfo=UTC))  # the January meeting's reminder
    assert REGISTER not in [b.kind for b in await all_broadcasts(roster_db)]


async def test_registration_reminder_names_the_deadline(roster_db: Database, clock: FakeClock) -> None:
    await the_cell_as_in_the_issue(roster_db, clock)
    await set_meeting_day(roster_db, clock.now())
    async with roster_db.uow() as uow:
        await uow.reminders.set_cycle(2026, date(2026, 3, 31), None, clock.now())
        await uow.commit()
    await fire(roster_db, DEC_REMIND)
    kinds = {b.kind: b for b in await all_broadcasts(roster_db)}
    assert set(kinds) == {PROGRESS, REGISTER}
    got = await recipients(roster_db, kinds[REGISTER].id)
    assert set(got) == {"DV003"}  # the only one in scope without a commitment
    assert got["DV003"].text == rc.REMIND_HEAD.format(cell=DONG_TAM, meeting="04/12/2026") + rc.REMIND_REGISTER.format(
        year=2026, deadline="31/03/2026"
    )
    assert set(await recipients(roster_db, kinds[PROGRESS].id)) == {"DV002", "DV004"}


# --- downtime ------------------------------------------------------------------------------------------------
async def test_catch_up_within_the_grace_sends(roster_db: Database, clock: FakeClock) -> None:
    await the_cell_as_in_the_issue(roster_db, clock)
    await set_meeting_day(roster_db, clock.now())
    report = await fire(roster_db, DEC_REMIND + timedelta(hours=11, minutes=59))
    [broadcast] = await all_broadcasts(roster_db)
    assert report.created == [broadcast.id] and broadcast.state != BroadcastState.MISSED.value
    assert set(await recipients(roster_db, broadcast.id)) == {"DV002", "DV004"}


async def test_beyond_the_grace_is_recorded_as_missed(roster_db: Database, clock: FakeClock) -> None:
    await the_cell_as_in_the_issue(roster_db, clock)
    await set_meeting_day(roster_db, clock.now())
    report = await fire(roster_db, DEC_REMIND + timedelta(hours=12, minutes=1))
    [missed] = await all_broadcasts(roster_db)
    assert report.missed == [missed.id] and report.created == []
    assert (missed.state, missed.kind, missed.due_at) == (BroadcastState.MISSED.value, PROGRESS, DEC_REMIND)
    assert await recipients(roster_db, missed.id) == {}
    assert (await fire(roster_db, DEC_REMIND + timedelta(hours=13))).missed == []  # recorded once
    report = await fire(roster_db, DEC_DIGEST + timedelta(hours=1))  # the digest is still in time
    assert len(report.created) == 1


async def test_a_long_downtime_records_every_missed_firing(roster_db: Database, clock: FakeClock) -> None:
    await set_meeting_day(roster_db, clock.now())
    report = await fire(roster_db, datetime(2027, 1, 3, 12, 0, tzinfo=UTC))
    rows = await all_broadcasts(roster_db)
    assert [(b.kind, b.meeting_on, b.state == BroadcastState.MISSED.value) for b in rows] == [
        (PROGRESS, date(2026, 12, 4), True),
        (DIGEST, date(2026, 12, 4), True),
        (PROGRESS, date(2027, 1, 4), True),
        (DIGEST, date(2027, 1, 4), False),
    ]
    assert len(report.missed) == 3 and len(report.created) == 1  # 03/01 08:00 local is 4 hours ago


async def test_nothing_fires_for_due_times_before_the_day_was_set(roster_db: Database, clock: FakeClock) -> None:
    await the_cell_as_in_the_issue(roster_db, clock)
    await set_meeting_day(roster_db, DEC_REMIND + timedelta(hours=1))  # set an hour after the due time
    report = await fire(roster_db, DEC_REMIND + timedelta(hours=2))
    assert report.created == [] and report.missed == [] and await all_broadcasts(roster_db) == []


async def test_two_instances_firing_at_once_create_one_broadcast(
    roster_db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """Two engines on the same SQLite file (two processes' worth of connections) fire the same due time."""
    await the_cell_as_in_the_issue(roster_db, clock)
    await set_meeting_day(roster_db, clock.now())
    second = Database(roster_db.url)
    try:
        reports = await asyncio.gather(
            fire(roster_db, DEC_REMIND + timedelta(minutes=1)), fire(second, DEC_REMIND + timedelta(minutes=1))
        )
    finally:
        await second.close()
    [broadcast] = await all_broadcasts(roster_db)
    assert sorted(len(r.created) for r in reports) == [0, 1]
    assert len(await recipients(roster_db, broadcast.id)) == 2


async def test_a_duplicate_insert_is_skipped_cleanly(any_db: Database, clock: FakeClock) -> None:
    """The repository's insert-or-skip, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""
    async with any_db.uow() as uow:
        from storage.enums import UnitKind

        cell = await uow.units.add("Chi bộ thử", UnitKind.CELL, None, clock.now())
        schedule = await uow.reminders.save_schedule(
            MeetingSchedule(unit_id=cell.id, rule=MONTHDAY, day=4, updated_at=clock.now())
        )
        values = {
            "kind": PROGRESS,
            "unit_id": cell.id,
            "schedule_id": schedule.id,
            "due_at": DEC_REMIND,
            "state": "pending",
            "total": 0,
            "priority": 1,
            "created_at": clock.now(),
        }
        first = await uow.reminders.insert_firing(values)
        again = await uow.reminders.insert_firing(values)
        other_kind = await uow.reminders.insert_firing({**values, "kind": DIGEST})
        await uow.commit()
    assert first is not None and again is None and other_kind is not None
    assert len(await all_broadcasts(any_db)) == 2


# --- answers: snoozes and "not applicable" ---------------------------------------------------------------------
async def test_a_snooze_comes_due_once_and_not_if_updated(roster_db: Database, clock: FakeClock) -> None:
    await the_cell_as_in_the_issue(roster_db, clock)
    await set_meeting_day(roster_db, clock.now())
    await fire(roster_db, DEC_REMIND)
    async with roster_db.uow() as uow:
        for code in ("DV004", "DV002"):
            member = await uow.members.by_code(code)
            assert member is not None
            await snooze(uow, member, date(2026, 12, 4), 1, DEC_REMIND)
        await uow.commit()
    await add_commitment(roster_db, FakeClock(DEC_REMIND + timedelta(hours=2)), "DV002", "Nội dung mới", percent=10)
    assert (await fire(roster_db, DEC_REMIND + timedelta(hours=23))).snoozes == 0
    report = await fire(roster_db, DEC_REMIND + timedelta(days=1))
    assert report.snoozes == 2 and len(report.created) == 1
    [notice] = [b for b in await all_broadcasts(roster_db) if b.kind == BroadcastKind.NOTICE.value]
    got = await recipients(roster_db, notice.id)
    assert set(got) == {"DV004"}  # DV002 has updated since: no second reminder
    assert got["DV004"].text.startswith(rc.REMIND_SNOOZED_AGAIN + rc.REMIND_PROGRESS.split("{")[0])
    assert (await fire(roster_db, DEC_REMIND + timedelta(days=1, minutes=1))).snoozes == 0
    async with roster_db.sessions() as session:
        done = (await session.scalars(select(ReminderResponse.done_at))).all()
        assert done == [DEC_REMIND + timedelta(days=1)] * 2


async def test_not_applicable_leaves_the_member_out_for_that_meeting(roster_db: Database, clock: FakeClock) -> None:
    await the_cell_as_in_the_issue(roster_db, clock)
    await set_meeting_day(roster_db, clock.now())
    async with roster_db.uow() as uow:
        member = await uow.members.by_code("DV004")
        assert member is not None
        await snooze(uow, member, date(2026, 12, 4), 3, clock.now())
        await mark_not_applicable(uow, member, date(2026, 12, 4), "Đang điều trị ở bệnh viện", clock.now())
        await uow.commit()
    await fire(roster_db, DEC_REMIND)
    [broadcast] = await all_broadcasts(roster_db)
    assert set(await recipients(roster_db, broadcast.id)) == {"DV002"}
    report = await fire(roster_db, clock.now() + timedelta(days=4))  # the dropped snooze does not come back
    assert report.snoozes == 0
    async with roster_db.uow() as uow:  # the operator's reminder for the same meeting leaves them out too
        again = await remind_now(uow, DONG_TAM, PROGRESS, DEC_REMIND + timedelta(hours=1), TZ)
        await uow.commit()
    assert set(await recipients(roster_db, again[0].broadcast.id)) == {"DV002"}


# --- paused members in summaries and the operator's "remind now" ---------------------------------------------
async def test_paused_members_are_out_of_the_rates(roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        secretary = await uow.members.by_code("DV002")
        assert secretary is not None
        actor = await load_actor(uow, secretary)
        before = await summarise(uow, actor, date(2026, 11, 23), clock.now())
    await edit_member(roster_db, "DV004", paused_until=date(2026, 11, 23))
    await edit_member(roster_db, "DV005", paused_until=date(2026, 11, 22))  # ended yesterday: counted again
    async with roster_db.uow() as uow:
        after = await summarise(uow, actor, date(2026, 11, 23), clock.now())
    assert isinstance(before, CellSummary) and isinstance(after, CellSummary)
    assert (before.counts.members, after.counts.members) == (6, 5)
    assert "Phạm Thị Hạnh" in before.not_registered and "Phạm Thị Hạnh" not in after.not_registered
    assert "Hoàng Văn Dũng" in after.not_registered


async def test_remind_now_for_a_committee_covers_its_cells(roster_db: Database, clock: FakeClock) -> None:
    await the_cell_as_in_the_issue(roster_db, clock)
    await add_commitment(roster_db, clock, "DV009", "Nội dung ở Tân Lập")
    async with roster_db.uow() as uow:
        done = await remind_now(uow, "Đảng bộ xã Thanh Sơn", PROGRESS, clock.now(), TZ)
        await uow.commit()
    assert [item.cell.name for item in done] == [DONG_TAM, "Chi bộ thôn Tân Lập", "Chi bộ Trường Tiểu học Thanh Sơn"]
    by_cell = {item.cell.name: set(await recipients(roster_db, item.broadcast.id)) for item in done}
    # No meeting day: "not updated in the last 30 days" (DV001 updated today); the text names no meeting date.
    texts = [d.text for d in (await recipients(roster_db, done[0].broadcast.id)).values()]
    assert all(text.startswith(rc.REMIND_PROGRESS_UNSCHEDULED.split("{")[0]) for text in texts)
    assert by_cell == {
        DONG_TAM: {"DV002", "DV004"},
        "Chi bộ thôn Tân Lập": {"DV009"},
        "Chi bộ Trường Tiểu học Thanh Sơn": set(),
    }
    async with roster_db.uow() as uow:
        again = await remind_now(uow, DONG_TAM, REGISTER, clock.now(), TZ)
        await uow.commit()
    assert set(await recipients(roster_db, again[0].broadcast.id)) == {"DV003"}


async def test_two_instances_at_once_on_any_backend(any_db: Database, clock: FakeClock) -> None:
    """The same race on SQLite and, with TEST_DATABASE_URL, PostgreSQL: one broadcast per kind and due time."""
    from tests.support import load_example_roster

    await load_example_roster(any_db, clock)
    await the_cell_as_in_the_issue(any_db, clock)
    await set_meeting_day(any_db, clock.now())
    others = [Database(any_db.url) for _ in range(2)]
    try:
        at = DEC_DIGEST + timedelta(minutes=1)  # the digest is due; the reminder 2 days ago is recorded as missed
        reports = await asyncio.gather(fire(any_db, at), *(fire(other, at) for other in others))
    finally:
        for other in others:
            await other.close()
    rows = await all_broadcasts(any_db)
    assert sorted((b.kind, b.state == BroadcastState.MISSED.value) for b in rows) == [(DIGEST, False), (PROGRESS, True)]
    assert sum(len(r.created) for r in reports) == 1 and sum(len(r.missed) for r in reports) == 1
