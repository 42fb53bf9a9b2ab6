"""The world bench/dashboard.py measures in: the generated province opened through the bot's own unit of work, its
units, a committee staff member of the province and a cell's secretary able to write to the router, and writes that
change a cell (put back when the world closes)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from handlers.messages import Incoming
from handlers.router import Router
from storage.db import create_engine, session_factory
from storage.enums import CommitmentKind, Role
from storage.models import ChatAccount, Commitment, Member, Unit
from storage.repo_figures import FigureMemo, memo_of
from storage.uow import UnitOfWork

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF_CODE, STAFF_ACCOUNT = "BENCH-TV01", "bench-staff-1"  # added once, outside every cell: counted nowhere


@dataclass(frozen=True)
class FixedClock:
    moment: datetime

    def now(self) -> datetime:
        return self.moment


@dataclass
class World:
    uow: Callable[[], UnitOfWork]  # `async with world.uow() as uow`
    memo: FigureMemo
    router: Router
    now: datetime
    province: Unit
    cell: Unit
    cells: list[int]
    staff_account: str
    secretary_account: str
    commitment_of: dict[int, int]  # cell -> a commitment of one of its members
    original: dict[int, int] = field(default_factory=dict)  # commitment -> its percent before the bench
    keys: Iterator[int] = field(default_factory=itertools.count)
    http: Any = None  # bench/dashboard_http.Pages while the web pages are timed

    async def change(self, cell_ids: list[int]) -> None:
        """One transaction: in each cell, a commitment's percent goes from p to 100 - p (and back next time)."""
        async with self.uow() as uow:
            for cell_id in cell_ids:
                commitment = await uow.commitments.get(self.commitment_of[cell_id])
                assert commitment is not None
                self.original.setdefault(commitment.id, commitment.percent)
                commitment.percent = 100 - commitment.percent
            await uow.commit()

    async def restore(self) -> None:
        async with self.uow() as uow:
            for commitment_id, percent in self.original.items():
                commitment = await uow.commitments.get(commitment_id)
                assert commitment is not None
                commitment.percent = percent
            await uow.commit()

    async def say(self, account: str, text: str) -> None:
        key = f"bench-dashboard-{self.now.timestamp():.0f}-{id(self)}-{next(self.keys)}"
        replies = await self.router.handle(Incoming("telegram", account, key, text=text))
        assert replies, "the router answered nothing"


async def _staff(uow: UnitOfWork, province: Unit, now: datetime) -> str:
    if await uow.members.by_code(STAFF_CODE) is None:
        staff = Member(
            code=STAFF_CODE,
            full_name="Cán bộ Ban Tuyên giáo (benchmark)",
            position="",
            role=Role.COMMITTEE.value,
            cell_id=None,
            scope_unit_id=province.id,
            consent_at=now,
            created_at=now,
            updated_at=now,
        )
        await uow.members.add(staff)
        await uow.accounts.add("telegram", STAFF_ACCOUNT, staff.id, now)
    return STAFF_ACCOUNT


async def _secretary(uow: UnitOfWork) -> tuple[int, str]:
    """A cell whose secretary consented and has a telegram account that did not block the bot."""
    stmt = (
        select(Member.cell_id, ChatAccount.external_id)
        .join(ChatAccount, ChatAccount.member_id == Member.id)
        .where(
            Member.role == Role.SECRETARY.value,
            Member.consent_at.is_not(None),
            Member.anonymised_at.is_(None),
            ChatAccount.blocked_at.is_(None),
            ChatAccount.platform == "telegram",
        )
        .order_by(Member.id)
        .limit(1)
    )
    cell_id, account = (await uow.figures.session.execute(stmt)).one()
    assert cell_id is not None
    return cell_id, account


async def _commitments(uow: UnitOfWork) -> dict[int, int]:
    stmt = (
        select(Member.cell_id, func.min(Commitment.id))
        .join(Commitment, Commitment.member_id == Member.id)
        .where(Commitment.kind == CommitmentKind.INDIVIDUAL.value, Member.cell_id.is_not(None))
        .group_by(Member.cell_id)
    )
    rows = (await uow.figures.session.execute(stmt)).all()
    return {cell: commitment for cell, commitment in rows if cell is not None}


@asynccontextmanager
async def open_world(url: str, now: datetime) -> AsyncIterator[World]:
    engine = create_engine(url)
    sessions = session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    try:
        async with uow() as work:
            units = await work.units.all()
            province = next(unit for unit in units if unit.parent_id is None)
            staff = await _staff(work, province, now)
            cell_id, secretary = await _secretary(work)
            commitments = await _commitments(work)
            await work.commit()
        cells = [unit.id for unit in units if unit.kind == "cell" and unit.id in commitments]
        cell = next(unit for unit in units if unit.id == cell_id)
        router = Router(uow, FixedClock(now), TZ)
        world = World(uow, memo_of(sessions), router, now, province, cell, cells, staff, secretary, commitments)
        try:
            yield world
        finally:
            await world.restore()
    finally:
        await engine.dispose()
