"""Helpers for the exemplar, commendation, replication and activity tests (services called as the member).

The example roster has no staff at the province: `add_province_staff` adds one (TV001, "Ban Tuyên giáo Tỉnh ủy").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from handlers.services import commend_decisions as dec
from handlers.services import commendations as co
from handlers.services.activities import record_activity
from handlers.services.exemplars import register_exemplar
from handlers.services.member_refs import render_refs
from handlers.services.replications import record_replication
from storage.enums import ActivityKind, CommendationForm, CommitmentKind, NomineeKind, Role
from storage.models import Broadcast, Commendation, CommendationStep, Commitment, Delivery, Member
from tests.chat import mid
from tests.review_support import TODAY, actor_of, add_cell_item
from tests.support import TZ, Database, FakeClock

PROVINCE = "Đảng bộ tỉnh Hòa Bình Xanh"
THANH_SON = "Đảng bộ xã Thanh Sơn"
DONG_TAM, TAN_LAP = "Chi bộ thôn Đồng Tâm", "Chi bộ thôn Tân Lập"
ACCOUNT = "Vận động 12 hộ hiến đất mở rộng đường thôn dài 300 m, hoàn thành trước thời hạn 2 tháng"


async def add_province_staff(db: Database, clock: FakeClock, code: str = "TV001") -> int:
    async with db.uow() as uow:
        [province] = await uow.units.find_by_name(PROVINCE)
        staff = Member(
            code=code,
            full_name="Vương Thị Tuyết",
            position="Chuyên viên Ban Tuyên giáo Tỉnh ủy",
            role=Role.COMMITTEE.value,
            cell_id=None,
            scope_unit_id=province.id,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        await uow.members.add(staff)
        await uow.commit()
        return staff.id


async def propose(
    db: Database, clock: FakeClock, leader: str, nominee: str | None, account: str = ACCOUNT, item: int | None = None
) -> int:
    """A proposal made through the service by a cell's leader (nominee None: the cell itself); returns its id."""
    async with db.uow() as uow:
        member_id = await mid(uow, nominee) if nominee else None
        actor = await actor_of(uow, leader)
        proposal, _ = await co.propose(uow, actor, member_id, item, account, TODAY, clock.now(), TZ)
        await uow.commit()
        return proposal.id


async def decide(db: Database, clock: FakeClock, staff: str, proposal_id: int, action: str) -> None:
    """commend (biểu dương, decision 12-QĐ/ĐU of 20/11/2026), reward, forward or return, through the services."""
    async with db.uow() as uow:
        actor = await actor_of(uow, staff)
        if action in ("praise", "reward"):
            form = CommendationForm(action)
            await dec.commend(uow, actor, proposal_id, form, "12-QĐ/ĐU", date(2026, 11, 20), TODAY, clock.now(), TZ)
        elif action == "forward":
            await dec.forward(uow, actor, proposal_id, clock.now(), TZ)
        else:
            assert action == "return"
            await dec.return_proposal(uow, actor, proposal_id, "Cần ghi rõ kết quả cụ thể", clock.now(), TZ)
        await uow.commit()


async def add_activity(
    db: Database, clock: FakeClock, leader: str, held_on: date, participants: int, kind: str = "contest"
) -> int:
    async with db.uow() as uow:
        actor = await actor_of(uow, leader)
        title = "Hội thi kể chuyện về tấm gương đạo đức Hồ Chí Minh"
        activity = await record_activity(
            uow, actor, ActivityKind(kind), held_on, title, participants, TODAY, clock.now()
        )
        await uow.commit()
        return activity.id


async def queued_texts(db: Database, code: str) -> list[str]:
    """Texts of one-off notices waiting in the delivery queue for the member, as they will be sent (members
    named in them are stored by reference: handlers/services/member_refs.py)."""
    async with db.uow() as uow:
        session = uow.members.session
        member_id = await mid(uow, code)
        stmt = (
            select(Delivery.text)
            .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
            .where(Delivery.member_id == member_id, Broadcast.kind == "notice", Delivery.status == "pending")
            .order_by(Delivery.id)
        )
        return await render_refs(uow, list((await session.scalars(stmt)).all()))


async def commendation_row(db: Database, proposal_id: int) -> dict[str, Any]:
    async with db.uow() as uow:
        row = await uow.honours.commendation(proposal_id)
        assert row is not None
        names = ("kind", "member_id", "unit_id", "commitment_id", "account", "state", "level_unit_id", "form")
        names += ("decision_number", "decision_date", "decided_by_member_id", "comment", "proposed_by_member_id")
        return {name: getattr(row, name) for name in names}


async def steps_of(db: Database, proposal_id: int) -> list[tuple[str, str, str, str | None, str | None]]:
    """(action, who (code), where (unit), to (unit), note) of every step, in order."""
    async with db.uow() as uow:
        out = []
        for step in await uow.honours.steps([proposal_id]):
            who = await uow.members.get(step.member_id)
            at = await uow.units.get(step.unit_id)
            to = await uow.units.get(step.to_unit_id) if step.to_unit_id else None
            assert who is not None and at is not None
            out.append((step.action, who.code, at.name, to.name if to else None, step.note))
        return out


async def honour_tables(db: Database) -> list[Any]:
    """Everything commendations write: for 'nothing changed' checks."""
    async with db.sessions() as session:
        proposals = (await session.scalars(select(Commendation).order_by(Commendation.id))).all()
        steps = (await session.scalars(select(CommendationStep).order_by(CommendationStep.id))).all()
        deliveries = (await session.scalars(select(Delivery.id))).all()
        return [
            *((p.id, p.state, p.level_unit_id, p.form, p.decision_number, p.comment, p.account) for p in proposals),
            *((s.id, s.action, s.member_id) for s in steps),
            len(deliveries),
        ]


async def only_proposal(db: Database) -> int:
    async with db.sessions() as session:
        [found] = (await session.scalars(select(Commendation.id))).all()
        return found


async def unit_id(db: Database, name: str) -> int:
    async with db.uow() as uow:
        [unit] = await uow.units.find_by_name(name)
        return unit.id


async def add_exemplar(db: Database, clock: FakeClock, code: str, collective: bool = False) -> None:
    async with db.uow() as uow:
        kind = NomineeKind.COLLECTIVE if collective else NomineeKind.INDIVIDUAL
        await register_exemplar(uow, await actor_of(uow, code), kind, 2026, clock.now())
        await uow.commit()


async def add_replication(db: Database, clock: FakeClock, model: int, source: int | None, text: str | None) -> None:
    async with db.uow() as uow:
        row = await uow.commitments.get(model)
        assert row is not None
        member = await uow.members.get(row.member_id)
        assert member is not None
        await record_replication(uow, await actor_of(uow, member.code), row, source, text, clock.now())
        await uow.commit()


async def honours_on_the_world(db: Database, clock: FakeClock) -> None:
    """On tests/report_world.py's world (23/11/2026): DV001 commended (khen thưởng, 12-QĐ/ĐU of 20/11/2026) for
    Vận động 12 hộ…; Tân Lập proposed as a collective and proposed upward; Đồng Tâm held a contest of 139 people on
    12/10/2026; DV001 and Đồng Tâm registered as exemplars; a Tân Lập model follows Đồng Tâm's model. The clock then
    moves on a minute, so that a roll-up counts all of it."""
    commended = await propose(db, clock, "DV002", "DV001")
    await decide(db, clock, "DV025", commended, "reward")
    upward = await propose(db, clock, "DV007", None)
    await decide(db, clock, "DV025", upward, "forward")
    await add_activity(db, clock, "DV002", date(2026, 10, 12), 139)
    await add_exemplar(db, clock, "DV001")
    await add_exemplar(db, clock, "DV002", collective=True)
    async with db.sessions() as session:
        [pilot] = (await session.scalars(select(Commitment.id).where(Commitment.kind == "model"))).all()
    follower = await add_cell_item(db, clock, "DV007", "Thắp sáng đường quê", CommitmentKind.MODEL)
    await add_replication(db, clock, follower, pilot, None)
    clock.advance(minutes=1)
