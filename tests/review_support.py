"""Helpers for the approval, collective, self-assessment and study tests (services called as the member)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from handlers.router import Router
from handlers.services.authz import Actor, load_actor
from handlers.services.collective import register_for_cell
from handlers.services.commitments import Draft
from handlers.services.study import record_session
from storage.enums import CommitmentKind
from storage.models import Commitment, Cycle, SelfAssessment, StudyAttendance, StudySession
from storage.uow import UnitOfWork
from tests.chat import MEASURES, Chat
from tests.support import Database, FakeClock

TODAY = date(2026, 11, 23)  # the FakeClock's day in Hà Nội


async def actor_of(uow: UnitOfWork, code: str) -> Actor:
    member = await uow.members.by_code(code)
    assert member is not None, code
    return await load_actor(uow, member)


async def linked(router: Router, db: Database, clock: FakeClock, code: str, user_id: str) -> Chat:
    chat = Chat(router, user_id=user_id)
    await chat.link_as(code, db, clock)
    return chat


async def set_cycle(db: Database, clock: FakeClock, year: int, self_assessment_from: date | None) -> None:
    """The committee's cycle row, written directly (`lamtheo cycle set` lives on another branch)."""
    async with db.sessions() as session:
        session.add(Cycle(year=year, self_assessment_from=self_assessment_from, updated_at=clock.now()))
        await session.commit()


async def add_cell_item(
    db: Database, clock: FakeClock, leader: str, content: str, kind: CommitmentKind = CommitmentKind.COLLECTIVE
) -> int:
    async with db.uow() as uow:
        draft = Draft(content, MEASURES, date(2026, 12, 31))
        saved, _, _ = await register_for_cell(uow, await actor_of(uow, leader), kind, draft, TODAY, clock.now())
        await uow.commit()
        return saved.id


async def add_session(
    db: Database, clock: FakeClock, leader: str, held_on: date, attendees: list[str], title: str = "Học tập chuyên đề"
) -> int:
    async with db.uow() as uow:
        ids = []
        for code in attendees:
            found = await uow.members.by_code(code)
            assert found is not None
            ids.append(found.id)
        actor = await actor_of(uow, leader)
        session = await record_session(uow, actor, held_on, title, ids, TODAY, clock.now())
        await uow.commit()
        return session.id


async def commitment_row(db: Database, commitment_id: int) -> dict[str, Any]:
    async with db.uow() as uow:
        row = await uow.commitments.get(commitment_id)
        assert row is not None
        return {
            name: getattr(row, name)
            for name in (
                "member_id",
                "unit_id",
                "kind",
                "content",
                "measures",
                "percent",
                "review_state",
                "review_comment",
                "reviewed_by_member_id",
                "reviewed_at",
            )
        }


async def review_tables(db: Database) -> list[Any]:
    """Everything approval, assessment and study write: for 'nothing changed' checks."""
    async with db.sessions() as session:
        commitments = (await session.scalars(select(Commitment).order_by(Commitment.id))).all()
        assessments = (await session.scalars(select(SelfAssessment))).all()
        sessions = (await session.scalars(select(StudySession).order_by(StudySession.id))).all()
        attendance = (await session.scalars(select(StudyAttendance))).all()
        return [
            *((c.id, c.review_state, c.review_comment, c.percent, c.content, c.status) for c in commitments),
            *sorted((a.commitment_id, a.result, a.cause, a.remedy) for a in assessments),
            *((s.id, s.unit_id, s.held_on, s.title) for s in sessions),
            *sorted((a.session_id, a.member_id, a.confirmed_at is not None) for a in attendance),
        ]
