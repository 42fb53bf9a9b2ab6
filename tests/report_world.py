"""A hand-counted world for roll-up tests, built on the example roster (clock: 23/11/2026 10:00 in Hà Nội).

Rows are inserted directly, as the services (and the org helper's unit changes) would leave them.
Đảng bộ xã Thanh Sơn has three cells today; "Chi bộ Trường Mầm non" (MN) was merged into
"Chi bộ Trường Tiểu học Thanh Sơn" (TH) on 05/11/2026, taking DV014 with it. DV011 moved from Tân Lập (TL)
to Đồng Tâm (DT) on 15/11/2026. Every commitment is of 2026 and registered on 01/03/2026 unless said.

DT  DV001 linked (telegram); A1 50% on 15/10, 100% on 05/11; A2 registered 02/11, 100% on 10/11; studied
    DV002 linked (telegram) but blocked the bot; B1 deadline 31/10, 50% on 15/10; studied;
          registered the cell's collective commitment (0%, deadline 31/12) and model (80% on 01/06, deadline 30/06)
    DV003 exempt, with a commitment                     -> out of every count
    DV004 paused until 10/11/2026, nothing registered   -> in scope in November, not in October
    DV005 one withdrawn commitment, one of 2025         -> not registered
    DV006 anonymised; 30% on 20/11
    DV011 (moved in on 15/11) 60% on 10/10
TL  DV007 linked (zalo); 60% on 25/09, 100% on 02/11
    DV008 console account only (not linked)
    DV009 40% on 20/10, 100% on 05/11
    DV010 nothing
TH  DV012 deadline 30/09, never updated (0%)
    DV013 attended TH's study session of 12/11
    DV014 (in MN until 05/11) 100% on 01/10
    DV015 nothing
Study: DT held a session on 15/09 (DV001, DV002 attended); TH on 12/11 (DV013).

November 2026 (as of 23/11):     members linked unreach reg commit upd done behind coll model studied held
    DT                                  6      2       1   4      5   2    1      2    1     1       2    1
    TL                                  4      1       0   2      2   2    2      0    0     0       0    0
    TH                                  4      0       0   2      2   0    1      1    0     0       1    1
October 2026 (as of 31/10):
    DT  (DV004 paused, DV011 in TL)     4      2       1   3      3   2    0      1    1     1       2    1
    TL  (with DV011)                    5      1       0   3      3   2    0      0    0     0       0    0
    TH  (without DV014)                 3      0       0   1      1   0    0      1    0     0       0    0
    MN  (DV014)                         1      0       0   1      1   1    1      0    0     0       0    0
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from handlers.catalog import document as dc
from handlers.catalog import reports as rp
from storage.enums import CommitmentKind, CommitmentStatus, UnitKind
from storage.models import (
    ChatAccount,
    Commitment,
    Member,
    MemberMove,
    ProgressEntry,
    StudyAttendance,
    StudySession,
    UnitEvent,
)
from storage.repo_reports import Figures
from storage.uow import UnitOfWork
from tests.support import TZ, Database, FakeClock

THANH_SON = "Đảng bộ xã Thanh Sơn"
DT, TL = "Chi bộ thôn Đồng Tâm", "Chi bộ thôn Tân Lập"
TH, MN = "Chi bộ Trường Tiểu học Thanh Sơn", "Chi bộ Trường Mầm non"
# The workbook's sheets before a sheet per cell: the roll-up, exemplars' figures, commendations, activities.
LEADING_SHEETS = [rp.SHEET_ROLLUP, dc.SHEET_HONOURS, dc.SHEET_COMMENDATIONS, dc.SHEET_ACTIVITIES]
FIELDS = (
    "members",
    "linked",
    "unreachable",
    "registered",
    "commitments",
    "updated",
    "completed",
    "behind",
    "collective",
    "models",
    "studied",
    "cells_studied",
)


def figures(*values: int) -> Figures:
    found = Figures(cells=1)
    for name, value in zip(FIELDS, values, strict=True):
        setattr(found, name, value)
    return found


NOVEMBER = {
    DT: figures(6, 2, 1, 4, 5, 2, 1, 2, 1, 1, 2, 1),
    TL: figures(4, 1, 0, 2, 2, 2, 2, 0, 0, 0, 0, 0),
    TH: figures(4, 0, 0, 2, 2, 0, 1, 1, 0, 0, 1, 1),
}
OCTOBER = {
    DT: figures(4, 2, 1, 3, 3, 2, 0, 1, 1, 1, 2, 1),
    TL: figures(5, 1, 0, 3, 3, 2, 0, 0, 0, 0, 0, 0),
    TH: figures(3, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0),
    MN: figures(1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0),
}


def total(lines: dict[str, Figures]) -> Figures:
    found = Figures()
    for item in lines.values():
        found.add(item)
    return found


def local(day: int, month: int, year: int = 2026, hour: int = 9) -> datetime:
    return datetime.combine(date(year, month, day), time(hour), TZ).astimezone(UTC)


@dataclass
class World:
    ids: dict[str, int]  # member code -> id
    units: dict[str, int]  # unit name -> id


class _Builder:
    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self.uow, self.now = uow, now
        self.ids: dict[str, int] = {}

    async def member(self, code: str) -> Member:
        found = await self.uow.members.by_code(code)
        assert found is not None, code
        self.ids[code] = found.id
        return found

    async def commitment(
        self,
        code: str,
        entries: list[tuple[datetime, int]],
        *,
        deadline: date = date(2026, 12, 31),
        created: datetime | None = None,
        kind: CommitmentKind = CommitmentKind.INDIVIDUAL,
        unit_id: int | None = None,
        year: int = 2026,
        withdrawn: bool = False,
    ) -> Commitment:
        owner = await self.member(code)
        last = entries[-1] if entries else None
        item = Commitment(
            member_id=owner.id,
            year=year,
            content=f"Nội dung {kind.value} của {code} ({len(entries)} lần cập nhật)",
            measures="Họp tổ, đến từng nhà",
            deadline=deadline,
            status=CommitmentStatus.WITHDRAWN.value if withdrawn else CommitmentStatus.ACTIVE.value,
            percent=last[1] if last else 0,
            last_progress_at=last[0] if last else None,
            kind=kind.value,
            unit_id=unit_id,
            review_state="approved",
            created_at=created or local(1, 3),
            updated_at=self.now,
            withdrawn_at=self.now if withdrawn else None,
        )
        await self.uow.commitments.add(item)
        for moment, percent in entries:
            self.uow.commitments.session.add(
                ProgressEntry(commitment_id=item.id, percent=percent, entered_by_member_id=owner.id, created_at=moment)
            )
        return item

    async def account(self, code: str, platform: str, external: str, blocked: bool = False) -> None:
        owner = await self.member(code)
        owner.consent_at = self.now
        account: ChatAccount = await self.uow.accounts.add(platform, external, owner.id, self.now)
        if blocked:
            account.blocked_at = self.now


async def build_world(db: Database, clock: FakeClock) -> World:
    now = clock.now()
    async with db.uow() as uow:
        b = _Builder(uow, now)
        units = {unit.name: unit for unit in await uow.units.all()}
        thanh_son = units[THANH_SON]
        mn = await uow.units.add(MN, UnitKind.CELL, thanh_son, local(1, 1))
        units[MN] = mn
        dt, tl, th = units[DT], units[TL], units[TH]

        await b.account("DV001", "telegram", "9001")
        await b.commitment("DV001", [(local(15, 10), 50), (local(5, 11), 100)])
        await b.commitment("DV001", [(local(10, 11), 100)], created=local(2, 11))
        await b.account("DV002", "telegram", "9002", blocked=True)
        await b.commitment("DV002", [(local(15, 10), 50)], deadline=date(2026, 10, 31))
        await b.commitment("DV002", [], kind=CommitmentKind.COLLECTIVE, unit_id=dt.id)
        await b.commitment(
            "DV002", [(local(1, 6), 80)], kind=CommitmentKind.MODEL, unit_id=dt.id, deadline=date(2026, 6, 30)
        )
        (await b.member("DV003")).exempt = True
        await b.commitment("DV003", [(local(5, 11), 100)])
        (await b.member("DV004")).paused_until = date(2026, 11, 10)
        await b.commitment("DV005", [(local(5, 11), 20)], withdrawn=True)
        await b.commitment("DV005", [(local(5, 11), 100)], year=2025, created=local(1, 3, 2025))
        dv006 = await b.member("DV006")
        dv006.full_name, dv006.phone, dv006.anonymised_at = "", None, local(21, 11)
        await b.commitment("DV006", [(local(20, 11), 30)])
        dv011 = await b.member("DV011")
        dv011.cell_id = dt.id
        uow.commitments.session.add(
            MemberMove(member_id=dv011.id, from_unit_id=tl.id, to_unit_id=dt.id, moved_at=local(15, 11))
        )
        await b.commitment("DV011", [(local(10, 10), 60)])

        await b.account("DV007", "zalo", "z7")
        await b.commitment("DV007", [(local(25, 9), 60), (local(2, 11), 100)])
        await b.account("DV008", "console", "DV008")
        await b.commitment("DV009", [(local(20, 10), 40), (local(5, 11), 100)])

        await b.commitment("DV012", [], deadline=date(2026, 9, 30))
        dv014 = await b.member("DV014")
        dv014.cell_id = th.id
        await b.commitment("DV014", [(local(1, 10), 100)])
        mn.active = False
        uow.commitments.session.add(
            MemberMove(member_id=dv014.id, from_unit_id=mn.id, to_unit_id=th.id, moved_at=local(5, 11))
        )
        uow.commitments.session.add(
            UnitEvent(
                unit_id=mn.id,
                action="merge",
                target_unit_id=th.id,
                old_parent_id=thanh_son.id,
                new_parent_id=None,
                old_path=mn.path,
                members_moved=1,
                at=local(5, 11),
            )
        )
        for unit, held_on, codes in ((dt, date(2026, 9, 15), ["DV001", "DV002"]), (th, date(2026, 11, 12), ["DV013"])):
            session = StudySession(unit_id=unit.id, held_on=held_on, title="Học chuyên đề năm 2026", created_at=now)
            uow.commitments.session.add(session)
            await uow.commitments.session.flush()
            for code in codes:
                member = await b.member(code)
                uow.commitments.session.add(
                    StudyAttendance(session_id=session.id, member_id=member.id, confirmed_at=None, recorded_at=now)
                )
        for code in [f"DV{n:03d}" for n in range(1, 26)]:
            await b.member(code)
        await uow.commit()
        return World(ids=dict(b.ids), units={name: unit.id for name, unit in units.items()})
