"""Repositories for approval, collective commitments, the year-end self-assessment and study sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, literal, or_, select

from storage.enums import CommitmentKind, CommitmentStatus, ReviewState, Role
from storage.models import Commitment, Cycle, Member, SelfAssessment, StudyAttendance, StudySession
from storage.repo_base import Repo

_INDIVIDUAL = CommitmentKind.INDIVIDUAL.value
_ACTIVE = CommitmentStatus.ACTIVE.value


class PendingRow(NamedTuple):
    """A pending registration as /duyet lists it: columns, not entities (a commune in January has thousands)."""

    commitment_id: int
    content: str
    member_name: str
    position: str
    role: str
    cell_id: int | None
    scope_unit_id: int | None


class ReviewRepository(Repo):
    async def menu_hints(
        self, member_id: int, cell_id: int | None, year: int, since: date, recent: int
    ) -> tuple[int, date | None, int]:
        """In one statement, what the main menu adds in season: (returned registrations of the member, the
        year's self-assessment start, unconfirmed study sessions among the cell's `recent` latest since `since`)."""
        returned = (
            select(func.count())
            .where(
                Commitment.member_id == member_id,
                Commitment.kind == _INDIVIDUAL,
                Commitment.status == _ACTIVE,
                Commitment.review_state == ReviewState.RETURNED.value,
            )
            .scalar_subquery()
        )
        opens = select(Cycle.self_assessment_from).where(Cycle.year == year).scalar_subquery()
        unconfirmed: ColumnElement[Any] = literal(0)
        if cell_id is not None:
            latest = (
                select(StudySession.id)
                .where(StudySession.unit_id == cell_id, StudySession.held_on >= since)
                .order_by(StudySession.held_on.desc(), StudySession.id.desc())
                .limit(recent)
                .subquery()
            )
            mine = exists().where(StudyAttendance.session_id == latest.c.id, StudyAttendance.member_id == member_id)
            unconfirmed = select(func.count()).select_from(latest).where(~mine).scalar_subquery()
        row = (await self.session.execute(select(returned, opens, unconfirmed))).one()
        return int(row[0]), row[1], int(row[2])

    async def pending_in_cells(
        self, cell_ids: Sequence[int], committee_ids: Sequence[int] = (), not_of_member: int | None = None
    ) -> list[PendingRow]:
        """Pending individual registrations of active members of the cells, and of committee staff without a cell
        whose committee is among `committee_ids`; none of `not_of_member`: leaders first, then oldest first."""
        leader_first = case(
            (Member.role.in_([Role.SECRETARY.value, Role.DEPUTY.value, Role.COMMITTEE.value]), 0), else_=1
        )
        stmt = (
            select(
                Commitment.id,
                Commitment.content,
                Member.full_name,
                Member.position,
                Member.role,
                Member.cell_id,
                Member.scope_unit_id,
            )
            .join(Member, Member.id == Commitment.member_id)
            .where(
                or_(
                    Member.cell_id.in_(list(cell_ids)),
                    and_(Member.cell_id.is_(None), Member.scope_unit_id.in_(list(committee_ids))),
                ),
                Member.active.is_(True),
                Commitment.kind == _INDIVIDUAL,
                Commitment.status == _ACTIVE,
                Commitment.review_state == ReviewState.PENDING.value,
            )
            .order_by(leader_first, Commitment.created_at, Commitment.id)
        )
        if not_of_member is not None:
            stmt = stmt.where(Commitment.member_id != not_of_member)
        return [PendingRow(*row) for row in (await self.session.execute(stmt)).all()]

    async def returned_for(self, member_id: int) -> list[Commitment]:
        stmt = select(Commitment).where(
            Commitment.member_id == member_id,
            Commitment.kind == _INDIVIDUAL,
            Commitment.status == _ACTIVE,
            Commitment.review_state == ReviewState.RETURNED.value,
        )
        return await self._scalars(stmt.order_by(Commitment.id))

    async def cell_items(self, unit_id: int) -> list[Commitment]:
        """Active collective commitments and models of a cell."""
        stmt = select(Commitment).where(
            Commitment.unit_id == unit_id, Commitment.kind != _INDIVIDUAL, Commitment.status == _ACTIVE
        )
        return await self._scalars(stmt.order_by(Commitment.year, Commitment.id))


class AssessmentRepository(Repo):
    async def cycle(self, year: int) -> Cycle | None:
        return await self.session.get(Cycle, year)

    async def get(self, commitment_id: int) -> SelfAssessment | None:
        return await self.session.get(SelfAssessment, commitment_id)

    async def for_commitments(self, commitment_ids: Sequence[int]) -> dict[int, SelfAssessment]:
        if not commitment_ids:
            return {}
        stmt = select(SelfAssessment).where(SelfAssessment.commitment_id.in_(list(commitment_ids)))
        return {row.commitment_id: row for row in await self._scalars(stmt)}

    async def add(self, assessment: SelfAssessment) -> SelfAssessment:
        self.session.add(assessment)
        await self.session.flush()
        return assessment

    async def distribution(self, cell_ids: Sequence[int], year: int) -> dict[int, dict[str, int]]:
        """Per cell: active individual commitments of the year by self-assessment result ("" = none yet)."""
        stmt = (
            select(Member.cell_id, SelfAssessment.result, func.count(Commitment.id))
            .join(Member, Member.id == Commitment.member_id)
            .outerjoin(SelfAssessment, SelfAssessment.commitment_id == Commitment.id)
            .where(
                Member.cell_id.in_(list(cell_ids)),
                Member.active.is_(True),
                Member.exempt.is_(False),
                Commitment.kind == _INDIVIDUAL,
                Commitment.status == _ACTIVE,
                Commitment.year == year,
            )
            .group_by(Member.cell_id, SelfAssessment.result)
        )
        counts: dict[int, dict[str, int]] = {cell_id: {} for cell_id in cell_ids}
        for cell_id, result, count in (await self.session.execute(stmt)).all():
            if cell_id is not None:
                counts.setdefault(cell_id, {})[result or ""] = int(count)
        return counts


class StudyRepository(Repo):
    async def get(self, session_id: int) -> StudySession | None:
        return await self.session.get(StudySession, session_id)

    async def add(self, study: StudySession, member_ids: Sequence[int]) -> None:
        self.session.add(study)
        await self.session.flush()
        for member_id in member_ids:
            self.session.add(StudyAttendance(session_id=study.id, member_id=member_id, recorded_at=study.created_at))
        await self.session.flush()

    async def recent(self, unit_id: int, since: date, limit: int) -> list[StudySession]:
        stmt = select(StudySession).where(StudySession.unit_id == unit_id, StudySession.held_on >= since)
        return await self._scalars(stmt.order_by(StudySession.held_on.desc(), StudySession.id.desc()).limit(limit))

    async def attendance(self, session_ids: Sequence[int]) -> list[StudyAttendance]:
        if not session_ids:
            return []
        stmt = select(StudyAttendance).where(StudyAttendance.session_id.in_(list(session_ids)))
        return await self._scalars(stmt)

    async def attendance_of(self, session_id: int, member_id: int) -> StudyAttendance | None:
        return await self.session.get(StudyAttendance, (session_id, member_id))

    async def add_attendance(self, row: StudyAttendance) -> None:
        self.session.add(row)
        await self.session.flush()

    async def stats(self, cell_ids: Sequence[int], year: int) -> tuple[int, int]:
        """(members who attended a session held in one of the cells that year, cells that held one)."""
        if not cell_ids:
            return 0, 0
        in_year = (
            StudySession.unit_id.in_(list(cell_ids)),
            StudySession.held_on >= date(year, 1, 1),
            StudySession.held_on <= date(year, 12, 31),
        )
        members = await self.session.scalar(
            select(func.count(distinct(StudyAttendance.member_id)))
            .join(StudySession, StudySession.id == StudyAttendance.session_id)
            .where(*in_year)
        )
        cells = await self.session.scalar(select(func.count(distinct(StudySession.unit_id))).where(*in_year))
        return int(members or 0), int(cells or 0)
