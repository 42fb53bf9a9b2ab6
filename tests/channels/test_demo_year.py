"""The demo's year (`make run` without a token): seeded once into an empty database, through the services, so that
every leader's command shows something true to life; `lamtheo demo reset` starts it over."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from handlers.catalog import admin as a
from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.router import Router
from handlers.services.demo import prepare_demo
from handlers.services.roster_file import read_roster
from storage.models import (
    Activity,
    Commendation,
    Commitment,
    ExemplarRegistration,
    ModelReplication,
    ProgressEntry,
    StudySession,
)
from tests.review_support import linked
from tests.support import EXAMPLE_CSV, TZ, Database, FakeClock, sqlite_url


async def seeded(url: str, clock: FakeClock) -> Database:
    db = Database(url)
    for _ in range(2):  # the second run changes nothing
        async with db.uow() as uow:
            await prepare_demo(uow, read_roster(EXAMPLE_CSV).rows, clock.now(), TZ)
            await uow.commit()
    return db


async def counts(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        return {
            model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Commitment, ProgressEntry, ExemplarRegistration, Commendation, ModelReplication, Activity,
                          StudySession)
        }  # fmt: skip


async def test_a_year_true_to_life(sqlite_file: str, clock: FakeClock) -> None:
    db = await seeded(sqlite_file, clock)
    try:
        assert await counts(db) == {
            "commitments": 14,  # 11 members' own, Đồng Tâm's collective commitment and model, Tân Lập's model
            "progress_entries": 16,  # handlers/catalog/sample.py PROGRESS: 3 + 3 + 2 + 2 + 2 + 1 + 2 + 1
            "exemplar_registrations": 2,  # DV001, and Đồng Tâm
            "commendations": 2,  # DV001 commended; Tân Lập waiting at Đảng bộ xã Thanh Sơn
            "model_replications": 1,  # Tân Lập's follows Đồng Tâm's
            "activities": 1,
            "study_sessions": 1,
        }
        async with db.sessions() as session:
            states = dict((await session.execute(select(Commitment.review_state, func.count()).group_by(
                Commitment.review_state))).all())  # fmt: skip
            assert states == {"approved": 11, "returned": 1, "pending": 2}  # cell items are approved at once
            latest = await session.scalar(select(func.max(ProgressEntry.created_at)))
            assert latest is not None and latest.astimezone(TZ).month == 11  # some updated this month
            oldest = await session.scalar(select(func.min(Commitment.created_at)))
            assert oldest is not None and oldest.astimezone(TZ).date() >= date(2026, 1, 1)
        async with db.uow() as uow:
            nurse = await uow.members.by_code("DV006")
            assert nurse is not None and nurse.paused_until == date(2026, 11, 23) + timedelta(weeks=6)
    finally:
        await db.close()


async def test_every_leaders_command_shows_something(sqlite_file: str, clock: FakeClock) -> None:
    db = await seeded(sqlite_file, clock)
    try:
        router = Router(db.uow, clock, TZ)
        staff = await linked(router, db, clock, "DV025", "2525")
        await staff.say("/tonghop")
        assert "Cá nhân đã đăng ký: 9 (64,3%)" in staff.all_texts[0]
        assert "Mô hình nhân rộng từ mô hình của đơn vị khác: 1/2" in staff.all_texts[0]
        await staff.say("/bieuduong")
        assert cm.WAITING_HEADER.format(unit="Đảng bộ xã Thanh Sơn", count=1) in staff.all_texts[1]
        await staff.say("/huy")
        await staff.say("/duyet")
        assert staff.all_texts[0].startswith("Bản đăng ký chờ duyệt (2)")
        member = await linked(router, db, clock, "DV005", "5")
        assert member.all_texts[0].startswith("Cảm ơn")  # consent given; the returned registration comes next
        await member.say("xin chào")
        assert "Nội dung cần cụ thể hơn" in member.all_texts[0] and member.all_texts[-1] == t.MENU_PROMPT
    finally:
        await db.close()


async def test_early_in_january_the_year_still_fits(sqlite_file: str) -> None:
    clock = FakeClock(datetime(2027, 1, 2, 3, 0, tzinfo=UTC))
    db = await seeded(sqlite_file, clock)
    try:
        async with db.sessions() as session:
            years = set((await session.scalars(select(Commitment.year))).all())
            assert years == {2027}
    finally:
        await db.close()


def test_demo_reset_starts_it_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.db"
    monkeypatch.setenv("DEMO_DATABASE_URL", sqlite_url(path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    for _ in range(2):
        assert main(["demo", "reset"]) == 0
        assert capsys.readouterr().out.strip() == a.DEMO_RESET.format(path=path)
        db = Database(sqlite_url(path))
        try:
            found = asyncio.run(counts(db))
        finally:
            asyncio.run(db.engine.dispose())
        assert found["commitments"] == 14 and found["commendations"] == 2  # made again, not added twice
