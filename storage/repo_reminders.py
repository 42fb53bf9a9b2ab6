"""Meeting schedules, reminder broadcasts, members' answers to reminders, and the annual cycle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.enums import BroadcastState, CommitmentStatus, Role
from storage.models import Broadcast, Commitment, Cycle, MeetingSchedule, Member, ReminderResponse
from storage.repo_base import Repo, chunked
from storage.repo_deliveries import DeliveryRepository

SNOOZE = "snooze"
NOT_APPLICABLE = "not_applicable"


class ReminderRepository(Repo):
    # --- schedules -------------------------------------------------------------------------------------
    async def schedule_of(self, unit_id: int) -> MeetingSchedule | None:
        stmt = select(MeetingSchedule).where(MeetingSchedule.unit_id == unit_id)
        return (await self.session.scalars(stmt)).first()

    async def schedules_of(self, unit_ids: Sequence[int]) -> dict[int, MeetingSchedule]:
        found: dict[int, MeetingSchedule] = {}
        for chunk in chunked(list(unit_ids)):
            rows = await self._scalars(select(MeetingSchedule).where(MeetingSchedule.unit_id.in_(chunk)))
            found.update({row.unit_id: row for row in rows})
        return found

    async def active_schedules(self) -> list[MeetingSchedule]:
        stmt = select(MeetingSchedule).where(MeetingSchedule.active.is_(True)).order_by(MeetingSchedule.id)
        return await self._scalars(stmt)

    async def save_schedule(self, schedule: MeetingSchedule) -> MeetingSchedule:
        self.session.add(schedule)
        await self.session.flush()
        return schedule

    # --- broadcasts ------------------------------------------------------------------------------------
    async def insert_firing(self, values: dict[str, Any]) -> Broadcast | None:
        """Insert a scheduled broadcast unless one with the same (schedule, kind, due time) exists.

        ON CONFLICT DO NOTHING on both SQLite and PostgreSQL: a second instance firing at the same moment
        waits for the first one's transaction and then inserts nothing (None), without an error that
        would roll back the rest of its work.
        """
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(Broadcast).values(**values).on_conflict_do_nothing().returning(Broadcast.id)
        new_id = (await self.session.execute(stmt)).scalar_one_or_none()
        return None if new_id is None else await self.session.get(Broadcast, new_id)

    async def add_broadcast(self, broadcast: Broadcast) -> Broadcast:
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def last_dues(self) -> dict[int, datetime]:
        """The latest due time fired (or recorded as missed) per schedule, in one query."""
        stmt = (
            select(Broadcast.schedule_id, func.max(Broadcast.due_at))
            .where(Broadcast.schedule_id.is_not(None))
            .group_by(Broadcast.schedule_id)
        )
        rows = (await self.session.execute(stmt)).all()
        return {int(row[0]): row[1] for row in rows if row[0] is not None and row[1] is not None}

    async def broadcasts(self, *, state: str | None = None, limit: int = 10) -> list[Broadcast]:
        stmt = select(Broadcast)
        if state is not None:
            stmt = stmt.where(Broadcast.state == state)
        return await self._scalars(stmt.order_by(Broadcast.id.desc()).limit(limit))

    async def missed(self, limit: int = 50) -> list[Broadcast]:
        return await self.broadcasts(state=BroadcastState.MISSED.value, limit=limit)

    async def delivery_counts(self, broadcast_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Per broadcast, its deliveries per status, and "resent": how many were sent again after a crash."""
        return await DeliveryRepository(self.session).status_counts(broadcast_ids)

    # --- recipients ------------------------------------------------------------------------------------
    async def cell_members(self, cell_id: int) -> list[Member]:
        """Active members of the cell (exempt and paused ones too: the caller decides)."""
        stmt = select(Member).where(Member.cell_id == cell_id, Member.active.is_(True))
        return await self._scalars(stmt.order_by(Member.full_name, Member.code))

    async def cell_leaders(self, cell_id: int) -> list[Member]:
        stmt = select(Member).where(
            Member.scope_unit_id == cell_id,
            Member.active.is_(True),
            Member.role.in_([Role.SECRETARY.value, Role.DEPUTY.value]),
        )
        return await self._scalars(stmt.order_by(Member.id))

    async def active_commitments(self, member_ids: Sequence[int], year: int) -> dict[int, list[Commitment]]:
        found: dict[int, list[Commitment]] = {}
        for chunk in chunked(list(member_ids)):
            stmt = select(Commitment).where(
                Commitment.member_id.in_(chunk),
                Commitment.status == CommitmentStatus.ACTIVE.value,
                Commitment.year == year,
            )
            for row in await self._scalars(stmt.order_by(Commitment.id)):
                found.setdefault(row.member_id, []).append(row)
        return found

    # --- answers to reminders --------------------------------------------------------------------------
    async def add_response(self, response: ReminderResponse) -> ReminderResponse:
        self.session.add(response)
        await self.session.flush()
        return response

    async def responses_for(self, member_ids: Sequence[int], meeting_on: date) -> list[ReminderResponse]:
        found: list[ReminderResponse] = []
        for chunk in chunked(list(member_ids)):
            stmt = select(ReminderResponse).where(
                ReminderResponse.member_id.in_(chunk), ReminderResponse.meeting_on == meeting_on
            )
            found.extend(await self._scalars(stmt.order_by(ReminderResponse.id)))
        return found

    async def due_snoozes(self, now: datetime, limit: int = 1000) -> list[ReminderResponse]:
        """Snoozes that came due; locked (PostgreSQL) so a second instance skips them instead of doubling."""
        stmt = (
            select(ReminderResponse)
            .where(
                ReminderResponse.action == SNOOZE,
                ReminderResponse.done_at.is_(None),
                ReminderResponse.remind_at <= now,
            )
            .order_by(ReminderResponse.remind_at, ReminderResponse.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await self._scalars(stmt)

    async def open_snoozes(self, member_id: int, meeting_on: date) -> list[ReminderResponse]:
        stmt = select(ReminderResponse).where(
            ReminderResponse.member_id == member_id,
            ReminderResponse.meeting_on == meeting_on,
            ReminderResponse.action == SNOOZE,
            ReminderResponse.done_at.is_(None),
        )
        return await self._scalars(stmt)

    # --- the annual cycle ------------------------------------------------------------------------------
    async def cycle(self, year: int) -> Cycle | None:
        return await self.session.get(Cycle, year)

    async def set_cycle(
        self, year: int, registration_deadline: date | None, self_assessment_from: date | None, now: datetime
    ) -> Cycle:
        cycle = await self.cycle(year)
        if cycle is None:
            cycle = Cycle(year=year, updated_at=now)
            self.session.add(cycle)
        cycle.registration_deadline = registration_deadline
        if self_assessment_from is not None:
            cycle.self_assessment_from = self_assessment_from
        cycle.updated_at = now
        await self.session.flush()
        return cycle
