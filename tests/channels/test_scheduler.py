"""The clock (a real APScheduler AsyncIOScheduler that only wakes the process) and the operator's commands:
remind now (queued for the running bot, or sent here through a fake Bot API), reminders status, cycle."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import build_parser, main
from bot.scheduler import JOB_ID, ReminderClock
from handlers.catalog import reminders as rc
from handlers.services.schedules import MONTHDAY
from storage.models import Broadcast, Delivery, MeetingSchedule
from tests.chat import add_commitment
from tests.fakes.fake_telegram import FakeTelegram
from tests.support import TZ, Database, FakeClock

DONG_TAM = "Chi bộ thôn Đồng Tâm"
DEC_REMIND = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


async def meeting_on_the_4th(db: Database, clock: FakeClock) -> None:
    await add_commitment(db, clock, "DV004", "Vận động hội viên phụ nữ tiết kiệm")
    async with db.uow() as uow:
        [cell] = await uow.units.find_by_name(DONG_TAM)
        await uow.reminders.save_schedule(
            MeetingSchedule(unit_id=cell.id, rule=MONTHDAY, day=4, updated_at=clock.now())
        )
        await uow.commit()


async def broadcasts(db: Database) -> list[Broadcast]:
    async with db.sessions() as session:
        return list((await session.scalars(select(Broadcast).order_by(Broadcast.id))).all())


async def until(condition: object, seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


# --- the clock ---------------------------------------------------------------------------------------------
async def test_the_clock_catches_up_at_start_and_wakes_the_sender(roster_db: Database, clock: FakeClock) -> None:
    await meeting_on_the_4th(roster_db, clock)
    clock.current = DEC_REMIND + timedelta(hours=5)  # the bot was down at 08:00; it starts at 13:00
    woken: list[int] = []
    reminder_clock = ReminderClock(
        roster_db.uow, clock, TZ, timedelta(hours=12), on_fired=lambda: woken.append(1), every_seconds=3600
    )
    scheduler = reminder_clock.start()
    try:
        await until(lambda: reminder_clock.ticks >= 1)  # the immediate run at start, not in an hour
        job = scheduler.get_job(JOB_ID)
        assert job is not None
        assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (None, True, 1)
        assert str(scheduler.timezone) == "Asia/Ho_Chi_Minh"
    finally:
        reminder_clock.shutdown()
    [fired] = await broadcasts(roster_db)
    assert fired.due_at == DEC_REMIND and woken == [1]
    assert (await reminder_clock.tick()).created == []  # the next tick finds it fired: nothing new, no wake
    assert woken == [1]


async def test_a_failing_check_does_not_stop_the_clock(roster_db: Database, clock: FakeClock) -> None:
    await meeting_on_the_4th(roster_db, clock)
    calls: list[int] = []

    def boom() -> None:
        calls.append(1)
        raise RuntimeError("the sender is not ready")

    clock.current = DEC_REMIND
    reminder_clock = ReminderClock(roster_db.uow, clock, TZ, timedelta(hours=12), on_fired=boom, every_seconds=0.05)
    reminder_clock.start()
    try:
        await until(lambda: reminder_clock.ticks >= 3)
    finally:
        reminder_clock.shutdown()
    assert calls == [1] and len(await broadcasts(roster_db)) == 1


async def test_stopping_lets_a_check_in_progress_finish(roster_db: Database, clock: FakeClock) -> None:
    """Shutting APScheduler down cancels a running coroutine job mid-query; stop() waits for it instead."""
    started, finished = asyncio.Event(), []

    class SlowClock(ReminderClock):
        async def tick(self):  # type: ignore[no-untyped-def]
            started.set()
            await asyncio.sleep(0.3)
            finished.append(1)
            return await super().tick()

    reminder_clock = SlowClock(roster_db.uow, clock, TZ, timedelta(hours=12), every_seconds=3600)
    reminder_clock.start()
    await asyncio.wait_for(started.wait(), 5)
    await reminder_clock.stop()
    assert finished == [1] and reminder_clock.ticks == 1 and reminder_clock.scheduler is None


# --- the operator's commands ------------------------------------------------------------------------------
def cli_db(env: Path) -> Database:
    return Database(f"sqlite+aiosqlite:///{env}/cli.db")


def test_the_new_commands_have_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["remind", "now"], ["reminders", "status"], ["cycle", "set"], ["cycle", "show"]):
        with pytest.raises(SystemExit) as exit_info:
            build_parser().parse_args([*command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: lamtheo" in capsys.readouterr().out


def test_cycle_set_and_show(roster_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["cycle", "show", "2026"]) == 0
    assert capsys.readouterr().out.strip() == rc.CYCLE_NONE.format(year=2026)
    assert main(["cycle", "set", "2026", "--registration-deadline", "31/03/2026"]) == 0
    assert capsys.readouterr().out.strip() == rc.CYCLE_SET.format(
        year=2026, deadline="31/03/2026", assessment="chưa đặt"
    )
    args = ["cycle", "set", "2026", "--registration-deadline", "15/04/2026", "--self-assessment-from", "01/11/2026"]
    assert main(args) == 0
    assert main(["cycle", "show", "2026"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == rc.CYCLE_SHOW.format(year=2026, deadline="15/04/2026", assessment="01/11/2026")
    for bad, message in (
        ("31/02/2026", rc.CYCLE_DATE_INVALID.format(text="31/02/2026")),
        ("31/03/2025", rc.CYCLE_DATE_OTHER_YEAR.format(date="31/03/2025", year=2026)),
    ):
        assert main(["cycle", "set", "2026", "--registration-deadline", bad]) == 1
        assert capsys.readouterr().err.strip() == message


async def _link_and_consent(db: Database, codes: list[str], now: datetime) -> dict[str, int]:
    """Telegram accounts (chat id = 700 + number) with consent, as linking would leave them."""
    chat_ids = {}
    async with db.uow() as uow:
        for code in codes:
            member = await uow.members.by_code(code)
            assert member is not None
            member.consent_at = now
            member.quiet_from = member.quiet_to = 0  # no quiet hours: these run on the wall clock, at any hour
            chat_ids[code] = 700 + int(code[2:])
            await uow.accounts.add("telegram", str(chat_ids[code]), member.id, now)
        await uow.commit()
    return chat_ids


def test_remind_now_queues_for_the_running_bot_and_status_shows_it(
    roster_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = cli_db(roster_env)
    asyncio.run(_link_and_consent(db, ["DV001", "DV004"], datetime.now(UTC)))
    capsys.readouterr()
    assert main(["remind", "now", "--unit", DONG_TAM, "--kind", "register"]) == 0
    # Everyone without a commitment gets one; DV001 and DV004 can be reached, the others are skipped.
    assert capsys.readouterr().out.strip() == rc.CLI_REMIND_QUEUED.format(cells=1, count=2)
    assert main(["remind", "now", "--unit", "Nowhere"]) == 1
    assert main(["reminders", "status"]) == 0
    out = capsys.readouterr().out
    assert rc.CLI_STATUS_SCHEDULES in out and rc.CLI_STATUS_NO_SCHEDULES in out
    assert "register_reminder Chi bộ thôn Đồng Tâm" in out and "pending=2" in out and "skipped=4" in out
    assert rc.CLI_STATUS_NO_MISSED in out
    asyncio.run(db.close())


def test_status_shows_schedules_next_due_times_and_missed_firings(
    roster_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = cli_db(roster_env)

    async def prepare() -> None:
        async with db.uow() as uow:
            [cell] = await uow.units.find_by_name(DONG_TAM)
            long_ago = datetime.now(UTC) - timedelta(days=40)
            await uow.reminders.save_schedule(
                MeetingSchedule(unit_id=cell.id, rule=MONTHDAY, day=31, updated_at=long_ago)
            )
            await uow.commit()
        async with db.uow() as uow:
            from handlers.services.reminders import fire_due

            await fire_due(uow, datetime.now(UTC), TZ, timedelta(hours=12))
            await uow.commit()
        await db.close()

    asyncio.run(prepare())
    capsys.readouterr()
    assert main(["reminders", "status"]) == 0
    out = capsys.readouterr().out
    assert f"  {DONG_TAM}: ngày 31 hằng tháng; buổi tới" in out
    assert rc.CLI_STATUS_MISSED in out and "missed" in out


def remind_here(roster_env: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeTelegram, budget: str) -> dict[str, int]:
    db = cli_db(roster_env)
    chat_ids = asyncio.run(_link_and_consent(db, ["DV001", "DV004"], datetime.now(UTC)))
    asyncio.run(db.close())
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake.token)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake.base_url)
    monkeypatch.setenv("RATE_BUDGET", budget)
    assert main(["remind", "now", "--unit", "Đảng bộ xã Thanh Sơn", "--kind", "register"]) == 0
    return chat_ids


async def _statuses(check: Database) -> list[str]:
    async with check.sessions() as session:
        rows = (await session.scalars(select(Delivery.status).where(Delivery.status != "skipped"))).all()
    await check.close()
    return sorted(rows)


def test_remind_now_sends_with_a_progress_bar_on_the_budget_in_the_database(
    roster_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTelegram() as fake:
        capsys.readouterr()
        chat_ids = remind_here(roster_env, monkeypatch, fake, "database")
        captured = capsys.readouterr()
        for code, chat_id in chat_ids.items():
            texts = fake.sent_texts(chat_id)
            assert len(texts) == 1, (code, texts)
            assert texts[0].startswith(rc.REMIND_HEAD_UNSCHEDULED.format(cell=DONG_TAM))
    assert rc.CLI_REMIND_SENDING in captured.err  # the tqdm bar
    assert "sent=2" in captured.out
    assert asyncio.run(_statuses(cli_db(roster_env))) == ["sent", "sent"]


def test_remind_now_leaves_the_sending_to_the_running_bot_when_the_budget_is_in_its_process(
    roster_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTelegram() as fake:
        capsys.readouterr()
        remind_here(roster_env, monkeypatch, fake, "auto")  # SQLite: the running bot's process holds the budget
        assert fake.sent_messages() == []
    assert capsys.readouterr().out.strip() == rc.CLI_REMIND_QUEUED.format(cells=3, count=2)
    assert asyncio.run(_statuses(cli_db(roster_env))) == ["pending", "pending"]


@pytest.mark.parametrize("value", ["-1", "abc", "1000"])
def test_a_bad_grace_names_its_variable(
    roster_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.setenv("REMINDER_GRACE_HOURS", value)
    capsys.readouterr()
    assert main(["reminders", "status"]) == 2
    err = capsys.readouterr().err.strip()
    assert "REMINDER_GRACE_HOURS" in err and err.count("\n") == 0
